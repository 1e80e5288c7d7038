/**
 * The delivery log (one row per recipient per delivery): batch inserts, keyset pages over the sortable
 * columns with filters, attempts of a row. Every page query is served by an index (see the EXPLAIN QUERY PLAN
 * test); totals come from the delivery's status counters when only status filters apply.
 */
import type { Attempt, LogFilter, LogRow } from '../../shared/contract/schemas';
import type { LOG_SORT_KEYS } from '../../shared/contract/schemas';
import { LOG_STATUSES } from '../../shared/domain/statuses';
import { STATUS_COLUMN } from './counters';
import { decodeCursor, encodeCursor, type CursorValue } from './cursor';
import type { Db } from './db';
import {
  statusCountsOf,
  toAttempt,
  toLogRow,
  type AttemptDbRow,
  type DeliveryRow,
  type LogDbRow,
} from './mappers';
import { stmt } from './statements';

export type LogSortKey = (typeof LOG_SORT_KEYS)[number];

/** The id the next inserted log row may take (call inside an IMMEDIATE transaction). */
export function nextLogId(db: Db): number {
  return ((stmt(db, 'SELECT max(id) AS m FROM delivery_log').get() as { m: number | null }).m ?? 0) + 1;
}

/** Whether the delivery already has a row for this address (duplicates of a list; index log_delivery_addr). */
export function hasLogRowFor(db: Db, deliveryId: number, addrKey: string): boolean {
  return (
    stmt(db, 'SELECT 1 FROM delivery_log WHERE delivery_id = ? AND addr_key = ?').get(deliveryId, addrKey) !==
    undefined
  );
}

/** A log row as inMail ties a report to it. */
export interface LogTarget {
  logId: number;
  deliveryId: number;
  email: string;
}

/** The delivery's row for an address (first one), or null. */
export function logTargetByAddress(db: Db, deliveryId: number, addrKey: string): LogTarget | null {
  const row = stmt(
    db,
    'SELECT id, delivery_id, email FROM delivery_log WHERE delivery_id = ? AND addr_key = ? LIMIT 1',
  ).get(deliveryId, addrKey) as { id: number; delivery_id: number; email: string } | undefined;
  return row ? { logId: row.id, deliveryId: row.delivery_id, email: row.email } : null;
}

/** A log row by id, with its Message-ID, or null. */
export function logTargetById(db: Db, id: number): (LogTarget & { messageId: string | null }) | null {
  const row = stmt(db, 'SELECT id, delivery_id, email, message_id FROM delivery_log WHERE id = ?').get(id) as
    { id: number; delivery_id: number; email: string; message_id: string | null } | undefined;
  return row
    ? { logId: row.id, deliveryId: row.delivery_id, email: row.email, messageId: row.message_id }
    : null;
}

/** Ids of the next pending rows of a delivery, in id order (index log_delivery_status). */
export function pendingLogIds(db: Db, deliveryId: number, limit: number): number[] {
  const rows = stmt(
    db,
    `SELECT id FROM delivery_log WHERE delivery_id = ? AND status = 'pending' ORDER BY id LIMIT ?`,
  ).all(deliveryId, limit) as { id: number }[];
  return rows.map((r) => r.id);
}

/** SQL expression each sort key orders by (matching an index), and its value for a row. */
const SORT: Record<LogSortKey, { expr: string; value: (r: LogDbRow) => CursorValue }> = {
  id: { expr: 'l.id', value: (r) => r.id },
  email: { expr: 'l.addr_key', value: (r) => r.addr_key },
  status: { expr: 'l.status', value: (r) => r.status },
  lastAttemptAt: { expr: 'ifnull(l.last_attempt_at, -1)', value: (r) => r.last_attempt_at ?? -1 },
  attempts: { expr: 'l.attempts', value: (r) => r.attempts },
};

export interface LogPageQuery {
  deliveryId: number;
  filter: LogFilter;
  sort: { key: LogSortKey; dir: 'asc' | 'desc' };
  cursor: string | null;
  limit: number;
}

interface BuiltQuery {
  sql: string;
  params: Record<string, unknown>;
}

/** Highest code point: `prefix || MAX_CHAR` bounds every string starting with prefix. */
const MAX_CHAR = '\u{10FFFF}';

function filterClauses(q: LogPageQuery, params: Record<string, unknown>): string[] {
  const where = ['l.delivery_id = @deliveryId'];
  params.deliveryId = q.deliveryId;
  const inList = (column: string, prefix: string, values: readonly string[] | undefined) => {
    if (!values || values.length === 0) return;
    where.push(`${column} IN (${values.map((_, i) => `@${prefix}${i}`).join(', ')})`);
    values.forEach((v, i) => (params[`${prefix}${i}`] = v));
  };
  inList('l.status', 'st', q.filter.status);
  inList('l.failure_type', 'ft', q.filter.failureType);
  inList('l.reason', 'rs', q.filter.reason);
  if (q.filter.domain?.trim()) {
    where.push('l.domain = @domain');
    params.domain = q.filter.domain.trim().toLowerCase();
  }
  const search = q.filter.search?.trim().toLowerCase();
  if (search) {
    // A prefix range keeps the search on the (delivery_id, addr_key) / (delivery_id, domain) indexes.
    const [column, prefix] = search.startsWith('@') ? ['l.domain', search.slice(1)] : ['l.addr_key', search];
    if (prefix) {
      where.push(`${column} >= @lo AND ${column} < @hi`);
      params.lo = prefix;
      params.hi = prefix + MAX_CHAR;
    }
  }
  return where;
}

/**
 * Builds the page queries; exported for the EXPLAIN QUERY PLAN test. The first page, and any page of the id
 * sort, is one query. A later page of another sort is two index seeks run in turn: the rest of the rows that
 * share the cursor's sort value (`expr = v AND id > cursorId`), then the rows after that value
 * (`expr > v`). A single row-value comparison `(expr, id) > (v, cursorId)` would only bound the index on
 * `expr` and step through every row sharing the value (most of a million rows for a status).
 */
export function buildLogPageQueries(q: LogPageQuery): BuiltQuery[] {
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  const where = filterClauses(q, params);
  const { expr } = SORT[q.sort.key];
  const op = q.sort.dir === 'asc' ? '>' : '<';
  const dir = q.sort.dir === 'asc' ? 'ASC' : 'DESC';
  const order = q.sort.key === 'id' ? `l.id ${dir}` : `${expr} ${dir}, l.id ${dir}`;
  const select = (conditions: string[], p: Record<string, unknown>, orderBy = order): BuiltQuery => ({
    sql: `SELECT l.*, q.due_at AS next_attempt_at FROM delivery_log l LEFT JOIN queue q ON q.log_id = l.id
          WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy} LIMIT @limit`,
    params: p,
  });
  if (q.cursor === null) return [select(where, params)];
  const [value, id] = decodeCursor(q.cursor, 2);
  if (q.sort.key === 'id') return [select([...where, `l.id ${op} @cursorId`], { ...params, cursorId: id })];
  const withCursor = { ...params, cursorValue: value, cursorId: id };
  return [
    // The sort value is fixed here, so the id alone orders the rows (the planner would not see it).
    select([...where, `${expr} = @cursorValue`, `l.id ${op} @cursorId`], withCursor, `l.id ${dir}`),
    select([...where, `${expr} ${op} @cursorValue`], withCursor),
  ];
}

/** Builds the count of rows matching the filter (no cursor); exported for the EXPLAIN QUERY PLAN test. */
export function buildLogCountQuery(q: LogPageQuery): BuiltQuery {
  const params: Record<string, unknown> = {};
  const where = filterClauses(q, params);
  return { sql: `SELECT count(*) AS n FROM delivery_log l WHERE ${where.join(' AND ')}`, params };
}

function onlyStatusFilter(filter: LogFilter): boolean {
  return (
    !filter.failureType?.length &&
    !filter.reason?.length &&
    !filter.domain?.trim() &&
    !filter.search?.trim().replace(/^@$/, '')
  );
}

export function logsPage(
  db: Db,
  q: LogPageQuery,
  delivery: DeliveryRow,
): { items: LogRow[]; nextCursor: string | null; total: number } {
  const rows: LogDbRow[] = [];
  for (const part of buildLogPageQueries(q)) {
    if (rows.length > q.limit) break;
    rows.push(
      ...(stmt(db, part.sql).all({ ...part.params, limit: q.limit + 1 - rows.length }) as LogDbRow[]),
    );
  }
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  const last = items.at(-1);
  return {
    items: items.map(toLogRow),
    nextCursor: more && last ? encodeCursor([SORT[q.sort.key].value(last), last.id]) : null,
    total: logTotal(db, q, delivery),
  };
}

/** Rows matching the filter: from the status counters when only status filters apply, else counted. */
function logTotal(db: Db, q: LogPageQuery, delivery: DeliveryRow): number {
  if (onlyStatusFilter(q.filter)) {
    const counts = statusCountsOf(delivery);
    const statuses = q.filter.status?.length ? q.filter.status : LOG_STATUSES;
    return [...new Set(statuses)].reduce((sum, s) => sum + counts[s], 0);
  }
  const byDomain = domainCounterTotal(db, q);
  if (byDomain !== null) return byDomain;
  const count = buildLogCountQuery(q);
  return (stmt(db, count.sql).get(count.params) as { n: number }).n;
}

/**
 * The total of a domain filter (`domain`, or a search `@prefix`), with or without status filters, from the
 * per-domain counters (migration 4) instead of counting log rows; null for other filters.
 */
function domainCounterTotal(db: Db, q: LogPageQuery): number | null {
  const f = q.filter;
  if (f.failureType?.length || f.reason?.length) return null;
  const search = f.search?.trim().toLowerCase() ?? '';
  const domain = f.domain?.trim().toLowerCase() ?? '';
  if (search && !search.startsWith('@')) return null;
  if (!domain && !search) return null;
  // delivery_domains names its status counters like deliveries does.
  const columns = (f.status?.length ? [...new Set(f.status)] : LOG_STATUSES).map((s) => STATUS_COLUMN[s]);
  const where = ['delivery_id = @deliveryId'];
  const params: Record<string, unknown> = { deliveryId: q.deliveryId };
  if (domain) {
    where.push('domain = @domain');
    params.domain = domain;
  }
  if (search.length > 1) {
    where.push('domain >= @lo AND domain < @hi');
    params.lo = search.slice(1);
    params.hi = search.slice(1) + MAX_CHAR;
  }
  const sql = `SELECT ifnull(sum(${columns.join(' + ')}), 0) AS n FROM delivery_domains WHERE ${where.join(' AND ')}`;
  return (stmt(db, sql).get(params) as { n: number }).n;
}

type V = { v: number | null };

export type LogSeekQuery = Omit<LogPageQuery, 'cursor' | 'limit'> & { position: number };

export interface LogSeekResult {
  cursor: string | null;
  position: number;
  exact: boolean;
  total: number;
}

/**
 * The `logs.page` cursor whose page starts at row `position` of the filtered, sorted log, so a scaled
 * scrollbar or the End key can jump anywhere in a million rows. The unfiltered id sort of a delivery whose
 * rows have consecutive ids (preparation inserts them so) is plain arithmetic; otherwise the row before the
 * position is found by stepping the sort's index from the nearer end (at most half the rows, index only).
 */
export function logsSeek(db: Db, q: LogSeekQuery, delivery: DeliveryRow): LogSeekResult {
  const total = logTotal(db, { ...q, cursor: null, limit: 1 }, delivery);
  const position = Math.max(0, Math.min(q.position, total - 1));
  if (position === 0) return { cursor: null, position: 0, exact: true, total };
  const sortValueAt = (id: number) =>
    encodeCursor([
      SORT[q.sort.key].value(stmt(db, 'SELECT * FROM delivery_log WHERE id = ?').get(id) as LogDbRow),
      id,
    ]);

  // The page starts after row `position - 1`.
  const before = position - 1;
  if (q.sort.key === 'id' && onlyStatusFilter(q.filter) && !q.filter.status?.length) {
    // Two queries: SQLite answers a lone min() or max() from the index end, not both at once.
    const range = {
      lo: (stmt(db, 'SELECT min(id) AS v FROM delivery_log WHERE delivery_id = ?').get(q.deliveryId) as V).v,
      hi: (stmt(db, 'SELECT max(id) AS v FROM delivery_log WHERE delivery_id = ?').get(q.deliveryId) as V).v,
    };
    if (range.lo !== null && range.hi !== null && range.hi - range.lo + 1 === total) {
      const id = q.sort.dir === 'asc' ? range.lo + before : range.hi - before;
      return { cursor: encodeCursor([id, id]), position, exact: true, total };
    }
  }
  const fromEnd = total - 1 - before;
  const reverse = fromEnd < before;
  const dir = reverse ? (q.sort.dir === 'asc' ? 'desc' : 'asc') : q.sort.dir;
  const built = buildLogKeyQuery({ ...q, sort: { key: q.sort.key, dir } }, reverse ? fromEnd : before);
  const row = stmt(db, built.sql).get(built.params) as { id: number } | undefined;
  if (!row) return { cursor: null, position: 0, exact: false, total };
  return { cursor: sortValueAt(row.id), position, exact: true, total };
}

/** The id of the row at `offset` in the sort's index order (index only); exported for the EXPLAIN test. */
export function buildLogKeyQuery(q: Omit<LogPageQuery, 'cursor' | 'limit'>, offset: number): BuiltQuery {
  const params: Record<string, unknown> = { offset };
  const where = filterClauses({ ...q, cursor: null, limit: 1 }, params);
  const { expr } = SORT[q.sort.key];
  const dir = q.sort.dir === 'asc' ? 'ASC' : 'DESC';
  const order = q.sort.key === 'id' ? `l.id ${dir}` : `${expr} ${dir}, l.id ${dir}`;
  return {
    sql: `SELECT l.id FROM delivery_log l WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT 1 OFFSET @offset`,
    params,
  };
}

export function listAttempts(db: Db, logId: number): Attempt[] {
  const rows = stmt(db, 'SELECT * FROM attempts WHERE log_id = ? ORDER BY at, id').all(
    logId,
  ) as AttemptDbRow[];
  return rows.map(toAttempt);
}

/** The delivery of a log row, or null when there is no such row. */
export function logRowDelivery(db: Db, logId: number): number | null {
  const row = stmt(db, 'SELECT delivery_id FROM delivery_log WHERE id = ?').get(logId) as
    { delivery_id: number } | undefined;
  return row ? row.delivery_id : null;
}

export function logRowExists(db: Db, logId: number): boolean {
  return stmt(db, 'SELECT 1 FROM delivery_log WHERE id = ?').get(logId) !== undefined;
}

/** Every log row of a delivery in id order, streamed (reports). */
export function iterateLogRows(db: Db, deliveryId: number): IterableIterator<LogDbRow> {
  return stmt(
    db,
    'SELECT l.*, q.due_at AS next_attempt_at FROM delivery_log l LEFT JOIN queue q ON q.log_id = l.id WHERE l.delivery_id = ? ORDER BY l.id',
  ).iterate(deliveryId) as IterableIterator<LogDbRow>;
}
