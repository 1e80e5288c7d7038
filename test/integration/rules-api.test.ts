/**
 * The MTA-side API through the real app (openApp on a temp data dir, the dispatcher's validation): the rules
 * document's get/save/reset round trip, invalid documents refused with JSON paths and nothing saved, rules
 * reloaded into the running engine without restart (seen in destinations.list after a sandbox delivery),
 * the change log with keyset paging, and the delivery's throughput series.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { silentLogger } from '../../src/main/logger';
import type { RulesDocument } from '../../src/shared/contract/mta';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({
    ...TEST_APP,
    dataDir: tmp.dir,
  });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

const call = (method: string, input: unknown) => dispatch(app.handlers, method, input, ctx, silentLogger);
const clone = (doc: RulesDocument): RulesDocument => structuredClone(doc);

async function getRules(): Promise<RulesDocument> {
  return app.handlers['rules.get']({}, ctx);
}

async function expectInvalid(doc: unknown, fields: string[]): Promise<void> {
  const before = await getRules();
  const result = await call('rules.save', doc);
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe('invalid_input');
  expect(result.error.details?.map((d) => d.field)).toEqual(fields);
  expect(await getRules()).toEqual(before);
}

describe('rules.get / save / reset', () => {
  it('starts with the shipped defaults, the generic rule last', async () => {
    const rules = await getRules();
    expect(rules).toEqual(DEFAULT_RULES);
    expect(rules.mxRules.at(-1)?.match.mask).toBe('*');
    expect(rules.mxRules.some((r) => r.match.mask === '*.google.com')).toBe(true);
  });

  it('saves an edited document, returns it as stored and logs the change', async () => {
    const doc = clone(await getRules());
    const first = doc.mxRules[0];
    if (!first) throw new Error('no MX rule');
    first.messagesPerHour = 1234;
    doc.mxRules.splice(doc.mxRules.length - 1, 0, {
      ...first,
      id: 'corp-relay',
      description: 'Corporate relay',
      match: { kind: 'domain', mask: '*.corp.example' },
      tls: 'required',
    });
    doc.automationRules = doc.automationRules.slice(1);
    doc.adaptive.suspendMs = 45 * 60_000;

    const saved = await call('rules.save', doc);
    expect(saved).toEqual({ ok: true, value: doc });
    expect(await getRules()).toEqual(doc);

    const events = await app.handlers['shaping.events']({ cursor: null, limit: 10 }, ctx);
    expect(events.items[0]).toMatchObject({
      destination: '*',
      kind: 'rules_changed',
      cause: expect.stringContaining(`Rules saved: ${doc.mxRules.length} MX rules`),
    });
  });

  it('restores the defaults', async () => {
    expect(await app.handlers['rules.reset']({}, ctx)).toEqual(DEFAULT_RULES);
    expect(await getRules()).toEqual(DEFAULT_RULES);
    const events = await app.handlers['shaping.events']({ cursor: null, limit: 1 }, ctx);
    expect(events.items[0]?.cause).toMatch(/^Default rules restored/);
  });
});

describe('invalid documents', () => {
  it('names the field of a mask that is not one', async () => {
    const doc = clone(DEFAULT_RULES);
    doc.mxRules[3]!.match.mask = 'not a mask!';
    await expectInvalid(doc, ['mxRules.3.match.mask']);
  });

  it('refuses a generic rule that is not last, and a last rule that is not generic', async () => {
    const doc = clone(DEFAULT_RULES);
    const generic = doc.mxRules.pop()!;
    doc.mxRules.unshift(generic);
    await expectInvalid(doc, ['mxRules.0.match.mask', 'mxRules']);
  });

  it('refuses duplicate ids and patterns that do not compile', async () => {
    const doc = clone(DEFAULT_RULES);
    doc.mxRules[2]!.id = doc.mxRules[1]!.id;
    doc.automationRules[0]!.pattern = '[TS01';
    await expectInvalid(doc, ['mxRules.2.id', 'automationRules.0.pattern']);
  });

  it('refuses limits out of range and unknown formats', async () => {
    const doc = clone(DEFAULT_RULES) as unknown as Record<string, unknown> & RulesDocument;
    doc.mxRules[0]!.maxConnections = 0;
    await expectInvalid({ ...doc, version: 2 }, ['version', 'mxRules.0.maxConnections']);
  });
});

describe('rules applied without restart', () => {
  it('shows the sandbox destination with its rule limits, then the new limits once saved', async () => {
    const created = await app.handlers['deliveries.create'](
      deliveryRequest({ name: 'Rules reload', csv: csvOf(['alice@inbox.test', 'bob@mail.test']) }),
      ctx,
    );
    const id = created.delivery.id;
    await app.campaign.whenRelayed(Number(id));
    await app.engine.whenIdle();

    const before = await app.handlers['destinations.list']({}, ctx);
    const sandbox = before.items.find((d) => d.kind === 'sandbox');
    expect(sandbox).toBeDefined();
    if (!sandbox) return;
    expect(sandbox.hosts.join(' ')).toContain('127.0.0.1');
    expect(sandbox.domains).toEqual(expect.arrayContaining(['inbox.test', 'mail.test']));
    expect(sandbox.lastHour.accepted).toBe(2);
    const rule = (await getRules()).mxRules.find((r) => r.id === sandbox.ruleId);
    expect(rule).toBeDefined();
    expect(sandbox.configured.messagesPerHour).toBe(rule?.messagesPerHour);

    const doc = clone(await getRules());
    const edited = doc.mxRules.find((r) => r.id === sandbox.ruleId)!;
    edited.messagesPerHour = 4321;
    edited.maxConnections = 3;
    expect((await call('rules.save', doc)).ok).toBe(true);

    const after = await app.handlers['destinations.list']({}, ctx);
    const reloaded = after.items.find((d) => d.key === sandbox.key);
    expect(reloaded?.configured).toMatchObject({ messagesPerHour: 4321, maxConnections: 3 });
    expect(after.at).toBeGreaterThanOrEqual(before.at);

    const series = await app.handlers['throughput.series']({ deliveryId: id }, ctx);
    const sum = (key: 'relayed' | 'accepted') => series.points.reduce((n, p) => n + p[key], 0);
    expect(sum('relayed')).toBe(2);
    expect(sum('accepted')).toBe(2);
  });
});

describe('shaping.events', () => {
  it('pages newest first with a keyset cursor and filters by destination', async () => {
    for (let i = 0; i < 3; i++) await app.handlers['rules.reset']({}, ctx);
    const all = await app.handlers['shaping.events']({ cursor: null, limit: 100 }, ctx);
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    const ats = all.items.map((e) => e.at);
    expect(ats).toEqual([...ats].sort((a, b) => b - a));

    const first = await app.handlers['shaping.events']({ cursor: null, limit: 2 }, ctx);
    expect(first.items).toEqual(all.items.slice(0, 2));
    const second = await app.handlers['shaping.events']({ cursor: first.nextCursor, limit: 2 }, ctx);
    expect(second.items).toEqual(all.items.slice(2, 4));

    const none = await app.handlers['shaping.events'](
      { cursor: null, limit: 10, destination: 'mx:nowhere' },
      ctx,
    );
    expect(none).toEqual({ items: [], nextCursor: null });
    const bad = await call('shaping.events', { cursor: 'garbage', limit: 10 });
    expect(bad.ok ? null : bad.error.code).toBe('invalid_input');
  });
});
