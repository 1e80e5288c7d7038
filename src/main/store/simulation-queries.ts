/**
 * Figures of a simulated scenario read from its scratch store (one delivery, fresh quarantine and shaping
 * state): what the simulator reports beyond the delivery's own counters.
 */
import type { LogStatus } from '../../shared/domain/statuses';
import type { FailureType, ReasonId } from '../../shared/domain/reasons';
import type { Db } from './db';
import { stmt } from './statements';

/** SMTP attempts of a delivery, and how many of them were deferred (4xx or no reply). */
export function attemptCounts(db: Db, deliveryId: number): { attempts: number; deferred: number } {
  const row = stmt(
    db,
    `SELECT count(*) AS attempts, coalesce(sum(a.outcome = 'deferred'), 0) AS deferred
       FROM attempts a JOIN delivery_log l ON l.id = a.log_id WHERE l.delivery_id = ?`,
  ).get(deliveryId) as { attempts: number; deferred: number };
  return row;
}

/**
 * Messages failed because their validity ran out while being retried: failed, with a temporary last reply
 * (or none at all).
 */
export function expiredCount(db: Db, deliveryId: number): number {
  return (
    stmt(
      db,
      `SELECT count(*) AS n FROM delivery_log l
        WHERE l.delivery_id = ? AND l.status = 'failed'
          AND coalesce((SELECT a.outcome FROM attempts a WHERE a.log_id = l.id ORDER BY a.at DESC, a.id DESC LIMIT 1),
                       'deferred') = 'deferred'`,
    ).get(deliveryId) as { n: number }
  ).n;
}

/** Addresses in quarantine now, by the reason that put them there. */
export function quarantineByReason(db: Db): { reason: string; count: number }[] {
  return stmt(
    db,
    `SELECT coalesce(last_reason, 'not_defined') AS reason, count(*) AS count FROM quarantine
      WHERE status = 'quarantine' GROUP BY 1 ORDER BY count DESC, reason`,
  ).all() as { reason: string; count: number }[];
}

/** Shaping events (suspensions, rate changes, limits learnt), by kind. */
export function shapingEventsByKind(db: Db): { kind: string; count: number }[] {
  return stmt(
    db,
    `SELECT kind, count(*) AS count FROM shaping_events GROUP BY kind ORDER BY count DESC, kind`,
  ).all() as {
    kind: string;
    count: number;
  }[];
}

export interface OutcomeGroupRow {
  domain: string;
  status: LogStatus;
  failureType: FailureType | null;
  reason: ReasonId | null;
  count: number;
  /** The first recipient of the group (lowest log id). */
  exampleLogId: number;
  exampleEmail: string;
  exampleQuarantined: boolean;
}

/** The delivery's recipients grouped by domain, status, failure type and reason, each with its first member. */
export function outcomeGroups(db: Db, deliveryId: number): OutcomeGroupRow[] {
  const rows = stmt(
    db,
    `SELECT g.domain, g.status, g.failure_type AS failureType, g.reason, g.count, g.example AS exampleLogId,
            l.email AS exampleEmail,
            EXISTS (SELECT 1 FROM quarantine q WHERE q.addr_key = l.addr_key AND q.status = 'quarantine')
              AS exampleQuarantined
       FROM (SELECT domain, status, failure_type, reason, count(*) AS count, min(id) AS example
               FROM delivery_log WHERE delivery_id = ? GROUP BY domain, status, failure_type, reason) g
       JOIN delivery_log l ON l.id = g.example
      ORDER BY g.domain, g.count DESC, g.status`,
  ).all(deliveryId) as (Omit<OutcomeGroupRow, 'exampleQuarantined'> & { exampleQuarantined: number })[];
  return rows.map((r) => ({ ...r, exampleQuarantined: r.exampleQuarantined === 1 }));
}
