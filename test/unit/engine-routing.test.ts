import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { createMxResolver, orderByPreference } from '../../src/main/engine/relay/mx';
import { chooseRoute, createRouter } from '../../src/main/engine/relay/routing';
import type { DnsResolver } from '../../src/main/engine/types';
import { fixtureDns } from '../support/dns-fixtures';
import type { Route } from '../../src/shared/contract';

const smtp = (host: string, port: number) => ({ kind: 'smtp' as const, host, port });

describe('route resolution order', () => {
  const routes: Route[] = [
    { mask: '*', target: smtp('catchall.local', 2500) },
    { mask: '*.test', target: smtp('tests.local', 2501) },
    { mask: 'inbox.test', target: { kind: 'sandbox' } },
    { mask: '*.corp.test', target: smtp('corp.local', 2502) },
  ];

  it('uses the most specific matching route', () => {
    expect(chooseRoute('inbox.test', { routes, smarthost: null }, null)).toEqual({
      source: 'route',
      target: { kind: 'sandbox' },
    });
    expect(chooseRoute('eu.corp.test', { routes, smarthost: null }, null).target).toEqual(
      smtp('corp.local', 2502),
    );
    expect(chooseRoute('mail.test', { routes, smarthost: null }, null).target).toEqual(
      smtp('tests.local', 2501),
    );
    expect(chooseRoute('example.com', { routes, smarthost: null }, null).target).toEqual(
      smtp('catchall.local', 2500),
    );
  });

  it('falls back to the smart host, then the default route, then MX', () => {
    const onlyTest: Route[] = [{ mask: '*.test', target: smtp('tests.local', 2501) }];
    const smarthost = { host: 'relay.local', port: 587 };
    expect(chooseRoute('example.com', { routes: onlyTest, smarthost }, { kind: 'sandbox' })).toEqual({
      source: 'smarthost',
      target: smtp('relay.local', 587),
    });
    expect(chooseRoute('example.com', { routes: onlyTest, smarthost: null }, { kind: 'sandbox' })).toEqual({
      source: 'default',
      target: { kind: 'sandbox' },
    });
    expect(chooseRoute('example.com', { routes: onlyTest, smarthost: null }, null)).toEqual({
      source: 'mx',
      target: null,
    });
  });

  it('reads a default route getter only when no route or smart host applies', () => {
    let reads = 0;
    const getter = () => {
      reads++;
      return { kind: 'sandbox' as const };
    };
    const onlyTest: Route[] = [{ mask: '*.test', target: smtp('tests.local', 2501) }];
    expect(chooseRoute('a.test', { routes: onlyTest, smarthost: null }, getter).source).toBe('route');
    expect(reads).toBe(0);
    expect(chooseRoute('example.com', { routes: onlyTest, smarthost: null }, getter)).toEqual({
      source: 'default',
      target: { kind: 'sandbox' },
    });
    expect(reads).toBe(1);
  });
});

describe('router', () => {
  const clock = new ManualClock();
  const mx = createMxResolver({ dns: fixtureDns({}), clock, cacheMs: 60_000, random: () => 0.5 });

  it('resolves the sandbox route to the running sandbox, and defers when it is not running', async () => {
    let address: { host: string; port: number } | null = { host: '127.0.0.1', port: 40025 };
    const router = createRouter({
      mx,
      defaultRoute: () => ({ kind: 'sandbox' }),
      sandboxAddress: () => address,
    });
    expect(await router.resolve('inbox.test', { routes: [], smarthost: null })).toEqual({
      ok: true,
      source: 'default',
      destination: { key: 'smtp:127.0.0.1:40025', hosts: [{ host: '127.0.0.1', port: 40025 }] },
    });
    address = null;
    const r = await router.resolve('inbox.test', { routes: [], smarthost: null });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.outcome).toMatchObject({ kind: 'deferred', code: null, command: 'ROUTE' });
      expect(r.outcome.text).toMatch(/sandbox is not running/);
    }
  });

  it('groups domains sharing MX hosts into one destination', async () => {
    const dns = fixtureDns({
      mx: {
        'a.example': [
          { exchange: 'mx1.host.example', priority: 10 },
          { exchange: 'mx2.host.example', priority: 20 },
        ],
        'b.example': [
          { exchange: 'mx2.host.example', priority: 5 },
          { exchange: 'mx1.host.example', priority: 5 },
        ],
      },
    });
    const router = createRouter({
      mx: createMxResolver({ dns, clock, cacheMs: 60_000, random: Math.random }),
      defaultRoute: () => null,
      sandboxAddress: () => null,
    });
    const a = await router.resolve('a.example', { routes: [], smarthost: null });
    const b = await router.resolve('b.example', { routes: [], smarthost: null });
    expect(a.ok && b.ok && a.destination.key === b.destination.key).toBe(true);
    if (a.ok)
      expect(a.destination.hosts.map((h) => h.host)).toEqual(['mx1.host.example', 'mx2.host.example']);
  });
});

describe('MX lookup', () => {
  const clock = new ManualClock();
  const resolver = (dns: DnsResolver, random: () => number = () => 0.5) =>
    createMxResolver({ dns, clock, cacheMs: 5 * 60_000, random });

  it('orders by preference, port 25', async () => {
    const dns = fixtureDns({
      mx: {
        'ex.test': [
          { exchange: 'backup.ex.test', priority: 20 },
          { exchange: 'Primary.ex.test.', priority: 10 },
        ],
      },
    });
    expect(await resolver(dns).resolve('ex.test')).toEqual({
      kind: 'hosts',
      implicit: false,
      hosts: [
        { host: 'primary.ex.test', port: 25 },
        { host: 'backup.ex.test', port: 25 },
      ],
    });
  });

  it('randomises the order among equal preferences using the injected random source', () => {
    const records = [
      { exchange: 'a', priority: 10 },
      { exchange: 'b', priority: 10 },
      { exchange: 'c', priority: 5 },
    ];
    const seq = (values: number[]) => () => values.shift() ?? 0;
    expect(orderByPreference(records, seq([0.1, 0.9, 0.5])).map((h) => h.host)).toEqual(['c', 'a', 'b']);
    expect(orderByPreference(records, seq([0.9, 0.1, 0.5])).map((h) => h.host)).toEqual(['c', 'b', 'a']);
  });

  it('fails a null MX domain permanently', async () => {
    const dns = fixtureDns({ mx: { 'nomail.test': [{ exchange: '', priority: 0 }] } });
    expect(await resolver(dns).resolve('nomail.test')).toMatchObject({ kind: 'no_mail' });
  });

  it('reports NXDOMAIN as not found (soft: retried)', async () => {
    const dns = fixtureDns({ mx: { 'gone.test': 'ENOTFOUND' } });
    const r = await resolver(dns).resolve('gone.test');
    expect(r).toMatchObject({ kind: 'not_found' });
    const router = createRouter({ mx: resolver(dns), defaultRoute: () => null, sandboxAddress: () => null });
    const res = await router.resolve('gone.test', { routes: [], smarthost: null });
    expect(res.ok ? null : res.outcome).toMatchObject({ kind: 'deferred', command: 'DNS' });
  });

  it('falls back to the domain itself (A/AAAA) when there is no MX', async () => {
    const v4 = fixtureDns({ a: { 'plain.test': ['192.0.2.10'] } });
    expect(await resolver(v4).resolve('plain.test')).toEqual({
      kind: 'hosts',
      implicit: true,
      hosts: [{ host: 'plain.test', port: 25 }],
    });
    const v6 = fixtureDns({ aaaa: { 'six.test': ['2001:db8::1'] } });
    expect(await resolver(v6).resolve('six.test')).toMatchObject({ kind: 'hosts', implicit: true });
    const none = fixtureDns({});
    expect(await resolver(none).resolve('empty.test')).toMatchObject({ kind: 'not_found' });
  });

  it('turns DNS errors and timeouts into a retryable failure, kept only briefly', async () => {
    const dns = fixtureDns({ mx: { 'slow.test': 'ETIMEOUT' } });
    const mx = resolver(dns);
    expect(await mx.resolve('slow.test')).toMatchObject({ kind: 'dns_error' });
    clock.advance(30_000);
    await mx.resolve('slow.test');
    expect(dns.lookups).toEqual(['MX slow.test', 'MX slow.test']);
  });

  it('reuses an answer without TTL for the cache time of the clock', async () => {
    const dns = fixtureDns({ mx: { 'ex.test': [{ exchange: 'mx.ex.test', priority: 10 }] } });
    const mx = resolver(dns);
    await mx.resolve('ex.test');
    await mx.resolve('EX.test');
    expect(dns.lookups).toHaveLength(1);
    clock.advance(5 * 60_000);
    await mx.resolve('ex.test');
    expect(dns.lookups).toHaveLength(2);
  });
});
