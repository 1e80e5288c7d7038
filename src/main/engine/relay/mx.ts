/**
 * MX resolution (RFC 5321 §5.1): MX records by preference, random order among equal preferences, the domain
 * itself (implicit MX) when it has no MX but an A/AAAA record; a null MX (RFC 7505) means the domain accepts
 * no mail. Results are cached per domain for `cacheMs` of the injected clock (node's resolver gives no TTL).
 */
import type { HostPort } from '../../../shared/contract';
import type { Clock } from '../clock';
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
  cacheMs: number;
  random: () => number;
}

/** DNS answers meaning "no such record" rather than a failure to get an answer. */
const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

export function createMxResolver(o: MxResolverOptions): MxResolver {
  const cache = new Map<string, { until: number; result: Promise<MxResult> }>();
  return {
    resolve(domain) {
      const key = domain.toLowerCase();
      const now = o.clock.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.result;
      const result = lookup(key, o);
      cache.set(key, { until: now + o.cacheMs, result });
      // DNS errors are not cached: the next message retries the lookup.
      void result.then((r) => {
        if (r.kind === 'dns_error' && cache.get(key)?.result === result) cache.delete(key);
      });
      return result;
    },
  };
}

async function lookup(domain: string, o: MxResolverOptions): Promise<MxResult> {
  let records: { exchange: string; priority: number }[];
  try {
    records = await o.dns.resolveMx(domain);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOTFOUND' || code === 'NOTFOUND') {
      return { kind: 'not_found', text: `DNS: domain ${domain} does not exist (NXDOMAIN)` };
    }
    if (!NO_DATA.has(code))
      return { kind: 'dns_error', text: `DNS: MX lookup for ${domain} failed (${code})` };
    records = [];
  }
  const usable = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
  if (records.length > 0 && usable.length === 0) {
    return { kind: 'no_mail', text: `DNS: domain ${domain} does not accept mail (null MX, RFC 7505)` };
  }
  if (usable.length > 0) {
    return { kind: 'hosts', hosts: orderByPreference(usable, o.random), implicit: false };
  }
  return implicitMx(domain, o);
}

async function implicitMx(domain: string, o: MxResolverOptions): Promise<MxResult> {
  const [v4, v6] = await Promise.all([
    addresses(() => o.dns.resolve4(domain)),
    addresses(() => o.dns.resolve6(domain)),
  ]);
  if (v4.kind === 'error' && v6.kind === 'error') {
    return { kind: 'dns_error', text: `DNS: address lookup for ${domain} failed (${v4.code})` };
  }
  if (v4.list.length === 0 && v6.list.length === 0) {
    return {
      kind: 'not_found',
      text: `DNS: domain ${domain} does not exist as a mail domain (no MX, no A/AAAA)`,
    };
  }
  return { kind: 'hosts', hosts: [{ host: domain, port: SMTP_PORT }], implicit: true };
}

async function addresses(
  fn: () => Promise<string[]>,
): Promise<{ kind: 'ok'; list: string[] } | { kind: 'error'; code: string; list: string[] }> {
  try {
    return { kind: 'ok', list: await fn() };
  } catch (err) {
    const code = errorCode(err);
    return NO_DATA.has(code) ? { kind: 'ok', list: [] } : { kind: 'error', code, list: [] };
  }
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
