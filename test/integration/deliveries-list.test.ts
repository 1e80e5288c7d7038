/**
 * The deliveries list (issue 14 point 11) on a real SQLite file: search by name, id, From and subject; filters
 * by state, reporting mode, route (sandbox or real servers) and creation dates; every sort in both directions,
 * keyset paged (pages of 2 give the whole sorted list, ties broken by id); a cursor of another sort refused;
 * the default order on its index (EXPLAIN QUERY PLAN).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveriesListInput,
  type DeliveriesListInput as ListInput,
} from '../../src/shared/contract/deliveries-list';
import type { Route } from '../../src/shared/contract/schemas';
import {
  deliveriesPageQuery,
  insertDelivery,
  listDeliveries,
  type DeliveriesQuery,
} from '../../src/main/store/deliveries-repo';
import { openTempDb, type TempDb } from '../support/store-temp';

const T0 = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;

interface Fixture {
  name: string;
  state: string;
  reporting: 'efs' | 'classic';
  routes: Route[];
  smarthost?: { host: string; port: number };
  from: string;
  subject: string;
  createdAt: number;
  initial: number;
  ignored: number;
  success: number;
}

const SANDBOX_ALL: Route[] = [{ mask: '*', target: { kind: 'sandbox' } }];
const SANDBOX_TEST: Route[] = [{ mask: '*.test', target: { kind: 'sandbox' } }];
const SMTP_ALL: Route[] = [{ mask: '*', target: { kind: 'smtp', host: 'mx.example.net', port: 25 } }];

const FIXTURES: Fixture[] = [
  {
    name: 'Spring sale',
    state: 'completed',
    reporting: 'efs',
    routes: SANDBOX_ALL,
    from: 'news@shop.example',
    subject: 'Spring is here',
    createdAt: T0,
    initial: 100,
    ignored: 0,
    success: 90,
  },
  {
    name: 'Newsletter #12',
    state: 'delivering',
    reporting: 'classic',
    routes: SMTP_ALL,
    from: 'letters@media.example',
    subject: 'This week',
    createdAt: T0 + DAY,
    initial: 200,
    ignored: 100,
    success: 50,
  },
  {
    name: 'alpha test',
    state: 'paused',
    reporting: 'efs',
    routes: SANDBOX_TEST,
    from: 'qa@corp.test',
    subject: 'Sandbox run',
    createdAt: T0 + 2 * DAY,
    initial: 10,
    ignored: 0,
    success: 10,
  },
  {
    name: 'Bravo',
    state: 'stopped',
    reporting: 'efs',
    routes: [],
    smarthost: { host: 'relay.example', port: 587 },
    from: 'b@brand.example',
    subject: 'Spring offers',
    createdAt: T0 + 2 * DAY,
    initial: 0,
    ignored: 0,
    success: 0,
  },
  {
    name: 'spring clean',
    state: 'completed',
    reporting: 'classic',
    routes: [],
    from: 'ops@shop.example',
    subject: 'Maintenance',
    createdAt: T0 + 3 * DAY,
    initial: 100,
    ignored: 0,
    success: 90,
  },
];

describe('deliveries list', () => {
  let t: TempDb;
  const ids: number[] = [];
  beforeEach(() => {
    t = openTempDb();
    ids.length = 0;
    for (const f of FIXTURES) {
      const id = insertDelivery(t.db, {
        name: f.name,
        reporting: f.reporting,
        template: { fromName: 'Team', fromAddress: f.from, subject: f.subject, text: 'x', html: '' },
        routes: f.routes,
        smarthost: f.smarthost ?? null,
        validityRequestedMs: DAY,
        validityMs: DAY,
        timeScale: 1,
        recipientsPerTransaction: 1,
        createdAt: f.createdAt,
      });
      t.db
        .prepare('UPDATE deliveries SET state = ?, n_initial = ?, n_ignored = ?, n_success = ? WHERE id = ?')
        .run(f.state, f.initial, f.ignored, f.success, id);
      ids.push(id);
    }
  });
  afterEach(() => t.dispose());

  const names = (q: Partial<DeliveriesQuery>, limit = 2): string[] => {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page = listDeliveries(t.db, { limit, ...q, cursor }, T0);
      out.push(...page.items.map((d) => d.name));
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
    throw new Error('too many pages');
  };

  it('searches the name, the From address, the subject and the id, case-insensitively', () => {
    expect(names({ search: 'SPRING' })).toEqual(['spring clean', 'Bravo', 'Spring sale']);
    expect(names({ search: 'corp.test' })).toEqual(['alpha test']);
    expect(names({ search: 'this week' })).toEqual(['Newsletter #12']);
    expect(names({ search: String(ids[3]) })).toEqual(['Bravo']);
    expect(names({ search: `#${ids[4]}` })).toEqual(['spring clean']);
    expect(names({ search: 'nothing like it' })).toEqual([]);
  });

  it('filters by state, reporting mode, route and creation dates, together', () => {
    expect(names({ state: ['completed'] })).toEqual(['spring clean', 'Spring sale']);
    expect(names({ reporting: 'classic' })).toEqual(['spring clean', 'Newsletter #12']);
    // Without a default route to the sandbox, only a catch-all sandbox route keeps every message there.
    expect(names({ route: 'sandbox' })).toEqual(['Spring sale']);
    expect(names({ route: 'real' })).toEqual(['spring clean', 'Bravo', 'alpha test', 'Newsletter #12']);
    // With one, a delivery without routes (or with sandbox routes only) stays in the sandbox too.
    expect(names({ route: 'sandbox', defaultSandbox: true })).toEqual([
      'spring clean',
      'alpha test',
      'Spring sale',
    ]);
    expect(names({ route: 'real', defaultSandbox: true })).toEqual(['Bravo', 'Newsletter #12']);
    expect(names({ createdFrom: T0 + DAY, createdTo: T0 + 3 * DAY })).toEqual([
      'Bravo',
      'alpha test',
      'Newsletter #12',
    ]);
    expect(names({ search: 'spring', state: ['completed'], reporting: 'efs' })).toEqual(['Spring sale']);
  });

  it('sorts by each key in both directions, keyset paged, ties broken by id', () => {
    const sorted = (key: (f: Fixture) => number | string, dir: 'asc' | 'desc') =>
      FIXTURES.map((f, i) => ({ f, id: ids[i]! }))
        .sort((a, b) => {
          const ka = key(a.f);
          const kb = key(b.f);
          const c =
            typeof ka === 'string' && typeof kb === 'string'
              ? ka.toLowerCase() < kb.toLowerCase()
                ? -1
                : ka.toLowerCase() > kb.toLowerCase()
                  ? 1
                  : 0
              : Number(ka) - Number(kb);
          return (dir === 'asc' ? 1 : -1) * (c !== 0 ? c : a.id - b.id);
        })
        .map((x) => x.f.name);
    const toDeliver = (f: Fixture) => f.initial - f.ignored;
    const keys = {
      created: (f: Fixture) => f.createdAt,
      name: (f: Fixture) => f.name,
      success: (f: Fixture) => (toDeliver(f) > 0 ? f.success / toDeliver(f) : -1),
      recipients: toDeliver,
    } as const;
    for (const sort of ['created', 'name', 'success', 'recipients'] as const)
      for (const dir of ['asc', 'desc'] as const)
        for (const limit of [1, 2, 10])
          expect(names({ sort, dir, limit }, limit), `${sort} ${dir} by ${limit}`).toEqual(
            sorted(keys[sort], dir),
          );
    // Equal rates (90 %): the later id first, as in every descending sort.
    expect(names({ sort: 'success', dir: 'desc', state: ['completed'] }, 1)).toEqual([
      'spring clean',
      'Spring sale',
    ]);
  });

  it('refuses a cursor of another sort, and a date range that ends before it starts', () => {
    const first = listDeliveries(t.db, { cursor: null, limit: 1, sort: 'name' }, T0);
    expect(() => listDeliveries(t.db, { cursor: first.nextCursor, limit: 1, sort: 'created' }, T0)).toThrow(
      /cursor is not valid/,
    );
    const bad = DeliveriesListInput.safeParse({ createdFrom: T0 + DAY, createdTo: T0 } satisfies ListInput);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({
      path: ['createdTo'],
      message: 'the end of the date range must come after its start',
    });
  });

  it('reads the default order (newest first) and a date range on the creation index, without sorting', () => {
    const plan = (q: Partial<DeliveriesQuery>) => {
      const { sql, params } = deliveriesPageQuery({ cursor: null, limit: 50, ...q });
      return (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    };
    expect(plan({})).toMatch(/SCAN deliveries USING INDEX deliveries_created/);
    expect(plan({})).not.toMatch(/TEMP B-TREE/);
    expect(plan({ createdFrom: T0, createdTo: T0 + DAY })).toMatch(
      /SEARCH deliveries USING INDEX deliveries_created \(created_at>\? AND created_at<\?\)/,
    );
    const next = listDeliveries(t.db, { cursor: null, limit: 1 }, T0).nextCursor;
    expect(plan({ cursor: next })).toMatch(/USING INDEX deliveries_created \(/);
  });
});
