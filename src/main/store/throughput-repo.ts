/**
 * The per-minute throughput series (SPEC §7), table `throughput`: one row per delivery, destination and
 * minute; destination `''` carries the relay counts. The engine's feedback layer adds to it (`addThroughput`,
 * aggregated per batch); the API reads it (`throughputSeries`).
 *
 * The series is summed over the matching rows and **dense**: one point per minute from the first to the last
 * minute of the range, zeros where nothing happened, so a chart can plot it as is. The range is `from`..`to`
 * when given (rounded out to whole minutes), else the minutes that have data for the filter; it is capped to
 * the last `MAX_SERIES_MINUTES` (7 days) of the range. Every filter combination is served by an index
 * (proven by EXPLAIN QUERY PLAN in test/integration/throughput-series.test.ts).
 */
import type { ThroughputPoint } from '../../shared/contract';
import type { Db } from './db';
import { stmt } from './statements';

export const MINUTE_MS = 60_000;

/** Start of the minute (epoch ms) containing `at`. */
export function minuteOf(at: number): number {
  return Math.floor(at / MINUTE_MS) * MINUTE_MS;
}

export interface ThroughputRow {
  deliveryId: number;
  destination: string;
  minute: number;
  relayed: number;
  accepted: number;
  deferred: number;
  bounced: number;
}

/** Adds counts to their minutes (one upsert per row; call inside the caller's transaction). */
export function addThroughput(db: Db, rows: Iterable<ThroughputRow>): void {
  const upsert = stmt(
    db,
    `INSERT INTO throughput (delivery_id, destination, minute, relayed, accepted, deferred, bounced)
     VALUES (@deliveryId, @destination, @minute, @relayed, @accepted, @deferred, @bounced)
     ON CONFLICT (delivery_id, destination, minute) DO UPDATE
        SET relayed = relayed + excluded.relayed, accepted = accepted + excluded.accepted,
            deferred = deferred + excluded.deferred, bounced = bounced + excluded.bounced`,
  );
  for (const row of rows) upsert.run(row);
}

/** 7 days of minutes: the longest series returned at once (≈ 10k points). */
export const MAX_SERIES_MINUTES = 7 * 24 * 60;

export interface ThroughputQuery {
  deliveryId?: number | string;
  /** A destination key (`smtp:host:port`, `mx:...`); `''` selects the relay counts. */
  destination?: string;
  /** Epoch ms, inclusive (the minute containing it). */
  from?: number;
  /** Epoch ms, inclusive (the minute containing it). */
  to?: number;
}

interface Filter {
  where: string;
  params: Record<string, number | string>;
}

export function throughputSeries(db: Db, query: ThroughputQuery): ThroughputPoint[] {
  const filter = filterOf(query);
  const range = rangeOf(db, filter, query);
  if (!range) return [];
  const rows = stmt(
    db,
    `SELECT minute, SUM(relayed) AS relayed, SUM(accepted) AS accepted, SUM(deferred) AS deferred,
            SUM(bounced) AS bounced
       FROM throughput
      WHERE ${filter.where} AND minute BETWEEN @from AND @to
      GROUP BY minute ORDER BY minute`,
  ).all({ ...filter.params, from: range.from, to: range.to }) as ThroughputPoint[];

  const points: ThroughputPoint[] = [];
  let next = 0;
  for (let minute = range.from; minute <= range.to; minute += MINUTE_MS) {
    const row = rows[next];
    if (row && row.minute === minute) {
      points.push(row);
      next++;
    } else {
      points.push({ minute, relayed: 0, accepted: 0, deferred: 0, bounced: 0 });
    }
  }
  return points;
}

function filterOf(query: ThroughputQuery): Filter {
  const clauses: string[] = [];
  const params: Record<string, number | string> = {};
  if (query.deliveryId !== undefined) {
    clauses.push('delivery_id = @deliveryId');
    params.deliveryId = Number(query.deliveryId);
  }
  if (query.destination !== undefined) {
    clauses.push('destination = @destination');
    params.destination = query.destination;
  }
  return { where: clauses.length > 0 ? clauses.join(' AND ') : '1', params };
}

/** The minutes to return, capped to the last MAX_SERIES_MINUTES; null when there is nothing to show. */
function rangeOf(db: Db, filter: Filter, query: ThroughputQuery): { from: number; to: number } | null {
  let from = query.from === undefined ? null : minuteOf(query.from);
  let to = query.to === undefined ? null : minuteOf(query.to);
  // Two single-aggregate queries: SQLite answers each MIN/MAX with one index seek.
  from ??= stmt(db, `SELECT MIN(minute) FROM throughput WHERE ${filter.where}`).pluck().get(filter.params) as
    number | null;
  to ??= stmt(db, `SELECT MAX(minute) FROM throughput WHERE ${filter.where}`).pluck().get(filter.params) as
    number | null;
  if (from === null || to === null || to < from) return null;
  return { from: Math.max(from, to - (MAX_SERIES_MINUTES - 1) * MINUTE_MS), to };
}
