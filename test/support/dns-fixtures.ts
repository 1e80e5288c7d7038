/** An in-memory DnsResolver for routing tests: records per name, failures by node:dns error code. */
import type { DnsResolver } from '../../src/main/engine/types';

/** A failure: node's error code, with the negative-caching TTL of an NXDOMAIN/NODATA answer when given. */
export type DnsFailure = string | { code: string; ttl?: number };

type Address = string | { address: string; ttl?: number };
type Table<T> = Record<string, T[] | DnsFailure>;

export const dnsError = (failure: DnsFailure): Error & { code: string; ttl?: number } => {
  const { code, ttl } = typeof failure === 'string' ? { code: failure, ttl: undefined } : failure;
  return Object.assign(new Error(`query ${code}`), { code }, ttl === undefined ? {} : { ttl });
};

/** For tests whose messages all follow static routes: every lookup times out (DNS is never reached). */
export const noDns: DnsResolver = {
  resolveMx: () => Promise.reject(dnsError('ETIMEOUT')),
  resolve4: () => Promise.reject(dnsError('ETIMEOUT')),
  resolve6: () => Promise.reject(dnsError('ETIMEOUT')),
};

/** Names missing from a table answer ENODATA. `lookups` lists the MX queries made ("MX domain"). */
export function fixtureDns(zone: {
  mx?: Table<{ exchange: string; priority: number; ttl?: number }>;
  a?: Table<Address>;
  aaaa?: Table<Address>;
}): DnsResolver & { lookups: string[] } {
  const lookups: string[] = [];
  const answer = <T>(table: Table<T> | undefined, name: string): Promise<T[]> => {
    const value = table?.[name];
    if (value === undefined) return Promise.reject(dnsError('ENODATA'));
    if (!Array.isArray(value)) return Promise.reject(dnsError(value));
    return Promise.resolve(value);
  };
  return {
    lookups,
    resolveMx: (d) => {
      lookups.push(`MX ${d}`);
      return answer(zone.mx, d);
    },
    resolve4: (h) => answer(zone.a, h),
    resolve6: (h) => answer(zone.aaaa, h),
  };
}
