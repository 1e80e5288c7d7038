import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyOutcomes, type MessageOutcome } from '../../src/main/engine/feedback/apply-outcomes';
import { completeIfDone } from '../../src/main/store/ledger';
import { relay } from '../../src/main/store/ledger';
import type { SmtpOutcome } from '../../src/main/engine/types';
import type { Classification } from '../../src/main/engine/bounce/basic-classifier';
import {
  attemptsOf,
  insertDelivery,
  insertRecipients,
  openTempDb,
  queueRow,
  readDelivery,
  readLog,
  type TempDb,
} from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 0, 1);
const VALIDITY = 3 * 3_600_000;

const smtp = (
  kind: SmtpOutcome['kind'],
  code: number | null,
  enhanced: string | null,
  text: string,
  command = 'RCPT',
): SmtpOutcome => ({
  kind,
  code,
  enhanced,
  text,
  command,
  mxHost: 'mx.inbox.test',
  ip: '127.0.0.1',
  tls: true,
  durationMs: 12,
});
const DEST = 'smtp:127.0.0.1:2525';
const HARD: Classification = { reason: 'user_unknown', type: 'hard', bounceClass: 10 };
const SOFT: Classification = { reason: 'mailbox_full', type: 'soft', bounceClass: 22 };

type Step = 'hard_bounce' | 'soft_bounce' | 'delivered' | 'expired';

function outcome(step: Step, logId: number, deliveryId: number, at: number): MessageOutcome {
  switch (step) {
    case 'hard_bounce':
      return {
        logId,
        deliveryId,
        at,
        attempt: smtp('failed', 550, '5.1.1', 'User unknown'),
        classification: HARD,
        disposition: { kind: 'bounced' },
        destination: DEST,
        dkimDomain: null,
      };
    case 'soft_bounce':
      return {
        logId,
        deliveryId,
        at,
        attempt: smtp('deferred', 452, '4.2.2', 'Mailbox full, try again later'),
        classification: SOFT,
        disposition: { kind: 'retry', dueAt: at + 60_000, rule: 'mailbox_full' },
        destination: DEST,
        dkimDomain: null,
      };
    case 'delivered':
      return {
        logId,
        deliveryId,
        at,
        attempt: smtp('accepted', 250, '2.0.0', 'Ok: queued', 'DATA'),
        classification: null,
        disposition: { kind: 'delivered' },
        destination: DEST,
        dkimDomain: 'sender.test',
      };
    case 'expired':
      return {
        logId,
        deliveryId,
        at,
        attempt: null,
        classification: null,
        disposition: { kind: 'expired' },
        destination: null,
        dkimDomain: null,
      };
  }
}

/** SPEC §2.1, both tables: each message goes through a sequence of events; after each, status + success. */
const SCENARIOS: Record<
  'efs' | 'classic',
  { relayed: [string, number]; paths: { steps: Step[]; expect: [string, number][] }[] }
> = {
  efs: {
    relayed: ['taken_into_account', 0],
    paths: [
      { steps: ['hard_bounce'], expect: [['failed', 0]] },
      {
        steps: ['soft_bounce', 'delivered'],
        expect: [
          ['taken_into_account', 0],
          ['sent', 1],
        ],
      },
      {
        steps: ['soft_bounce', 'expired'],
        expect: [
          ['taken_into_account', 0],
          ['failed', 0],
        ],
      },
      { steps: ['delivered'], expect: [['sent', 1]] },
    ],
  },
  classic: {
    relayed: ['sent', 1],
    paths: [
      { steps: ['hard_bounce'], expect: [['failed', -1]] },
      {
        steps: ['soft_bounce', 'delivered'],
        expect: [
          ['sent', 0],
          ['sent', 0],
        ],
      },
      {
        steps: ['soft_bounce', 'expired'],
        expect: [
          ['sent', 0],
          ['failed', -1],
        ],
      },
      { steps: ['delivered'], expect: [['sent', 0]] },
    ],
  },
};

let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

describe.each(['efs', 'classic'] as const)('feedback transitions, %s reporting (SPEC §2.1)', (mode) => {
  const scenario = SCENARIOS[mode];
  it.each(scenario.paths.map((p) => [p.steps.join(' -> '), p] as const))('relayed -> %s', (_name, path) => {
    const deliveryId = insertDelivery(t.db, { reporting: mode, validityMs: VALIDITY, now: T0 });
    const [logId] = insertRecipients(t.db, deliveryId, ['bob@inbox.test'], T0);
    relay(t.db, { deliveryId, logIds: [logId!], now: T0 });
    let success = readDelivery(t.db, deliveryId).n_success;
    expect([readLog(t.db, logId!).status, success]).toEqual(scenario.relayed);

    path.steps.forEach((step, i) => {
      applyOutcomes(t.db, [outcome(step, logId!, deliveryId, T0 + (i + 1) * 1000)], T0 + (i + 1) * 1000);
      const now = readDelivery(t.db, deliveryId).n_success;
      const [status, delta] = path.expect[i]!;
      expect({ step, status: readLog(t.db, logId!).status, delta: now - success }).toEqual({
        step,
        status,
        delta,
      });
      success = now;
    });
    const d = readDelivery(t.db, deliveryId);
    expect(d.n_in_mta).toBe(0);
    expect(d.n_soft_in_progress).toBe(0);
    expect(d.n_success).toBe(d.n_sent);
    expect(d.state).toBe('completed');
  });
});

describe('ledger relay', () => {
  it('queues pending rows once, with validity divided by the time scale, and counts them in the MTA', () => {
    const deliveryId = insertDelivery(t.db, { validityMs: VALIDITY, timeScale: 100, now: T0 });
    const ids = insertRecipients(t.db, deliveryId, ['a@inbox.test', 'b@mail.test'], T0);
    expect(relay(t.db, { deliveryId, logIds: ids, now: T0 })).toBe(2);
    expect(relay(t.db, { deliveryId, logIds: ids, now: T0 + 5 })).toBe(0);
    expect(queueRow(t.db, ids[0]!)).toMatchObject({
      due_at: T0,
      expires_at: T0 + VALIDITY / 100,
      attempts: 0,
    });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      n_pending: 0,
      n_taken: 2,
      n_in_mta: 2,
      n_success: 0,
    });
    // A row relayed without a Message-ID gets one with a 128-bit random token (engine/bounce/trace.ts).
    expect(readLog(t.db, ids[1]!).message_id).toMatch(
      new RegExp(`^<${ids[1]}\\.${deliveryId}\\.[0-9a-f]{32}@sender\\.test>$`),
    );
  });
});

describe('applyOutcomes', () => {
  it('records attempts and the log row details, and counts a soft bounce once per message', () => {
    const deliveryId = insertDelivery(t.db, { validityMs: VALIDITY, now: T0 });
    const [logId] = insertRecipients(t.db, deliveryId, ['full@inbox.test'], T0);
    relay(t.db, { deliveryId, logIds: [logId!], now: T0 });
    applyOutcomes(t.db, [outcome('soft_bounce', logId!, deliveryId, T0 + 1000)], T0 + 1000);
    expect(readDelivery(t.db, deliveryId)).toMatchObject({ n_soft: 1, n_soft_in_progress: 1, n_in_mta: 1 });
    applyOutcomes(t.db, [outcome('soft_bounce', logId!, deliveryId, T0 + 2000)], T0 + 2000);
    expect(readDelivery(t.db, deliveryId)).toMatchObject({ n_soft: 1, n_soft_in_progress: 1, n_in_mta: 1 });
    expect(queueRow(t.db, logId!)).toMatchObject({ due_at: T0 + 62_000, attempts: 2, lease_until: 0 });
    expect(readLog(t.db, logId!)).toMatchObject({
      attempts: 2,
      first_attempt_at: T0 + 1000,
      last_attempt_at: T0 + 2000,
      last_reply: '452 4.2.2 Mailbox full, try again later',
      reason: 'mailbox_full',
      failure_type: 'soft',
      bounce_class: 22,
      mx_host: 'mx.inbox.test',
      mx_ip: '127.0.0.1',
    });
    expect(attemptsOf(t.db, logId!).map((a) => a.outcome)).toEqual(['deferred', 'deferred']);

    applyOutcomes(t.db, [outcome('expired', logId!, deliveryId, T0 + 3000)], T0 + 3000);
    expect(readLog(t.db, logId!)).toMatchObject({ status: 'failed', reason: 'mailbox_full', attempts: 2 });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      n_soft: 1,
      n_soft_in_progress: 0,
      n_in_mta: 0,
      n_hard: 0,
      n_failed: 1,
    });
    expect(queueRow(t.db, logId!)).toBeUndefined();
  });

  it('records who signed the message sent last: its d=, null when it left unsigned; an attempt without a send keeps it', () => {
    const deliveryId = insertDelivery(t.db, { validityMs: VALIDITY, now: T0 });
    const [logId] = insertRecipients(t.db, deliveryId, ['full@inbox.test'], T0);
    relay(t.db, { deliveryId, logIds: [logId!], now: T0 });
    const dkimOf = () =>
      (
        t.db.prepare('SELECT dkim_domain FROM delivery_log WHERE id = ?').get(logId) as {
          dkim_domain: string | null;
        }
      ).dkim_domain;
    const signed = { at: T0 + 1000, keys: { rsa: 's1', ed25519: null }, shared: null };
    applyOutcomes(
      t.db,
      [{ ...outcome('soft_bounce', logId!, deliveryId, T0 + 1000), dkimDomain: 'sender.test', sent: signed }],
      T0 + 1000,
    );
    expect(dkimOf()).toBe('sender.test');
    // An attempt that sent nothing (no route, a compose failure) says nothing about the signature.
    applyOutcomes(t.db, [outcome('soft_bounce', logId!, deliveryId, T0 + 2000)], T0 + 2000);
    expect(dkimOf()).toBe('sender.test');
    // The key was removed since: the retry left unsigned, and the row says so.
    applyOutcomes(
      t.db,
      [
        {
          ...outcome('delivered', logId!, deliveryId, T0 + 3000),
          dkimDomain: null,
          sent: { at: T0 + 3000, keys: null, shared: null },
        },
      ],
      T0 + 3000,
    );
    expect(dkimOf()).toBeNull();
  });

  it('counts hard bounces, clears the qualification on success, and expires an unattempted message as unreachable', () => {
    const deliveryId = insertDelivery(t.db, { validityMs: VALIDITY, now: T0 });
    const [a, b, c] = insertRecipients(
      t.db,
      deliveryId,
      ['unknown@inbox.test', 'grey@inbox.test', 'late@inbox.test'],
      T0,
    );
    relay(t.db, { deliveryId, logIds: [a!, b!, c!], now: T0 });
    applyOutcomes(
      t.db,
      [
        outcome('hard_bounce', a!, deliveryId, T0 + 1),
        outcome('soft_bounce', b!, deliveryId, T0 + 1),
        outcome('expired', c!, deliveryId, T0 + 1),
      ],
      T0 + 1,
    );
    applyOutcomes(t.db, [outcome('delivered', b!, deliveryId, T0 + 2)], T0 + 2);
    expect(readLog(t.db, b!)).toMatchObject({
      status: 'sent',
      reason: null,
      failure_type: null,
      attempts: 2,
    });
    expect(readLog(t.db, c!)).toMatchObject({
      status: 'failed',
      reason: 'unreachable',
      failure_type: 'soft',
      attempts: 0,
    });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      n_hard: 1,
      n_soft: 2,
      n_failed: 2,
      n_sent: 1,
      n_success: 1,
      n_in_mta: 0,
      n_soft_in_progress: 0,
      state: 'completed',
    });
  });

  it('skips an outcome for a message that is no longer queued', () => {
    const deliveryId = insertDelivery(t.db, { now: T0 });
    const [a] = insertRecipients(t.db, deliveryId, ['x@inbox.test'], T0);
    relay(t.db, { deliveryId, logIds: [a!], now: T0 });
    applyOutcomes(t.db, [outcome('delivered', a!, deliveryId, T0 + 1)], T0 + 1);
    const again = applyOutcomes(t.db, [outcome('hard_bounce', a!, deliveryId, T0 + 2)], T0 + 2);
    expect(again.skipped).toBe(1);
    expect(readLog(t.db, a!).status).toBe('sent');
  });
});

describe('completeIfDone', () => {
  it('completes a delivering delivery, keeps a stopped one stopped, and waits for pending and queued messages', () => {
    const delivering = insertDelivery(t.db, { state: 'delivering' });
    const stopped = insertDelivery(t.db, { state: 'stopped' });
    const relaying = insertDelivery(t.db, { state: 'relaying' });
    const busy = insertDelivery(t.db, { state: 'delivering' });
    insertRecipients(t.db, busy, ['p@inbox.test']);
    expect(completeIfDone(t.db, delivering, 5)).toBe(true);
    expect(completeIfDone(t.db, delivering, 6)).toBe(false);
    expect(completeIfDone(t.db, stopped, 5)).toBe(true);
    expect(completeIfDone(t.db, relaying, 5)).toBe(false);
    expect(completeIfDone(t.db, busy, 5)).toBe(false);
    expect(readDelivery(t.db, delivering)).toMatchObject({ state: 'completed', completed_at: 5 });
    expect(readDelivery(t.db, stopped)).toMatchObject({ state: 'stopped', completed_at: 5 });
  });
});
