/**
 * What sending a message reads of the store: the recipient's row, and its delivery's template and routing. A
 * delivery's template and routing never change once it is created, so they are read (and the routing parsed)
 * once per delivery, not with every message (the template is kilobytes); `created_at` tells a reused id apart.
 */
import { z } from 'zod';
import { HostPort, Route } from '../../../shared/contract';
import type { EngineStore } from '../../store/engine-store';
import type { DeliveryRouting } from '../relay/routing';

/** What a message's sending needs of its delivery (the same for all its messages). */
export interface DeliveryFields {
  templateJson: string;
  routing: DeliveryRouting;
  /** Retry delays and the validity are divided by it (the sandbox's compressed time). */
  timeScale: number;
  recipientsPerTransaction: number;
}

export interface MessageToSend extends DeliveryFields {
  email: string;
  fieldsJson: string;
  messageId: string | null;
}

export interface MessageReader {
  /** The message of a queue item, or undefined when its row was deleted with its delivery. */
  read(logId: number, deliveryId: number): MessageToSend | undefined;
  /** Drops a finished delivery's cached fields. */
  forget(deliveryId: number): void;
}

const RoutesJson = z.array(Route);

export function createMessageReader(
  store: Pick<EngineStore, 'message' | 'delivery'>,
  maxCached = 64,
): MessageReader {
  const cache = new Map<number, DeliveryFields & { createdAt: number }>();

  function deliveryFields(deliveryId: number, createdAt: number): DeliveryFields | undefined {
    const cached = cache.get(deliveryId);
    if (cached && cached.createdAt === createdAt) return cached;
    const row = store.delivery(deliveryId);
    if (!row) return undefined;
    const fields = {
      templateJson: row.template_json,
      routing: {
        routes: RoutesJson.parse(JSON.parse(row.routes_json)),
        smarthost: row.smarthost_json ? HostPort.parse(JSON.parse(row.smarthost_json)) : null,
      },
      timeScale: row.time_scale,
      recipientsPerTransaction: row.recipients_per_transaction,
      createdAt: row.created_at,
    };
    if (cache.size >= maxCached) cache.delete(cache.keys().next().value as number);
    cache.set(deliveryId, fields);
    return fields;
  }

  return {
    read(logId, deliveryId) {
      const m = store.message(logId);
      if (!m) return undefined;
      const d = deliveryFields(deliveryId, m.created_at);
      if (!d) return undefined;
      return {
        email: m.email,
        fieldsJson: m.fields_json,
        messageId: m.message_id,
        templateJson: d.templateJson,
        routing: d.routing,
        timeScale: d.timeScale,
        recipientsPerTransaction: d.recipientsPerTransaction,
      };
    },
    forget(deliveryId) {
      cache.delete(deliveryId);
    },
  };
}
