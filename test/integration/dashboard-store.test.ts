/**
 * The dashboard's store side on a real SQLite file: per-domain breakdown (paging by volume and by name,
 * search, rates and the soft-bounce alert), reasons breakdown by type, health flags at the SPEC §2.2
 * thresholds, `logs.seek` landing exactly on the requested row in every sort and filter, and the query plans
 * (EXPLAIN QUERY PLAN) of what the console waits on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_SORT_KEYS, type LogFilter } from '../../src/shared/contract';
import { requireDeliveryRow } from '../../src/main/store/deliveries-repo';
import {
  buildDomainsPageQuery,
  deliveryHealth,
  domainsPage,
  listDeliveryDomains,
  reasonBreakdown,
} from '../../src/main/store/domains-repo';
import { domainStatusMoveSql } from '../../src/main/store/counter-tally';
import { buildLogKeyQuery, logsPage, logsSeek } from '../../src/main/store/log-repo';
import { applySmtp, complaint, relay, type SmtpEvent } from '../support/efs-events';
import { insertDelivery, insertRecipients, openTempDb, type TempDb } from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 1, 1);
let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

/** `n` recipients of a domain, relayed, each meeting the given events in turn. */
function cohort(deliveryId: number, domain: string, n: number, events: SmtpEvent[], offset = 0): number[] {
  const ids = insertRecipients(
    t.db,
    deliveryId,
    Array.from({ length: n }, (_, i) => `u${offset + i}@${domain}`),
    T0,
  );
  relay(t.db, deliveryId, ids, T0);
  events.forEach((e, step) => ids.forEach((id) => applySmtp(t.db, e, id, deliveryId, T0 + step + 1)));
  return ids;
}

describe('deliveries.domains', () => {
  it('breaks a delivery down by domain with rates, pages by volume and by name, and searches', () => {
    const d = insertDelivery(t.db, { now: T0 });
    cohort(d, 'big.test', 40, ['accepted']);
    cohort(d, 'big.test', 2, ['user_unknown'], 100);
    cohort(d, 'grey.test', 9, ['accepted']);
    cohort(d, 'grey.test', 2, ['greylisted'], 100);
    cohort(d, 'small.test', 3, ['mailbox_full', 'expired']);

    const byVolume = domainsPage(t.db, { deliveryId: d, sort: 'volume', cursor: null, limit: 2 });
    expect(byVolume.total).toBe(3);
    expect(byVolume.items.map((i) => i.domain)).toEqual(['big.test', 'grey.test']);
    expect(byVolume.items[0]).toMatchObject({
      total: 42,
      processed: 42,
      delivered: 40,
      failed: 2,
      hard: 2,
      soft: 0,
      deferredNow: 0,
      softAlert: false,
    });
    expect(byVolume.items[0]!.hardRate).toBeCloseTo(2 / 42);
    // 2 of 11 greylisted and retried now: in progress, not soft bounces; no flag for a transient deferral.
    expect(byVolume.items[1]).toMatchObject({ soft: 0, inProgress: 2, deferredNow: 2, softAlert: false });
    const next = domainsPage(t.db, {
      deliveryId: d,
      sort: 'volume',
      cursor: byVolume.nextCursor,
      limit: 2,
    });
    expect(next.items.map((i) => i.domain)).toEqual(['small.test']);
    expect(next.items[0]).toMatchObject({ failed: 3, soft: 3, hard: 0, softRate: 1 });
    expect(next.nextCursor).toBeNull();

    const byName = domainsPage(t.db, { deliveryId: d, sort: 'domain', cursor: null, limit: 10 });
    expect(byName.items.map((i) => i.domain)).toEqual(['big.test', 'grey.test', 'small.test']);
    expect(
      domainsPage(t.db, { deliveryId: d, sort: 'domain', search: '@GR', cursor: null, limit: 10 }).items,
    ).toHaveLength(1);
    expect([...listDeliveryDomains(t.db, d)].map((s) => s.domain)).toEqual(byName.items.map((i) => i.domain));
    expect(() =>
      domainsPage(t.db, { deliveryId: d, sort: 'volume', cursor: 'bm90IGEgY3Vyc29y', limit: 2 }),
    ).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });

  it('pages by volume and by name through indexes, without a sort step', () => {
    const plan = (q: ReturnType<typeof buildDomainsPageQuery>) =>
      (t.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    for (const sort of ['volume', 'domain'] as const) {
      for (const cursor of [null, sort === 'volume' ? 'WzEwLCJhLnRlc3QiXQ' : 'WzAsImEudGVzdCJd']) {
        const details = plan(buildDomainsPageQuery({ deliveryId: 1, sort, cursor, limit: 100 }));
        expect(details).toMatch(/SEARCH delivery_domains USING (COVERING )?INDEX|PRIMARY KEY/);
        expect(details).not.toMatch(/TEMP B-TREE|SCAN delivery_domains/);
      }
    }
  });
});

describe('per-domain counters', () => {
  it('moves a relay batch by looking its rows up by id, not by scanning the delivery', () => {
    const plan = (
      t.db.prepare(`EXPLAIN QUERY PLAN ${domainStatusMoveSql('pending', 'sent', 'ids')}`).all({
        ids: '[1,2]',
        deliveryId: 1,
      }) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH l USING INTEGER PRIMARY KEY/);
    expect(plan).not.toMatch(/delivery_log USING (COVERING )?INDEX|SCAN (l|delivery_log)\b/);
  });
});

describe('reasons and health', () => {
  it('splits reasons by type and raises each SPEC §2.2 flag at its threshold', () => {
    const d = insertDelivery(t.db, { now: T0 });
    const accepted = cohort(d, 'inbox.test', 97, ['accepted']);
    cohort(d, 'inbox.test', 1, ['user_unknown'], 200);
    cohort(d, 'mail.test', 2, ['refused_soft'], 300);
    let h = deliveryHealth(t.db, d);
    expect(h.hardBounces).toMatchObject({ count: 1, base: 100, alert: false });
    expect(h.hardBounces.rate).toBeCloseTo(0.01);
    expect(h.domainSoftBounces).toMatchObject({ alert: true, count: 1 });
    expect(h.domainSoftBounces.worst).toEqual([{ domain: 'mail.test', soft: 2, processed: 2, rate: 1 }]);
    expect(h.complaints).toMatchObject({ count: 0, alert: false });

    cohort(d, 'inbox.test', 1, ['user_unknown'], 400);
    complaint(t.db, accepted[0]!, T0 + 10);
    h = deliveryHealth(t.db, d);
    // 2 of 101 = 1.98 % < 2 %; 1 complaint of 97 delivered >= 0.1 %.
    expect(h.hardBounces.alert).toBe(false);
    expect(h.complaints).toMatchObject({ count: 1, base: 97, alert: true });
    cohort(d, 'inbox.test', 1, ['user_unknown'], 500);
    expect(deliveryHealth(t.db, d).hardBounces.alert).toBe(true);

    expect(reasonBreakdown(t.db, d)).toEqual([
      {
        reason: 'user_unknown',
        byType: { hard: 3, soft: 0, ignored: 0, not_defined: 0 },
        total: 3,
      },
      {
        reason: 'refused',
        byType: { hard: 0, soft: 2, ignored: 0, not_defined: 1 },
        total: 3,
      },
    ]);
  });
});

describe('logs.seek', () => {
  const FILTERS: LogFilter[] = [
    {},
    { status: ['sent'] },
    { status: ['failed', 'taken_into_account'] },
    { search: 'u1' },
    { domain: 'b.test' },
    { search: '@b' },
    { status: ['sent'], domain: 'b.test' },
  ];

  it('returns the cursor of the page starting at any position, in every sort, direction and filter', () => {
    const d = insertDelivery(t.db, { now: T0 });
    cohort(d, 'a.test', 30, ['accepted']);
    cohort(d, 'b.test', 20, ['greylisted', 'accepted'], 100);
    cohort(d, 'b.test', 15, ['user_unknown'], 200);
    cohort(d, 'c.test', 12, ['mailbox_full'], 300);
    const delivery = requireDeliveryRow(t.db, d);
    for (const filter of FILTERS) {
      for (const key of LOG_SORT_KEYS) {
        for (const dir of ['asc', 'desc'] as const) {
          const sort = { key, dir };
          const all = logsPage(t.db, { deliveryId: d, filter, sort, cursor: null, limit: 500 }, delivery);
          const ids = all.items.map((r) => r.id);
          for (const position of [0, 1, 7, Math.floor(ids.length / 2), ids.length - 2, ids.length - 1]) {
            if (position < 0 || position >= ids.length) continue;
            const seek = logsSeek(t.db, { deliveryId: d, filter, sort, position }, delivery);
            const page = logsPage(
              t.db,
              { deliveryId: d, filter, sort, cursor: seek.cursor, limit: 3 },
              delivery,
            );
            const label = JSON.stringify({ filter, key, dir, position });
            expect({ label, first: page.items[0]?.id, exact: seek.exact }).toEqual({
              label,
              first: ids[position],
              exact: true,
            });
          }
          const beyond = logsSeek(t.db, { deliveryId: d, filter, sort, position: 10_000 }, delivery);
          expect(beyond.position).toBe(Math.max(0, ids.length - 1));
          expect(beyond.total).toBe(ids.length);
        }
      }
    }
  });

  it('steps the sort index only (covering, no sort step) to find the row', () => {
    for (const key of LOG_SORT_KEYS) {
      for (const dir of ['asc', 'desc'] as const) {
        const q = buildLogKeyQuery({ deliveryId: 1, filter: {}, sort: { key, dir } }, 1000);
        const details = (t.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[])
          .map((r) => r.detail)
          .join('\n');
        expect(details).toMatch(/SEARCH l USING COVERING INDEX log_delivery_\w+ \(delivery_id=\?/);
        expect(details).not.toMatch(/TEMP B-TREE/);
      }
    }
  });
});
