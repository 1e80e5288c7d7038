/**
 * The reputation history of each destination (SPEC §6, table `destination_days`, migration 13): per UTC day,
 * what the receiver answered (accepted, deferred, failed, sessions refused at connect or greeting) and the
 * limits in force at the day's last update. The engine writes it through the `HistoryStore` port
 * (`engine-store.ts`: batches of increments from `engine/shaper/history.ts`); the console reads it
 * (`destinations.history`) with the destinations the store knows (`storedDestinations`: `destination_state`'s
 * learnt limits, which the shaper writes, and the destinations with history).
 */
import type { DestinationDay } from '../../shared/contract/mta';
import { writeTransaction, type Db } from './db';
import { stmt } from './statements';

/** Days kept by default: a little more than a year, so a yearly pattern can be compared. */
export const HISTORY_RETENTION_DAYS = 400;

const DAY_MS = 86_400_000;

/** The UTC day (YYYY-MM-DD) of an epoch-ms time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Counts to add to one destination's day, and the limits in force when they were counted (null: no limit
 * learnt or set, the rule's applies). Counts are increments: two rows for one day add up.
 */
export interface DestinationDayIncrement {
  destination: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  accepted: number;
  deferred: number;
  failed: number;
  refusedSessions: number;
  maxConnections: number | null;
  maxMessagesPerConnection: number | null;
  messagesPerHour: number | null;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function checkIncrement(row: DestinationDayIncrement, i: number): void {
  const where = `destination_days row ${i} (${row.destination} ${row.day})`;
  if (row.destination.length === 0) throw new Error(`${where}: destination is empty`);
  if (!DAY_PATTERN.test(row.day)) throw new Error(`${where}: day must be YYYY-MM-DD`);
  for (const field of ['accepted', 'deferred', 'failed', 'refusedSessions'] as const) {
    const v = row[field];
    if (!Number.isInteger(v) || v < 0) throw new Error(`${where}: ${field} must be a count (got ${v})`);
  }
}

/**
 * Adds a batch of per-day counts in one write transaction: a day already stored gets the counts added and
 * the limits replaced by the batch's (the last update's); a new day is inserted. Throws (nothing written) on
 * a malformed row, naming it, or when the store refuses the write: the caller keeps the batch.
 */
export function recordDestinationDays(db: Db, rows: readonly DestinationDayIncrement[], now: number): void {
  rows.forEach(checkIncrement);
  if (rows.length === 0) return;
  const upsert = stmt(
    db,
    `INSERT INTO destination_days (destination, day, accepted, deferred, failed, refused_sessions,
       max_connections, messages_per_connection, rate_per_hour, updated_at)
     VALUES (@destination, @day, @accepted, @deferred, @failed, @refusedSessions,
       @maxConnections, @maxMessagesPerConnection, @messagesPerHour, @now)
     ON CONFLICT (destination, day) DO UPDATE SET
       accepted = accepted + excluded.accepted,
       deferred = deferred + excluded.deferred,
       failed = failed + excluded.failed,
       refused_sessions = refused_sessions + excluded.refused_sessions,
       max_connections = excluded.max_connections,
       messages_per_connection = excluded.messages_per_connection,
       rate_per_hour = excluded.rate_per_hour,
       updated_at = excluded.updated_at`,
  );
  writeTransaction(db, () => {
    for (const row of rows) upsert.run({ ...row, now });
  })();
}

/** The UTC days (YYYY-MM-DD) of the last `days` days up to `now`'s day, today included. */
export function historyWindow(days: number, now: number): { from: string; to: string } {
  return { from: utcDay(now - (days - 1) * DAY_MS), to: utcDay(now) };
}

interface DayRow {
  destination: string;
  day: string;
  accepted: number;
  deferred: number;
  failed: number;
  refused_sessions: number;
  max_connections: number | null;
  messages_per_connection: number | null;
  rate_per_hour: number | null;
}

/**
 * A destination's history over the last `days` UTC days up to `now`'s day (today included), oldest first.
 * Days without traffic have no row. Reads the primary key's range (destination, day).
 */
export function destinationDays(db: Db, destination: string, days: number, now: number): DestinationDay[] {
  const { from, to } = historyWindow(days, now);
  const rows = stmt(db, HISTORY_SQL).all({ destination, from, to }) as DayRow[];
  return rows.map((r) => ({
    destination: r.destination,
    day: r.day,
    accepted: r.accepted,
    deferred: r.deferred,
    failed: r.failed,
    refusedSessions: r.refused_sessions,
    maxConnections: r.max_connections,
    maxMessagesPerConnection: r.messages_per_connection,
    messagesPerHour: r.rate_per_hour,
  }));
}

/** Exported for the query-plan test. */
export const HISTORY_SQL = `SELECT destination, day, accepted, deferred, failed, refused_sessions, max_connections,
       messages_per_connection, rate_per_hour
  FROM destination_days
 WHERE destination = @destination AND day BETWEEN @from AND @to
 ORDER BY day`;

/** Destinations with at least one day of history, with their first and last day (walks the table: not for polling). */
export function historyDestinations(db: Db): { destination: string; firstDay: string; lastDay: string }[] {
  return stmt(
    db,
    `SELECT destination, MIN(day) AS firstDay, MAX(day) AS lastDay
       FROM destination_days GROUP BY destination ORDER BY destination`,
  ).all() as { destination: string; firstDay: string; lastDay: string }[];
}

/**
 * Keeps the last `retentionDays` days up to `now`'s day (today included, as `destinationDays` reads them) and
 * deletes the older ones. Returns how many rows went.
 */
export function pruneDestinationDays(db: Db, now: number, retentionDays = HISTORY_RETENTION_DAYS): number {
  const cutoff = utcDay(now - (retentionDays - 1) * DAY_MS);
  return writeTransaction(
    db,
    () => stmt(db, 'DELETE FROM destination_days WHERE day < ?').run(cutoff).changes,
  )();
}

/** A destination the store knows: its kept state (learnt limits, suspension) and the span of its history. */
export interface StoredDestination {
  key: string;
  learntMaxConnections: number | null;
  learntMessagesPerConnection: number | null;
  /** The rate in force when the state was saved (the learnt rate), messages per hour. */
  ratePerHour: number | null;
  suspendedUntil: number | null;
  suspensionLevel: number;
  learntAt: number | null;
  reason: string | null;
  /** The last day of history, when it has any. */
  lastDay: string | null;
}

/**
 * The destinations with history are enumerated by a skip-scan of the primary key (one seek per destination,
 * not a walk over every day): the console asks for them every few seconds. Exported for the query-plan test.
 */
export const STORED_DESTINATIONS_SQL = `
  WITH RECURSIVE
    days(key) AS (
      SELECT (SELECT MIN(destination) FROM destination_days)
      UNION ALL
      SELECT (SELECT MIN(destination) FROM destination_days WHERE destination > days.key) FROM days
       WHERE days.key IS NOT NULL
    ),
    keys(key) AS (SELECT key FROM destination_state UNION SELECT key FROM days WHERE key IS NOT NULL)
  SELECT k.key,
         s.learnt_max_connections AS learntMaxConnections,
         s.learnt_messages_per_connection AS learntMessagesPerConnection,
         s.rate_per_hour AS ratePerHour,
         s.suspended_until AS suspendedUntil,
         COALESCE(s.suspension_level, 0) AS suspensionLevel,
         s.learnt_at AS learntAt,
         s.reason,
         (SELECT MAX(day) FROM destination_days d WHERE d.destination = k.key) AS lastDay
    FROM keys k LEFT JOIN destination_state s ON s.key = k.key
   WHERE k.key <> '*'
   ORDER BY k.key`;

/**
 * Every destination of `destination_state` or `destination_days` (shaping's `*` rows excluded), with the
 * learnt limits the shaper saved: the console lists the destinations with a history even when the running
 * engine has not met them since it started.
 */
export function storedDestinations(db: Db): StoredDestination[] {
  return stmt(db, STORED_DESTINATIONS_SQL).all() as StoredDestination[];
}
