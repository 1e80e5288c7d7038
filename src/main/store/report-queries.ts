/**
 * The store reads of the reports. Everything that can be large is read in keyset pages (`CHUNK` rows per
 * query, the cursor being the last key seen), so a report of a 1M-row delivery holds one page at a time and
 * never keeps a statement open across the writer's awaits (the engine keeps writing on the same connection).
 */
import type { QuarantineEntry } from '../../shared/contract/bounce';
import type { ReasonBreakdown } from '../../shared/contract/dashboard';
import { toBreakdown } from './domains-repo';
import type { FailedRecipient } from '../../shared/contract/reports';
import type { FailureType, ReasonId } from '../../shared/domain/reasons';
import type { LogStatus } from '../../shared/domain/statuses';
import type { Db } from './db';
import type { AttemptDbRow, LogDbRow } from './mappers';
import { stmt } from './statements';

/** Rows per keyset page. */
export const CHUNK = 1000;

/** A delivery's log rows in id order, optionally of one status (indexes log_delivery_id / _status). */
export function* iterateLog(db: Db, deliveryId: number, status?: LogStatus): Generator<LogDbRow> {
  const sql = `SELECT l.*, q.due_at AS next_attempt_at FROM delivery_log l LEFT JOIN queue q ON q.log_id = l.id
    WHERE l.delivery_id = @deliveryId ${status ? 'AND l.status = @status' : ''} AND l.id > @after
    ORDER BY l.id LIMIT ${CHUNK}`;
  let after = 0;
  for (;;) {
    const rows = stmt(db, sql).all({ deliveryId, status, after }) as LogDbRow[];
    yield* rows;
    const last = rows.at(-1);
    if (!last || rows.length < CHUNK) return;
    after = last.id;
  }
}

/** Pages of log rows (the events report reads each page's attempts in one query). */
export function* iterateLogPages(db: Db, deliveryId: number): Generator<LogDbRow[]> {
  let page: LogDbRow[] = [];
  for (const row of iterateLog(db, deliveryId)) {
    page.push(row);
    if (page.length === CHUNK) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** The attempts of some log rows, grouped by log id, each in time order (index attempts_log). */
export function attemptsOf(db: Db, logIds: readonly number[]): Map<number, AttemptDbRow[]> {
  const byLog = new Map<number, AttemptDbRow[]>();
  if (logIds.length === 0) return byLog;
  // Cached per list length: almost every page has CHUNK rows.
  const rows = stmt(
    db,
    `SELECT * FROM attempts WHERE log_id IN (${logIds.map(() => '?').join(',')}) ORDER BY log_id, at, id`,
  ).all(...logIds) as AttemptDbRow[];
  for (const row of rows) {
    const list = byLog.get(row.log_id);
    if (list) list.push(row);
    else byLog.set(row.log_id, [row]);
  }
  return byLog;
}

/**
 * Messages in the given log statuses by reason and failure type (index log_delivery_status): Failed only for
 * the "share of failed" of the reports, so that the rows add up to the Failed count (docs/kpi.md). A Failed row
 * without a reason or type counts as Not defined.
 */
export function reasonsOfStatus(
  db: Db,
  deliveryId: number,
  statuses: readonly LogStatus[],
): ReasonBreakdown[] {
  const rows = stmt(
    db,
    `SELECT ifnull(reason, 'not_defined') AS reason, ifnull(failure_type, 'not_defined') AS failure_type,
            count(*) AS n
       FROM delivery_log WHERE delivery_id = ? AND status IN (${statuses.map(() => '?').join(', ')})
      GROUP BY 1, 2`,
  ).all(deliveryId, ...statuses) as { reason: ReasonId; failure_type: FailureType; n: number }[];
  return toBreakdown(rows);
}

/** Messages retried now after a soft bounce (in the queue with a last error), by their current reason. */
export function retryingReasons(db: Db, deliveryId: number): ReasonBreakdown[] {
  const rows = stmt(
    db,
    `SELECT ifnull(l.reason, 'not_defined') AS reason, ifnull(l.failure_type, 'not_defined') AS failure_type,
            count(*) AS n
       FROM queue q JOIN delivery_log l ON l.id = q.log_id
      WHERE q.delivery_id = ? AND q.last_error IS NOT NULL GROUP BY 1, 2`,
  ).all(deliveryId) as { reason: ReasonId; failure_type: FailureType; n: number }[];
  return toBreakdown(rows);
}

/** Complaints (ARF: reason Refused, class 90) of a delivery's messages in id order (index log_delivery_reason). */
export function complaintRows(db: Db, deliveryId: number): LogDbRow[] {
  return stmt(
    db,
    `SELECT * FROM delivery_log WHERE delivery_id = ? AND reason = 'refused' AND bounce_class = 90 ORDER BY id`,
  ).all(deliveryId) as LogDbRow[];
}

export interface FailedDomain {
  domain: string;
  failed: number;
  hard: number;
  soft: number;
  /** The most frequent reason of the domain's failures. */
  topReason: ReasonId | null;
}

/** Failed messages by domain, most failures first (index log_delivery_status). */
export function failedByDomain(db: Db, deliveryId: number): FailedDomain[] {
  const rows = stmt(
    db,
    `SELECT domain, count(*) AS failed, sum(failure_type = 'hard') AS hard, sum(failure_type = 'soft') AS soft
       FROM delivery_log WHERE delivery_id = ? AND status = 'failed'
      GROUP BY domain ORDER BY failed DESC, domain`,
  ).all(deliveryId) as Omit<FailedDomain, 'topReason'>[];
  const reasons = stmt(
    db,
    `SELECT domain, reason, count(*) AS n FROM delivery_log
      WHERE delivery_id = ? AND status = 'failed' AND reason IS NOT NULL
      GROUP BY domain, reason ORDER BY domain, n DESC, reason`,
  ).all(deliveryId) as { domain: string; reason: ReasonId }[];
  const top = new Map<string, ReasonId>();
  for (const r of reasons) if (!top.has(r.domain)) top.set(r.domain, r.reason);
  return rows.map((r) => ({ ...r, topReason: top.get(r.domain) ?? null }));
}

export function toFailedRecipient(row: LogDbRow): FailedRecipient {
  return {
    email: row.email,
    domain: row.domain,
    reason: row.reason,
    type: row.failure_type,
    bounceClass: row.bounce_class,
    lastReply: row.last_reply,
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at,
  };
}

/** The first `limit` failed recipients (id order) and how many there are. */
export function failedRecipients(
  db: Db,
  deliveryId: number,
  limit: number,
  total: number,
): { items: FailedRecipient[]; total: number } {
  const rows = stmt(
    db,
    `SELECT * FROM delivery_log WHERE delivery_id = ? AND status = 'failed' ORDER BY id LIMIT ?`,
  ).all(deliveryId, limit) as LogDbRow[];
  return { items: rows.map(toFailedRecipient), total };
}

/**
 * Addresses of the delivery quarantined since `since` (the delivery's start): the rows that bounced (partial
 * index log_delivery_reason) looked up in the quarantine list.
 */
export function countNewQuarantines(db: Db, deliveryId: number, since: number): number {
  return (
    stmt(
      db,
      `SELECT count(DISTINCT l.addr_key) AS n FROM delivery_log l JOIN quarantine q ON q.addr_key = l.addr_key
        WHERE l.delivery_id = ? AND l.reason IS NOT NULL AND l.status <> 'ignored'
          AND q.status = 'quarantine' AND q.quarantined_at >= ?`,
    ).get(deliveryId, since) as { n: number }
  ).n;
}

export interface QuarantineReportEntry extends QuarantineEntry {
  /** Quarantined (or denylisted) since the delivery started. */
  sinceDelivery: boolean;
}

interface QuarantineJoinRow {
  addr_key: string;
  status: QuarantineEntry['status'];
  error_count: number;
  last_error_at: number | null;
  last_reason: ReasonId | null;
  last_type: FailureType | null;
  quarantined_at: number | null;
  updated_at: number;
  source: QuarantineEntry['source'];
  note: string;
}

/**
 * The quarantine entries (any status but valid) of the delivery's recipients, in address order: keyset pages
 * over index log_delivery_addr, each address looked up in the quarantine list by its primary key.
 */
export function* quarantineOfDelivery(
  db: Db,
  deliveryId: number,
  deliveryStart: number,
): Generator<QuarantineReportEntry> {
  const sql = `SELECT q.* FROM (SELECT DISTINCT addr_key FROM delivery_log
        WHERE delivery_id = @deliveryId AND addr_key > @after ORDER BY addr_key LIMIT ${CHUNK}) a
      JOIN quarantine q ON q.addr_key = a.addr_key WHERE q.status <> 'valid' ORDER BY q.addr_key`;
  const lastKey = `SELECT max(addr_key) AS k FROM (SELECT DISTINCT addr_key FROM delivery_log
        WHERE delivery_id = @deliveryId AND addr_key > @after ORDER BY addr_key LIMIT ${CHUNK})`;
  let after = '';
  for (;;) {
    const rows = stmt(db, sql).all({ deliveryId, after }) as QuarantineJoinRow[];
    for (const r of rows) {
      yield {
        address: r.addr_key,
        status: r.status,
        errorCount: r.error_count,
        lastErrorAt: r.last_error_at,
        lastReason: r.last_reason,
        lastType: r.last_type,
        quarantinedAt: r.quarantined_at,
        updatedAt: r.updated_at,
        source: r.source,
        note: r.note,
        sinceDelivery: (r.quarantined_at ?? (r.status === 'denylisted' ? r.updated_at : -1)) >= deliveryStart,
      };
    }
    const next = (stmt(db, lastKey).get({ deliveryId, after }) as { k: string | null }).k;
    if (next === null) return;
    after = next;
  }
}

/** An asynchronous report (DSN, complaint, auto-reply) about one message of the delivery. */
export interface InboundEvent {
  at: number;
  kind: 'dsn' | 'arf' | 'auto_reply' | 'bounce_nonstandard' | 'unknown';
  reason: ReasonId | null;
  type: FailureType | null;
  bounceClass: number | null;
  code: number | null;
  diagnostic: string | null;
}

/**
 * The delivery's inbound reports by log id. One pass over the delivery's inbound messages: they are few
 * compared with the log (one per asynchronous bounce or complaint).
 */
export function inboundEventsOf(db: Db, deliveryId: number): Map<number, InboundEvent[]> {
  const rows = stmt(
    db,
    `SELECT received_at, kind, log_id, results_json FROM inbound_messages
      WHERE delivery_id = ? AND log_id IS NOT NULL ORDER BY received_at, id`,
  ).all(deliveryId) as {
    received_at: number;
    kind: InboundEvent['kind'];
    log_id: number;
    results_json: string;
  }[];
  const byLog = new Map<number, InboundEvent[]>();
  for (const r of rows) {
    const results = JSON.parse(r.results_json) as {
      logId: string | null;
      reason: ReasonId;
      type: FailureType;
      bounceClass: number;
      code: number | null;
      diagnostic: string | null;
    }[];
    const mine = results.find((x) => x.logId === String(r.log_id)) ?? results[0];
    const event: InboundEvent = {
      at: r.received_at,
      kind: r.kind,
      reason: mine?.reason ?? null,
      type: mine?.type ?? null,
      bounceClass: mine?.bounceClass ?? null,
      code: mine?.code ?? null,
      diagnostic: mine?.diagnostic ?? null,
    };
    const list = byLog.get(r.log_id);
    if (list) list.push(event);
    else byLog.set(r.log_id, [event]);
  }
  return byLog;
}
