/**
 * The DNS lookups of the delivery analysis: the engine's resolver (MX, A, AAAA) plus TXT, injected like every
 * other seam so each check runs against a scripted resolver in tests. `mailauthResolver` adapts it to the
 * `(name, rrtype)` function mailauth's SPF and DMARC evaluations take, and records the TXT answers it gave so a
 * check can show the records it was judged on.
 */
import type { DnsResolver } from '../engine/types';

export interface AnalysisDns extends DnsResolver {
  /** TXT records as node:dns gives them: one array of character-strings per record. */
  resolveTxt(name: string): Promise<string[][]>;
}

/** A failure with node:dns's code (`ENOTFOUND`, `ENODATA`, `ETIMEOUT`, ...). */
export function dnsCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : 'EUNKNOWN';
}

/** NXDOMAIN or NODATA: the name has no record of the type asked (as opposed to a failed lookup). */
export function isNoRecord(err: unknown): boolean {
  const code = dnsCode(err);
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

export interface RecordingResolver {
  resolve: (name: string, rrtype: string) => Promise<unknown>;
  /** The TXT answers given, by lower-cased name, each record's strings joined. */
  txt: Map<string, string[]>;
}

function noData(name: string, rrtype: string): Error & { code: string } {
  return Object.assign(new Error(`query${rrtype} ${name}: ENODATA`), { code: 'ENODATA' });
}

export function mailauthResolver(dns: AnalysisDns): RecordingResolver {
  const txt = new Map<string, string[]>();
  const plain = (list: (string | { address: string })[]) =>
    list.map((a) => (typeof a === 'string' ? a : a.address));
  async function resolve(name: string, rrtype: string): Promise<unknown> {
    switch (rrtype) {
      case 'TXT': {
        const records = await dns.resolveTxt(name);
        txt.set(
          name.toLowerCase(),
          records.map((r) => r.join('')),
        );
        return records;
      }
      case 'MX':
        return (await dns.resolveMx(name)).map(({ exchange, priority }) => ({ exchange, priority }));
      case 'A':
        return plain(await dns.resolve4(name));
      case 'AAAA':
        return plain(await dns.resolve6(name));
      default:
        // PTR (the deprecated `ptr` mechanism) and anything else: no data, as SPF treats an absent record.
        throw noData(name, rrtype);
    }
  }
  return { resolve, txt };
}
