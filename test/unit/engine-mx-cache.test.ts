/** The MX cache: each answer is kept for its records' TTL on the engine clock, within MX_CACHE's bounds. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { createMxResolver, MX_CACHE } from '../../src/main/engine/relay/mx';
import type { DnsResolver } from '../../src/main/engine/types';
import { fixtureDns } from '../support/dns-fixtures';

const FALLBACK_MS = 5 * 60_000;

function setup(dns: DnsResolver & { lookups: string[] }, maxEntries?: number) {
  const clock = new ManualClock();
  const mx = createMxResolver({
    dns,
    clock,
    cacheMs: FALLBACK_MS,
    random: () => 0.5,
    ...(maxEntries === undefined ? {} : { maxEntries }),
  });
  /** How long (ms of the clock) `domain`'s answer is reused: the first time a new lookup happens. */
  async function keptFor(domain: string, stepMs = 1_000, maxMs = 2 * MX_CACHE.maxMs): Promise<number> {
    await mx.resolve(domain);
    const before = dns.lookups.length;
    for (let waited = stepMs; waited <= maxMs; waited += stepMs) {
      clock.advance(stepMs);
      await mx.resolve(domain);
      if (dns.lookups.length > before) return waited;
    }
    throw new Error(`${domain} still cached after ${maxMs} ms`);
  }
  return { clock, mx, keptFor };
}

const mxRecord = (exchange: string, ttl?: number) => ({
  exchange,
  priority: 10,
  ...(ttl === undefined ? {} : { ttl }),
});

describe('MX cache times', () => {
  it('keeps an MX answer for its shortest record TTL', async () => {
    const dns = fixtureDns({ mx: { 'ex.test': [mxRecord('a.ex.test', 300), mxRecord('b.ex.test', 120)] } });
    expect(await setup(dns).keptFor('ex.test')).toBe(120_000);
  });

  it('expires exactly at the TTL, not before', async () => {
    const dns = fixtureDns({ mx: { 'ex.test': [mxRecord('mx.ex.test', 90)] } });
    const { clock, mx } = setup(dns);
    await mx.resolve('ex.test');
    clock.advance(89_999);
    await mx.resolve('ex.test');
    expect(dns.lookups).toHaveLength(1);
    clock.advance(1);
    await mx.resolve('ex.test');
    expect(dns.lookups).toHaveLength(2);
  });

  it('keeps a zero or tiny TTL for the floor, a huge one for the ceiling', async () => {
    const dns = fixtureDns({
      mx: {
        'zero.test': [mxRecord('mx.zero.test', 0)],
        'five.test': [mxRecord('mx.five.test', 5)],
        'week.test': [mxRecord('mx.week.test', 7 * 86_400)],
      },
    });
    const { keptFor } = setup(dns);
    expect(await keptFor('zero.test')).toBe(MX_CACHE.minMs);
    expect(await keptFor('five.test')).toBe(MX_CACHE.minMs);
    expect(await keptFor('week.test', 3_600_000)).toBe(MX_CACHE.maxMs);
  });

  it('keeps an answer without TTL for the fallback time', async () => {
    const dns = fixtureDns({ mx: { 'ex.test': [mxRecord('mx.ex.test')] } });
    expect(await setup(dns).keptFor('ex.test')).toBe(FALLBACK_MS);
  });

  it('keeps a null MX for its TTL', async () => {
    const dns = fixtureDns({ mx: { 'nomail.test': [{ exchange: '.', priority: 0, ttl: 3_600 }] } });
    const { mx, keptFor } = setup(dns);
    expect(await mx.resolve('nomail.test')).toMatchObject({ kind: 'no_mail' });
    expect(await keptFor('nomail.test', 60_000)).toBe(3_600_000);
  });

  it('keeps an implicit MX as long as both the missing MX and the address records hold', async () => {
    const dns = fixtureDns({
      mx: { 'plain.test': { code: 'ENODATA', ttl: 900 }, 'v6.test': { code: 'ENODATA', ttl: 45 } },
      a: { 'plain.test': [{ address: '192.0.2.1', ttl: 60 }] },
      aaaa: {
        'plain.test': { code: 'ENODATA', ttl: 900 },
        'v6.test': [{ address: '2001:db8::1', ttl: 600 }],
      },
    });
    const { mx, keptFor } = setup(dns);
    expect(await mx.resolve('plain.test')).toMatchObject({ kind: 'hosts', implicit: true });
    expect(await keptFor('plain.test')).toBe(60_000);
    expect(await keptFor('v6.test')).toBe(45_000);
  });
});

describe('MX cache of negative answers (RFC 2308)', () => {
  it('keeps NXDOMAIN for the negative TTL of the SOA, capped at an hour', async () => {
    const dns = fixtureDns({
      mx: {
        'gone.test': { code: 'ENOTFOUND', ttl: 600 },
        'long-gone.test': { code: 'ENOTFOUND', ttl: 86_400 },
      },
    });
    const { mx, keptFor } = setup(dns);
    expect(await mx.resolve('gone.test')).toMatchObject({ kind: 'not_found' });
    expect(await keptFor('gone.test')).toBe(600_000);
    expect(await keptFor('long-gone.test', 60_000)).toBe(MX_CACHE.negativeMaxMs);
  });

  it('keeps a negative answer without SOA for the short default', async () => {
    const dns = fixtureDns({ mx: { 'gone.test': 'ENOTFOUND' } });
    expect(await setup(dns).keptFor('gone.test')).toBe(MX_CACHE.negativeDefaultMs);
  });

  it('keeps "no MX and no address" for the smallest negative TTL of the three lookups', async () => {
    const dns = fixtureDns({
      mx: { 'empty.test': { code: 'ENODATA', ttl: 300 } },
      a: { 'empty.test': { code: 'ENODATA', ttl: 200 } },
      aaaa: { 'empty.test': { code: 'ENODATA', ttl: 400 } },
    });
    const { mx, keptFor } = setup(dns);
    expect(await mx.resolve('empty.test')).toMatchObject({ kind: 'not_found' });
    expect(await keptFor('empty.test')).toBe(200_000);
  });
});

describe('MX cache of transient failures', () => {
  it('keeps a timeout or SERVFAIL briefly, then sees the recovered answer', async () => {
    const zone = { mx: { 'flaky.test': 'ETIMEOUT' as string | { exchange: string; priority: number }[] } };
    const dns = fixtureDns(zone);
    const { clock, mx } = setup(dns);
    expect(await mx.resolve('flaky.test')).toMatchObject({ kind: 'dns_error' });
    zone.mx['flaky.test'] = [mxRecord('mx.flaky.test', 3_600)];
    clock.advance(MX_CACHE.transientMs - 1);
    expect(await mx.resolve('flaky.test')).toMatchObject({ kind: 'dns_error' });
    clock.advance(1);
    expect(await mx.resolve('flaky.test')).toMatchObject({ kind: 'hosts' });
    expect(dns.lookups).toHaveLength(2);
    const servfail = fixtureDns({ mx: { 'broken.test': 'ESERVFAIL' } });
    expect(await setup(servfail).keptFor('broken.test')).toBe(MX_CACHE.transientMs);
  });

  it('reports a failed address lookup as a DNS error when the other family has nothing', async () => {
    const dns = fixtureDns({
      mx: { 'half.test': 'ENODATA' },
      a: { 'half.test': 'ETIMEOUT' },
      aaaa: { 'half.test': 'ENODATA' },
    });
    expect(await setup(dns).mx.resolve('half.test')).toMatchObject({ kind: 'dns_error' });
  });
});

describe('MX cache bounds', () => {
  it('shares one lookup between concurrent resolutions of a domain', async () => {
    const dns = fixtureDns({ mx: { 'ex.test': [mxRecord('mx.ex.test', 60)] } });
    const { mx } = setup(dns);
    const [a, b] = await Promise.all([mx.resolve('ex.test'), mx.resolve('Ex.Test')]);
    expect(a).toEqual(b);
    expect(dns.lookups).toHaveLength(1);
  });

  it('holds at most maxEntries domains, dropping the least recently used', async () => {
    const zone = Object.fromEntries(
      ['a', 'b', 'c'].map((d) => [`${d}.test`, [mxRecord(`mx.${d}.test`, 3_600)]]),
    );
    const dns = fixtureDns({ mx: zone });
    const { mx } = setup(dns, 2);
    await mx.resolve('a.test');
    await mx.resolve('b.test');
    await mx.resolve('a.test'); // a is now more recent than b
    await mx.resolve('c.test'); // evicts b
    await mx.resolve('a.test');
    expect(dns.lookups).toEqual(['MX a.test', 'MX b.test', 'MX c.test']);
    await mx.resolve('b.test');
    expect(dns.lookups).toEqual(['MX a.test', 'MX b.test', 'MX c.test', 'MX b.test']);
  });

  it('does not keep a lookup that failed with an exception (a resolver bug)', async () => {
    const dns = fixtureDns({
      mx: { 'bad.test': [{ priority: 10 } as { exchange: string; priority: number }] },
    });
    const { mx } = setup(dns);
    await expect(mx.resolve('bad.test')).rejects.toThrow(TypeError);
    await expect(mx.resolve('bad.test')).rejects.toThrow(TypeError);
    expect(dns.lookups).toEqual(['MX bad.test', 'MX bad.test']);
  });
});
