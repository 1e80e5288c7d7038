/**
 * SPEC §2.2 and docs/kpi.md: the KPI counters are maintained incrementally with the events and always equal a
 * recomputation from the logs, and the figures built on them add up (issue 14: per domain, in progress +
 * delivered + hard + soft + other failures = processed, shares summing to 100 %; a soft bounce is a Failed
 * message with a soft type, never one delivered after a retry; the soft-bounce flag and the summary count the
 * same domains; recipients with no address never make a domain row). fast-check drives random event sequences (relay, accept, soft bounces, hard bounces, expiry,
 * stop, asynchronous hard and soft bounces after acceptance, complaint) through the real feedback paths against
 * a real SQLite file, and after every event compares the delivery counters, the per-domain counters, the
 * per-reason counters and the KPIs derived from them with the same figures recomputed from the log rows, the
 * queue and the attempts. Soft bounces count messages that were ever soft-qualified (once each), so the test
 * notes the soft rows after every event: a success clears a row's type, and an asynchronous soft DSN may follow.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKpi } from '../../src/shared/domain/kpi';
import type { ReasonId } from '../../src/shared/domain/reasons';
import type { ReportingMode } from '../../src/shared/domain/statuses';
import { getDelivery } from '../../src/main/store/deliveries-repo';
import { deliveryHealth, listDeliveryDomains } from '../../src/main/store/domains-repo';
import { insertLogRows, type NewLogRow } from '../../src/main/store/ledger';
import { nextLogId } from '../../src/main/store/log-repo';
import {
  applySmtp,
  asyncHardBounce,
  asyncSoftBounce,
  complaint,
  recomputedCounters,
  recomputedDomains,
  recomputedReasons,
  relay,
  softRows,
  stopDelivery,
  storedCounters,
  storedDomains,
  storedReasons,
  type Counters,
  SMTP_EVENTS,
  type SmtpEvent,
} from '../support/efs-events';
import { insertDelivery, openTempDb, type TempDb } from '../support/engine-fixtures';

const DOMAINS = ['inbox.test', 'mail.test', 'corp.test'] as const;

type Command =
  | { kind: 'relay'; count: number }
  | { kind: 'smtp'; event: SmtpEvent; row: number }
  | { kind: 'stop' }
  | { kind: 'async_hard'; row: number }
  | { kind: 'async_soft'; action: 'failed' | 'delayed'; row: number }
  | { kind: 'complaint'; row: number };

const recipientArb = fc.record({
  domain: fc.integer({ min: 0, max: DOMAINS.length - 1 }),
  // address_not_specified: a list row with no address (no domain), excluded at preparation.
  excluded: fc.option(
    fc.constantFrom<ReasonId>('double', 'quarantined', 'denylisted', 'address_not_specified'),
    { freq: 5 },
  ),
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('relay' as const), count: fc.integer({ min: 1, max: 4 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('smtp' as const),
      event: fc.constantFrom(...SMTP_EVENTS),
      row: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('async_hard' as const), row: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('async_soft' as const),
      action: fc.constantFrom('failed' as const, 'delayed' as const),
      row: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('complaint' as const), row: fc.nat() }) },
);

const scenarioArb = fc.record({
  mode: fc.constantFrom<ReportingMode>('efs', 'classic'),
  recipients: fc.array(recipientArb, { minLength: 1, maxLength: 10 }),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 40, size: 'max' }),
});

let t: TempDb;
beforeAll(() => {
  t = openTempDb();
});
afterAll(() => t.cleanup());

const T0 = Date.UTC(2026, 2, 1);

/** Prepares a delivery with the store's own insert path: valid rows pending, excluded rows ignored. */
function prepare(mode: ReportingMode, recipients: { domain: number; excluded: ReasonId | null }[]) {
  const deliveryId = insertDelivery(t.db, { reporting: mode, state: 'relaying', now: T0 });
  const ids = t.db.transaction(() => {
    let id = nextLogId(t.db);
    const rows: NewLogRow[] = recipients.map((r, i) => {
      const blank = r.excluded === 'address_not_specified';
      const email = blank ? '' : `user${i}@${DOMAINS[r.domain]}`;
      return {
        id: id++,
        deliveryId,
        line: i + 2,
        email,
        addrKey: email,
        domain: blank ? '' : DOMAINS[r.domain]!,
        fields: { email },
        status: r.excluded ? 'ignored' : 'pending',
        failureType: r.excluded ? (r.excluded === 'double' ? 'ignored' : 'hard') : null,
        reason: r.excluded,
        messageId: null,
      };
    });
    insertLogRows(t.db, rows, T0);
    return rows.map((r) => r.id);
  })();
  return { deliveryId, ids };
}

const ACCEPTED = "EXISTS (SELECT 1 FROM attempts a WHERE a.log_id = l.id AND a.outcome = 'accepted')";
const COMPLAINED = "(l.reason IS 'refused' AND l.bounce_class IS 90)";
const DEFERRED = "EXISTS (SELECT 1 FROM attempts a WHERE a.log_id = l.id AND a.outcome = 'deferred')";

const rowState = (logId: number) =>
  t.db
    .prepare(
      `SELECT l.status, q.log_id IS NOT NULL AS queued, ${ACCEPTED} AS accepted, ${COMPLAINED} AS complained
         FROM delivery_log l LEFT JOIN queue q ON q.log_id = l.id WHERE l.id = ?`,
    )
    .get(logId) as { status: string; queued: number; accepted: number; complained: number };

/** Rows of the delivery in a given situation, so that most generated events hit a row they can change. */
const rowsWhere = (deliveryId: number, condition: string) =>
  (
    t.db
      .prepare(
        `SELECT l.id FROM delivery_log l LEFT JOIN queue q ON q.log_id = l.id
          WHERE l.delivery_id = ? AND ${condition} ORDER BY l.id`,
      )
      .all(deliveryId) as { id: number }[]
  ).map((r) => r.id);

function run(deliveryId: number, ids: number[], command: Command, at: number): void {
  // Three times in four the event targets a row it applies to; otherwise any row (which must be harmless).
  const pick = (row: number, condition: string) => {
    const candidates = row % 4 === 3 ? ids : rowsWhere(deliveryId, condition);
    const list = candidates.length > 0 ? candidates : ids;
    return list[Math.floor(row / 4) % list.length]!;
  };
  switch (command.kind) {
    case 'relay': {
      const pending = t.db
        .prepare(
          "SELECT id FROM delivery_log WHERE delivery_id = ? AND status = 'pending' ORDER BY id LIMIT ?",
        )
        .all(deliveryId, command.count) as { id: number }[];
      relay(
        t.db,
        deliveryId,
        pending.map((p) => p.id),
        at,
      );
      return;
    }
    case 'smtp':
      // Outcomes for a message no longer queued are skipped by the feedback layer: sent anyway on purpose.
      applySmtp(t.db, command.event, pick(command.row, 'q.log_id IS NOT NULL'), deliveryId, at);
      return;
    case 'stop':
      stopDelivery(t.db, deliveryId, at);
      return;
    case 'async_hard': {
      // SPEC §4.3: an asynchronous DSN arrives after the receiving server accepted the message.
      // (A bounce report never follows a complaint about the same message: the complaint says it was read.)
      const logId = pick(command.row, `${ACCEPTED} AND q.log_id IS NULL AND NOT ${COMPLAINED}`);
      const s = rowState(logId);
      if (s.accepted && !s.queued && !s.complained) asyncHardBounce(t.db, logId, at);
      return;
    }
    case 'async_soft': {
      // Preferably a message that was soft-bounced synchronously before a retry was accepted (the success
      // cleared its failure type): it must not count twice in the soft bounces.
      const logId = pick(
        command.row,
        `${ACCEPTED} AND ${DEFERRED} AND q.log_id IS NULL AND NOT ${COMPLAINED}`,
      );
      const s = rowState(logId);
      if (s.accepted && !s.queued && !s.complained) asyncSoftBounce(t.db, logId, at, command.action);
      return;
    }
    case 'complaint': {
      const logId = pick(command.row, ACCEPTED);
      if (rowState(logId).accepted) complaint(t.db, logId, at);
      return;
    }
  }
}

function kpiOf(c: Counters) {
  return computeKpi({
    initial: c.n_initial,
    status: {
      pending: c.n_pending,
      taken_into_account: c.n_taken,
      sent: c.n_sent,
      failed: c.n_failed,
      ignored: c.n_ignored,
      cancelled: c.n_cancelled,
    },
    success: c.n_success,
    hardBounces: c.n_hard,
    softBounces: c.n_soft_failed,
    softInProgress: c.n_soft_in_progress,
  });
}

/** Rows ever soft-qualified, noted after every event (a success clears the type the counters remember). */
function noteSoft(deliveryId: number, everSoft: Set<number>): void {
  for (const id of softRows(t.db, deliveryId)) everSoft.add(id);
}

function expectConsistent(deliveryId: number, everSoft: ReadonlySet<number>, step: string): void {
  const stored = storedCounters(t.db, deliveryId);
  const recomputed = recomputedCounters(t.db, deliveryId, everSoft);
  expect({ step, counters: stored }).toEqual({ step, counters: recomputed });
  expect({ step, domains: storedDomains(t.db, deliveryId) }).toEqual({
    step,
    domains: recomputedDomains(t.db, deliveryId, everSoft),
  });
  expect({ step, reasons: storedReasons(t.db, deliveryId) }).toEqual({
    step,
    reasons: recomputedReasons(t.db, deliveryId),
  });
  // What the API serves is derived from those counters.
  expect(getDelivery(t.db, deliveryId, T0).kpi).toEqual(kpiOf(recomputed));
  // The per-domain counters add up to the delivery's.
  const domains = storedDomains(t.db, deliveryId);
  const sum = (k: 'n_sent' | 'n_hard' | 'n_soft' | 'n_soft_failed' | 'n_deferred' | 'n_total') =>
    domains.reduce((s, d) => s + d[k], 0);
  expect({
    step,
    sent: sum('n_sent'),
    hard: sum('n_hard'),
    soft: sum('n_soft'),
    softFailed: sum('n_soft_failed'),
  }).toEqual({
    step,
    sent: stored.n_sent,
    hard: stored.n_hard,
    soft: stored.n_soft,
    softFailed: stored.n_soft_failed,
  });
  expect(sum('n_deferred')).toBe(stored.n_soft_in_progress);
  expect(sum('n_total')).toBe(stored.n_initial);
  expectFiguresAddUp(deliveryId, step);
}

/** The per-domain figures served to the Domains tab, the reports and the flags (docs/kpi.md) add up. */
function expectFiguresAddUp(deliveryId: number, step: string): void {
  const listed = [...listDeliveryDomains(t.db, deliveryId)];
  // No domain row for recipients with no address; they stay counted in the exclusions.
  expect({ step, blank: listed.filter((d) => d.domain === '').length }).toEqual({ step, blank: 0 });
  const noAddress = t.db
    .prepare("SELECT count(*) FROM delivery_log WHERE delivery_id = ? AND domain = ''")
    .pluck()
    .get(deliveryId) as number;
  const kpi = getDelivery(t.db, deliveryId, T0).kpi;
  expect(listed.reduce((n, d) => n + d.total, 0) + noAddress).toBe(kpi.initialPopulation);
  for (const d of listed) {
    const label = `${step} ${d.domain}`;
    const parts = [d.inProgress, d.delivered, d.hard, d.soft, d.failedOther];
    expect({ label, negative: parts.filter((n) => n < 0) }).toEqual({ label, negative: [] });
    expect({ label, sum: parts.reduce((a, b) => a + b, 0) }).toEqual({ label, sum: d.processed });
    expect({ label, failed: d.hard + d.soft + d.failedOther }).toEqual({ label, failed: d.failed });
    const shares = [d.inProgressRate, d.deliveredRate, d.hardRate, d.softRate, d.failedOtherRate];
    if (d.processed === 0)
      expect({ label, shares }).toEqual({ label, shares: [null, null, null, null, null] });
    else expect(shares.reduce<number>((a, b) => a + (b ?? 0), 0)).toBeCloseTo(1, 12);
    // Retrying now is part of what is not final (EFS) or of Sent (classic, where Sent means relayed).
    expect(d.deferredNow).toBeLessThanOrEqual(d.inProgress + d.delivered);
  }
  // The flag and the summary's list count the domains the table flags, with the same soft bounces.
  const health = deliveryHealth(t.db, deliveryId).domainSoftBounces;
  const flagged = listed.filter((d) => d.softAlert);
  expect({ step, count: health.count }).toEqual({ step, count: flagged.length });
  for (const w of health.worst)
    expect(w).toEqual(expect.objectContaining({ soft: listed.find((d) => d.domain === w.domain)?.soft }));
  // A soft bounce is a message Failed with a soft type: never a message delivered (Sent in EFS) after a retry.
  expect(kpi.softBounces).toBe(listed.reduce((n, d) => n + d.soft, 0));
}

describe('KPI counters == recomputation from the logs (fast-check)', () => {
  it('holds after every event of random sequences, in both reporting modes', () => {
    fc.assert(
      fc.property(scenarioArb, ({ mode, recipients, commands }) => {
        const { deliveryId, ids } = prepare(mode, recipients);
        const everSoft = new Set<number>();
        noteSoft(deliveryId, everSoft);
        expectConsistent(deliveryId, everSoft, 'prepared');
        commands.forEach((command, i) => {
          run(deliveryId, ids, command, T0 + (i + 1) * 1000);
          noteSoft(deliveryId, everSoft);
          expectConsistent(deliveryId, everSoft, `${i}: ${JSON.stringify(command)}`);
        });
      }),
      { numRuns: 200, seed: 20260301 },
    );
  });

  it('detects a counter that drifts from the log (the comparison can fail)', () => {
    const { deliveryId, ids } = prepare('efs', [
      { domain: 0, excluded: null },
      { domain: 1, excluded: null },
    ]);
    relay(t.db, deliveryId, ids, T0);
    applySmtp(t.db, 'accepted', ids[0]!, deliveryId, T0 + 1);
    t.db.prepare('UPDATE deliveries SET n_success = n_success + 1 WHERE id = ?').run(deliveryId);
    expect(() => expectConsistent(deliveryId, new Set(), 'drifted')).toThrow();
  });
});
