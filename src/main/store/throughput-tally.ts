/**
 * Per-minute throughput (SPEC §7), counted in the feedback transactions: the relay series (campaign -> MTA,
 * destination `''`) and the delivery series (MTA -> receivers: accepted, deferred, bounced per destination).
 * Counts are aggregated in memory per batch and written with one upsert per (delivery, destination, minute),
 * so a batch of hundreds of outcomes costs a handful of row writes.
 */
import type { Db } from './db';
import { addThroughput, minuteOf, type ThroughputRow } from './throughput-repo';

/** What happens to a message after an outcome: the retry policy's decision, as the store records it. */
export type OutcomeDisposition =
  | { kind: 'delivered' }
  | { kind: 'bounced' }
  | { kind: 'retry'; dueAt: number; rule?: string }
  | { kind: 'expired' };

/** Destination of the relay series, and of outcomes that never reached a destination (no route). */
export const NO_DESTINATION = '';

export type ThroughputCounter = 'relayed' | 'accepted' | 'deferred' | 'bounced';

/**
 * The delivery counter an outcome adds to: delivered -> accepted, retry after an SMTP attempt -> deferred,
 * a final failure (hard bounce or expiry) -> bounced. A retry without an attempt (a message given back
 * without trying it) is not a deferral and counts nowhere.
 */
export function counterOf(disposition: OutcomeDisposition, attempted: boolean): ThroughputCounter | null {
  switch (disposition.kind) {
    case 'delivered':
      return 'accepted';
    case 'retry':
      return attempted ? 'deferred' : null;
    case 'bounced':
    case 'expired':
      return 'bounced';
  }
}

/** In-memory aggregation of one batch. */
export class ThroughputTally {
  private readonly rows = new Map<string, ThroughputRow>();

  add(deliveryId: number, destination: string, at: number, counter: ThroughputCounter, n = 1): void {
    if (n === 0) return;
    const minute = minuteOf(at);
    const key = `${deliveryId}\u0000${destination}\u0000${minute}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { deliveryId, destination, minute, relayed: 0, accepted: 0, deferred: 0, bounced: 0 };
      this.rows.set(key, row);
    }
    row[counter] += n;
  }

  /** The aggregated rows, one per (delivery, destination, minute). */
  entries(): ThroughputRow[] {
    return [...this.rows.values()];
  }

  /** Adds the tally to the `throughput` table (call inside the batch's transaction). */
  write(db: Db): void {
    addThroughput(db, this.rows.values());
  }
}
