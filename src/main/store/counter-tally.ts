/**
 * The per-domain and per-reason counters (`delivery_domains`, `delivery_reasons`, SPEC §2.2) as the ledger
 * moves them: each row change is added up in memory, then written with one upsert per (delivery, domain) and
 * per (delivery, reason, type) of the batch. Definitions, per domain: `n_total` log rows; `n_<status>` rows by
 * log status; `n_hard` rows Failed with a hard type; `n_soft_failed` rows Failed with a soft type (docs/kpi.md: the
 * "soft bounces"); `n_soft` rows that ever turned soft (once per message: `soft_counted`; kept, not a KPI);
 * `n_deferred` messages in the MTA whose last attempt was deferred. Per reason: rows by current (reason,
 * failure type), `not_defined` for a reason without a type. The tally also moves `deliveries.n_soft_failed`
 * by the sum of its domains' moves, so the delivery's soft bounces and its domains' are one definition.
 */
import type { FailureType, ReasonId } from '../../shared/domain/reasons';
import type { LogStatus } from '../../shared/domain/statuses';
import { STATUS_COLUMN } from './counters';
import type { Db } from './db';
import { stmt } from './statements';

/** What the counters read of a log row. */
export interface CountedRow {
  status: LogStatus;
  failureType: FailureType | null;
  reason: ReasonId | null;
  /** `soft_counted` before the change (a row counts once in `n_soft`). */
  softCounted: number;
}

interface DomainDelta {
  deliveryId: number;
  domain: string;
  /** Column -> delta. */
  n: Map<string, number>;
}

const DOMAIN_COLUMNS: readonly string[] = [
  'n_total',
  ...Object.values(STATUS_COLUMN),
  'n_hard',
  'n_soft',
  'n_soft_failed',
  'n_deferred',
];

function add(d: DomainDelta, column: string, by: number): void {
  if (by !== 0) d.n.set(column, (d.n.get(column) ?? 0) + by);
}

const UPSERT_DOMAIN = `INSERT INTO delivery_domains (delivery_id, domain, ${DOMAIN_COLUMNS.join(', ')})
  VALUES (?, ?, ${DOMAIN_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (delivery_id, domain) DO UPDATE SET
  ${DOMAIN_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
const UPSERT_REASON = `INSERT INTO delivery_reasons (delivery_id, reason, failure_type, n) VALUES (?, ?, ?, ?)
  ON CONFLICT (delivery_id, reason, failure_type) DO UPDATE SET n = n + excluded.n`;

const isHard = (r: Pick<CountedRow, 'status' | 'failureType'>) =>
  r.status === 'failed' && r.failureType === 'hard';
/** A soft bounce (docs/kpi.md): Failed with a soft type. A message retried now, or delivered after a retry, is not. */
const isSoftFailed = (r: Pick<CountedRow, 'status' | 'failureType'>) =>
  r.status === 'failed' && r.failureType === 'soft';

export class CounterTally {
  private readonly domains = new Map<string, DomainDelta>();
  private readonly reasons = new Map<
    string,
    { deliveryId: number; reason: string; type: string; n: number }
  >();

  /** A row written (`before` null) or changed. */
  row(
    deliveryId: number,
    domain: string,
    before: CountedRow | null,
    after: Omit<CountedRow, 'softCounted'>,
  ): void {
    const d = this.domain(deliveryId, domain);
    if (!before) {
      add(d, 'n_total', 1);
      add(d, STATUS_COLUMN[after.status], 1);
      add(d, 'n_hard', Number(isHard(after)));
      add(d, 'n_soft', Number(after.failureType === 'soft'));
      add(d, 'n_soft_failed', Number(isSoftFailed(after)));
      this.reason(deliveryId, after, 1);
      return;
    }
    if (before.status !== after.status) {
      add(d, STATUS_COLUMN[before.status], -1);
      add(d, STATUS_COLUMN[after.status], 1);
    }
    add(d, 'n_hard', Number(isHard(after)) - Number(isHard(before)));
    add(d, 'n_soft', Number(after.failureType === 'soft' && !before.softCounted));
    add(d, 'n_soft_failed', Number(isSoftFailed(after)) - Number(isSoftFailed(before)));
    if (before.reason !== after.reason || before.failureType !== after.failureType) {
      this.reason(deliveryId, before, -1);
      this.reason(deliveryId, after, 1);
    }
  }

  /** A message in the MTA starts (+1) or stops (-1) being deferred. */
  deferred(deliveryId: number, domain: string, delta: number): void {
    add(this.domain(deliveryId, domain), 'n_deferred', delta);
  }

  /** Writes the tally (call inside the transaction that changed the rows). */
  write(db: Db): void {
    const upsertDomain = stmt(db, UPSERT_DOMAIN);
    const softFailed = new Map<number, number>();
    for (const d of this.domains.values()) {
      if (d.n.size === 0) continue;
      upsertDomain.run(d.deliveryId, d.domain, ...DOMAIN_COLUMNS.map((c) => d.n.get(c) ?? 0));
      const soft = d.n.get('n_soft_failed') ?? 0;
      if (soft !== 0) softFailed.set(d.deliveryId, (softFailed.get(d.deliveryId) ?? 0) + soft);
    }
    const addSoftFailed = stmt(db, 'UPDATE deliveries SET n_soft_failed = n_soft_failed + ? WHERE id = ?');
    for (const [deliveryId, n] of softFailed) if (n !== 0) addSoftFailed.run(n, deliveryId);
    const upsertReason = stmt(db, UPSERT_REASON);
    // A reason a row moved into keeps its row, even when another row of the batch moved out (n = 0), as when
    // the two changes are written one at a time.
    for (const r of this.reasons.values()) upsertReason.run(r.deliveryId, r.reason, r.type, r.n);
    this.domains.clear();
    this.reasons.clear();
  }

  private domain(deliveryId: number, domain: string): DomainDelta {
    const key = `${deliveryId}\u0000${domain}`;
    let d = this.domains.get(key);
    if (!d) this.domains.set(key, (d = { deliveryId, domain, n: new Map() }));
    return d;
  }

  private reason(deliveryId: number, r: Pick<CountedRow, 'reason' | 'failureType'>, n: number): void {
    if (r.reason === null) return;
    const type = r.failureType ?? 'not_defined';
    const key = `${deliveryId}\u0000${r.reason}\u0000${type}`;
    const entry = this.reasons.get(key);
    if (entry) entry.n += n;
    else this.reasons.set(key, { deliveryId, reason: r.reason, type, n });
  }
}

/**
 * SQL moving the per-domain status counters of the rows of one delivery that are still `from`, counted per
 * domain before they move (run it just before the UPDATE that moves them): all of them (`'all'`, a stopped
 * delivery), or those whose ids are the JSON array `@ids` (`'ids'`, a relay batch). A batch is read from its
 * ids (CROSS JOIN keeps that order: one primary-key lookup per id); reading the delivery's rows and keeping
 * the batch's made each batch of a million-row delivery scan all its rows.
 */
export function domainStatusMoveSql(from: LogStatus, to: LogStatus, rows: 'all' | 'ids'): string {
  const a = STATUS_COLUMN[from];
  const b = STATUS_COLUMN[to];
  const source =
    rows === 'ids'
      ? 'json_each(@ids) AS j CROSS JOIN delivery_log AS l ON l.id = j.value'
      : 'delivery_log AS l';
  return `UPDATE delivery_domains SET ${a} = ${a} - c.n, ${b} = ${b} + c.n
    FROM (SELECT l.domain, count(*) AS n FROM ${source}
           WHERE l.delivery_id = @deliveryId AND l.status = '${from}' GROUP BY l.domain) AS c
   WHERE delivery_domains.delivery_id = @deliveryId AND delivery_domains.domain = c.domain`;
}
