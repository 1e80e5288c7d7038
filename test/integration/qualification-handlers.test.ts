/**
 * The qualification table, the stored bounce rules and the quarantine list through the API handlers on a real
 * store: upsert and grouping by normalised key, requalification overriding the rules for that key, rule saves
 * refused with `rules.N.field` paths, the reply tester, quarantine CSV round trip with row errors by line, and
 * the indexes of the pages (EXPLAIN QUERY PLAN).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/main/api/event-bus';
import { createSimulationService } from '../../src/main/simulate/service';
import { createHandlers } from '../../src/main/api/handlers';
import { createCampaign, type Campaign } from '../../src/main/campaign/campaign';
import { ManualClock, systemClock } from '../../src/main/clock';
import type { Engine } from '../../src/main/engine/types';
import { createStoredClassifier, startBounceSide, type BounceSide } from '../../src/main/inmail';
import { silentLogger } from '../../src/main/logger';
import { createChromiumPrinter } from '../../src/main/node/report-printer';
import { defaultRendererDir } from '../../src/main/paths';
import { recordQualifications } from '../../src/main/store/qualification-repo';
import { createRevisionWatcher } from '../../src/main/store/revision-watcher';
import { AppError } from '../../src/shared/contract/errors';
import type { Handlers } from '../../src/shared/contract';
import { classifyReplyWithRule, qualificationKey } from '../../src/main/engine/bounce/basic-classifier';
import { scriptedDns } from '../support/analysis-dns';
import { openTempDb, type TempDb } from '../support/store-temp';
import { createFileSecretStore } from '../../src/main/secrets/secret-store';

const ctx = { transport: 'http' as const };
let tmp: TempDb;
let handlers: Handlers;
let campaign: Campaign;
let bounce: BounceSide;

beforeAll(async () => {
  tmp = openTempDb();
  const db = tmp.db;
  const engine = { reloadRules() {} } as unknown as Engine;
  const bus = createEventBus();
  const clock = systemClock;
  const logger = silentLogger;
  const secrets = createFileSecretStore(tmp.dir);
  campaign = createCampaign({ db, engine, bus, clock, logger });
  // No SMTP listener: the handlers' own bounce side, as the app builds it.
  bounce = await startBounceSide({
    db,
    clock,
    logger,
    notify: bus,
    listen: false,
    spoolDir: `${tmp.dir}/inmail-spool`,
    revisions: createRevisionWatcher({ db, clock }),
    secrets,
  });
  handlers = createHandlers({
    db,
    engine,
    bus,
    sandbox: null,
    simulations: createSimulationService({
      db,
      dataDir: tmp.dir,
      logger,
      notify: bus,
      now: () => clock.now(),
    }),
    dataDir: tmp.dir,
    version: 'test',
    clock,
    logger,
    campaign,
    signer: undefined,
    // No lookup leaves the machine: the analysis is not what these tests exercise.
    analysisDns: scriptedDns({}),
    bounce,
    secrets,
    reportPrinter: createChromiumPrinter({
      handlers: () => handlers,
      logger,
      rendererDir: defaultRendererDir,
    }),
  });
});
afterAll(async () => {
  await campaign?.close();
  await bounce?.close();
  tmp?.dispose();
});

function hit(raw: { code: number; enhanced: string; text: string }) {
  const classifier = createStoredClassifier(tmp.db, { clock: new ManualClock() });
  const c = classifyReplyWithRule({ ...raw, command: 'RCPT' }, classifier);
  return {
    key: qualificationKey(raw),
    source: 'sync' as const,
    raw: `${raw.code} ${raw.enhanced} ${raw.text}`,
    ...raw,
    ...c,
  };
}

describe('qualification table', () => {
  it('groups replies by normalised key, keeps the first raw text and marks unqualified ones', () => {
    recordQualifications(
      tmp.db,
      [
        hit({
          code: 550,
          enhanced: '5.1.1',
          text: '<a@x.org>: Recipient address rejected: User unknown in virtual mailbox table',
        }),
      ],
      1000,
    );
    recordQualifications(
      tmp.db,
      [
        hit({
          code: 550,
          enhanced: '5.1.1',
          text: '<b@y.net>: Recipient address rejected: User unknown in virtual mailbox table',
        }),
      ],
      2000,
    );
    recordQualifications(
      tmp.db,
      [hit({ code: 554, enhanced: '5.9.9', text: 'weird thing 42 happened' })],
      3000,
    );
    const rows = tmp.db
      .prepare('SELECT first_raw, occurrences, status, last_seen_at FROM qualification ORDER BY id')
      .all();
    expect(rows).toEqual([
      { first_raw: expect.stringContaining('<a@x.org>'), occurrences: 2, status: 'keep', last_seen_at: 2000 },
      {
        first_raw: '554 5.9.9 weird thing 42 happened',
        occurrences: 1,
        status: 'to_qualify',
        last_seen_at: 3000,
      },
    ]);
  });

  it('pages newest or most frequent first, filters by status and text', async () => {
    const newest = await handlers['qualification.list']({ cursor: null, limit: 1, sort: 'newest' }, ctx);
    expect(newest.items[0]?.firstRaw).toMatch(/weird/);
    const next = await handlers['qualification.list'](
      { cursor: newest.nextCursor, limit: 1, sort: 'newest' },
      ctx,
    );
    expect(next.items[0]?.occurrences).toBe(2);
    const frequent = await handlers['qualification.list']({ cursor: null, limit: 10, sort: 'frequent' }, ctx);
    expect(frequent.items.map((r) => r.occurrences)).toEqual([2, 1]);
    const toQualify = await handlers['qualification.list'](
      { cursor: null, limit: 10, sort: 'newest', status: ['to_qualify'], search: 'WEIRD' },
      ctx,
    );
    expect(toQualify.items).toHaveLength(1);
    // Each row says why its rule decided, as the classifier said it.
    expect(frequent.items[0]?.why).toMatch(/^rule "user-unknown" .*the reply says "User unknown"/);
    expect(toQualify.items[0]?.why).toMatch(/no rule recognised the reply: a 5xx fails the message/);
  });

  it('applies a requalification to future replies with the same key (override before the rules)', async () => {
    const [row] = (
      await handlers['qualification.list'](
        { cursor: null, limit: 10, sort: 'newest', status: ['to_qualify'] },
        ctx,
      )
    ).items;
    const updated = await handlers['qualification.update'](
      { id: row!.id, status: 'keep', reason: 'refused', type: 'hard', bounceClass: 51 },
      ctx,
    );
    expect(updated).toMatchObject({ manual: true, ruleId: 'manual', reason: 'refused', bounceClass: 51 });
    const tested = await handlers['bounceRules.test']({ reply: '554 5.9.9 weird thing 77 happened' }, ctx);
    expect(tested).toMatchObject({
      decidedBy: 'override',
      classification: { reason: 'refused', type: 'hard', bounceClass: 51, ruleId: 'manual' },
    });
  });
});

describe('bounce rules', () => {
  it('tests a pasted reply against the rules in force', async () => {
    const r = await handlers['bounceRules.test'](
      {
        reply:
          '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table',
      },
      ctx,
    );
    expect(r).toMatchObject({
      code: 550,
      enhanced: '5.1.1',
      decidedBy: 'rule',
      classification: { reason: 'user_unknown', type: 'hard', bounceClass: 10 },
    });
    expect(r.normalised).toContain('{email}');
    expect(r.rule?.id).toBe(r.classification.ruleId);
    expect(r.matched).toBe('User unknown');
    expect(r.why).toContain('the reply says "User unknown"');
  });

  it('tests an unsaved draft of the rules, with the verdict of the rules in force beside it (issue 14.9)', async () => {
    const current = await handlers['bounceRules.get']({}, ctx);
    const at = current.rules.findIndex((r) => r.id.startsWith('status-'));
    const custom = {
      id: 'acme',
      description: '',
      pattern: 'acme gateway says nope',
      bounceClass: 25 as const,
    };
    const draft = [...current.rules.slice(0, at), custom, ...current.rules.slice(at)];
    const reply = '550 5.1.1 <bob@example.com>: ACME gateway says nope';
    const r = await handlers['bounceRules.test']({ reply, rules: draft }, ctx);
    expect(r).toMatchObject({
      decidedBy: 'rule',
      ruleIndex: at,
      rule: { id: 'acme' },
      classification: { ruleId: 'acme', bounceClass: 25, reason: 'account_disabled' },
    });
    expect(r.inForce).toMatchObject({ decidedBy: 'rule', ruleIndex: at, rule: { id: 'status-x.1.1' } });
    // Without a draft, the rules in force, and no comparison.
    const inForce = await handlers['bounceRules.test']({ reply }, ctx);
    expect(inForce.classification.ruleId).toBe('status-x.1.1');
    expect(inForce.inForce).toBeNull();
    // A draft whose pattern does not compile is refused in plain words, naming the rule.
    await expect(
      Promise.resolve().then(() =>
        handlers['bounceRules.test']({ reply, rules: [{ ...custom, pattern: 'acme (' }] }, ctx),
      ),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^The unsaved rules cannot be tested: .*acme/),
    });
  });

  it('refuses a shadowed rule with the rules.N path, saves a good table and applies it at once', async () => {
    const current = await handlers['bounceRules.get']({}, ctx);
    expect(current.isDefault).toBe(true);
    const catchAll = { id: 'everything', description: '', pattern: '', bounceClass: 40 as const };
    const later = { id: 'later', description: '', pattern: 'mailbox unavailable', bounceClass: 10 as const };
    const error = await Promise.resolve()
      .then(() =>
        handlers['bounceRules.save']({ rules: [catchAll, later], classMapping: current.classMapping }, ctx),
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_input');
    expect((error as AppError).details?.[0]).toMatchObject({
      field: 'rules.1',
      message: expect.stringMatching(/shadowed by earlier rule "everything"/),
    });
    const bad = await Promise.resolve()
      .then(() =>
        handlers['bounceRules.save'](
          {
            rules: [{ id: 'broken', description: '', pattern: '(', bounceClass: 40 as const }],
            classMapping: current.classMapping,
          },
          ctx,
        ),
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((bad as AppError).details?.[0]?.field).toBe('rules.0.pattern');

    const saved = await handlers['bounceRules.save'](
      {
        rules: [
          {
            id: 'custom-gone',
            description: '',
            pattern: 'has gone away',
            bounceClass: 10,
            examples: ['550 5.0.0 this user has gone away'],
          },
        ],
        classMapping: current.classMapping,
      },
      ctx,
    );
    expect(saved.isDefault).toBe(false);
    const tested = await handlers['bounceRules.test']({ reply: '550 5.0.0 this user has gone away' }, ctx);
    expect(tested.classification.ruleId).toBe('custom-gone');
    const reset = await handlers['bounceRules.reset']({}, ctx);
    expect(reset.rules.length).toBe(current.rules.length);
    expect(
      (await handlers['bounceRules.test']({ reply: '550 5.0.0 this user has gone away' }, ctx)).classification
        .ruleId,
    ).not.toBe('custom-gone');
  });
});

describe('quarantine list', () => {
  it('imports a CSV with row errors by line, lists, searches and exports it back with a BOM', async () => {
    const csv = [
      'address,status,note',
      'Ann@Example.com,quarantine,bounced',
      'not-an-address,quarantine,',
      'bob@example.com,denylisted,complaint',
      'cy@example.com,maybe,',
      'dee@example.org,,',
    ].join('\n');
    const imported = await handlers['quarantine.import']({ fileName: 'q.csv', csv }, ctx);
    expect(imported).toMatchObject({ total: 5, imported: 3, moreErrors: 0 });
    expect(imported.errors).toEqual([
      { line: 3, field: 'address', message: expect.any(String) },
      { line: 5, field: 'status', message: expect.stringMatching(/"maybe" is not a status/) },
    ]);
    const list = await handlers['quarantine.list']({ cursor: null, limit: 2 }, ctx);
    expect(list.items.map((e) => e.address)).toEqual(['ann@example.com', 'bob@example.com']);
    expect(list.counts).toMatchObject({ quarantine: 2, denylisted: 1 });
    const more = await handlers['quarantine.list']({ cursor: list.nextCursor, limit: 2 }, ctx);
    expect(more.items.map((e) => e.address)).toEqual(['dee@example.org']);
    const search = await handlers['quarantine.list']({ cursor: null, limit: 10, search: 'BO' }, ctx);
    expect(search.items.map((e) => e.address)).toEqual(['bob@example.com']);

    const exported = await handlers['quarantine.export']({}, ctx);
    expect(exported.csv.startsWith('\uFEFFaddress,status,')).toBe(true);
    await handlers['quarantine.remove']({ address: 'ANN@example.com' }, ctx);
    await handlers['quarantine.set']({ address: 'bob@example.com', status: 'allowlisted' }, ctx);
    const back = await handlers['quarantine.import']({ fileName: exported.fileName, csv: exported.csv }, ctx);
    expect(back).toMatchObject({ total: 3, imported: 3, errors: [] });
    const after = await handlers['quarantine.list']({ cursor: null, limit: 10 }, ctx);
    expect(after.items.map((e) => [e.address, e.status, e.note])).toEqual([
      ['ann@example.com', 'quarantine', 'bounced'],
      ['bob@example.com', 'denylisted', 'complaint'],
      ['dee@example.org', 'quarantine', ''],
    ]);
  });

  it('serves its pages from indexes', () => {
    const plan = (sql: string) =>
      (tmp.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ');
    expect(
      plan(
        "SELECT * FROM quarantine WHERE status IN ('quarantine') AND addr_key > 'a' ORDER BY addr_key LIMIT 10",
      ),
    ).toMatch(/quarantine_status/);
    expect(
      plan(
        "SELECT * FROM quarantine WHERE addr_key >= 'bo' AND addr_key < 'bo\uffff' ORDER BY addr_key LIMIT 10",
      ),
    ).toMatch(/PRIMARY KEY|sqlite_autoindex/);
    expect(plan('SELECT * FROM qualification ORDER BY last_seen_at DESC, id DESC LIMIT 10')).toMatch(
      /qualification_newest/,
    );
    expect(plan('SELECT * FROM qualification ORDER BY occurrences DESC, id DESC LIMIT 10')).toMatch(
      /qualification_frequent/,
    );
    expect(
      plan(
        "SELECT * FROM qualification WHERE status IN ('to_qualify') ORDER BY last_seen_at DESC, id DESC LIMIT 10",
      ),
    ).toMatch(/qualification_status_newest/);
    expect(
      plan(
        'SELECT * FROM inbound_messages WHERE log_id IS NULL AND delivery_id IS NULL ORDER BY id DESC LIMIT 10',
      ),
    ).toMatch(/inbound_unmatched/);
    expect(plan('SELECT norm_key FROM qualification WHERE manual = 1')).toMatch(/qualification_manual/);
  });
});
