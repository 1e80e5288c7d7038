/**
 * `events`: per-message events with ESP-webhook-compatible fields (see ../esp-events.ts), message by message in
 * log order, each message's events in time order. Read in keyset pages of the log with their attempts.
 */
import { parseId } from '../../store/deliveries-repo';
import { EVENT_FIELDS, messageEvents, type EventField } from '../esp-events';
import { attemptsOf, inboundEventsOf, iterateLogPages } from '../../store/report-queries';
import type { Column, ColumnType, Report } from '../types';
import { reportFrame, type KindContext } from './common';

const TYPES: Partial<Record<EventField, ColumnType>> = {
  // A date (epoch ms in the rows): ISO 8601 in CSV and JSON lines, as before; an Excel date in XLSX.
  timestamp: 'date',
  timestamp_unix: 'number',
  attempt: 'int',
  bounce_class: 'int',
  reason_code: 'int',
  smtp_code: 'int',
  tls: 'bool',
  async: 'bool',
};
const WIDTHS: Partial<Record<EventField, number>> = {
  timestamp: 26,
  recipient: 30,
  domain: 20,
  raw_response: 60,
  message_id: 36,
  mx: 24,
};

/** Display headers (XLSX, PDF); the CSV header and JSON keys stay the webhook-style field names. */
const HEADERS: Record<EventField, string> = {
  type: 'Event',
  timestamp: 'Time',
  timestamp_unix: 'Unix time',
  delivery_id: 'Delivery',
  message_id: 'Message id',
  log_id: 'Log row',
  recipient: 'Recipient',
  domain: 'Domain',
  attempt: 'Attempt',
  bounce_type: 'Type',
  bounce_class: 'Class',
  bounce_class_label: 'Bounce class',
  reason: 'Reason',
  reason_code: 'Reason code',
  smtp_code: 'SMTP code',
  enhanced_status: 'Enhanced status',
  raw_response: 'Reply',
  mx: 'MX host',
  ip: 'IP',
  tls: 'TLS',
  async: 'Asynchronous',
};

export const EVENT_COLUMNS: readonly Column[] = EVENT_FIELDS.map((key) => ({
  key,
  header: HEADERS[key],
  type: TYPES[key] ?? 'text',
  width: WIDTHS[key] ?? 14,
}));

export function eventsReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  const id = parseId(d.id);
  return {
    ...reportFrame('events', ctx),
    sections: [
      {
        id: 'events',
        title: 'Events',
        columns: EVENT_COLUMNS,
        *rows() {
          const inbound = inboundEventsOf(ctx.db, id);
          for (const page of iterateLogPages(ctx.db, id)) {
            const attempts = attemptsOf(
              ctx.db,
              page.map((r) => r.id),
            );
            for (const row of page) {
              for (const e of messageEvents(row, d.id, attempts.get(row.id) ?? [], inbound.get(row.id) ?? []))
                yield { ...e, timestamp: Math.round(Number(e.timestamp_unix) * 1000) };
            }
          }
        },
      },
    ],
  };
}
