/**
 * Amazon SES bounce, complaint and delivery notifications (JSON, delivered by email or wrapped in an SNS
 * envelope): `{notificationType: 'Bounce', bounce: {bounceType, bouncedRecipients: [...]}, mail: {...}}`,
 * `{notificationType: 'Complaint', complaint: {complainedRecipients, complaintFeedbackType}}` and
 * `{notificationType: 'Delivery', delivery: {recipients, smtpResponse}}` (a success notice).
 */
import { bareRecipient, splitDiagnostic } from './report-fields';
import type { DsnAction, FeedbackReport, InboundRecipient, OriginalMessage } from './types';

export interface SesNotification {
  kind: 'bounce' | 'complaint' | 'delivery';
  recipients: InboundRecipient[];
  feedback: FeedbackReport | null;
  original: OriginalMessage | null;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function parseSesNotification(text: string): SesNotification | null {
  const start = text.indexOf('{');
  if (start < 0 || !/notificationType|eventType/.test(text)) return null;
  let data: Json | null;
  try {
    data = obj(JSON.parse(text.slice(start, text.lastIndexOf('}') + 1)));
  } catch {
    return null;
  }
  // SNS envelope: the notification is a JSON string in Message.
  const inner = str(data?.Message);
  if (inner) {
    try {
      data = obj(JSON.parse(inner));
    } catch {
      return null;
    }
  }
  if (!data) return null;
  const type = str(data.notificationType) ?? str(data.eventType);
  const mail = obj(data.mail);
  const common = obj(mail?.commonHeaders);
  const headers = arr(mail?.headers).map(obj);
  const header = (name: string) =>
    str(headers.find((h) => str(h?.name)?.toLowerCase() === name.toLowerCase())?.value);
  const original: OriginalMessage | null = mail
    ? {
        messageId: str(common?.messageId) ?? header('Message-ID'),
        relaydeckId: header('X-Relaydeck-Id'),
        from: str(arr(common?.from)[0]) ?? str(mail.source),
        to: str(arr(common?.to)[0]) ?? str(arr(mail.destination)[0]),
        subject: str(common?.subject),
      }
    : null;
  if (type === 'Bounce') {
    const bounce = obj(data.bounce);
    const transient = str(bounce?.bounceType) === 'Transient';
    const recipients = arr(bounce?.bouncedRecipients).map((r): InboundRecipient => {
      const o = obj(r);
      const diag = splitDiagnostic(str(o?.diagnosticCode));
      const action = str(o?.action) ?? (transient ? 'delayed' : 'failed');
      return {
        recipient: str(o?.emailAddress),
        originalRecipient: null,
        action: (['failed', 'delayed', 'delivered', 'relayed', 'expanded'].includes(action)
          ? action
          : 'failed') as DsnAction,
        status: str(o?.status) ?? diag.enhanced,
        code: diag.code,
        diagnostic:
          diag.text ?? `${str(bounce?.bounceType) ?? ''} ${str(bounce?.bounceSubType) ?? ''}`.trim(),
        remoteMta: str(bounce?.remoteMtaIp),
      };
    });
    return { kind: 'bounce', recipients, feedback: null, original };
  }
  if (type === 'Delivery') {
    const delivery = obj(data.delivery);
    const diag = splitDiagnostic(str(delivery?.smtpResponse));
    const recipients = arr(delivery?.recipients).map((r): InboundRecipient => ({
      ...bareRecipient(str(r)),
      action: 'delivered',
      status: diag.enhanced,
      code: diag.code,
      diagnostic: diag.text,
      remoteMta: str(delivery?.remoteMtaIp),
    }));
    return { kind: 'delivery', recipients, feedback: null, original };
  }
  if (type === 'Complaint') {
    const complaint = obj(data.complaint);
    const recipients = arr(complaint?.complainedRecipients).map((r) =>
      bareRecipient(str(obj(r)?.emailAddress)),
    );
    const feedback: FeedbackReport = {
      feedbackType: (str(complaint?.complaintFeedbackType) ?? 'abuse').toLowerCase(),
      userAgent: str(complaint?.userAgent),
      originalMailFrom: original?.from ?? null,
      arrivalDate: str(complaint?.arrivalDate),
      sourceIp: null,
      reportedDomain: null,
    };
    return { kind: 'complaint', recipients, feedback, original };
  }
  return null;
}
