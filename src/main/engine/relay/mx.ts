/**
 * MX resolution (RFC 5321 §5.1): MX records by preference, random order among equal preferences, the domain
 * itself (implicit MX) when it has no MX but an A/AAAA record; a null MX (RFC 7505) means the domain accepts
 * no mail. Results are cached per domain, on the injected clock, for the TTL of the DNS records they came from
 * (see `MX_CACHE`).
 */
import type { HostPort } from '../../../shared/contract';
import type { Clock } from '../../clock';
import type { DnsResolver } from '../types';

export const SMTP_PORT = 25;

export type MxResult =
  | { kind: 'hosts'; hosts: HostPort[]; implicit: boolean }
  /** Permanent: null MX. */
  | { kind: 'no_mail'; text: string }
  /** The domain does not exist (NXDOMAIN) or has no address at all: retried, it may be fixed. */
  | { kind: 'not_found'; text: string }
  /** DNS did not answer (timeout, SERVFAIL, refused): retried. */
  | { kind: 'dns_error'; text: string };

export interface MxResolver {
  resolve(domain: string): Promise<MxResult>;
}

export interface MxResolverOptions {
  dns: DnsResolver;
  clock: Clock;
  /** How long an answer is reused when the resolver gives no TTL (test fixtures). */
  cacheMs: number;
  random: () => number;
  /** Domains kept in the cache (least recently used dropped first); default `MX_CACHE.maxEntries`. */
  maxEntries?: number;
}

/**
 * Bounds of the cache times. The floor keeps a zero or few-second TTL (load balancers publish them) from
 * costing a DNS query per message of a large campaign: a moved MX is still seen within 30 s, and a dead host is
 * skipped anyway by trying the next one. The ceiling of a day is the usual resolver cap (unbound's
 * cache-max-ttl): a long-running engine picks up a provider's migration the next day at the latest. Negative
 * answers are capped at an hour (RFC 2308 §5 suggests 1-3 hours; unbound's default is 1 hour) because they are
 * retried and a domain being set up should start receiving soon; without an SOA they are kept a minute.
 * Transient failures (timeout, SERVFAIL) are kept 30 s, well under RFC 2308 §7's 5 minutes and under the
 * shortest retry back-off, so they only spare the other messages of the same burst a lookup that would time
 * out too. 20,000 domains are a few MB.
 */
export const MX_CACHE = {
  minMs: 30_000,
  maxMs: 24 * 3_600_000,
  negativeMaxMs: 3_600_000,
  negativeDefaultMs: 60_000,
  transientMs: 30_000,
  maxEntries: 20_000,
} as const;

/** DNS answers meaning "no such record" rather than a failure to get an answer. */
const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

/** A result with the TTL (seconds) of the records it came from; undefined when the resolver gave none. */
interface Answer {
  result: MxResult;
  ttl: number | undefined;
}

export function createMxResolver(o: MxResolverOptions): MxResolver {
  const maxEntries = o.maxEntries ?? MX_CACHE.maxEntries;
  // Map order is recency: a hit moves its entry to the end, eviction drops the first one.
  const cache = new Map<string, { until: number; result: Promise<MxResult> }>();
  return {
    resolve(domain) {
      const key = domain.toLowerCase();
      const hit = cache.get(key);
      if (hit && hit.until > o.clock.now()) {
        cache.delete(key);
        cache.set(key, hit);
        return hit.result;
      }
      // Until the answer arrives, concurrent lookups of the domain share it.
      const answer = lookup(key, o);
      const entry = { until: Infinity, result: answer.then((a) => a.result) };
      cache.delete(key);
      while (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, entry);
      answer.then(
        (a) => {
          entry.until = o.clock.now() + cacheMs(a, o.cacheMs);
        },
        () => {
          if (cache.get(key) === entry) cache.delete(key);
        },
      );
      return entry.result;
    },
  };
}

function cacheMs({ result, ttl }: Answer, fallbackMs: number): number {
  const bounded = (maxMs: number) => Math.min(maxMs, Math.max(MX_CACHE.minMs, (ttl ?? 0) * 1000));
  switch (result.kind) {
    case 'hosts':
    case 'no_mail':
      return ttl === undefined ? fallbackMs : bounded(MX_CACHE.maxMs);
    case 'not_found':
      return ttl === undefined ? MX_CACHE.negativeDefaultMs : bounded(MX_CACHE.negativeMaxMs);
    case 'dns_error':
      return MX_CACHE.transientMs;
  }
}

async function lookup(domain: string, o: MxResolverOptions): Promise<Answer> {
  let records: { exchange: string; priority: number; ttl?: number }[];
  let noMxTtl: number | undefined;
  try {
    records = await o.dns.resolveMx(domain);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOTFOUND' || code === 'NOTFOUND') {
      return {
        result: { kind: 'not_found', text: `DNS: domain ${domain} does not exist (NXDOMAIN)` },
        ttl: errorTtl(err),
      };
    }
    if (!NO_DATA.has(code)) {
      return {
        result: { kind: 'dns_error', text: `DNS: MX lookup for ${domain} failed (${code})` },
        ttl: undefined,
      };
    }
    records = [];
    noMxTtl = errorTtl(err);
  }
  const ttl = minTtl(records.map((r) => r.ttl));
  const usable = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
  if (records.length > 0 && usable.length === 0) {
    return {
      result: { kind: 'no_mail', text: `DNS: domain ${domain} does not accept mail (null MX, RFC 7505)` },
      ttl,
    };
  }
  if (usable.length > 0) {
    return { result: { kind: 'hosts', hosts: orderByPreference(usable, o.random), implicit: false }, ttl };
  }
  return implicitMx(domain, noMxTtl, o);
}

/** No MX: the domain's own A/AAAA records. The answer holds as long as both the missing MX and those do. */
async function implicitMx(
  domain: string,
  noMxTtl: number | undefined,
  o: MxResolverOptions,
): Promise<Answer> {
  const [v4, v6] = await Promise.all([
    addresses(() => o.dns.resolve4(domain)),
    addresses(() => o.dns.resolve6(domain)),
  ]);
  const ttl = minTtl([noMxTtl, v4.ttl, v6.ttl]);
  if (v4.count > 0 || v6.count > 0) {
    return { result: { kind: 'hosts', hosts: [{ host: domain, port: SMTP_PORT }], implicit: true }, ttl };
  }
  const failed = v4.error ?? v6.error;
  if (failed !== undefined) {
    // One family failed and the other has nothing: the failed one may hold the address.
    return {
      result: { kind: 'dns_error', text: `DNS: address lookup for ${domain} failed (${failed})` },
      ttl: undefined,
    };
  }
  return {
    result: {
      kind: 'not_found',
      text: `DNS: domain ${domain} does not exist as a mail domain (no MX, no A/AAAA)`,
    },
    ttl,
  };
}

/** How many addresses a lookup found, with their TTL (or the negative TTL), or the code it failed with. */
async function addresses(
  fn: () => Promise<(string | { address: string; ttl?: number })[]>,
): Promise<{ count: number; ttl: number | undefined; error?: string }> {
  try {
    const list = await fn();
    return { count: list.length, ttl: minTtl(list.map((a) => (typeof a === 'string' ? undefined : a.ttl))) };
  } catch (err) {
    const code = errorCode(err);
    return NO_DATA.has(code) ? { count: 0, ttl: errorTtl(err) } : { count: 0, ttl: undefined, error: code };
  }
}

/** The smallest known TTL: an answer is only as fresh as its shortest-lived part. */
function minTtl(ttls: readonly (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const t of ttls) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}

function errorTtl(err: unknown): number | undefined {
  const ttl = (err as { ttl?: unknown } | null)?.ttl;
  return typeof ttl === 'number' && ttl >= 0 ? ttl : undefined;
}

/** Lowest preference first; hosts of equal preference in random order (load spreading, RFC 5321 §5.1). */
export function orderByPreference(
  records: readonly { exchange: string; priority: number }[],
  random: () => number,
): HostPort[] {
  const keyed = records.map((r) => ({ r, tie: random() }));
  keyed.sort((a, b) => a.r.priority - b.r.priority || a.tie - b.tie);
  const seen = new Set<string>();
  const hosts: HostPort[] = [];
  for (const { r } of keyed) {
    const host = r.exchange.replace(/\.$/, '').toLowerCase();
    if (seen.has(host)) continue;
    seen.add(host);
    hosts.push({ host, port: SMTP_PORT });
  }
  return hosts;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
