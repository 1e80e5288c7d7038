/**
 * The recorder of the reputation history per destination (SPEC §6): counts the receivers' answers in memory,
 * per destination and per UTC day of the injected clock, and writes them to the store in batches.
 *
 * Contract:
 * - `note(destination, event)` counts one answer on the clock's current UTC day: `accepted` (a message
 *   accepted), `deferred` (a temporary refusal of a message), `failed` (a permanent refusal of a message),
 *   `refused_session` (a session refused at connect or greeting, no message offered). It never touches the
 *   store and never throws. Notes on either side of midnight UTC go to their own day.
 * - `flush(limitsOf)` writes everything counted since the last successful flush as one batch
 *   (`HistoryStore.recordDestinationDays`: one transaction, counts added to the stored day), each row with
 *   the limits `limitsOf(destination)` reports in force now (null = nothing learnt, the rule's applies). With
 *   nothing counted it does not call the store. When the store refuses the batch, the counts are kept (notes
 *   made meanwhile add to them) and written by the next flush: nothing is lost, nothing is written twice. It
 *   returns what happened as a value and never throws for a store failure.
 * - The engine calls `flush` every few seconds of its clock and once at stop.
 */
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { DestinationDayIncrement } from '../../store/destination-days-repo';
import type { HistoryStore } from '../../store/engine-store';

export type HistoryEvent = 'accepted' | 'deferred' | 'failed' | 'refused_session';

/** The limits in force for a destination (null where the rule's applies, or the rule sets none). */
export interface HistoryLimits {
  maxConnections: number | null;
  maxMessagesPerConnection: number | null;
  messagesPerHour: number | null;
}

export type HistoryFlushResult = { ok: true; rows: number } | { ok: false; rows: number; error: unknown };

export interface DestinationHistory {
  note(destination: string, event: HistoryEvent): void;
  flush(limitsOf: (destination: string) => HistoryLimits): HistoryFlushResult;
}

export interface DestinationHistoryOptions {
  store: HistoryStore;
  clock: Clock;
  logger?: Logger;
}

interface DayCounts {
  destination: string;
  day: string;
  accepted: number;
  deferred: number;
  failed: number;
  refusedSessions: number;
}

/** The UTC day (YYYY-MM-DD) of an epoch-ms time. */
function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createDestinationHistory(o: DestinationHistoryOptions): DestinationHistory {
  // Keyed by destination and day; a Map keeps the order the days were first counted in.
  const pending = new Map<string, DayCounts>();

  function countsOf(destination: string, day: string): DayCounts {
    const key = `${day}\u0000${destination}`;
    let c = pending.get(key);
    if (!c) {
      c = { destination, day, accepted: 0, deferred: 0, failed: 0, refusedSessions: 0 };
      pending.set(key, c);
    }
    return c;
  }

  return {
    note(destination, event) {
      const c = countsOf(destination, dayOf(o.clock.now()));
      switch (event) {
        case 'accepted':
          c.accepted += 1;
          return;
        case 'deferred':
          c.deferred += 1;
          return;
        case 'failed':
          c.failed += 1;
          return;
        case 'refused_session':
          c.refusedSessions += 1;
          return;
        default: {
          const never: never = event;
          throw new Error(`unknown history event ${String(never)}`);
        }
      }
    },

    flush(limitsOf) {
      if (pending.size === 0) return { ok: true, rows: 0 };
      const limits = new Map<string, HistoryLimits>();
      const rows: DestinationDayIncrement[] = [...pending.values()].map((c) => {
        let l = limits.get(c.destination);
        if (!l) limits.set(c.destination, (l = limitsOf(c.destination)));
        return {
          ...c,
          maxConnections: l.maxConnections,
          maxMessagesPerConnection: l.maxMessagesPerConnection,
          messagesPerHour: l.messagesPerHour,
        };
      });
      try {
        o.store.recordDestinationDays(rows, o.clock.now());
        pending.clear();
        return { ok: true, rows: rows.length };
      } catch (error) {
        // Kept as they are for the next flush (the store wrote nothing of the batch).
        o.logger?.warn('reputation history not written: kept for the next flush', {
          rows: rows.length,
          err: error,
        });
        return { ok: false, rows: rows.length, error };
      }
    },
  };
}
