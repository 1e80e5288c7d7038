/**
 * Per-message events in a shape compatible with the event webhooks of common ESPs (SparkPost, SendGrid,
 * Mailgun): one record per thing that happened to a message, with the usual field names. `ESP_EVENT_TYPES`
 * and `ESP_FIELDS` document the correspondence (docs/reports.md is written from them).
 */
import { formatReply } from '../../shared/domain/smtp-reply';
import {
  BOUNCE_CLASSES,
  REASONS,
  type BounceClass,
  type FailureType,
  type ReasonId,
} from '../../shared/domain/reasons';
import type { AttemptDbRow, LogDbRow } from '../store/mappers';
import type { InboundEvent } from '../store/report-queries';

export const EVENT_TYPES = [
  'relayed',
  'delivered',
  'deferred',
  'bounced',
  'complaint',
  'auto_reply',
  'dropped',
  'cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Our event type -> the ESPs' names (null: the ESP has no such event). */
export const ESP_EVENT_TYPES: Record<
  EventType,
  { sparkpost: string | null; sendgrid: string | null; mailgun: string | null; meaning: string }
> = {
  relayed: {
    sparkpost: 'injection',
    sendgrid: 'processed',
    mailgun: 'accepted',
    meaning: 'handed to the MTA',
  },
  delivered: {
    sparkpost: 'delivery',
    sendgrid: 'delivered',
    mailgun: 'delivered',
    meaning: 'the receiving server accepted it',
  },
  deferred: {
    sparkpost: 'delay',
    sendgrid: 'deferred',
    mailgun: 'failed (severity temporary)',
    meaning: 'a 4xx reply; retried',
  },
  bounced: {
    sparkpost: 'bounce / out_of_band',
    sendgrid: 'bounce',
    mailgun: 'failed (severity permanent)',
    meaning: 'a 5xx reply, an asynchronous bounce (async = true) or the end of the validity period',
  },
  complaint: {
    sparkpost: 'spam_complaint',
    sendgrid: 'spamreport',
    mailgun: 'complained',
    meaning: 'a feedback-loop (ARF) complaint',
  },
  auto_reply: {
    sparkpost: null,
    sendgrid: null,
    mailgun: null,
    meaning: 'an auto-reply (never fails the message)',
  },
  dropped: {
    sparkpost: 'policy_rejection',
    sendgrid: 'dropped',
    mailgun: 'failed (reason suppress-*)',
    meaning: 'excluded at preparation (quarantine, denylist, duplicate, no address)',
  },
  cancelled: {
    sparkpost: null,
    sendgrid: 'dropped',
    mailgun: null,
    meaning: 'the delivery was stopped before this message was relayed',
  },
};

/** The event record's columns, in output order. */
export const EVENT_FIELDS = [
  'type',
  'timestamp',
  'timestamp_unix',
  'delivery_id',
  'message_id',
  'log_id',
  'recipient',
  'domain',
  'attempt',
  'bounce_type',
  'bounce_class',
  'bounce_class_label',
  'reason',
  'reason_code',
  'smtp_code',
  'enhanced_status',
  'raw_response',
  'mx',
  'ip',
  'tls',
  'async',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** Our field -> the ESPs' field names. */
export const ESP_FIELDS: Record<EventField, { sparkpost: string; sendgrid: string; mailgun: string }> = {
  type: { sparkpost: 'type', sendgrid: 'event', mailgun: 'event' },
  timestamp: { sparkpost: 'timestamp (ISO form)', sendgrid: '—', mailgun: '—' },
  timestamp_unix: { sparkpost: 'timestamp', sendgrid: 'timestamp', mailgun: 'timestamp' },
  delivery_id: { sparkpost: 'campaign_id', sendgrid: 'category', mailgun: 'campaigns / tags' },
  message_id: { sparkpost: 'message_id', sendgrid: 'smtp-id', mailgun: 'message.headers.message-id' },
  log_id: { sparkpost: 'transmission_id', sendgrid: 'sg_message_id', mailgun: 'id' },
  recipient: { sparkpost: 'rcpt_to', sendgrid: 'email', mailgun: 'recipient' },
  domain: { sparkpost: '—', sendgrid: '—', mailgun: 'recipient-domain' },
  attempt: { sparkpost: 'num_retries (+1)', sendgrid: 'attempt', mailgun: 'delivery-status.attempt-no' },
  bounce_type: {
    sparkpost: '—',
    sendgrid: 'type (bounce / blocked)',
    mailgun: 'severity (permanent / temporary)',
  },
  bounce_class: { sparkpost: 'bounce_class', sendgrid: '—', mailgun: '—' },
  bounce_class_label: { sparkpost: '—', sendgrid: '—', mailgun: '—' },
  reason: { sparkpost: 'reason', sendgrid: 'reason', mailgun: 'reason' },
  reason_code: { sparkpost: '—', sendgrid: '—', mailgun: '—' },
  smtp_code: { sparkpost: 'error_code', sendgrid: 'status', mailgun: 'delivery-status.code' },
  enhanced_status: { sparkpost: '—', sendgrid: 'status', mailgun: 'delivery-status.enhanced-code' },
  raw_response: { sparkpost: 'raw_reason', sendgrid: 'response', mailgun: 'delivery-status.message' },
  mx: { sparkpost: '—', sendgrid: '—', mailgun: 'delivery-status.mx-host' },
  ip: { sparkpost: 'sending_ip', sendgrid: 'ip', mailgun: 'envelope.sending-ip' },
  tls: { sparkpost: '—', sendgrid: 'tls', mailgun: 'delivery-status.tls' },
  async: { sparkpost: 'type = out_of_band', sendgrid: '—', mailgun: '—' },
};

export type EspEvent = Record<EventField, string | number | boolean | null>;

interface Qualification {
  reason: ReasonId | null;
  type: FailureType | null;
  bounceClass: number | null;
}

const NONE: Qualification = { reason: null, type: null, bounceClass: null };

function event(
  row: LogDbRow,
  deliveryId: string,
  type: EventType,
  at: number,
  fields: Partial<EspEvent> & { qualification?: Qualification },
): EspEvent {
  const q = fields.qualification ?? NONE;
  return {
    type,
    timestamp: new Date(at).toISOString(),
    timestamp_unix: at / 1000,
    delivery_id: deliveryId,
    message_id: row.message_id,
    log_id: String(row.id),
    recipient: row.email,
    domain: row.domain,
    attempt: fields.attempt ?? null,
    bounce_type: q.type,
    bounce_class: q.bounceClass,
    bounce_class_label:
      q.bounceClass === null ? null : (BOUNCE_CLASSES[q.bounceClass as BounceClass] ?? null),
    reason: q.reason,
    reason_code: q.reason ? REASONS[q.reason].code : null,
    smtp_code: fields.smtp_code ?? null,
    enhanced_status: fields.enhanced_status ?? null,
    raw_response: fields.raw_response ?? null,
    mx: fields.mx ?? null,
    ip: fields.ip ?? null,
    tls: fields.tls ?? null,
    async: fields.async ?? false,
  };
}

const OUTCOME_EVENT: Record<AttemptDbRow['outcome'], EventType> = {
  accepted: 'delivered',
  deferred: 'deferred',
  failed: 'bounced',
};

const INBOUND_EVENT: Record<InboundEvent['kind'], EventType | null> = {
  dsn: 'bounced',
  bounce_nonstandard: 'bounced',
  arf: 'complaint',
  auto_reply: 'auto_reply',
  unknown: null,
};

/**
 * Every event of one message, in time order. The log row keeps the current qualification only, so the
 * reason and bounce class go on the event that set it: the last attempt (or the expiry) of a message that
 * is Failed or still being retried; inbound reports carry their own.
 */
export function messageEvents(
  row: LogDbRow,
  deliveryId: string,
  attempts: readonly AttemptDbRow[],
  inbound: readonly InboundEvent[],
): EspEvent[] {
  const rowQualification: Qualification = {
    reason: row.reason,
    type: row.failure_type,
    bounceClass: row.bounce_class,
  };
  if (row.status === 'ignored')
    return [event(row, deliveryId, 'dropped', row.updated_at, { qualification: rowQualification })];
  if (row.status === 'cancelled') return [event(row, deliveryId, 'cancelled', row.updated_at, {})];

  const events: EspEvent[] = [];
  if (row.relayed_at !== null) events.push(event(row, deliveryId, 'relayed', row.relayed_at, { attempt: 0 }));
  const last = attempts.at(-1);
  attempts.forEach((a, i) => {
    const qualified = a === last && a.outcome !== 'accepted' && row.reason !== null;
    events.push(
      event(row, deliveryId, OUTCOME_EVENT[a.outcome], a.at, {
        attempt: i + 1,
        smtp_code: a.code,
        enhanced_status: a.enhanced,
        raw_response: formatReply(a),
        mx: a.mx_host,
        ip: a.ip,
        tls: a.tls === 1,
        ...(qualified ? { qualification: rowQualification } : {}),
      }),
    );
  });
  let asyncBounce = false;
  for (const e of inbound) {
    const type = INBOUND_EVENT[e.kind];
    if (!type) continue;
    if (type === 'bounced') asyncBounce = true;
    events.push(
      event(row, deliveryId, type, e.at, {
        async: true,
        smtp_code: e.code,
        raw_response: e.diagnostic,
        qualification: { reason: e.reason, type: e.type, bounceClass: e.bounceClass },
      }),
    );
  }
  // Failed without a failing reply or an asynchronous bounce: the validity period ended.
  if (row.status === 'failed' && last?.outcome !== 'failed' && !asyncBounce) {
    events.push(
      event(row, deliveryId, 'bounced', row.updated_at, {
        attempt: attempts.length,
        raw_response: row.last_reply,
        qualification: rowQualification,
      }),
    );
  }
  return events.sort((a, b) => (a.timestamp_unix as number) - (b.timestamp_unix as number));
}
