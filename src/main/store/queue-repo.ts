/**
 * The durable queue (table `queue`): lease-based dequeue so that two engine processes on one data dir never
 * take the same message. A lease is `lease_until > now`; an expired lease makes the row free again.
 *
 * Recovery after a crash: leases are not owned by a process id, they simply expire. The engine keeps leases
 * short (`leaseMs`, one minute by default) and renews them while a message is in flight, so a message held
 * by a dead process is free again within a minute, while a live second engine (e.g. `relaydeck run` next to
 * a console) never loses its leases to us. A restarted engine that finds no other live engine on the data
 * dir frees every lease at once instead of waiting for them to expire (see `engine-instances-repo.ts`).
 */
import { writeTransaction, type Db } from './db';

export interface LeasedItem {
  logId: number;
  deliveryId: number;
  domain: string;
  dueAt: number;
  expiresAt: number;
  /** Attempts made before this one. */
  attempts: number;
}

export interface QueueStore {
  /**
   * Leases up to `limit` free due messages (oldest due first), skipping messages of `excludeDomains`
   * (destinations busy for now); with exclusions only the `limit * LEASE_SCAN_FACTOR` oldest due rows are looked
   * at, so a large backlog of excluded domains costs a bounded amount of work per lease. Expired leases (a
   * crashed engine's, or one of ours that was not renewed in time) are freed first, so they are leased again.
   */
  lease(now: number, limit: number, leaseUntil: number, excludeDomains?: readonly string[]): LeasedItem[];
  /** Extends the leases of messages still in flight. */
  renew(logIds: readonly number[], leaseUntil: number): void;
  /**
   * Gives a message back without an attempt (throttle wait, internal error): due again at `dueAt`, or at its
   * expiry if that comes first (as for `deferDomains` and `spreadDomains`): it then fails on time.
   */
  release(logId: number, dueAt: number): void;
  /**
   * Moves the free due messages of these domains to `until` (a suspended destination), without attempts.
   * Returns how many moved.
   */
  deferDomains(domains: readonly string[], until: number, now: number): number;
  /**
   * Spreads the free due messages of these domains from `start`, one every `intervalMs` (a destination at its
   * hourly limit: each gets the time its token is expected), without attempts. Returns how many moved.
   */
  spreadDomains(domains: readonly string[], start: number, intervalMs: number, now: number): number;
  /** Leases up to `limit` free messages of these domains, due or not (bouncing a destination's queue). */
  leaseDomains(domains: readonly string[], now: number, leaseUntil: number, limit: number): LeasedItem[];
  /** Leases up to `limit` more due messages of one delivery and recipient domain (a shared transaction). */
  leaseGroup(
    deliveryId: number,
    domain: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): LeasedItem[];
  /** Messages queued for these domains. */
  countDomains(domains: readonly string[]): number;
  /** The earliest time something may become available: a future due time or the end of a current lease. */
  nextWakeAt(now: number): number | null;
  count(): number;
  /**
   * Whether another connection (another process on the data dir) committed a write since the last call
   * (`PRAGMA data_version`; this connection's own writes do not count). The first call answers false.
   */
  changedElsewhere(): boolean;
}

/** Rows looked at per lease, as a multiple of the lease size. */
const LEASE_SCAN_FACTOR = 8;

export function createQueueStore(db: Db): QueueStore {
  // Free rows have lease_until = 0 (new, released, requeued and reclaimed rows), so the oldest due free rows are
  // the head of the partial index queue_free (migration 7): a lease never walks past the rows in flight.
  const RETURNING = `RETURNING log_id AS logId, delivery_id AS deliveryId, domain, due_at AS dueAt,
                               expires_at AS expiresAt, attempts`;
  const leaseStmt = db.prepare(
    `UPDATE queue SET lease_until = @leaseUntil
      WHERE log_id IN (
        SELECT log_id FROM queue WHERE lease_until = 0 AND due_at <= @now ORDER BY due_at LIMIT @limit)
      ${RETURNING}`,
  );
  const leaseExcludingStmt = db.prepare(
    `UPDATE queue SET lease_until = @leaseUntil
      WHERE log_id IN (
        SELECT log_id FROM (
          SELECT log_id, domain FROM queue WHERE lease_until = 0 AND due_at <= @now ORDER BY due_at LIMIT @scan)
         WHERE domain NOT IN (SELECT value FROM json_each(@excludeDomains))
         LIMIT @limit)
      ${RETURNING}`,
  );
  const reclaimStmt = db.prepare(
    'UPDATE queue SET lease_until = 0 WHERE lease_until > 0 AND lease_until <= ?',
  );
  // A message waiting for its destination (a suspension, an hourly limit) is never due after its expiry: it is
  // picked up then and fails at once with its last reason, whatever the state of its destination.
  const deferDomainsStmt = db.prepare(
    `UPDATE queue SET due_at = MIN(@until, expires_at)
      WHERE domain IN (SELECT value FROM json_each(@domains)) AND due_at < MIN(@until, expires_at)
        AND lease_until <= @now`,
  );
  const spreadStmt = db.prepare(
    `UPDATE queue SET due_at = MIN(@start + CAST((r.rn - 1) * @intervalMs AS INTEGER), queue.expires_at)
       FROM (SELECT log_id, ROW_NUMBER() OVER (ORDER BY due_at, log_id) AS rn FROM queue
              WHERE domain IN (SELECT value FROM json_each(@domains)) AND due_at <= @now AND lease_until <= @now) AS r
      WHERE queue.log_id = r.log_id`,
  );
  const leaseDomainsStmt = db.prepare(
    `UPDATE queue SET lease_until = @leaseUntil
      WHERE log_id IN (
        SELECT log_id FROM queue
         WHERE domain IN (SELECT value FROM json_each(@domains)) AND lease_until <= @now LIMIT @limit)
      ${RETURNING}`,
  );
  const leaseGroupStmt = db.prepare(
    `UPDATE queue SET lease_until = @leaseUntil
      WHERE log_id IN (
        SELECT log_id FROM queue
         WHERE domain = @domain AND delivery_id = @deliveryId AND due_at <= @now AND lease_until <= @now
         ORDER BY due_at LIMIT @limit)
      ${RETURNING}`,
  );
  const countDomainsStmt = db
    .prepare('SELECT COUNT(*) FROM queue WHERE domain IN (SELECT value FROM json_each(?))')
    .pluck();
  const renewStmt = db.prepare(
    'UPDATE queue SET lease_until = @leaseUntil WHERE log_id IN (SELECT value FROM json_each(@ids))',
  );
  const releaseStmt = db.prepare(
    'UPDATE queue SET lease_until = 0, due_at = MIN(@dueAt, expires_at) WHERE log_id = @logId',
  );
  // Leased rows are watched by the end of their lease (the small partial index queue_leased, migration 2); an
  // end already past is an expired lease, free at the next lease. Free rows give the next due time.
  const nextDueStmt = db
    .prepare('SELECT MIN(due_at) FROM queue WHERE lease_until = 0 AND due_at > ?')
    .pluck();
  const nextLeaseEndStmt = db.prepare('SELECT MIN(lease_until) FROM queue WHERE lease_until > 0').pluck();
  const countStmt = db.prepare('SELECT COUNT(*) FROM queue').pluck();
  const leaseTransaction = writeTransaction(
    db,
    (now: number, limit: number, leaseUntil: number, excludeDomains: readonly string[]): LeasedItem[] => {
      reclaimStmt.run(now);
      if (excludeDomains.length === 0) return leaseStmt.all({ now, limit, leaseUntil }) as LeasedItem[];
      return leaseExcludingStmt.all({
        now,
        limit,
        scan: limit * LEASE_SCAN_FACTOR,
        leaseUntil,
        excludeDomains: JSON.stringify(excludeDomains),
      }) as LeasedItem[];
    },
  );

  let dataVersion: number | null = null;

  return {
    lease(now, limit, leaseUntil, excludeDomains = []) {
      if (limit <= 0) return [];
      return leaseTransaction(now, limit, leaseUntil, excludeDomains).sort(
        (a, b) => a.dueAt - b.dueAt || a.logId - b.logId,
      );
    },
    renew(logIds, leaseUntil) {
      if (logIds.length > 0) renewStmt.run({ ids: JSON.stringify(logIds), leaseUntil });
    },
    release(logId, dueAt) {
      // Due times are whole milliseconds (the column is INTEGER; a rate's interval is not).
      releaseStmt.run({ logId, dueAt: Math.ceil(dueAt) });
    },
    deferDomains(domains, until, now) {
      if (domains.length === 0) return 0;
      return deferDomainsStmt.run({ domains: JSON.stringify(domains), until: Math.ceil(until), now }).changes;
    },
    spreadDomains(domains, start, intervalMs, now) {
      if (domains.length === 0) return 0;
      return spreadStmt.run({ domains: JSON.stringify(domains), start: Math.ceil(start), intervalMs, now })
        .changes;
    },
    leaseDomains(domains, now, leaseUntil, limit) {
      if (domains.length === 0 || limit <= 0) return [];
      return leaseDomainsStmt.all({
        domains: JSON.stringify(domains),
        now,
        leaseUntil,
        limit,
      }) as LeasedItem[];
    },
    leaseGroup(deliveryId, domain, now, leaseUntil, limit) {
      if (limit <= 0) return [];
      const rows = leaseGroupStmt.all({ deliveryId, domain, now, leaseUntil, limit }) as LeasedItem[];
      return rows.sort((a, b) => a.dueAt - b.dueAt || a.logId - b.logId);
    },
    countDomains(domains) {
      return domains.length === 0 ? 0 : (countDomainsStmt.get(JSON.stringify(domains)) as number);
    },
    nextWakeAt(now) {
      const due = nextDueStmt.get(now) as number | null;
      const leaseEnd = nextLeaseEndStmt.get() as number | null;
      if (due === null) return leaseEnd;
      if (leaseEnd === null) return due;
      return Math.min(due, leaseEnd);
    },
    count: () => countStmt.get() as number,
    changedElsewhere() {
      const version = db.pragma('data_version', { simple: true }) as number;
      const changed = dataVersion !== null && version !== dataVersion;
      dataVersion = version;
      return changed;
    },
  };
}

/** Messages in the durable queue (whichever engine holds them). */
export function queuedCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM queue').pluck().get() as number;
}
