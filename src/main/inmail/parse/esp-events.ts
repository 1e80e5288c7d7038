/**
 * Bounce and complaint events of sending services (SendGrid, Mailgun, Postmark, SparkPost) as JSON, when such a
 * webhook payload reaches the bounce mailbox (forwarded by a relay or an integration):
 * - SendGrid: `[{email, event: 'bounce' | 'dropped' | 'deferred' | 'spamreport', status, reason}]`
 * - Mailgun: `{'event-data': {event: 'failed' | 'complained', severity, recipient, 'delivery-status': {code, message}}}`
 * - Postmark: `{RecordType: 'Bounce' | 'SpamComplaint', Email, Details, Description}`
 * - SparkPost: `[{msys: {message_event: {type: 'bounce' | 'out_of_band' | 'spam_complaint', rcpt_to, raw_reason}}}]`
 * Amazon SES has its own module (`ses.ts`).
 */
import { splitDiagnostic } from './report-fields';
import type { SesNotification } from './ses';
import type { InboundRecipient } from './types';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

interface EspEvent {
  recipient: string;
  complaint: boolean;
  delayed: boolean;
  diagnostic: string | null;
  status: string | null;
}

/** One event of any of the supported services, or null. */
function eventOf(v: unknown): EspEvent | null {
  const o = obj(v);
  if (!o) return null;
  const sparkpost = obj(obj(o.msys)?.message_event) ?? obj(obj(o.msys)?.unsubscribe_event);
  if (sparkpost) {
    const type = str(sparkpost.type) ?? '';
    const recipient = str(sparkpost.rcpt_to);
    if (!recipient || !/bounce|out_of_band|spam_complaint|delay/.test(type)) return null;
    return {
      recipient,
      complaint: type === 'spam_complaint',
      delayed: type === 'delay',
      diagnostic: str(sparkpost.raw_reason) ?? str(sparkpost.reason),
      status: null,
    };
  }
  const mailgun = obj(o['event-data']);
  if (mailgun) {
    const event = str(mailgun.event) ?? '';
    const recipient = str(mailgun.recipient);
    if (!recipient || !/failed|complained/.test(event)) return null;
    const ds = obj(mailgun['delivery-status']);
    const code = str(ds?.code);
    const text = str(ds?.message) ?? str(ds?.description) ?? str(mailgun.reason);
    return {
      recipient,
      complaint: event === 'complained',
      delayed: str(mailgun.severity) === 'temporary',
      diagnostic: text && code && !text.startsWith(code) ? `${code} ${text}` : text,
      status: null,
    };
  }
  const postmarkType = str(o.RecordType);
  if (postmarkType) {
    const recipient = str(o.Email);
    if (!recipient || !/^(Bounce|SpamComplaint)$/.test(postmarkType)) return null;
    return {
      recipient,
      complaint: postmarkType === 'SpamComplaint',
      delayed: /Transient|SoftBounce/.test(str(o.Type) ?? ''),
      diagnostic: str(o.Details) ?? str(o.Description),
      status: null,
    };
  }
  const event = str(o.event);
  const recipient = str(o.email);
  if (!event || !recipient || !/^(bounce|dropped|deferred|spamreport)$/.test(event)) return null;
  return {
    recipient,
    complaint: event === 'spamreport',
    delayed: event === 'deferred',
    diagnostic: str(o.reason) ?? str(o.response),
    status: str(o.status),
  };
}

export function parseEspEvents(text: string): SesNotification | null {
  const start = text.search(/[[{]/);
  if (start < 0) return null;
  let data: unknown;
  try {
    data = JSON.parse(text.slice(start, Math.max(text.lastIndexOf('}'), text.lastIndexOf(']')) + 1));
  } catch {
    return null;
  }
  const events = (Array.isArray(data) ? data : [data]).map(eventOf).filter((e) => e !== null);
  if (events.length === 0) return null;
  const complaints = events.filter((e) => e.complaint);
  const chosen = complaints.length === events.length ? complaints : events.filter((e) => !e.complaint);
  const recipients = chosen.map((e): InboundRecipient => {
    const diag = splitDiagnostic(e.diagnostic);
    return {
      recipient: e.recipient,
      originalRecipient: null,
      action: e.complaint ? null : e.delayed ? 'delayed' : 'failed',
      status: e.complaint ? null : (e.status ?? diag.enhanced),
      code: e.complaint ? null : diag.code,
      diagnostic: e.complaint ? null : diag.text,
      remoteMta: null,
    };
  });
  return complaints.length === events.length
    ? {
        kind: 'complaint',
        recipients,
        original: null,
        feedback: {
          feedbackType: 'abuse',
          userAgent: null,
          originalMailFrom: null,
          arrivalDate: null,
          sourceIp: null,
          reportedDomain: null,
        },
      }
    : { kind: 'bounce', recipients, feedback: null, original: null };
}
