/**
 * The EFS layer: MTA outcomes -> attempt rows, delivery log rows, queue rows, delivery counters and the
 * per-minute throughput series, all in one transaction per batch (SPEC §2.1 in the delivery's reporting mode). Returns the deliveries touched so
 * the caller can notify once per delivery.
 */
import type { Db } from '../../store/db';
import { softIncrement, statusMoveSql } from '../../store/counters';
import { stmt } from '../../store/statements';
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
  id: number;
  addr_key: string;
  status: LogStatus;
  failure_type: FailureType | null;
  reason: ReasonId | null;
  bounce_class: number | null;
  soft_counted: number;
  reporting: ReportingMode;
  in_queue: number;
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

// The current rows of a batch are read with one statement; each message then costs one write per table
// (attempt, log row, queue row) with positional parameters, and the counters move once per delivery.
const READ_ROWS = `SELECT l.id, l.addr_key, l.status, l.failure_type, l.reason, l.bounce_class, l.soft_counted,
       d.reporting,
       q.log_id IS NOT NULL AS in_queue, q.last_error
  FROM json_each(?) j CROSS JOIN delivery_log l ON l.id = j.value JOIN deliveries d ON d.id = l.delivery_id
  LEFT JOIN queue q ON q.log_id = l.id`;
const INSERT_ATTEMPT = `INSERT INTO attempts (log_id, at, outcome, code, enhanced, text, command, mx_host, ip, tls,
       duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPDATE_ATTEMPTED = `UPDATE delivery_log
   SET status = ?, updated_at = ?, failure_type = ?, reason = ?, bounce_class = ?, attempts = attempts + 1,
       first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?, last_reply = ?, mx_host = ?,
       mx_ip = ?, dkim_domain = COALESCE(?, dkim_domain)
 WHERE id = ?`;
const UPDATE_UNATTEMPTED = `UPDATE delivery_log
   SET status = ?, updated_at = ?, failure_type = ?, reason = ?, bounce_class = ? WHERE id = ?`;
const DELETE_QUEUE = 'DELETE FROM queue WHERE log_id IN (SELECT value FROM json_each(?))';
const REQUEUE = `UPDATE queue SET due_at = ?, attempts = attempts + ?, last_error = COALESCE(?, last_error),
       lease_until = 0 WHERE log_id = ?`;
const ADD_COUNTERS = `UPDATE deliveries
   SET n_success = n_success + ?, n_hard = n_hard + ?, n_soft = n_soft + ?,
       n_soft_in_progress = n_soft_in_progress + ?, n_in_mta = n_in_mta + ?
 WHERE id = ?`;

/** What a batch adds up before writing it once: counters per delivery, throughput, qualifications, quarantine. */
interface BatchTotals {
  deltas: Map<number, CounterDelta>;
  throughput: ThroughputTally;
  qualifications: QualificationHit[];
  quarantine: AddressEvent[];
}

function applyInTransaction(db: Db, outcomes: readonly MessageOutcome[], now: number): ApplyResult {
  const totals: BatchTotals = {
    deltas: new Map(),
    throughput: new ThroughputTally(),
    qualifications: [],
    quarantine: [],
  };
  let skipped = 0;
  for (const run of distinctRuns(outcomes)) {
    const rows = readRows(db, run);
    const leaving: number[] = [];
    for (const o of run) {
      const row = rows.get(o.logId);
      if (!row?.in_queue) {
        skipped++;
        continue;
      }
      if (applyOne(db, o, row, totals) === 'leaves_queue') leaving.push(o.logId);
    }
    if (leaving.length > 0) stmt(db, DELETE_QUEUE).run(JSON.stringify(leaving));
  }

  totals.throughput.write(db);
  recordQualifications(db, totals.qualifications, now);
  const { changed: quarantineChanged } = applyQuarantineEvents(db, totals.quarantine, now);
  const completed: number[] = [];
  for (const [id, d] of totals.deltas) {
    for (const move of d.moves.values()) {
      stmt(db, `UPDATE deliveries SET ${statusMoveSql(move.from, move.to)} WHERE id = @id`).run({
        id,
        n: move.n,
      });
    }
    stmt(db, ADD_COUNTERS).run(d.success, d.hard, d.soft, d.softInProgress, d.inMta, id);
    if (completeIfDone(db, id, now)) completed.push(id);
  }
  return { deliveryIds: [...totals.deltas.keys()], completed, skipped, quarantineChanged };
}

/**
 * The batch cut where a message comes back (a second outcome for it in one batch): each run is read at once,
 * and a later outcome of the same message sees what the earlier one wrote.
 */
function distinctRuns(outcomes: readonly MessageOutcome[]): MessageOutcome[][] {
  const runs: MessageOutcome[][] = [];
  let current: MessageOutcome[] = [];
  let ids = new Set<number>();
  for (const o of outcomes) {
    if (ids.has(o.logId)) {
      runs.push(current);
      current = [];
      ids = new Set();
    }
    current.push(o);
    ids.add(o.logId);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

function readRows(db: Db, outcomes: readonly MessageOutcome[]): Map<number, CurrentRow> {
  const rows = stmt(db, READ_ROWS).all(JSON.stringify(outcomes.map((o) => o.logId))) as CurrentRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** Writes one outcome's attempt, log row and requeue; a message leaving the queue is deleted by the caller. */
function applyOne(
  db: Db,
  o: MessageOutcome,
  row: CurrentRow,
  totals: BatchTotals,
): 'leaves_queue' | 'stays_queued' {
  const delta = deltaFor(totals.deltas, o.deliveryId);
  const { attempt, disposition } = o;
  const reply = attempt ? formatReply(attempt) : null;
  if (attempt) {
    stmt(db, INSERT_ATTEMPT).run(
      o.logId,
      o.at,
      attempt.kind,
      attempt.code,
      attempt.enhanced,
      attempt.text,
      attempt.command,
      attempt.mxHost,
      attempt.ip,
      attempt.tls ? 1 : 0,
      Math.max(0, Math.round(attempt.durationMs)),
    );
  }

  const counter = counterOf(disposition, attempt !== null);
  if (counter) totals.throughput.add(o.deliveryId, o.destination ?? NO_DESTINATION, o.at, counter);
  let classification: Classification | null = o.classification;
  if (disposition.kind === 'expired' && !classification && !row.reason) classification = EXPIRED_UNQUALIFIED;
  // Success clears the qualification of earlier soft bounces (the attempts table keeps their history).
  const qualified =
    disposition.kind === 'delivered'
      ? { type: null, reason: null, bounceClass: null }
      : (classification ?? { type: row.failure_type, reason: row.reason, bounceClass: row.bounce_class });
  const typeNow = classification?.type ?? row.failure_type;
  // A message counts once in the soft bounces, at its first soft qualification (soft_counted, migration 6).
  delta.soft += softIncrement(classification?.type, row.soft_counted);

  // A QUEUE attempt (an automation rule bounced the destination's queue) notes the trigger, already qualified
  // when it was received: the table lists what receivers answered.
  if (attempt && attempt.kind !== 'accepted' && attempt.command !== 'QUEUE' && classification) {
    totals.qualifications.push(qualificationHit(attempt, classification));
  }
  if (disposition.kind === 'delivered') {
    totals.quarantine.push({ address: row.addr_key, event: { kind: 'delivered' } });
  } else if (classification) {
    const { type, reason } = classification;
    totals.quarantine.push({ address: row.addr_key, event: { kind: 'bounce', type, reason } });
  }

  const to = nextStatus(row.reporting, eventOf(disposition), row.status);
  if (attempt) {
    stmt(db, UPDATE_ATTEMPTED).run(
      to,
      o.at,
      qualified.type,
      qualified.reason,
      qualified.bounceClass,
      o.at,
      o.at,
      reply,
      attempt.mxHost,
      attempt.ip,
      o.dkimDomain,
      o.logId,
    );
  } else {
    stmt(db, UPDATE_UNATTEMPTED).run(
      to,
      o.at,
      qualified.type,
      qualified.reason,
      qualified.bounceClass,
      o.logId,
    );
  }
  if (to !== row.status) {
    addMove(delta, row.status, to);
    delta.success += successDelta(row.status, to);
  }

  const wasSoftInProgress = row.last_error !== null;
  if (disposition.kind === 'retry') {
    stmt(db, REQUEUE).run(disposition.dueAt, attempt ? 1 : 0, reply, o.logId);
    if (!wasSoftInProgress && attempt) delta.softInProgress++;
    return 'stays_queued';
  }
  delta.inMta--;
  if (wasSoftInProgress) delta.softInProgress--;
  // Hard bounces = messages Failed with a hard type (whether by a 5xx or at the end of the validity), the
  // definition the per-domain counters (migration 4) and a recomputation from the log share.
  if (typeNow === 'hard' && to === 'failed') delta.hard++;
  return 'leaves_queue';
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
    why: c.why ?? '',
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
