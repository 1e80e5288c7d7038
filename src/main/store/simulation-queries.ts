/**
 * Figures of a simulated scenario read from its scratch store (one delivery, fresh quarantine and shaping
 * state): what the simulator reports beyond the delivery's own counters.
 */
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
