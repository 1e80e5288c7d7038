/** What the message viewer and proof sends read of a sent message: its log row with its delivery's template. */
import type { Db } from './db';
import { stmt } from './statements';

export interface MessageSourceRow {
  id: number;
  delivery_id: number;
  email: string;
  fields_json: string;
  message_id: string | null;
  status: string;
  dkim_domain: string | null;
  sent_json: string | null;
  template_json: string;
  routes_json: string;
  smarthost_json: string | null;
}

const SOURCE = `SELECT l.id, l.delivery_id, l.email, l.fields_json, l.message_id, l.status, l.dkim_domain, l.sent_json,
       d.template_json, d.routes_json, d.smarthost_json
  FROM delivery_log l JOIN deliveries d ON d.id = l.delivery_id`;

/** One log row of a delivery with what its message is built from, or undefined. */
export function messageSource(db: Db, deliveryId: number, logId: number): MessageSourceRow | undefined {
  return stmt(db, `${SOURCE} WHERE l.id = ? AND l.delivery_id = ?`).get(logId, deliveryId) as
    MessageSourceRow | undefined;
}

/** The first recipient of a delivery with a message (a Message-ID), or its first row at all. */
export function firstMessageSource(db: Db, deliveryId: number): MessageSourceRow | undefined {
  return (stmt(
    db,
    `${SOURCE} WHERE l.delivery_id = ? AND l.message_id IS NOT NULL ORDER BY l.id LIMIT 1`,
  ).get(deliveryId) ??
    stmt(db, `${SOURCE} WHERE l.delivery_id = ? ORDER BY l.id LIMIT 1`).get(deliveryId)) as
    MessageSourceRow | undefined;
}
