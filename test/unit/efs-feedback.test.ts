/**
 * SPEC §2.1, both tables, row by row, through the real feedback path, with the Success KPI as the console
 * shows it (success / messages to deliver, from `deliveries.get`) after every step. Completes
 * engine-feedback.test.ts (which checks the per-message status paths and the counter deltas) with: a
 * delivery of several messages whose Success % moves step by step, retries that fail at the end of the
 * validity, soft bounces followed by a hard bounce, and the asynchronous rows (a DSN or a complaint arriving
 * after the receiving server accepted the message).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDelivery } from '../../src/main/store/deliveries-repo';
import type { LogStatus, ReportingMode } from '../../src/shared/domain/statuses';
import {
  applySmtp,
  asyncHardBounce,
  asyncSoftBounce,
  complaint,
  recomputedCounters,
  softRows,
  relay,
  storedCounters,
  type SmtpEvent,
} from '../support/efs-events';
import {
  insertDelivery,
  insertRecipients,
  openTempDb,
  readLog,
  type TempDb,
} from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 0, 5);

let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

type Step =
  | { event: 'relay' }
  | { event: SmtpEvent; row: number }
  | { event: 'async_hard'; row: number }
  | { event: 'complaint'; row: number };

interface Expectation {
  step: Step;
  /** Status of each of the 4 messages after the step. */
  statuses: LogStatus[];
  /** Success % (0..1) after the step. */
  success: number;
  failureType?: { row: number; type: string | null; reason: string | null };
}

const A = 0;
const B = 1;
const C = 2;
const D = 3;

/**
 * Four messages: A accepted at once, B greylisted then accepted (a retry succeeds), C mailbox full until the
 * validity ends, D user unknown (hard bounce). Then A is bounced asynchronously and B draws a complaint.
 */
const STORY: Record<ReportingMode, Expectation[]> = {
  efs: [
    // relayed: not counted, starts at 0 %; Taken into account.
    {
      step: { event: 'relay' },
      statuses: ['taken_into_account', 'taken_into_account', 'taken_into_account', 'taken_into_account'],
      success: 0,
    },
    // delivered: increases; Sent.
    {
      step: { event: 'accepted', row: A },
      statuses: ['sent', 'taken_into_account', 'taken_into_account', 'taken_into_account'],
      success: 0.25,
    },
    // soft bounce: unchanged; status unchanged, only the failure reason is updated.
    {
      step: { event: 'greylisted', row: B },
      statuses: ['sent', 'taken_into_account', 'taken_into_account', 'taken_into_account'],
      success: 0.25,
      failureType: { row: B, type: 'soft', reason: 'unreachable' },
    },
    // a retry succeeds: increases; Sent (the failure qualification is cleared).
    {
      step: { event: 'accepted', row: B },
      statuses: ['sent', 'sent', 'taken_into_account', 'taken_into_account'],
      success: 0.5,
      failureType: { row: B, type: null, reason: null },
    },
    {
      step: { event: 'mailbox_full', row: C },
      statuses: ['sent', 'sent', 'taken_into_account', 'taken_into_account'],
      success: 0.5,
    },
    {
      step: { event: 'mailbox_full', row: C },
      statuses: ['sent', 'sent', 'taken_into_account', 'taken_into_account'],
      success: 0.5,
    },
    // retries fail / validity ends: unchanged; Failed with the last error's reason.
    {
      step: { event: 'expired', row: C },
      statuses: ['sent', 'sent', 'failed', 'taken_into_account'],
      success: 0.5,
      failureType: { row: C, type: 'soft', reason: 'mailbox_full' },
    },
    // hard bounce: unchanged; Failed.
    {
      step: { event: 'user_unknown', row: D },
      statuses: ['sent', 'sent', 'failed', 'failed'],
      success: 0.5,
      failureType: { row: D, type: 'hard', reason: 'user_unknown' },
    },
    // asynchronous hard bounce after acceptance: Sent -> Failed, success decreases.
    {
      step: { event: 'async_hard', row: A },
      statuses: ['failed', 'sent', 'failed', 'failed'],
      success: 0.25,
      failureType: { row: A, type: 'hard', reason: 'user_unknown' },
    },
    // complaint: the status stays, the reason becomes Refused.
    {
      step: { event: 'complaint', row: B },
      statuses: ['failed', 'sent', 'failed', 'failed'],
      success: 0.25,
      failureType: { row: B, type: null, reason: 'refused' },
    },
  ],
  classic: [
    // relayed: counted, starts at 100 %; Sent.
    { step: { event: 'relay' }, statuses: ['sent', 'sent', 'sent', 'sent'], success: 1 },
    // delivered: unchanged; Sent.
    { step: { event: 'accepted', row: A }, statuses: ['sent', 'sent', 'sent', 'sent'], success: 1 },
    // soft bounce: unchanged; Sent.
    {
      step: { event: 'greylisted', row: B },
      statuses: ['sent', 'sent', 'sent', 'sent'],
      success: 1,
      failureType: { row: B, type: 'soft', reason: 'unreachable' },
    },
    // a retry succeeds: unchanged; Sent.
    { step: { event: 'accepted', row: B }, statuses: ['sent', 'sent', 'sent', 'sent'], success: 1 },
    { step: { event: 'mailbox_full', row: C }, statuses: ['sent', 'sent', 'sent', 'sent'], success: 1 },
    // retries fail / validity ends: decreases; Failed.
    { step: { event: 'expired', row: C }, statuses: ['sent', 'sent', 'failed', 'sent'], success: 0.75 },
    // hard bounce: decreases; Failed.
    { step: { event: 'user_unknown', row: D }, statuses: ['sent', 'sent', 'failed', 'failed'], success: 0.5 },
    // asynchronous hard bounce after acceptance: decreases; Failed.
    {
      step: { event: 'async_hard', row: A },
      statuses: ['failed', 'sent', 'failed', 'failed'],
      success: 0.25,
    },
    { step: { event: 'complaint', row: B }, statuses: ['failed', 'sent', 'failed', 'failed'], success: 0.25 },
  ],
};

describe.each(['efs', 'classic'] as const)('SPEC §2.1 %s table, replayed on a delivery of four', (mode) => {
  it('moves each status and the Success KPI as the table says, step by step', () => {
    const deliveryId = insertDelivery(t.db, { reporting: mode, now: T0 });
    const ids = insertRecipients(
      t.db,
      deliveryId,
      ['a@inbox.test', 'grey@inbox.test', 'full@mail.test', 'unknown@corp.test'],
      T0,
    );
    const kpi = () => getDelivery(t.db, deliveryId, T0).kpi;
    expect(kpi()).toMatchObject({ toDeliver: 4, success: 0, successRate: 0 });
    const everSoft = new Set<number>();

    STORY[mode].forEach((expected, i) => {
      const at = T0 + (i + 1) * 60_000;
      const { step } = expected;
      switch (step.event) {
        case 'relay':
          relay(t.db, deliveryId, ids, at);
          break;
        case 'async_hard':
          asyncHardBounce(t.db, ids[step.row]!, at);
          break;
        case 'complaint':
          complaint(t.db, ids[step.row]!, at);
          break;
        default:
          applySmtp(t.db, step.event, ids[step.row]!, deliveryId, at);
      }
      const label = `${i}: ${JSON.stringify(step)}`;
      expect({ label, statuses: ids.map((id) => readLog(t.db, id).status) }).toEqual({
        label,
        statuses: expected.statuses,
      });
      expect({ label, success: kpi().successRate }).toEqual({ label, success: expected.success });
      if (expected.failureType) {
        const row = readLog(t.db, ids[expected.failureType.row]!);
        expect({ label, type: row.failure_type, reason: row.reason }).toEqual({
          label,
          type: expected.failureType.type,
          reason: expected.failureType.reason,
        });
      }
      for (const id of softRows(t.db, deliveryId)) everSoft.add(id);
      expect(storedCounters(t.db, deliveryId)).toEqual(recomputedCounters(t.db, deliveryId, everSoft));
    });

    // Soft bounces (docs/kpi.md) are Failed with a soft type: C (expired after mailbox full); B, greylisted then
    // delivered, is not a bounce.
    expect(kpi()).toMatchObject({ hardBounces: 2, softBounces: 1, errors: 3, softInProgress: 0 });
    expect(storedCounters(t.db, deliveryId).n_complaints).toBe(1);
  });
});

describe('soft bounces followed by a hard bounce', () => {
  it.each(['efs', 'classic'] as const)(
    '%s: Failed hard: a hard bounce, not a soft bounce (the soft ones were retries)',
    (mode) => {
      const deliveryId = insertDelivery(t.db, { reporting: mode, now: T0 });
      const [id] = insertRecipients(t.db, deliveryId, ['x@inbox.test'], T0);
      relay(t.db, deliveryId, [id!], T0);
      applySmtp(t.db, 'greylisted', id!, deliveryId, T0 + 1);
      applySmtp(t.db, 'mailbox_full', id!, deliveryId, T0 + 2);
      applySmtp(t.db, 'user_unknown', id!, deliveryId, T0 + 3);
      expect(readLog(t.db, id!)).toMatchObject({ status: 'failed', failure_type: 'hard', attempts: 3 });
      expect(getDelivery(t.db, deliveryId, T0).kpi).toMatchObject({
        softBounces: 0,
        hardBounces: 1,
        softInProgress: 0,
        successRate: 0,
      });
    },
  );
});

describe('a soft bounce, an accepted retry, then an asynchronous soft DSN', () => {
  it.each([
    ['efs', 'delayed', 'sent', 1, 0],
    ['efs', 'failed', 'failed', 0, 1],
    ['classic', 'failed', 'failed', 0, 1],
  ] as const)('%s, Action: %s: the row %s', (mode, action, status, success, softBounces) => {
    const deliveryId = insertDelivery(t.db, { reporting: mode, now: T0 });
    const [id] = insertRecipients(t.db, deliveryId, ['x@inbox.test'], T0);
    relay(t.db, deliveryId, [id!], T0);
    applySmtp(t.db, 'greylisted', id!, deliveryId, T0 + 1);
    applySmtp(t.db, 'accepted', id!, deliveryId, T0 + 2);
    expect(readLog(t.db, id!).failure_type).toBeNull();
    asyncSoftBounce(t.db, id!, T0 + 3, action);
    expect(readLog(t.db, id!)).toMatchObject({ status, failure_type: 'soft' });
    // A soft bounce is Failed with a soft type: a delayed DSN about a delivered message is not one.
    expect(getDelivery(t.db, deliveryId, T0).kpi).toMatchObject({ softBounces, hardBounces: 0, success });
    expect(
      t.db.prepare('SELECT n_soft FROM delivery_domains WHERE delivery_id = ?').pluck().get(deliveryId),
    ).toBe(1);
  });
});
