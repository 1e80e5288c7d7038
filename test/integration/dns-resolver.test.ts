/**
 * The production DNS resolver against real DNS servers on 127.0.0.1 (UDP, and TCP for truncated answers):
 * TTLs of MX/A/AAAA answers, NXDOMAIN/NODATA with the SOA's negative TTL, SERVFAIL, timeouts and the next
 * server, then through the MX cache.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answer, Question } from 'dns-packet';
import { ManualClock, systemClock } from '../../src/main/clock';
import { createMxResolver } from '../../src/main/engine/relay/mx';
import { createDnsResolver } from '../../src/main/engine/relay/node-dns';
import { startDnsServer, type DnsReply, type DnsServer } from '../support/dns-server';

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(reply: (q: Question) => DnsReply): Promise<DnsServer> {
  const s = await startDnsServer(reply);
  servers.push(s);
  return s;
}

const mx = (name: string, exchange: string, preference: number, ttl: number): Answer => ({
  type: 'MX',
  name,
  ttl,
  data: { exchange, preference },
});
const a = (name: string, address: string, ttl: number): Answer => ({ type: 'A', name, ttl, data: address });
const soa = (zone: string, ttl: number, minimum: number): Answer => ({
  type: 'SOA',
  name: zone,
  ttl,
  data: {
    mname: `ns.${zone}`,
    rname: `hostmaster.${zone}`,
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86_400,
    minimum,
  },
});

/** The zone of most tests. */
function zone(q: Question): DnsReply {
  const key = `${q.type} ${q.name.toLowerCase()}`;
  switch (key) {
    case 'MX mail.test':
      return {
        answers: [mx('mail.test', 'mx1.mail.test', 10, 300), mx('mail.test', 'mx2.mail.test', 20, 120)],
      };
    case 'MX nomail.test':
      return { answers: [mx('nomail.test', '.', 0, 3_600)] };
    case 'A plain.test':
      return { answers: [a('plain.test', '192.0.2.10', 600), a('plain.test', '192.0.2.11', 500)] };
    case 'AAAA plain.test':
      return { answers: [{ type: 'AAAA', name: 'plain.test', ttl: 700, data: '2001:db8::10' }] };
    case 'A alias.test':
      return {
        answers: [
          { type: 'CNAME', name: 'alias.test', ttl: 40, data: 'plain.test' },
          a('plain.test', '192.0.2.10', 600),
        ],
      };
    case 'MX big.test':
      return {
        truncateOverUdp: true,
        answers: Array.from({ length: 40 }, (_, i) =>
          mx('big.test', `mx${i}.a-rather-long-host-name.big.test`, i, 900),
        ),
      };
    case 'MX stray.test':
      return { strayFirst: true, answers: [mx('stray.test', 'mx.stray.test', 10, 60)] };
    case 'MX plain.test':
    case 'MX empty.test':
    case 'A empty.test':
    case 'AAAA empty.test':
      return { authorities: [soa('test', 3_600, 900)] };
    case 'MX bare.test':
      return {};
    default:
      return { rcode: 'NXDOMAIN', authorities: [soa('test', 600, 3_600)] };
  }
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the lookup to fail');
    },
    (err: unknown) => err as Error & { code: string; ttl?: number },
  );

describe('DNS resolver against a real DNS server', () => {
  it('answers MX, A and AAAA over UDP with their TTLs', async () => {
    const dns = await server(zone);
    const resolver = createDnsResolver({ clock: systemClock, servers: [dns.address], timeoutMs: 2_000 });
    expect(await resolver.resolveMx('mail.test')).toEqual([
      { exchange: 'mx1.mail.test', priority: 10, ttl: 300 },
      { exchange: 'mx2.mail.test', priority: 20, ttl: 120 },
    ]);
    expect(await resolver.resolve4('plain.test')).toEqual([
      { address: '192.0.2.10', ttl: 600 },
      { address: '192.0.2.11', ttl: 500 },
    ]);
    expect(await resolver.resolve6('plain.test')).toEqual([{ address: '2001:db8::10', ttl: 700 }]);
    expect(dns.queries.map((q) => q.transport)).toEqual(['udp', 'udp', 'udp']);
  });

  it('cuts the TTL of a record reached through a CNAME to the CNAME TTL', async () => {
    const dns = await server(zone);
    const resolver = createDnsResolver({ clock: systemClock, servers: [dns.address], timeoutMs: 2_000 });
    expect(await resolver.resolve4('alias.test')).toEqual([{ address: '192.0.2.10', ttl: 40 }]);
  });

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const dns = await server(zone);
    const records = await createDnsResolver({
      clock: systemClock,
      servers: [dns.address],
      timeoutMs: 2_000,
    }).resolveMx('big.test');
    expect(records).toHaveLength(40);
    expect(records[39]).toEqual({
      exchange: 'mx39.a-rather-long-host-name.big.test',
      priority: 39,
      ttl: 900,
    });
    expect(dns.queries).toEqual([
      { transport: 'udp', type: 'MX', name: 'big.test' },
      { transport: 'tcp', type: 'MX', name: 'big.test' },
    ]);
  });

  it('ignores a datagram answering another query', async () => {
    const dns = await server(zone);
    const resolver = createDnsResolver({
      clock: systemClock,
      servers: [dns.address],
      timeoutMs: 2_000,
      tries: 1,
    });
    expect(await resolver.resolveMx('stray.test')).toEqual([
      { exchange: 'mx.stray.test', priority: 10, ttl: 60 },
    ]);
  });

  it('reports NXDOMAIN and NODATA apart, with the negative TTL of the SOA (RFC 2308)', async () => {
    const dns = await server(zone);
    const resolver = createDnsResolver({ clock: systemClock, servers: [dns.address], timeoutMs: 2_000 });
    // min(SOA TTL 600, minimum 3600)
    expect(await failureOf(resolver.resolveMx('gone.test'))).toMatchObject({ code: 'ENOTFOUND', ttl: 600 });
    // min(SOA TTL 3600, minimum 900)
    expect(await failureOf(resolver.resolveMx('empty.test'))).toMatchObject({ code: 'ENODATA', ttl: 900 });
    const bare = await failureOf(resolver.resolveMx('bare.test'));
    expect(bare.code).toBe('ENODATA');
    expect(bare.ttl).toBeUndefined();
  });

  it('moves on to the next server after a SERVFAIL, without retrying the failed one', async () => {
    const failing = await server(() => ({ rcode: 'SERVFAIL' }));
    const good = await server(zone);
    const alone = createDnsResolver({ clock: systemClock, servers: [failing.address], timeoutMs: 2_000 });
    expect(await failureOf(alone.resolveMx('mail.test'))).toMatchObject({ code: 'ESERVFAIL' });
    expect(failing.queries).toHaveLength(1);
    const both = createDnsResolver({
      clock: systemClock,
      servers: [failing.address, good.address],
      timeoutMs: 2_000,
    });
    expect(await both.resolveMx('mail.test')).toHaveLength(2);
    expect(failing.queries).toHaveLength(2);
    expect(good.queries).toHaveLength(1);
  });

  it('reports REFUSED as EREFUSED', async () => {
    const refusing = await server(() => ({ rcode: 'REFUSED' }));
    const resolver = createDnsResolver({ clock: systemClock, servers: [refusing.address], timeoutMs: 2_000 });
    expect(await failureOf(resolver.resolveMx('mail.test'))).toMatchObject({ code: 'EREFUSED' });
  });

  it('times out a silent server after one retry, then asks the next one', async () => {
    const silent = await server(() => 'silent');
    const good = await server(zone);
    const alone = createDnsResolver({
      clock: systemClock,
      servers: [silent.address],
      timeoutMs: 150,
      tries: 2,
    });
    expect(await failureOf(alone.resolveMx('mail.test'))).toMatchObject({ code: 'ETIMEOUT' });
    expect(silent.queries).toHaveLength(2);
    const both = createDnsResolver({
      clock: systemClock,
      servers: [silent.address, good.address],
      timeoutMs: 150,
      tries: 2,
    });
    expect(await both.resolveMx('mail.test')).toHaveLength(2);
    expect(silent.queries).toHaveLength(4);
    expect(good.queries).toHaveLength(1);
  });

  it('moves on from a server where nothing listens', async () => {
    const closed = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', resolve));
    const deadAddress = `127.0.0.1:${closed.address().port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const good = await server(zone);
    const alone = createDnsResolver({ clock: systemClock, servers: [deadAddress], timeoutMs: 2_000 });
    expect(await failureOf(alone.resolveMx('mail.test'))).toMatchObject({ code: 'ECONNREFUSED' });
    const both = createDnsResolver({
      clock: systemClock,
      servers: [deadAddress, good.address],
      timeoutMs: 2_000,
    });
    expect(await both.resolveMx('mail.test')).toHaveLength(2);
  });

  it('refuses a bad server entry at once and a bad name without a query', async () => {
    expect(() => createDnsResolver({ clock: systemClock, servers: ['dns.example'] })).toThrow(
      /DNS server "dns\.example"/,
    );
    expect(() => createDnsResolver({ clock: systemClock, servers: ['127.0.0.1:70000'] })).toThrow(
      /127\.0\.0\.1:70000/,
    );
    const dns = await server(zone);
    const resolver = createDnsResolver({ clock: systemClock, servers: [dns.address], timeoutMs: 2_000 });
    expect(await failureOf(resolver.resolveMx(`${'x'.repeat(64)}.test`))).toMatchObject({ code: 'EBADNAME' });
    expect(dns.queries).toHaveLength(0);
  });
});

describe('MX routing through the real resolver', () => {
  it('caches each answer for the TTL the server gave', async () => {
    const dns = await server(zone);
    const clock = new ManualClock();
    const routing = createMxResolver({
      dns: createDnsResolver({ clock: systemClock, servers: [dns.address], timeoutMs: 2_000 }),
      clock,
      cacheMs: 5 * 60_000,
      random: () => 0.5,
    });
    const mxQueries = () => dns.queries.filter((q) => q.type === 'MX').length;
    expect(await routing.resolve('mail.test')).toEqual({
      kind: 'hosts',
      implicit: false,
      hosts: [
        { host: 'mx1.mail.test', port: 25 },
        { host: 'mx2.mail.test', port: 25 },
      ],
    });
    expect(await routing.resolve('nomail.test')).toMatchObject({ kind: 'no_mail' });
    expect(await routing.resolve('plain.test')).toMatchObject({ kind: 'hosts', implicit: true });
    expect(await routing.resolve('gone.test')).toMatchObject({ kind: 'not_found' });
    expect(mxQueries()).toBe(4);
    // mail.test: 120 s (its shortest MX TTL); gone.test: 600 s; plain.test: 500 s (its A records).
    clock.advance(119_000);
    await Promise.all(['mail.test', 'plain.test', 'gone.test', 'nomail.test'].map((d) => routing.resolve(d)));
    expect(mxQueries()).toBe(4);
    clock.advance(1_000);
    await routing.resolve('mail.test');
    expect(mxQueries()).toBe(5);
    clock.advance(380_000); // 500 s
    await routing.resolve('plain.test');
    await routing.resolve('gone.test');
    expect(mxQueries()).toBe(6);
    clock.advance(100_000); // 600 s
    await routing.resolve('gone.test');
    expect(mxQueries()).toBe(7);
  });
});
