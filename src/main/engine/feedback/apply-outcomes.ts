/**
 * The EFS layer: MTA outcomes -> attempt rows, delivery log rows, queue rows, delivery counters and the
 * per-minute throughput series, all in one transaction per batch (SPEC §2.1 in the delivery's reporting mode). Returns the deliveries touched so
 * the caller can notify once per delivery.
 */
import type { Db } from '../../store/db';
import { statusMoveSql } from '../../store/counters';
import { formatReply } from '../../../shared/domain/smtp-reply';
import type { FailureType, ReasonId } from '../../../shared/domain/reasons';
import type { LogStatus, ReportingMode } from '../../../shared/domain/statuses';
import type { SmtpOutcome } from '../types';
import type { Classification } from '../bounce/basic-classifier';
import type { Disposition } from '../retry/policy';
import { nextStatus, successDelta, type MtaEvent } from './transitions';
import { completeIfDone } from './complete';
import { counterOf, NO_DESTINATION, ThroughputTally } from './throughput';
import { qualificationKey } from '../bounce/basic-classifier';
import { recordQualifications, type QualificationHit } from '../../store/qualification-repo';
import { applyQuarantineEvents, type AddressEvent } from '../../store/quarantine-repo';

export interface MessageOutcome {
  logId: number;
  deliveryId: number;
  at: number;
  /** The SMTP attempt, or null when the message expired without a new attempt. */
  attempt: SmtpOutcome | null;
  /** Qualification of the attempt's reply; null for an accepted message or an expiry without attempt. */
  classification: Classification | null;
  disposition: Disposition;
  /** The destination key the message was routed to (`Destination.key`); null when routing found none. */
  destination: string | null;
  /** The domain whose DKIM key signed the message (`d=`); null when it was not signed. */
  dkimDomain: string | null;
}

/** Used when a message expires without ever having had a reply to qualify (SPEC §4.1: expiry is Unreachable). */
const EXPIRED_UNQUALIFIED: Classification = { reason: 'unreachable', type: 'soft', bounceClass: 24 };

interface CurrentRow {
  addr_key: string;
  status: LogStatus;
  failure_type: FailureType | null;
  reason: ReasonId | null;
  reporting: ReportingMode;
  in_queue: number;
  queue_attempts: number | null;
  last_error: string | null;
}

interface CounterDelta {
  moves: Map<string, { from: LogStatus; to: LogStatus; n: number }>;
  success: number;
  hard: number;
  soft: number;
  softInProgress: number;
  inMta: number;
}

export interface ApplyResult {
  deliveryIds: number[];
  completed: number[];
  /** Outcomes skipped because their message was no longer in the queue (already final). */
  skipped: number;
  /** Quarantine entries changed by these outcomes (SPEC §4.4). */
  quarantineChanged: number;
}

export function applyOutcomes(db: Db, outcomes: readonly MessageOutcome[], now: number): ApplyResult {
  return db.transaction(() => applyInTransaction(db, outcomes, now))();
}

function applyInTransaction(db: Db, outcomes: readonly MessageOutcome[], now: number): ApplyResult {
  const readRow = db.prepare(
    `SELECT l.addr_key, l.status, l.failure_type, l.reason, d.reporting,
            q.log_id IS NOT NULL AS in_queue, q.attempts AS queue_attempts, q.last_error
       FROM delivery_log l JOIN deliveries d ON d.id = l.delivery_id
       LEFT JOIN queue q ON q.log_id = l.id
      WHERE l.id = ?`,
  );
  const insertAttempt = db.prepare(
    `INSERT INTO attempts (log_id, at, outcome, code, enhanced, text, command, mx_host, ip, tls, duration_ms)
     VALUES (@logId, @at, @outcome, @code, @enhanced, @text, @command, @mxHost, @ip, @tls, @durationMs)`,
  );
  const recordAttempt = db.prepare(
    `UPDATE delivery_log
        SET attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, @at), last_attempt_at = @at,
            last_reply = @reply, mx_host = @mxHost, mx_ip = @ip, dkim_domain = COALESCE(@dkimDomain, dkim_domain)
      WHERE id = @logId`,
  );
  const qualify = db.prepare(
    'UPDATE delivery_log SET failure_type = @type, reason = @reason, bounce_class = @bounceClass WHERE id = @logId',
  );
  const setStatus = db.prepare(
    'UPDATE delivery_log SET status = @status, updated_at = @at WHERE id = @logId',
  );
  const deleteQueue = db.prepare('DELETE FROM queue WHERE log_id = ?');
  const requeue = db.prepare(
    `UPDATE queue SET due_at = @dueAt, attempts = attempts + @attempted, last_error = COALESCE(@error, last_error),
            lease_until = 0
      WHERE log_id = @logId`,
  );

  const deltas = new Map<number, CounterDelta>();
  const throughput = new ThroughputTally();
  const qualifications: QualificationHit[] = [];
  const quarantine: AddressEvent[] = [];
  let skipped = 0;
  for (const o of outcomes) {
    const row = readRow.get(o.logId) as CurrentRow | undefined;
    if (!row || !row.in_queue) {
      skipped++;
      continue;
    }
    const delta = deltaFor(deltas, o.deliveryId);
    if (o.attempt) {
      insertAttempt.run({
        logId: o.logId,
        at: o.at,
        outcome: o.attempt.kind,
        code: o.attempt.code,
        enhanced: o.attempt.enhanced,
        text: o.attempt.text,
        command: o.attempt.command,
        mxHost: o.attempt.mxHost,
        ip: o.attempt.ip,
        tls: o.attempt.tls ? 1 : 0,
        durationMs: Math.max(0, Math.round(o.attempt.durationMs)),
      });
      recordAttempt.run({
        logId: o.logId,
        at: o.at,
        reply: formatReply(o.attempt),
        mxHost: o.attempt.mxHost,
        ip: o.attempt.ip,
        dkimDomain: o.dkimDomain,
      });
    }

    const disposition = o.disposition;
    const counter = counterOf(disposition, o.attempt !== null);
    if (counter) throughput.add(o.deliveryId, o.destination ?? NO_DESTINATION, o.at, counter);
    // Success clears the qualification of earlier soft bounces (the attempts table keeps their history).
    let classification: Classification | null = o.classification;
    if (disposition.kind === 'expired' && !classification && !row.reason)
      classification = EXPIRED_UNQUALIFIED;
    if (disposition.kind === 'delivered') {
      qualify.run({ logId: o.logId, type: null, reason: null, bounceClass: null });
    } else if (classification) {
      qualify.run({ logId: o.logId, ...classification });
    }
    const typeNow = classification?.type ?? row.failure_type;
    // A message counts once in the soft bounces: at its first soft-typed bounce. A row's qualification only
    // changes through bounces, so "already soft" is the previous failure type.
    if (classification?.type === 'soft' && row.failure_type !== 'soft') delta.soft++;

    if (o.attempt && o.attempt.kind !== 'accepted' && classification) {
      qualifications.push(qualificationHit(o.attempt, classification));
    }
    if (disposition.kind === 'delivered') {
      quarantine.push({ address: row.addr_key, event: { kind: 'delivered' } });
    } else if (classification) {
      const { type, reason } = classification;
      quarantine.push({ address: row.addr_key, event: { kind: 'bounce', type, reason } });
    }

    const event = eventOf(disposition);
    const to = nextStatus(row.reporting, event, row.status);
    setStatus.run({ logId: o.logId, status: to, at: o.at });
    if (to !== row.status) {
      addMove(delta, row.status, to);
      delta.success += successDelta(row.status, to);
    }

    const wasSoftInProgress = row.last_error !== null;
    if (disposition.kind === 'retry') {
      requeue.run({
        logId: o.logId,
        dueAt: disposition.dueAt,
        attempted: o.attempt ? 1 : 0,
        error: o.attempt ? formatReply(o.attempt) : null,
      });
      if (!wasSoftInProgress && o.attempt) delta.softInProgress++;
    } else {
      deleteQueue.run(o.logId);
      delta.inMta--;
      if (wasSoftInProgress) delta.softInProgress--;
      // Hard bounces = messages Failed with a hard type (whether by a 5xx or at the end of the validity), the
      // definition the per-domain counters (migration 4) and a recomputation from the log share.
      if (typeNow === 'hard' && to === 'failed') delta.hard++;
    }
  }

  const addCounters = db.prepare(
    `UPDATE deliveries
        SET n_success = n_success + @success, n_hard = n_hard + @hard, n_soft = n_soft + @soft,
            n_soft_in_progress = n_soft_in_progress + @softInProgress, n_in_mta = n_in_mta + @inMta
      WHERE id = @id`,
  );
  throughput.write(db);
  recordQualifications(db, qualifications, now);
  const { changed: quarantineChanged } = applyQuarantineEvents(db, quarantine, now);
  const completed: number[] = [];
  for (const [id, d] of deltas) {
    for (const move of d.moves.values()) {
      db.prepare(`UPDATE deliveries SET ${statusMoveSql(move.from, move.to)} WHERE id = @id`).run({
        id,
        n: move.n,
      });
    }
    addCounters.run({
      id,
      success: d.success,
      hard: d.hard,
      soft: d.soft,
      softInProgress: d.softInProgress,
      inMta: d.inMta,
    });
    if (completeIfDone(db, id, now)) completed.push(id);
  }
  return { deliveryIds: [...deltas.keys()], completed, skipped, quarantineChanged };
}

function qualificationHit(attempt: SmtpOutcome, c: Classification): QualificationHit {
  return {
    key: qualificationKey(attempt),
    source: 'sync',
    code: attempt.code,
    enhanced: attempt.enhanced,
    raw: formatReply(attempt),
    reason: c.reason,
    type: c.type,
    bounceClass: c.bounceClass,
    ruleId: c.ruleId ?? 'none',
  };
}

function eventOf(disposition: Disposition): MtaEvent {
  switch (disposition.kind) {
    case 'delivered':
      return 'delivered';
    case 'bounced':
      return 'hard_bounce';
    case 'retry':
      return 'soft_bounce';
    case 'expired':
      return 'expired';
  }
}

function deltaFor(deltas: Map<number, CounterDelta>, deliveryId: number): CounterDelta {
  let d = deltas.get(deliveryId);
  if (!d) {
    d = { moves: new Map(), success: 0, hard: 0, soft: 0, softInProgress: 0, inMta: 0 };
    deltas.set(deliveryId, d);
  }
  return d;
}

function addMove(delta: CounterDelta, from: LogStatus, to: LogStatus): void {
  const key = `${from}>${to}`;
  const move = delta.moves.get(key);
  if (move) move.n++;
  else delta.moves.set(key, { from, to, n: 1 });
}
