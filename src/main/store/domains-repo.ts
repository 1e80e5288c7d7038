/**
 * Per-domain and per-reason statistics of a delivery, read from the counter tables that migration 4's
 * triggers maintain with the log (never a GROUP BY over the log): the per-domain breakdown (keyset paged by
 * volume or by name, and streamed for reports), the bounce-reasons breakdown and the health flags.
 */
import { AppError } from '../../shared/contract/errors';
import type {
  DeliveryHealth,
  DomainSort,
  DomainStats,
  ReasonBreakdown,
} from '../../shared/contract/dashboard';
import {
  complaintCheck,
  DOMAIN_SOFT_BOUNCE_ALERT,
  domainSoftCheck,
  hardBounceCheck,
} from '../../shared/domain/health';
import { domainFigures } from '../../shared/domain/kpi';
import { FAILURE_TYPES, REASON_IDS, type FailureType, type ReasonId } from '../../shared/domain/reasons';
import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { stmt } from './statements';

export interface DomainDbRow {
  delivery_id: number;
  domain: string;
  n_total: number;
  n_pending: number;
  n_taken: number;
  n_sent: number;
  n_failed: number;
  n_ignored: number;
  n_cancelled: number;
  n_hard: number;
  n_soft: number;
  n_soft_failed: number;
  n_deferred: number;
}

/** SQL of "processed" (relayed to the MTA) on a delivery_domains row. */
const PROCESSED_SQL = '(n_taken + n_sent + n_failed)';

/**
 * Rows of the domain table that are domains: recipients with no address (excluded at preparation, counted in
 * the exclusions) have the domain '' and are never listed.
 */
const LISTED = "domain <> ''";

export function toDomainStats(r: DomainDbRow): DomainStats {
  const f = domainFigures({
    total: r.n_total,
    status: {
      pending: r.n_pending,
      taken_into_account: r.n_taken,
      sent: r.n_sent,
      failed: r.n_failed,
      ignored: r.n_ignored,
      cancelled: r.n_cancelled,
    },
    hard: r.n_hard,
    softFailed: r.n_soft_failed,
    deferredNow: r.n_deferred,
  });
  return {
    domain: r.domain,
    total: r.n_total,
    pending: r.n_pending,
    ...f,
    ignored: r.n_ignored,
    cancelled: r.n_cancelled,
    softAlert: domainSoftCheck(f.soft, f.processed).alert,
  };
}

export interface DomainsPageQuery {
  deliveryId: number;
  sort: DomainSort;
  search?: string | undefined;
  cursor: string | null;
  limit: number;
}

/** Highest code point: `prefix || MAX_CHAR` bounds every string starting with prefix. */
const MAX_CHAR = '\u{10FFFF}';

/** Builds the page query; exported for the EXPLAIN QUERY PLAN test. */
export function buildDomainsPageQuery(q: DomainsPageQuery): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { deliveryId: q.deliveryId, limit: q.limit + 1 };
  const where = ['delivery_id = @deliveryId', LISTED];
  const prefix = q.search?.trim().toLowerCase().replace(/^@/, '');
  if (prefix) {
    where.push('domain >= @lo AND domain < @hi');
    params.lo = prefix;
    params.hi = prefix + MAX_CHAR;
  }
  if (q.cursor !== null) {
    const [total, domain] = decodeCursor(q.cursor, 2);
    if (typeof domain !== 'string' || (q.sort === 'volume' && typeof total !== 'number'))
      throw new AppError(
        'invalid_input',
        'The page cursor is not valid (it must come from a previous page)',
        [{ field: 'cursor', message: 'not a cursor of this sort' }],
      );
    params.cursorDomain = domain;
    if (q.sort === 'volume') {
      where.push('(n_total, domain) < (@cursorTotal, @cursorDomain)');
      params.cursorTotal = total;
    } else {
      where.push('domain > @cursorDomain');
    }
  }
  const order = q.sort === 'volume' ? 'n_total DESC, domain DESC' : 'domain ASC';
  return {
    sql: `SELECT * FROM delivery_domains WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit`,
    params,
  };
}

export function domainsPage(
  db: Db,
  q: DomainsPageQuery,
): { items: DomainStats[]; nextCursor: string | null; total: number } {
  const built = buildDomainsPageQuery(q);
  const rows = stmt(db, built.sql).all(built.params) as DomainDbRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  const countParams: Record<string, unknown> = { deliveryId: q.deliveryId };
  const prefix = q.search?.trim().toLowerCase().replace(/^@/, '');
  let countSql = `SELECT count(*) AS n FROM delivery_domains WHERE delivery_id = @deliveryId AND ${LISTED}`;
  if (prefix) {
    countSql += ' AND domain >= @lo AND domain < @hi';
    countParams.lo = prefix;
    countParams.hi = prefix + MAX_CHAR;
  }
  return {
    items: page.map(toDomainStats),
    nextCursor: more && last ? encodeCursor([last.n_total, last.domain]) : null,
    total: (stmt(db, countSql).get(countParams) as { n: number }).n,
  };
}

/** Every domain of a delivery, alphabetically, streamed (the domains report). */
export function* listDeliveryDomains(db: Db, deliveryId: number): Generator<DomainStats> {
  const rows = stmt(
    db,
    `SELECT * FROM delivery_domains WHERE delivery_id = ? AND ${LISTED} ORDER BY domain`,
  ).iterate(deliveryId) as IterableIterator<DomainDbRow>;
  for (const row of rows) yield toDomainStats(row);
}

/** Messages by current failure reason and type, reasons in the SPEC's order. */
export function reasonBreakdown(db: Db, deliveryId: number): ReasonBreakdown[] {
  const rows = stmt(
    db,
    'SELECT reason, failure_type, n FROM delivery_reasons WHERE delivery_id = ? AND n > 0',
  ).all(deliveryId) as { reason: ReasonId; failure_type: FailureType; n: number }[];
  return toBreakdown(rows);
}

/** Rows of `reason, failure_type, n` as reason breakdowns, reasons in the SPEC's order. */
export function toBreakdown(
  rows: readonly { reason: ReasonId; failure_type: FailureType; n: number }[],
): ReasonBreakdown[] {
  const byReason = new Map<ReasonId, ReasonBreakdown>();
  for (const r of rows) {
    let entry = byReason.get(r.reason);
    if (!entry) {
      entry = {
        reason: r.reason,
        byType: Object.fromEntries(FAILURE_TYPES.map((t) => [t, 0])) as Record<FailureType, number>,
        total: 0,
      };
      byReason.set(r.reason, entry);
    }
    entry.byType[r.failure_type] = (entry.byType[r.failure_type] ?? 0) + r.n;
    entry.total += r.n;
  }
  return REASON_IDS.flatMap((id) => {
    const entry = byReason.get(id);
    return entry ? [entry] : [];
  });
}

const WORST_DOMAINS = 5;

/** The health flags of SPEC §2.2 from the delivery's and its domains' counters. */
export function deliveryHealth(db: Db, deliveryId: number): DeliveryHealth {
  const d = stmt(
    db,
    'SELECT n_taken, n_sent, n_failed, n_hard, n_complaints FROM deliveries WHERE id = ?',
  ).get(deliveryId) as
    { n_taken: number; n_sent: number; n_failed: number; n_hard: number; n_complaints: number } | undefined;
  if (!d) throw new AppError('not_found', `Delivery ${deliveryId} does not exist`);
  const processed = d.n_taken + d.n_sent + d.n_failed;
  // One pass over the delivery's domains (its primary-key range), not over its log rows.
  const over = `FROM delivery_domains WHERE delivery_id = @deliveryId AND ${LISTED}
    AND n_soft_failed > @threshold * ${PROCESSED_SQL}`;
  const params = { deliveryId, threshold: DOMAIN_SOFT_BOUNCE_ALERT };
  const count = (stmt(db, `SELECT count(*) AS n ${over}`).get(params) as { n: number }).n;
  const worst = (
    stmt(
      db,
      `SELECT domain, n_soft_failed AS soft, ${PROCESSED_SQL} AS processed ${over}
        ORDER BY processed DESC, domain LIMIT ${WORST_DOMAINS}`,
    ).all(params) as { domain: string; soft: number; processed: number }[]
  ).map((w) => ({ ...w, rate: w.soft / w.processed }));
  return {
    hardBounces: { ...hardBounceCheck(d.n_hard, processed), count: d.n_hard, base: processed },
    complaints: { ...complaintCheck(d.n_complaints, d.n_sent), count: d.n_complaints, base: d.n_sent },
    domainSoftBounces: { threshold: DOMAIN_SOFT_BOUNCE_ALERT, alert: count > 0, count, worst },
  };
}
