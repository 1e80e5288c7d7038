/** Deliveries (campaign side): rows with their counters, mapped to the contract's Delivery objects. */
import type { DeliveriesListQuery, DeliverySort } from '../../shared/contract/deliveries-list';
import { AppError } from '../../shared/contract/errors';
import type {
  Delivery,
  DeliverySummary,
  HostPort,
  MessageTemplate,
  Route,
} from '../../shared/contract/schemas';
import type { ReasonId } from '../../shared/domain/reasons';
import type { DeliveryState, ReportingMode } from '../../shared/domain/statuses';
import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { toDelivery, toDeliverySummary, type DeliveryRow } from './mappers';
import { stmt } from './statements';

export interface NewDelivery {
  name: string;
  reporting: ReportingMode;
  template: MessageTemplate;
  routes: Route[];
  smarthost: HostPort | null;
  validityRequestedMs: number;
  validityMs: number;
  timeScale: number;
  recipientsPerTransaction: number;
  createdAt: number;
}

/** API ids are decimal strings; SQLite ids are INTEGER. */
export function parseId(id: string): number {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : -1;
}

export function insertDelivery(db: Db, d: NewDelivery): number {
  const result = stmt(
    db,
    `INSERT INTO deliveries(name, state, reporting, template_json, routes_json, smarthost_json,
       validity_requested_ms, validity_ms, time_scale, recipients_per_transaction, created_at)
     VALUES (@name, 'preparing', @reporting, @template, @routes, @smarthost, @validityRequestedMs, @validityMs,
       @timeScale, @recipientsPerTransaction, @createdAt)`,
  ).run({
    name: d.name,
    reporting: d.reporting,
    template: JSON.stringify(d.template),
    routes: JSON.stringify(d.routes),
    smarthost: d.smarthost === null ? null : JSON.stringify(d.smarthost),
    validityRequestedMs: d.validityRequestedMs,
    validityMs: d.validityMs,
    timeScale: d.timeScale,
    recipientsPerTransaction: d.recipientsPerTransaction,
    createdAt: d.createdAt,
  });
  return Number(result.lastInsertRowid);
}

/** When the delivery was relayed whole (null: not yet) and its messages still in the MTA: one narrow read. */
export function deliveryProgress(
  db: Db,
  id: number,
): { relayedAt: number | null; inMta: number } | undefined {
  return stmt(db, 'SELECT relayed_at AS relayedAt, n_in_mta AS inMta FROM deliveries WHERE id = ?').get(
    id,
  ) as { relayedAt: number | null; inMta: number } | undefined;
}

export function getDeliveryRow(db: Db, id: number): DeliveryRow | undefined {
  return stmt(db, 'SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
}

export function requireDeliveryRow(db: Db, id: number): DeliveryRow {
  const row = getDeliveryRow(db, id);
  if (!row) throw new AppError('not_found', `Delivery ${id} does not exist`);
  return row;
}

/** Counts of log rows by failure reason, from the counters maintained by triggers (migration 4). */
export function reasonCounts(db: Db, deliveryId: number): Partial<Record<ReasonId, number>> {
  const rows = stmt(
    db,
    `SELECT reason, sum(n) AS n FROM delivery_reasons WHERE delivery_id = ? AND n > 0 GROUP BY reason`,
  ).all(deliveryId) as { reason: ReasonId; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
}

export function getDelivery(db: Db, id: number, now: number): Delivery {
  return toDelivery(requireDeliveryRow(db, id), reasonCounts(db, id), now);
}

/** Messages to deliver (initial population less the excluded), as SQL. */
const TO_DELIVER_SQL = '(n_initial - n_ignored)';

/**
 * The SQL of each sort key. Success rate: success / messages to deliver, -1 where there is nothing to deliver
 * (so it sorts below 0 % and the cursor holds a number). Each sort ends on the id, so the keyset is total.
 */
const SORT_SQL: Record<DeliverySort, string> = {
  created: 'created_at',
  name: 'name COLLATE NOCASE',
  success: `CASE WHEN ${TO_DELIVER_SQL} > 0 THEN CAST(n_success AS REAL) / ${TO_DELIVER_SQL} ELSE -1 END`,
  recipients: TO_DELIVER_SQL,
};

/**
 * "Every message goes to the sandbox": no smart host, every route to the sandbox, and a catch-all route or,
 * without one, a default route to the sandbox (`@defaultSandbox`, the setting in force).
 */
const SANDBOX_ONLY_SQL = `(smarthost_json IS NULL
  AND NOT EXISTS (SELECT 1 FROM json_each(routes_json) r WHERE json_extract(r.value, '$.target.kind') <> 'sandbox')
  AND (@defaultSandbox = 1
       OR EXISTS (SELECT 1 FROM json_each(routes_json) r WHERE json_extract(r.value, '$.mask') = '*')))`;

/** The searched text in the name, the From address and name, the subject; a number also finds its id. */
const SEARCH_SQL = `(instr(lower(name), @search) > 0
  OR instr(lower(json_extract(template_json, '$.fromAddress')), @search) > 0
  OR instr(lower(json_extract(template_json, '$.fromName')), @search) > 0
  OR instr(lower(json_extract(template_json, '$.subject')), @search) > 0
  OR id = @searchId)`;

export interface DeliveriesQuery extends DeliveriesListQuery {
  /** Whether the default route in force is the sandbox (for the `route` filter). */
  defaultSandbox?: boolean | undefined;
}

/**
 * The SQL and parameters of one keyset page of the deliveries list (exported for the query-plan test).
 * Deliveries are few (thousands at most): filters other than the state and dates are read row by row.
 */
export function deliveriesPageQuery(q: DeliveriesQuery): { sql: string; params: Record<string, unknown> } {
  const sort = q.sort ?? 'created';
  const dir = q.dir ?? 'desc';
  const key = SORT_SQL[sort];
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  if (q.cursor !== null) {
    const [value, id] = decodeCursor(q.cursor, 2);
    const valueOk = sort === 'name' ? typeof value === 'string' : typeof value === 'number';
    if (!valueOk || typeof id !== 'number')
      throw new AppError(
        'invalid_input',
        'The page cursor is not valid (it must come from a previous page)',
        [{ field: 'cursor', message: 'not a cursor of this sort' }],
      );
    where.push(`(${key}, id) ${dir === 'desc' ? '<' : '>'} (@afterValue, @afterId)`);
    params.afterValue = value;
    params.afterId = id;
  }
  if (q.state && q.state.length > 0) {
    where.push(`state IN (${q.state.map((_, i) => `@s${i}`).join(', ')})`);
    q.state.forEach((s, i) => (params[`s${i}`] = s));
  }
  const search = q.search?.trim().toLowerCase();
  if (search) {
    where.push(SEARCH_SQL);
    params.search = search;
    const id = /^#?(\d{1,15})$/.exec(search)?.[1];
    params.searchId = id === undefined ? null : Number(id);
  }
  if (q.reporting) {
    where.push('reporting = @reporting');
    params.reporting = q.reporting;
  }
  if (q.route) {
    where.push(q.route === 'sandbox' ? SANDBOX_ONLY_SQL : `NOT ${SANDBOX_ONLY_SQL}`);
    params.defaultSandbox = q.defaultSandbox ? 1 : 0;
  }
  if (q.createdFrom !== undefined) {
    where.push('created_at >= @createdFrom');
    params.createdFrom = q.createdFrom;
  }
  if (q.createdTo !== undefined) {
    where.push('created_at < @createdTo');
    params.createdTo = q.createdTo;
  }
  const order = dir === 'desc' ? 'DESC' : 'ASC';
  const sql = `SELECT *, ${key} AS sort_value FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${key} ${order}, id ${order} LIMIT @limit`;
  return { sql, params };
}

/** One keyset page of deliveries: search, filters and sort of the console's list (`deliveries.list`). */
export function listDeliveries(
  db: Db,
  q: DeliveriesQuery,
  now: number,
): { items: DeliverySummary[]; nextCursor: string | null } {
  const { sql, params } = deliveriesPageQuery(q);
  const rows = stmt(db, sql).all(params) as (DeliveryRow & { sort_value: string | number })[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map((r) => toDeliverySummary(r, now)),
    nextCursor: more && last ? encodeCursor([last.sort_value, last.id]) : null,
  };
}

/** The import errors counter, set once preparation has read the list (the log rows are counted by the ledger). */
export function setImportErrorCount(db: Db, id: number, importErrors: number): void {
  stmt(db, 'UPDATE deliveries SET n_import_errors = @importErrors WHERE id = @id').run({ id, importErrors });
}

export type DeliveryPatch = Partial<
  Pick<DeliveryRow, 'state' | 'started_at' | 'relayed_at' | 'stopped_at' | 'last_relay_at'>
>;

export function updateDelivery(db: Db, id: number, patch: DeliveryPatch): void {
  const keys = Object.keys(patch) as (keyof DeliveryPatch)[];
  if (keys.length === 0) return;
  stmt(db, `UPDATE deliveries SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({
    ...patch,
    id,
  });
}

export function deliveryIdsInState(db: Db, state: DeliveryState): number[] {
  return (
    stmt(db, 'SELECT id FROM deliveries WHERE state = ? ORDER BY id').all(state) as { id: number }[]
  ).map((r) => r.id);
}

/**
 * The lifecycle of the deliveries not completed yet (`state`, `stopped_at`), and the store's `data_version`
 * (moves when another connection committed): what a campaign compares to notice another process's actions.
 */
export function openDeliveryStates(db: Db): { version: number; states: Map<number, string> } {
  const version = db.pragma('data_version', { simple: true }) as number;
  const rows = stmt(
    db,
    'SELECT id, state, stopped_at FROM deliveries WHERE completed_at IS NULL ORDER BY id',
  ).all() as { id: number; state: DeliveryState; stopped_at: number | null }[];
  return { version, states: new Map(rows.map((r) => [r.id, `${r.state}:${r.stopped_at ?? ''}`])) };
}

export function deliveryExists(db: Db, id: number): boolean {
  return stmt(db, 'SELECT 1 FROM deliveries WHERE id = ?').get(id) !== undefined;
}

/** Deletes a delivery and everything that belongs to it (log rows, queue, attempts, errors, counters cascade). */
export function deleteDelivery(db: Db, id: number): void {
  stmt(db, 'DELETE FROM throughput WHERE delivery_id = ?').run(id);
  stmt(db, 'DELETE FROM deliveries WHERE id = ?').run(id);
}
