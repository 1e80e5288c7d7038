/**
 * The ledger: the one writer of what a message's outcome changes. It alone writes the delivery log's statuses
 * (and the failure type, reason and class that go with them), the queue's final states (a message leaving the
 * MTA, a retry's due time), the delivery counters and a delivery's completion, applying SPEC §2.1's status
 * table (`shared/domain/transitions.ts`) in one place for every event:
 * - `relay`: the campaign hands pending messages to the MTA (queue rows in, status per the reporting mode);
 * - `cancelPending`: a stopped delivery cancels what is not relayed yet;
 * - `applyOutcomes`: the MTA's synchronous outcomes (SMTP replies, expiries), a batch per transaction;
 * - `applyReported`: an asynchronous report (DSN / ARF via inMail) about one message;
 * - `completeIfDone`: a delivery with nothing pending and nothing left in the MTA is complete.
 * - `insertLogRows`: preparation writes a delivery's log rows.
 * Counters are kept here and nowhere else, as columns moved in the same transaction as the rows they count:
 * the delivery's (`deliveries`, `counters.ts`), per domain and per reason (`delivery_domains`,
 * `delivery_reasons`, `counter-tally.ts`). Statements are prepared once per connection (`stmt`); a batch reads
 * its rows with one statement and writes each table once per message, counters once per delivery, domain and
 * reason.
 */
import { domainOf } from '../../shared/domain/address';
import type { BounceClass, FailureType, ReasonId } from '../../shared/domain/reasons';
import { formatReply } from '../../shared/domain/smtp-reply';
import type { LogStatus, ReportingMode } from '../../shared/domain/statuses';
import { nextStatus, successDelta, type LedgerEvent } from '../../shared/domain/transitions';
import { softIncrement, STATUS_COLUMN, statusMoveSql } from './counters';
import { CounterTally, domainStatusMoveSql } from './counter-tally';
import { writeTransaction, type Db } from './db';
import { recordQualifications, type QualificationHit } from './qualification-repo';
import { applyQuarantineEvents, type AddressEvent } from './quarantine-repo';
import { stmt } from './statements';
import { counterOf, NO_DESTINATION, ThroughputTally, type OutcomeDisposition } from './throughput-tally';

export type { OutcomeDisposition } from './throughput-tally';

// ---------------------------------------------------------------------------------------------------------
// Preparation

export interface NewLogRow {
  id: number;
  deliveryId: number;
  line: number;
  email: string;
  addrKey: string;
  domain: string;
  fields: Readonly<Record<string, string>>;
  status: LogStatus;
  failureType: FailureType | null;
  reason: ReasonId | null;
  messageId: string | null;
}

/**
 * Inserts log rows with their ids and counts them (`n_initial`, the status columns, per domain and per
 * reason); call inside the caller's transaction.
 */
export function insertLogRows(db: Db, rows: readonly NewLogRow[], now: number): void {
  const insert = stmt(
    db,
    `INSERT INTO delivery_log(id, delivery_id, line, email, addr_key, domain, fields_json, status, failure_type,
       reason, message_id, updated_at, soft_counted)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const tally = new CounterTally();
  const perDelivery = new Map<number, Map<LogStatus, number>>();
  for (const r of rows) {
    insert.run(
      r.id,
      r.deliveryId,
      r.line,
      r.email,
      r.addrKey,
      r.domain,
      JSON.stringify(r.fields),
      r.status,
      r.failureType,
      r.reason,
      r.messageId,
      now,
      r.failureType === 'soft' ? 1 : 0,
    );
    tally.row(r.deliveryId, r.domain, null, {
      status: r.status,
      failureType: r.failureType,
      reason: r.reason,
    });
    let statuses = perDelivery.get(r.deliveryId);
    if (!statuses) perDelivery.set(r.deliveryId, (statuses = new Map()));
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  }
  tally.write(db);
  for (const [id, statuses] of perDelivery) {
    for (const [status, n] of statuses) {
      const column = STATUS_COLUMN[status];
      stmt(
        db,
        `UPDATE deliveries SET n_initial = n_initial + @n, ${column} = ${column} + @n WHERE id = @id`,
      ).run({ id, n });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Relay (campaign -> MTA) and cancellation

export interface RelayRequest {
  deliveryId: number | string;
  logIds: readonly (number | string)[];
  now: number;
}

interface RelayDeliveryRow {
  reporting: ReportingMode;
  validity_ms: number;
  time_scale: number;
  template_json: string;
}

// One statement per table for the whole batch: the queue rows are taken from the log rows still pending, the
// per-domain counters move by the rows still pending per domain, then those rows move.
const QUEUE_PENDING = `INSERT INTO queue (log_id, delivery_id, domain, due_at, expires_at)
  SELECT id, delivery_id, domain, @now, @expiresAt FROM delivery_log
   WHERE id IN (SELECT value FROM json_each(@ids)) AND delivery_id = @deliveryId AND status = 'pending'`;
const RELAY_PENDING = `UPDATE delivery_log
    SET status = @to, relayed_at = @now, updated_at = @now,
        message_id = COALESCE(message_id, '<' || id || '.' || delivery_id || '.' || lower(hex(randomblob(16))) || '@' || @idDomain || '>')
  WHERE id IN (SELECT value FROM json_each(@ids)) AND delivery_id = @deliveryId AND status = 'pending'`;

/**
 * Relays the given log rows that are still `pending` (others are skipped, so a repeated call is harmless):
 * status per the reporting mode (EFS: taken into account; classic: sent, counted as success), `relayed_at`,
 * a Message-ID when the row has none (`<logId.deliveryId.token@domain>`, a 128-bit random token: the one
 * engine/bounce/trace.ts reads), one queue row each (due now, expiring after the validity divided by the
 * time scale), the delivery's counters (`n_in_mta`, status columns, success, `last_relay_at`) and the relay
 * throughput of the minute. Runs in the caller's transaction when there is one (the campaign's relay and its
 * status change are atomic). Returns the number of messages relayed.
 */
export function relay(db: Db, request: RelayRequest): number {
  const run = () => relayInTransaction(db, request);
  return db.inTransaction ? run() : writeTransaction(db, run)();
}

function relayInTransaction(db: Db, { deliveryId, logIds, now }: RelayRequest): number {
  const id = Number(deliveryId);
  const delivery = stmt(
    db,
    'SELECT reporting, validity_ms, time_scale, template_json FROM deliveries WHERE id = ?',
  ).get(id) as RelayDeliveryRow | undefined;
  if (!delivery) throw new Error(`relay: delivery ${id} does not exist`);
  if (logIds.length === 0) return 0;

  const to = nextStatus(delivery.reporting, 'relayed', 'pending');
  const expiresAt = now + Math.round(delivery.validity_ms / Math.max(1, delivery.time_scale));
  const ids = JSON.stringify(logIds.map(Number));
  stmt(db, QUEUE_PENDING).run({ ids, deliveryId: id, now, expiresAt });
  stmt(db, domainStatusMoveSql('pending', to, 'ids')).run({
    ids,
    deliveryId: id,
  });
  const relayed = stmt(db, RELAY_PENDING).run({
    ids,
    deliveryId: id,
    to,
    now,
    idDomain: messageIdDomain(delivery.template_json),
  }).changes;
  if (relayed > 0) {
    stmt(
      db,
      `UPDATE deliveries
          SET ${statusMoveSql('pending', to)}, n_in_mta = n_in_mta + @n, n_success = n_success + @success,
              last_relay_at = @now
        WHERE id = @id`,
    ).run({ n: relayed, success: relayed * successDelta('pending', to), now, id });
    const throughput = new ThroughputTally();
    throughput.add(id, NO_DESTINATION, now, 'relayed', relayed);
    throughput.write(db);
  }
  return relayed;
}

/** Message-IDs use the sender's domain (RFC 5322 §3.6.4 suggests a domain the sender controls). */
function messageIdDomain(templateJson: string): string {
  try {
    const from = (JSON.parse(templateJson) as { fromAddress?: unknown }).fromAddress;
    if (typeof from === 'string' && from.includes('@')) return domainOf(from);
  } catch {
    // fall through: a template that does not parse is reported when the message is composed
  }
  return 'relaydeck.invalid';
}

/** Cancels the delivery's messages not relayed yet (call inside the caller's transaction). Returns how many. */
export function cancelPending(db: Db, deliveryId: number, now: number): number {
  const to = nextStatus('efs', 'cancelled', 'pending');
  stmt(db, domainStatusMoveSql('pending', to, 'all')).run({ deliveryId });
  const n = stmt(
    db,
    `UPDATE delivery_log SET status = @to, updated_at = @now WHERE delivery_id = @id AND status = 'pending'`,
  ).run({ to, now, id: deliveryId }).changes;
  if (n > 0)
    stmt(db, `UPDATE deliveries SET ${statusMoveSql('pending', to)} WHERE id = @id`).run({
      n,
      id: deliveryId,
    });
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Completion

/**
 * Marks a delivery complete once nothing is pending on the campaign side and nothing is left in the MTA:
 * `completed_at` is set, and the state becomes `completed` when it was `delivering`. A `stopped` delivery
 * keeps its state (the console shows it was stopped) but gets `completed_at`. Returns true when it changed.
 */
export function completeIfDone(db: Db, deliveryId: number | string, now: number): boolean {
  const result = stmt(
    db,
    `UPDATE deliveries
          SET completed_at = @now,
              state = CASE WHEN state = 'delivering' THEN 'completed' ELSE state END
        WHERE id = @id AND completed_at IS NULL AND n_pending = 0 AND n_in_mta = 0
          AND state IN ('delivering', 'stopped')`,
  ).run({ id: Number(deliveryId), now });
  return result.changes > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Synchronous outcomes (the MTA)

/**
 * An SMTP attempt as the ledger records it: one reply seen while delivering, as a value (expected outcomes are
 * never exceptions). The engine's `SmtpOutcome` is this type.
 */
export interface AttemptRecord {
  kind: 'accepted' | 'deferred' | 'failed';
  /** null when no reply was received (connection refused, timeout, drop). */
  code: number | null;
  enhanced: string | null;
  text: string;
  /** The SMTP command the reply answered (CONNECT, EHLO, MAIL, RCPT, DATA, ...). */
  command: string | null;
  mxHost: string | null;
  ip: string | null;
  tls: boolean;
  durationMs: number;
}

/** A qualification: what a reply says about the address (SPEC §4.1). */
export interface Verdict {
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
}

export interface LedgerOutcome {
  logId: number;
  deliveryId: number;
  at: number;
  /** The SMTP attempt, or null when the message expired (or was given back) without a new attempt. */
  attempt: AttemptRecord | null;
  /** Qualification of the attempt's reply; null for an accepted message or an expiry without attempt. */
  classification: Verdict | null;
  disposition: OutcomeDisposition;
  /** The destination key the message was routed to; null when routing found none. */
  destination: string | null;
  /**
   * The domain whose DKIM key signed the message (`d=`); null when it was not signed. Written to the row with
   * `sent` (a message was sent); an attempt that sent nothing (routing, compose failure) keeps the row's.
   */
  dkimDomain: string | null;
  /** The qualification table's row for the reply, when it is recorded there. */
  qualification: QualificationHit | null;
  /** What the attempt's message was built with (the message viewer rebuilds it from this); absent: unchanged. */
  sent?: SentRecord | null;
}

/**
 * What a sent message was built with beyond its row and its delivery's template, kept in `delivery_log.sent_json`
 * so that the message viewer rebuilds the bytes as sent: the Date header's and the DKIM signature's time, the
 * DKIM selectors that signed it (null: unsigned), and the Message-ID of a message shared by a group transaction.
 */
export interface SentRecord {
  at: number;
  keys: { rsa: string | null; ed25519: string | null } | null;
  shared: string | null;
}

/** Used when a message expires without ever having had a reply to qualify (SPEC §4.1: expiry is Unreachable). */
const EXPIRED_UNQUALIFIED: Verdict = { reason: 'unreachable', type: 'soft', bounceClass: 24 };

interface CurrentRow {
  id: number;
  addr_key: string;
  domain: string;
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

/**
 * Applies a batch of outcomes in one transaction: attempt rows, log rows, queue rows (requeued or deleted),
 * delivery counters, the per-minute throughput, the qualification table, the quarantine and completion.
 * A batch leaves the store exactly as its outcomes applied one at a time.
 */
export function applyOutcomes(db: Db, outcomes: readonly LedgerOutcome[], now: number): ApplyResult {
  return writeTransaction(db, () => applyInTransaction(db, outcomes, now))();
}

// The current rows of a batch are read with one statement; each message then costs one write per table
// (attempt, log row, queue row) with positional parameters, and the counters move once per delivery.
const READ_ROWS = `SELECT l.id, l.addr_key, l.domain, l.status, l.failure_type, l.reason, l.bounce_class, l.soft_counted,
       d.reporting,
       q.log_id IS NOT NULL AS in_queue, q.last_error
  FROM json_each(?) j CROSS JOIN delivery_log l ON l.id = j.value JOIN deliveries d ON d.id = l.delivery_id
  LEFT JOIN queue q ON q.log_id = l.id`;
const INSERT_ATTEMPT = `INSERT INTO attempts (log_id, at, outcome, code, enhanced, text, command, mx_host, ip, tls,
       duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPDATE_ATTEMPTED = `UPDATE delivery_log
   SET status = ?, updated_at = ?, failure_type = ?, reason = ?, bounce_class = ?, attempts = attempts + 1,
       first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?, last_reply = ?, mx_host = ?,
       mx_ip = ?, dkim_domain = CASE WHEN ? THEN ? ELSE dkim_domain END, soft_counted = max(soft_counted, ?),
       sent_json = COALESCE(?, sent_json)
 WHERE id = ?`;
const UPDATE_UNATTEMPTED = `UPDATE delivery_log
   SET status = ?, updated_at = ?, failure_type = ?, reason = ?, bounce_class = ?,
       soft_counted = max(soft_counted, ?) WHERE id = ?`;
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
  counters: CounterTally;
  throughput: ThroughputTally;
  qualifications: QualificationHit[];
  quarantine: AddressEvent[];
}

function applyInTransaction(db: Db, outcomes: readonly LedgerOutcome[], now: number): ApplyResult {
  const totals: BatchTotals = {
    deltas: new Map(),
    counters: new CounterTally(),
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
  totals.counters.write(db);
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
function distinctRuns(outcomes: readonly LedgerOutcome[]): LedgerOutcome[][] {
  const runs: LedgerOutcome[][] = [];
  let current: LedgerOutcome[] = [];
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

function readRows(db: Db, outcomes: readonly LedgerOutcome[]): Map<number, CurrentRow> {
  const rows = stmt(db, READ_ROWS).all(JSON.stringify(outcomes.map((o) => o.logId))) as CurrentRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** Writes one outcome's attempt, log row and requeue; a message leaving the queue is deleted by the caller. */
function applyOne(
  db: Db,
  o: LedgerOutcome,
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
  let classification: Verdict | null = o.classification;
  if (disposition.kind === 'expired' && !classification && !row.reason) classification = EXPIRED_UNQUALIFIED;
  // Success clears the qualification of earlier soft bounces (the attempts table keeps their history).
  const qualified =
    disposition.kind === 'delivered'
      ? { type: null, reason: null, bounceClass: null }
      : (classification ?? { type: row.failure_type, reason: row.reason, bounceClass: row.bounce_class });
  const typeNow = classification?.type ?? row.failure_type;
  // A message counts once in the soft bounces, at its first soft qualification (soft_counted, migration 6).
  delta.soft += softIncrement(classification?.type, row.soft_counted);

  if (o.qualification) totals.qualifications.push(o.qualification);
  if (disposition.kind === 'delivered') {
    totals.quarantine.push({ address: row.addr_key, event: { kind: 'delivered' } });
  } else if (classification) {
    const { type, reason } = classification;
    totals.quarantine.push({ address: row.addr_key, event: { kind: 'bounce', type, reason } });
  }

  const to = nextStatus(row.reporting, eventOf(disposition.kind), row.status);
  const softMark = qualified.type === 'soft' ? 1 : 0;
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
      // A message that was sent records who signed it, null when unsigned; an attempt without one keeps it.
      o.sent ? 1 : 0,
      o.dkimDomain,
      softMark,
      o.sent ? JSON.stringify(o.sent) : null,
      o.logId,
    );
  } else {
    stmt(db, UPDATE_UNATTEMPTED).run(
      to,
      o.at,
      qualified.type,
      qualified.reason,
      qualified.bounceClass,
      softMark,
      o.logId,
    );
  }
  totals.counters.row(
    o.deliveryId,
    row.domain,
    { status: row.status, failureType: row.failure_type, reason: row.reason, softCounted: row.soft_counted },
    { status: to, failureType: qualified.type, reason: qualified.reason },
  );
  if (to !== row.status) {
    addMove(delta, row.status, to);
    delta.success += successDelta(row.status, to);
  }

  const wasSoftInProgress = row.last_error !== null;
  if (disposition.kind === 'retry') {
    stmt(db, REQUEUE).run(disposition.dueAt, attempt ? 1 : 0, reply, o.logId);
    if (!wasSoftInProgress && attempt) {
      delta.softInProgress++;
      totals.counters.deferred(o.deliveryId, row.domain, 1);
    }
    return 'stays_queued';
  }
  delta.inMta--;
  if (wasSoftInProgress) {
    delta.softInProgress--;
    totals.counters.deferred(o.deliveryId, row.domain, -1);
  }
  // Hard bounces = messages Failed with a hard type (whether by a 5xx or at the end of the validity), the
  // definition the per-domain counters (`counter-tally.ts`) and a recomputation from the log share.
  if (typeNow === 'hard' && to === 'failed') delta.hard++;
  return 'leaves_queue';
}

function eventOf(kind: OutcomeDisposition['kind']): LedgerEvent {
  switch (kind) {
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

// ---------------------------------------------------------------------------------------------------------
// Asynchronous outcomes (inMail)

/** An asynchronous report about one message, as inMail read and qualified it. */
export type ReportedEvent =
  /** An ARF complaint: reason Refused, class 90, the complaints counter once per message. */
  | { kind: 'complaint'; lastReply: string }
  /** A DSN or non-standard bounce: `failed` (or no action) is a final failure, `delayed` only requalifies. */
  | { kind: 'bounce'; action: 'failed' | 'delayed' | null; verdict: Verdict; lastReply: string };

export type ReportedEffect = 'failed' | 'reason_updated' | 'complaint' | 'recorded';

interface ReportedRow {
  domain: string;
  status: LogStatus;
  failure_type: FailureType | null;
  reason: ReasonId | null;
  bounce_class: number | null;
  delivery_id: number;
  soft_counted: number;
  reporting: ReportingMode;
}

/**
 * Applies an asynchronous report to its message (call inside the caller's transaction): status per SPEC
 * §2.1 (`reported_failed`: Sent -> Failed in both modes, success -1), the report's qualification, the hard
 * and soft counters (a message counts once in the soft bounces, even when a soft DSN follows a synchronous
 * soft bounce and the accepted retry that cleared its type; a report about a row already Failed moves it in
 * or out of the hard bounces with its type), the complaints counter.
 */
export function applyReported(db: Db, logId: number, event: ReportedEvent, now: number): ReportedEffect {
  const row = stmt(
    db,
    `SELECT l.domain, l.status, l.failure_type, l.reason, l.bounce_class, l.delivery_id, l.soft_counted,
            d.reporting
       FROM delivery_log l JOIN deliveries d ON d.id = l.delivery_id WHERE l.id = ?`,
  ).get(logId) as ReportedRow | undefined;
  if (!row) return 'recorded';
  const counters = new CounterTally();
  const before = {
    status: row.status,
    failureType: row.failure_type,
    reason: row.reason,
    softCounted: row.soft_counted,
  };
  switch (event.kind) {
    case 'complaint': {
      if (row.reason === 'refused' && row.bounce_class === 90) return 'complaint';
      stmt(
        db,
        `UPDATE delivery_log SET reason = 'refused', bounce_class = 90, last_reply = ?, updated_at = ?
          WHERE id = ?`,
      ).run(event.lastReply, now, logId);
      counters.row(row.delivery_id, row.domain, before, { ...before, reason: 'refused' });
      counters.write(db);
      stmt(db, 'UPDATE deliveries SET n_complaints = n_complaints + 1 WHERE id = ?').run(row.delivery_id);
      return 'complaint';
    }
    case 'bounce': {
      const { verdict } = event;
      const to = nextStatus(
        row.reporting,
        event.action === 'delayed' ? 'reported_delayed' : 'reported_failed',
        row.status,
      );
      stmt(
        db,
        `UPDATE delivery_log SET status = ?, failure_type = ?, reason = ?, bounce_class = ?, last_reply = ?,
                updated_at = ?, soft_counted = max(soft_counted, ?)
          WHERE id = ?`,
      ).run(
        to,
        verdict.type,
        verdict.reason,
        verdict.bounceClass,
        event.lastReply,
        now,
        verdict.type === 'soft' ? 1 : 0,
        logId,
      );
      counters.row(row.delivery_id, row.domain, before, {
        status: to,
        failureType: verdict.type,
        reason: verdict.reason,
      });
      counters.write(db);
      // Hard bounces are Failed rows with a hard type: a report about a row already Failed requalifies it.
      const delta = {
        id: row.delivery_id,
        hard:
          Number(to === 'failed' && verdict.type === 'hard') -
          Number(row.status === 'failed' && row.failure_type === 'hard'),
        soft: softIncrement(verdict.type, row.soft_counted),
      };
      if (to !== row.status) {
        stmt(
          db,
          `UPDATE deliveries SET ${statusMoveSql(row.status, to)}, n_success = n_success + @success,
                  n_hard = n_hard + @hard, n_soft = n_soft + @soft
            WHERE id = @id`,
        ).run({ ...delta, n: 1, success: successDelta(row.status, to) });
        return to === 'failed' ? 'failed' : 'reason_updated';
      }
      if (delta.hard || delta.soft)
        stmt(db, 'UPDATE deliveries SET n_hard = n_hard + @hard, n_soft = n_soft + @soft WHERE id = @id').run(
          delta,
        );
      return 'reason_updated';
    }
  }
}
