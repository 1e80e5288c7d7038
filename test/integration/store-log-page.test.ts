import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDelivery } from '../../src/main/campaign/prepare';
import { requireDeliveryRow } from '../../src/main/store/deliveries-repo';
import {
  buildLogCountQuery,
  buildLogPageQueries,
  logsPage,
  type LogPageQuery,
} from '../../src/main/store/log-repo';
import { LOG_SORT_KEYS, type LogFilter, type LogRow } from '../../src/shared/contract/schemas';
import type { LogStatus } from '../../src/shared/domain/statuses';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { openTempDb, type TempDb } from '../support/store-temp';

const N = 260;
const DOMAINS = ['inbox.test', 'mail.test', 'corp.test'];
let t: TempDb;
let deliveryId: number;

beforeAll(() => {
  t = openTempDb();
  // Addresses with repeated local parts across domains, so email sort has ties on prefixes but not on keys.
  const addresses = Array.from({ length: N }, (_, i) => `user${(i * 37) % 101}.${i % 7}@${DOMAINS[i % 3]}`);
  addresses.push('USER0.0@INBOX.test'); // duplicate of the first row by address key (case-insensitive)
  const prepared = prepareDelivery(t.db, deliveryRequest({ csv: csvOf(addresses) }), 1_000);
  deliveryId = prepared.deliveryId;
  // A deterministic spread of statuses, attempts and last-attempt times, with ties and NULLs.
  const moves: LogStatus[] = ['pending', 'taken_into_account', 'sent', 'failed'];
  const rows = t.db
    .prepare("SELECT id FROM delivery_log WHERE delivery_id = ? AND status = 'pending'")
    .all(deliveryId) as {
    id: number;
  }[];
  const update = t.db.prepare(
    'UPDATE delivery_log SET status = ?, attempts = ?, last_attempt_at = ?, reason = ?, failure_type = ? WHERE id = ?',
  );
  const counters = { pending: 0, taken_into_account: 0, sent: 0, failed: 0 } as Record<string, number>;
  t.db.transaction(() => {
    rows.forEach(({ id }, i) => {
      const status = moves[i % moves.length] as LogStatus;
      counters[status] = (counters[status] ?? 0) + 1;
      const failed = status === 'failed';
      update.run(
        status,
        i % 4,
        i % 5 === 0 ? null : 5_000 + (i % 9) * 1000,
        failed ? 'user_unknown' : null,
        failed ? 'hard' : null,
        id,
      );
    });
    t.db
      .prepare('UPDATE deliveries SET n_pending = ?, n_taken = ?, n_sent = ?, n_failed = ? WHERE id = ?')
      .run(counters.pending, counters.taken_into_account, counters.sent, counters.failed, deliveryId);
  })();
});
afterAll(() => t.dispose());

const sortValue: Record<(typeof LOG_SORT_KEYS)[number], (r: LogRow) => string | number> = {
  id: (r) => Number(r.id),
  email: (r) => r.email.toLowerCase(),
  status: (r) => r.status,
  lastAttemptAt: (r) => r.lastAttemptAt ?? -1,
  attempts: (r) => r.attempts,
};

function walk(query: Omit<LogPageQuery, 'cursor' | 'deliveryId'>): { rows: LogRow[]; totals: number[] } {
  const rows: LogRow[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = logsPage(t.db, { ...query, deliveryId, cursor }, requireDeliveryRow(t.db, deliveryId));
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    rows.push(...page.items);
    totals.push(page.total);
    if (page.nextCursor === null) return { rows, totals };
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

function everything(): LogRow[] {
  return walk({ filter: {}, sort: { key: 'id', dir: 'asc' }, limit: 500 }).rows;
}

function expected(
  filter: (r: LogRow) => boolean,
  key: (typeof LOG_SORT_KEYS)[number],
  dir: 'asc' | 'desc',
): string[] {
  const sign = dir === 'asc' ? 1 : -1;
  return everything()
    .filter(filter)
    .sort((a, b) => {
      const va = sortValue[key](a);
      const vb = sortValue[key](b);
      const c = va < vb ? -1 : va > vb ? 1 : Number(a.id) - Number(b.id);
      return c * sign;
    })
    .map((r) => r.id);
}

describe('logs.page keyset paging', () => {
  it('holds every row once in id order with the total from the counters', () => {
    const all = everything();
    expect(all).toHaveLength(N + 1);
    expect(all.map((r) => Number(r.id))).toEqual([...all.map((r) => Number(r.id))].sort((a, b) => a - b));
    expect(
      walk({ filter: {}, sort: { key: 'id', dir: 'asc' }, limit: 10 }).totals.every((n) => n === N + 1),
    ).toBe(true);
  });

  for (const key of LOG_SORT_KEYS) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`walks every page sorted by ${key} ${dir} like a sorted array`, () => {
        const { rows } = walk({ filter: {}, sort: { key, dir }, limit: 7 });
        expect(rows.map((r) => r.id)).toEqual(expected(() => true, key, dir));
      });
    }
  }

  const filters: [string, LogFilter, (r: LogRow) => boolean][] = [
    ['status', { status: ['sent', 'failed'] }, (r) => r.status === 'sent' || r.status === 'failed'],
    ['reason', { reason: ['user_unknown'] }, (r) => r.reason === 'user_unknown'],
    ['failure type', { failureType: ['ignored'] }, (r) => r.failureType === 'ignored'],
    ['domain', { domain: 'MAIL.test' }, (r) => r.domain === 'mail.test'],
    ['address prefix (any case)', { search: 'USER1' }, (r) => r.email.toLowerCase().startsWith('user1')],
    ['domain search', { search: '@corp' }, (r) => r.domain.startsWith('corp')],
    [
      'status and search',
      { status: ['pending'], search: 'user2' },
      (r) => r.status === 'pending' && r.email.startsWith('user2'),
    ],
  ];
  for (const [name, filter, predicate] of filters) {
    it(`filters by ${name}, with a matching total`, () => {
      for (const [key, dir] of [
        ['id', 'asc'],
        ['email', 'desc'],
        ['lastAttemptAt', 'asc'],
      ] as const) {
        const { rows, totals } = walk({ filter, sort: { key, dir }, limit: 9 });
        const want = expected(predicate, key, dir);
        expect(want.length).toBeGreaterThan(0);
        expect(rows.map((r) => r.id)).toEqual(want);
        expect(new Set(totals)).toEqual(new Set([want.length]));
      }
    });
  }

  it('marks the duplicate as ignored/double and counts statuses from the counters', () => {
    const dup = everything().filter((r) => r.reason === 'double');
    expect(dup.map((r) => [r.email, r.status, r.failureType])).toEqual([
      ['USER0.0@inbox.test', 'ignored', 'ignored'],
    ]);
    const page = logsPage(
      t.db,
      {
        deliveryId,
        filter: { status: ['ignored'] },
        sort: { key: 'id', dir: 'asc' },
        cursor: null,
        limit: 5,
      },
      requireDeliveryRow(t.db, deliveryId),
    );
    expect(page.total).toBe(1);
  });

  it('rejects a cursor it did not issue', () => {
    expect(() =>
      logsPage(
        t.db,
        { deliveryId, filter: {}, sort: { key: 'email', dir: 'asc' }, cursor: 'bm90LWEtY3Vyc29y', limit: 5 },
        requireDeliveryRow(t.db, deliveryId),
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('logs.page query plans', () => {
  const plan = (sql: string, params: Record<string, unknown>) =>
    (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
  const logAccess = (details: string[]) => details.filter((d) => /\b(SCAN|SEARCH) l\b/.test(d));
  const cursorFor = (key: (typeof LOG_SORT_KEYS)[number], dir: 'asc' | 'desc') =>
    logsPage(
      t.db,
      { deliveryId, filter: {}, sort: { key, dir }, cursor: null, limit: 3 },
      requireDeliveryRow(t.db, deliveryId),
    ).nextCursor;

  it('serves the default sort from the (delivery_id, id) index without a temp B-tree, first page and next', () => {
    for (const cursor of [null, cursorFor('id', 'asc')]) {
      const queries = buildLogPageQueries({
        deliveryId,
        filter: {},
        sort: { key: 'id', dir: 'asc' },
        cursor,
        limit: 100,
      });
      expect(queries).toHaveLength(1);
      const details = plan(queries[0]!.sql, queries[0]!.params);
      expect(logAccess(details)).toEqual([
        expect.stringMatching(/^SEARCH l USING (COVERING )?INDEX log_delivery_id \(delivery_id=\?/),
      ]);
      expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
    }
  });

  for (const key of LOG_SORT_KEYS) {
    for (const dir of ['asc', 'desc'] as const) {
      it(`uses an index and no sort step for ${key} ${dir}`, () => {
        for (const cursor of [null, cursorFor(key, dir)]) {
          const queries = buildLogPageQueries({
            deliveryId,
            filter: {},
            sort: { key, dir },
            cursor,
            limit: 100,
          });
          queries.forEach((q, part) => {
            const details = plan(q.sql, q.params);
            const access = logAccess(details);
            expect(access).toHaveLength(1);
            expect(access[0]).toMatch(/^SEARCH l USING (COVERING )?INDEX log_delivery_\w+ \(delivery_id=\?/);
            // A later page seeks on the sort value too (and on the id within equal values), never from the start.
            if (cursor !== null && key !== 'id')
              expect(access[0]).toMatch(part === 0 ? /=\? AND (row)?id[<>]\?\)/ : /[<>]\?\)/);
            expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
          });
        }
      });
    }
  }

  it('counts filtered rows through an index', () => {
    for (const filter of [
      { search: 'user1' },
      { search: '@mail' },
      { domain: 'mail.test' },
      { reason: ['double' as const] },
    ]) {
      const q = buildLogCountQuery({
        deliveryId,
        filter,
        sort: { key: 'id', dir: 'asc' },
        cursor: null,
        limit: 1,
      });
      const access = logAccess(plan(q.sql, q.params));
      expect(access).toHaveLength(1);
      expect(access[0]).toMatch(/^SEARCH l USING (COVERING )?INDEX log_delivery_\w+ \(delivery_id=\?/);
    }
  });
});
