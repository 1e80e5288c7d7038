/**
 * The campaign -> MTA handoff (SPEC §1): pending log rows enter the engine's durable queue. It is a plain
 * DB operation so the campaign side runs it inside its own transaction (relay and status change are atomic);
 * the caller then calls `engine.wake()`.
 */
import type { Db } from '../../store/db';
import { statusMoveSql } from '../../store/counters';
import { stmt } from '../../store/statements';
import { domainOf } from '../../../shared/domain/address';
import type { ReportingMode } from '../../../shared/domain/statuses';
import { nextStatus, successDelta } from './transitions';
import { NO_DESTINATION, ThroughputTally } from './throughput';

export interface RelayRequest {
  deliveryId: number | string;
  logIds: readonly (number | string)[];
  now: number;
}

interface DeliveryRow {
  reporting: ReportingMode;
  validity_ms: number;
  time_scale: number;
  template_json: string;
}

/**
 * Relays the given log rows that are still `pending` (others are skipped, so a repeated call is harmless):
 * status per the reporting mode (EFS: taken into account; classic: sent, counted as success), `relayed_at`,
 * a Message-ID when the row has none, one queue row each (due now, expiring after the validity divided by the
 * time scale), the delivery's counters (`n_in_mta`, status columns, success, `last_relay_at`) and the relay
 * throughput of the minute.
 * Returns the number of messages relayed.
 */
export function relayToMta(db: Db, request: RelayRequest): number {
  const run = () => relayInTransaction(db, request);
  return db.inTransaction ? run() : db.transaction(run)();
}

// One statement per table for the whole batch: the queue rows are taken from the log rows still pending, then
// those rows move (the triggers of migration 4 count them per domain).
const QUEUE_PENDING = `INSERT INTO queue (log_id, delivery_id, domain, due_at, expires_at)
  SELECT id, delivery_id, domain, @now, @expiresAt FROM delivery_log
   WHERE id IN (SELECT value FROM json_each(@ids)) AND delivery_id = @deliveryId AND status = 'pending'`;
const RELAY_PENDING = `UPDATE delivery_log
    SET status = @to, relayed_at = @now, updated_at = @now,
        message_id = COALESCE(message_id, '<' || delivery_id || '.' || id || '.' || @stamp || '@' || @idDomain || '>')
  WHERE id IN (SELECT value FROM json_each(@ids)) AND delivery_id = @deliveryId AND status = 'pending'`;

function relayInTransaction(db: Db, { deliveryId, logIds, now }: RelayRequest): number {
  const id = Number(deliveryId);
  const delivery = stmt(
    db,
    'SELECT reporting, validity_ms, time_scale, template_json FROM deliveries WHERE id = ?',
  ).get(id) as DeliveryRow | undefined;
  if (!delivery) throw new Error(`relayToMta: delivery ${id} does not exist`);
  if (logIds.length === 0) return 0;

  const to = nextStatus(delivery.reporting, 'relayed', 'pending');
  const expiresAt = now + Math.round(delivery.validity_ms / Math.max(1, delivery.time_scale));
  const ids = JSON.stringify(logIds.map(Number));
  stmt(db, QUEUE_PENDING).run({ ids, deliveryId: id, now, expiresAt });
  const relayed = stmt(db, RELAY_PENDING).run({
    ids,
    deliveryId: id,
    to,
    now,
    stamp: now.toString(36),
    idDomain: messageIdDomain(delivery.template_json),
  }).changes;
  if (relayed > 0) {
    stmt(
      db,
      `UPDATE deliveries
          SET ${statusMoveSql('pending', to)}, n_in_mta = n_in_mta + @n, n_success = n_success + @success,
              last_relay_at = @now
        WHERE id = @id`,
    ).run({ n: relayed, success: relayed * successDelta('pending', to), now, id });
    const throughput = new ThroughputTally();
    throughput.add(id, NO_DESTINATION, now, 'relayed', relayed);
    throughput.write(db);
  }
  return relayed;
}

/** Message-IDs use the sender's domain (RFC 5322 §3.6.4 suggests a domain the sender controls). */
function messageIdDomain(templateJson: string): string {
  try {
    const from = (JSON.parse(templateJson) as { fromAddress?: unknown }).fromAddress;
    if (typeof from === 'string' && from.includes('@')) return domainOf(from);
  } catch {
    // fall through: a template that does not parse is reported when the message is composed
  }
  return 'relaydeck.invalid';
}
