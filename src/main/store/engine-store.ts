/**
 * The engine's port to the store: everything the MTA reads and writes in SQLite, behind one interface, so the
 * engine (src/main/engine) holds no SQL and no database handle of its own. `createEngineStore(db)` is the
 * better-sqlite3 implementation; every statement is prepared once, when it is created.
 * - `queue`: the durable queue's leases (`queue-repo.ts`);
 * - `registerEngine`: the running engines of the data dir (`engine-instances-repo.ts`);
 * - `message` / `delivery` / `recipients`: what sending a message reads;
 * - `loadDestinationState` / `saveDestinationChanges` / `loadRules`: the shaper's state and rules (changes made
 *   by another process reach the shaper through the revision watcher);
 * - `applyOutcomes`: the ledger (`ledger.ts`), which writes every outcome;
 * - `recordDestinationDays`: the reputation history per destination and day (`destination-days-repo.ts`).
 */
import type { RulesDocument } from '../../shared/contract/mta';
import { writeTransaction, type Db } from './db';
import { registerEngine, type EngineRegistration, type RegisterOptions } from './engine-instances-repo';
import { applyOutcomes, type ApplyResult, type LedgerOutcome } from './ledger';
import {
  pruneDestinationDays,
  recordDestinationDays,
  utcDay,
  type DestinationDayIncrement,
} from './destination-days-repo';
import { createQueueStore, type QueueStore } from './queue-repo';
import { loadRules } from './rules-repo';
import { recordShapingEvent, type NewShapingEvent } from './shaping-events-repo';

/** A message as sending reads it. */
export interface MessageRecord {
  email: string;
  fields_json: string;
  message_id: string | null;
  /** The delivery's creation time (tells a reused delivery id apart). */
  created_at: number;
}

/** A delivery's sending settings (the same for all its messages, never changed once it is created). */
export interface DeliveryRecord {
  template_json: string;
  routes_json: string;
  smarthost_json: string | null;
  time_scale: number;
  recipients_per_transaction: number;
  created_at: number;
}

/** A destination's adaptive state, kept across restarts (`destination_state`). */
export interface StoredDestinationState {
  suspendedUntil: number | null;
  ratePerHour: number | null;
  maxConnections: number | null;
  throttledUntil: number | null;
  reason: string | null;
  /** Limits learnt from the receiver's answers (null: the rule's); `ratePerHour` is the learnt rate. */
  learntMaxConnections: number | null;
  learntMessagesPerConnection: number | null;
  /** Suspensions in a row. */
  suspensionLevel: number;
  /** When a limit was last learnt (the relaxation after clean days counts from it). */
  learntAt: number | null;
}

/** What the shaper reads and writes. */
export interface ShaperStore {
  loadDestinationState(key: string): StoredDestinationState | undefined;
  /** Saves a destination's state and records its changes (`shaping_events`), in one transaction. */
  saveDestinationChanges(
    key: string,
    state: StoredDestinationState,
    events: readonly Omit<NewShapingEvent, 'at' | 'destination'>[],
    now: number,
  ): void;
  loadRules(): RulesDocument;
}

/** What the reputation history's recorder (`engine/shaper/history.ts`) writes. */
export interface HistoryStore {
  /**
   * Adds a batch of per-day counts with the limits in force, in one transaction (after the first batch of each
   * day, the days past the retention are dropped). Throws when the store refuses it: nothing of the batch is written.
   */
  recordDestinationDays(rows: readonly DestinationDayIncrement[], now: number): void;
}

export interface EngineStore extends ShaperStore, HistoryStore {
  queue: QueueStore;
  registerEngine(o: RegisterOptions): EngineRegistration;
  message(logId: number): MessageRecord | undefined;
  delivery(deliveryId: number): DeliveryRecord | undefined;
  /** Recipient addresses of these log rows (a shared transaction's envelope). */
  recipients(logIds: readonly number[]): Map<number, string>;
  /** The ledger: a batch of outcomes in one transaction. */
  applyOutcomes(outcomes: readonly LedgerOutcome[], now: number): ApplyResult;
}

export function createEngineStore(db: Db): EngineStore {
  const loadMessage = db.prepare(
    `SELECT l.email, l.fields_json, l.message_id, d.created_at
       FROM delivery_log l JOIN deliveries d ON d.id = l.delivery_id
      WHERE l.id = ?`,
  );
  const loadDelivery = db.prepare(
    `SELECT template_json, routes_json, smarthost_json, time_scale, recipients_per_transaction, created_at
       FROM deliveries WHERE id = ?`,
  );
  const loadEmails = db.prepare(
    'SELECT id, email FROM delivery_log WHERE id IN (SELECT value FROM json_each(?))',
  );
  const loadState = db.prepare(
    `SELECT suspended_until AS suspendedUntil, rate_per_hour AS ratePerHour, max_connections AS maxConnections,
            throttled_until AS throttledUntil, reason, learnt_max_connections AS learntMaxConnections,
            learnt_messages_per_connection AS learntMessagesPerConnection, suspension_level AS suspensionLevel,
            learnt_at AS learntAt
       FROM destination_state WHERE key = ?`,
  );
  const saveState = db.prepare(
    `INSERT INTO destination_state (key, suspended_until, rate_per_hour, max_connections, throttled_until, reason,
       learnt_max_connections, learnt_messages_per_connection, suspension_level, learnt_at, updated_at)
     VALUES (@key, @suspendedUntil, @ratePerHour, @maxConnections, @throttledUntil, @reason,
       @learntMaxConnections, @learntMessagesPerConnection, @suspensionLevel, @learntAt, @now)
     ON CONFLICT(key) DO UPDATE SET suspended_until = excluded.suspended_until, rate_per_hour = excluded.rate_per_hour,
       max_connections = excluded.max_connections, throttled_until = excluded.throttled_until,
       reason = excluded.reason, learnt_max_connections = excluded.learnt_max_connections,
       learnt_messages_per_connection = excluded.learnt_messages_per_connection,
       suspension_level = excluded.suspension_level, learnt_at = excluded.learnt_at, updated_at = excluded.updated_at`,
  );
  const saveChanges = writeTransaction(
    db,
    (
      key: string,
      state: StoredDestinationState,
      events: readonly Omit<NewShapingEvent, 'at' | 'destination'>[],
      now: number,
    ) => {
      saveState.run({ key, ...state, now });
      for (const e of events) recordShapingEvent(db, { ...e, at: now, destination: key });
    },
  );

  let prunedDay: string | null = null;

  return {
    queue: createQueueStore(db),
    registerEngine: (o) => registerEngine(db, o),
    message: (logId) => loadMessage.get(logId) as MessageRecord | undefined,
    delivery: (deliveryId) => loadDelivery.get(deliveryId) as DeliveryRecord | undefined,
    recipients(logIds) {
      const rows = loadEmails.all(JSON.stringify(logIds)) as { id: number; email: string }[];
      return new Map(rows.map((r) => [r.id, r.email]));
    },
    applyOutcomes: (outcomes, now) => applyOutcomes(db, outcomes, now),
    loadDestinationState: (key) => loadState.get(key) as StoredDestinationState | undefined,
    saveDestinationChanges: (key, state, events, now) => saveChanges(key, state, events, now),
    loadRules: () => loadRules(db),
    recordDestinationDays(rows, now) {
      recordDestinationDays(db, rows, now);
      const today = utcDay(now);
      if (prunedDay === today) return;
      // The batch is written: a prune the store refuses must not make the caller write it again.
      try {
        pruneDestinationDays(db, now);
        prunedDay = today;
      } catch {
        // Tried again with the next batch.
      }
    },
  };
}
