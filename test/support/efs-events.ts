/**
 * EFS event drivers for the KPI tests: every event a message can meet (relay, SMTP outcomes, expiry, stop,
 * asynchronous bounce after acceptance, complaint) applied through the real code paths (the ledger's
 * `relay` and `cancelPending`, the engine's `applyOutcomes`, inMail's `applyReport`), and a recomputation of every counter from the
 * log, the queue and the attempts, to compare with the incrementally maintained ones.
 */
import { applyOutcomes, type MessageOutcome } from '../../src/main/engine/feedback/apply-outcomes';
import * as ledger from '../../src/main/store/ledger';
import type { Classification } from '../../src/main/engine/bounce/basic-classifier';
import { bareRecipient } from '../../src/main/inmail/parse/report-fields';
import type { InboundReport, InboundVerdict } from '../../src/main/inmail/parse/types';
import type { SmtpOutcome } from '../../src/main/engine/types';
import { applyReport } from '../../src/main/inmail/outcomes';
import type { Db } from '../../src/main/store/db';

/** Every synchronous outcome the EFS helpers can replay (the property tests draw from it). */
export const SMTP_EVENTS = [
  'accepted',
  'greylisted',
  'mailbox_full',
  'user_unknown',
  'refused_soft',
  'expired',
] as const;
export type SmtpEvent = (typeof SMTP_EVENTS)[number];

const reply = (
  kind: SmtpOutcome['kind'],
  code: number,
  enhanced: string,
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
  durationMs: 20,
});

const SMTP: Record<
  Exclude<SmtpEvent, 'expired'>,
  { attempt: SmtpOutcome; classification: Classification | null; final: boolean }
> = {
  accepted: {
    attempt: reply('accepted', 250, '2.0.0', 'Ok: queued as 4F2A', 'DATA'),
    classification: null,
    final: true,
  },
  greylisted: {
    attempt: reply('deferred', 451, '4.7.1', 'Greylisted, try again later'),
    classification: { reason: 'unreachable', type: 'soft', bounceClass: 70 },
    final: false,
  },
  mailbox_full: {
    attempt: reply('deferred', 452, '4.2.2', 'Mailbox full'),
    classification: { reason: 'mailbox_full', type: 'soft', bounceClass: 22 },
    final: false,
  },
  user_unknown: {
    attempt: reply('failed', 550, '5.1.1', 'User unknown'),
    classification: { reason: 'user_unknown', type: 'hard', bounceClass: 10 },
    final: true,
  },
  // A permanent reply qualified soft by the rules (SPEC §4.1: Refused is "Soft or Hard").
  refused_soft: {
    attempt: reply('failed', 554, '5.7.1', 'Message refused by policy', 'DATA'),
    classification: { reason: 'refused', type: 'soft', bounceClass: 50 },
    final: true,
  },
};

/** The MTA outcome of one SMTP event for a queued message, as the engine would hand it to the feedback layer. */
export function mtaOutcome(event: SmtpEvent, logId: number, deliveryId: number, at: number): MessageOutcome {
  const base = { logId, deliveryId, at, destination: 'smtp:mx.inbox.test:25', dkimDomain: null };
  if (event === 'expired')
    return { ...base, attempt: null, classification: null, disposition: { kind: 'expired' } };
  const s = SMTP[event];
  return {
    ...base,
    attempt: s.attempt,
    classification: s.classification,
    dkimDomain: event === 'accepted' ? 'sender.test' : null,
    disposition:
      s.attempt.kind === 'accepted'
        ? { kind: 'delivered' }
        : s.final
          ? { kind: 'bounced' }
          : { kind: 'retry', dueAt: at + 60_000, rule: 'test' },
  };
}

export function applySmtp(db: Db, event: SmtpEvent, logId: number, deliveryId: number, at: number): void {
  applyOutcomes(db, [mtaOutcome(event, logId, deliveryId, at)], at);
}

export function relay(db: Db, deliveryId: number, logIds: readonly number[], at: number): number {
  return ledger.relay(db, { deliveryId, logIds, now: at });
}

/** Stop: cancels the rows not yet relayed (the campaign's stop does this in its transaction). */
export function stopDelivery(db: Db, deliveryId: number, at: number): void {
  db.transaction(() => {
    ledger.cancelPending(db, deliveryId, at);
    db.prepare("UPDATE deliveries SET state = 'stopped', stopped_at = ? WHERE id = ?").run(at, deliveryId);
  })();
}

interface Target {
  logId: number;
  deliveryId: number;
  email: string;
}

function target(db: Db, logId: number): Target {
  const row = db.prepare('SELECT id, delivery_id, email FROM delivery_log WHERE id = ?').get(logId) as {
    id: number;
    delivery_id: number;
    email: string;
  };
  return { logId: row.id, deliveryId: row.delivery_id, email: row.email };
}

const EMPTY_REPORT: Omit<InboundReport, 'kind' | 'recipients'> = {
  format: 'rfc3464',
  note: null,
  explanation: null,
  envelopeTo: null,
  from: 'MAILER-DAEMON@inbox.test',
  subject: 'Undelivered Mail Returned to Sender',
  messageId: '<dsn-1@inbox.test>',
  original: null,
  feedback: null,
  truncated: false,
};

/** An RFC 3464 DSN about the message, applied through inMail's `applyReport`. */
function asyncDsn(
  db: Db,
  logId: number,
  at: number,
  dsn: { action: 'failed' | 'delayed'; status: string; code: number; diagnostic: string },
  verdict: Pick<InboundVerdict, 'type' | 'reason' | 'bounceClass'>,
): void {
  const t = target(db, logId);
  const report: InboundReport = {
    ...EMPTY_REPORT,
    kind: 'dsn',
    recipients: [{ recipient: t.email, originalRecipient: null, remoteMta: 'mx.inbox.test', ...dsn }],
  };
  const full: InboundVerdict = {
    recipient: t.email,
    ...verdict,
    ruleId: 'test',
    why: 'test verdict',
    status: dsn.status,
    code: dsn.code,
  };
  db.transaction(() =>
    applyReport(db, report, [full], { by: 'trace_header', deliveryId: t.deliveryId, row: t }, at),
  )();
}

/** An RFC 3464 DSN `Action: failed` (hard, user unknown) arriving after the receiver accepted the message. */
export function asyncHardBounce(db: Db, logId: number, at: number): void {
  asyncDsn(
    db,
    logId,
    at,
    { action: 'failed', status: '5.1.1', code: 550, diagnostic: '550 5.1.1 mailbox does not exist' },
    { type: 'hard', reason: 'user_unknown', bounceClass: 10 },
  );
}

const SOFT_DSN = {
  delayed: {
    dsn: { status: '4.2.2', code: 452, diagnostic: '452 4.2.2 mailbox full, will retry' },
    verdict: { type: 'soft', reason: 'mailbox_full', bounceClass: 22 },
  },
  failed: {
    dsn: { status: '4.4.7', code: 451, diagnostic: '451 4.4.7 delivery time expired' },
    verdict: { type: 'soft', reason: 'unreachable', bounceClass: 24 },
  },
} as const;

/**
 * A soft DSN after the receiver accepted the message: `delayed` (mailbox full, still trying) or `failed`
 * (the receiver gave up on a temporary condition; SPEC §4.1: Unreachable, Soft).
 */
export function asyncSoftBounce(db: Db, logId: number, at: number, action: 'failed' | 'delayed'): void {
  const { dsn, verdict } = SOFT_DSN[action];
  asyncDsn(db, logId, at, { action, ...dsn }, verdict);
}

/** An RFC 5965 abuse report about the message (complaint). */
export function complaint(db: Db, logId: number, at: number): void {
  const t = target(db, logId);
  const report: InboundReport = {
    ...EMPTY_REPORT,
    kind: 'arf',
    format: 'rfc5965',
    feedback: {
      feedbackType: 'abuse',
      userAgent: 'TestFBL/1.0',
      originalMailFrom: null,
      arrivalDate: null,
      sourceIp: null,
      reportedDomain: null,
    },
    recipients: [bareRecipient(t.email)],
  };
  const verdict: InboundVerdict = {
    recipient: t.email,
    type: 'hard',
    reason: 'refused',
    bounceClass: 90,
    ruleId: 'test',
    why: 'test complaint',
    status: null,
    code: null,
  };
  db.transaction(() =>
    applyReport(db, report, [verdict], { by: 'trace_header', deliveryId: t.deliveryId, row: t }, at),
  )();
}

// ---- counters and their recomputation ----

export interface Counters {
  n_initial: number;
  n_pending: number;
  n_taken: number;
  n_sent: number;
  n_failed: number;
  n_ignored: number;
  n_cancelled: number;
  n_success: number;
  n_hard: number;
  n_soft: number;
  n_soft_failed: number;
  n_soft_in_progress: number;
  n_in_mta: number;
  n_complaints: number;
}

const COUNTER_COLUMNS = [
  'n_initial',
  'n_pending',
  'n_taken',
  'n_sent',
  'n_failed',
  'n_ignored',
  'n_cancelled',
  'n_success',
  'n_hard',
  'n_soft',
  'n_soft_failed',
  'n_soft_in_progress',
  'n_in_mta',
  'n_complaints',
] as const;

/** The counters as maintained incrementally in `deliveries`. */
export function storedCounters(db: Db, deliveryId: number): Counters {
  return db
    .prepare(`SELECT ${COUNTER_COLUMNS.join(', ')} FROM deliveries WHERE id = ?`)
    .get(deliveryId) as Counters;
}

/** Rows of the delivery soft-qualified now; a caller noting them after every event knows which ever were. */
export function softRows(db: Db, deliveryId: number): number[] {
  return db
    .prepare("SELECT id FROM delivery_log WHERE delivery_id = ? AND failure_type = 'soft'")
    .pluck()
    .all(deliveryId) as number[];
}

/**
 * The same counters recomputed from scratch from the log rows, the queue and the attempts. Definitions:
 * success = Sent rows; hard = Failed rows with a hard type; soft failed (the "soft bounces" of docs/kpi.md) =
 * Failed rows with a soft type; soft = rows that were ever soft-qualified (a message counts once, even when a
 * success cleared its type in between; kept, not a KPI), `everSoft` as observed by the caller with `softRows`
 * after every event; soft in progress = queued rows whose last attempt was deferred;
 * complaints = rows carrying the complaint qualification (Refused, class 90).
 */
export function recomputedCounters(db: Db, deliveryId: number, everSoft: ReadonlySet<number>): Counters {
  return db
    .prepare(
      `SELECT count(*) AS n_initial,
              count(*) FILTER (WHERE status = 'pending') AS n_pending,
              count(*) FILTER (WHERE status = 'taken_into_account') AS n_taken,
              count(*) FILTER (WHERE status = 'sent') AS n_sent,
              count(*) FILTER (WHERE status = 'failed') AS n_failed,
              count(*) FILTER (WHERE status = 'ignored') AS n_ignored,
              count(*) FILTER (WHERE status = 'cancelled') AS n_cancelled,
              count(*) FILTER (WHERE status = 'sent') AS n_success,
              count(*) FILTER (WHERE status = 'failed' AND failure_type = 'hard') AS n_hard,
              count(*) FILTER (WHERE id IN (SELECT value FROM json_each(@everSoft))) AS n_soft,
              count(*) FILTER (WHERE status = 'failed' AND failure_type = 'soft') AS n_soft_failed,
              (SELECT count(*) FROM queue q WHERE q.delivery_id = @id AND q.last_error IS NOT NULL)
                AS n_soft_in_progress,
              (SELECT count(*) FROM queue q WHERE q.delivery_id = @id) AS n_in_mta,
              count(*) FILTER (WHERE reason = 'refused' AND bounce_class = 90) AS n_complaints
         FROM delivery_log l WHERE delivery_id = @id`,
    )
    .get({ id: deliveryId, everSoft: JSON.stringify([...everSoft]) }) as Counters;
}

export interface DomainCounters {
  domain: string;
  n_total: number;
  n_pending: number;
  n_taken: number;
  n_sent: number;
  n_failed: number;
  n_ignored: number;
  n_cancelled: number;
  n_hard: number;
  n_soft: number;
  n_soft_failed: number;
  n_deferred: number;
}

export function storedDomains(db: Db, deliveryId: number): DomainCounters[] {
  return db
    .prepare(
      `SELECT domain, n_total, n_pending, n_taken, n_sent, n_failed, n_ignored, n_cancelled, n_hard, n_soft,
              n_soft_failed, n_deferred
         FROM delivery_domains WHERE delivery_id = ? ORDER BY domain`,
    )
    .all(deliveryId) as DomainCounters[];
}

export function recomputedDomains(
  db: Db,
  deliveryId: number,
  everSoft: ReadonlySet<number>,
): DomainCounters[] {
  return db
    .prepare(
      `SELECT domain, count(*) AS n_total,
              count(*) FILTER (WHERE status = 'pending') AS n_pending,
              count(*) FILTER (WHERE status = 'taken_into_account') AS n_taken,
              count(*) FILTER (WHERE status = 'sent') AS n_sent,
              count(*) FILTER (WHERE status = 'failed') AS n_failed,
              count(*) FILTER (WHERE status = 'ignored') AS n_ignored,
              count(*) FILTER (WHERE status = 'cancelled') AS n_cancelled,
              count(*) FILTER (WHERE status = 'failed' AND failure_type = 'hard') AS n_hard,
              count(*) FILTER (WHERE id IN (SELECT value FROM json_each(@everSoft))) AS n_soft,
              count(*) FILTER (WHERE status = 'failed' AND failure_type = 'soft') AS n_soft_failed,
              (SELECT count(*) FROM queue q
                WHERE q.delivery_id = l.delivery_id AND q.domain = l.domain AND q.last_error IS NOT NULL) AS n_deferred
         FROM delivery_log l WHERE delivery_id = @id GROUP BY domain ORDER BY domain`,
    )
    .all({ id: deliveryId, everSoft: JSON.stringify([...everSoft]) }) as DomainCounters[];
}

export interface ReasonCount {
  reason: string;
  failure_type: string;
  n: number;
}

export function storedReasons(db: Db, deliveryId: number): ReasonCount[] {
  return db
    .prepare(
      `SELECT reason, failure_type, n FROM delivery_reasons WHERE delivery_id = ? AND n <> 0
        ORDER BY reason, failure_type`,
    )
    .all(deliveryId) as ReasonCount[];
}

export function recomputedReasons(db: Db, deliveryId: number): ReasonCount[] {
  return db
    .prepare(
      `SELECT reason, ifnull(failure_type, 'not_defined') AS failure_type, count(*) AS n FROM delivery_log
        WHERE delivery_id = ? AND reason IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all(deliveryId) as ReasonCount[];
}
