/**
 * The machine-readable parts of reports: RFC 3464 `message/delivery-status` (per-message and per-recipient
 * field groups) and RFC 5965 `message/feedback-report`, plus the Diagnostic-Code split into code, enhanced
 * status and text.
 */
import { parseSmtpReply } from '../../../shared/domain/smtp-reply';
import { splitHeaders, type HeaderField } from './mime';
import { DSN_ACTIONS, type DsnAction, type FeedbackReport, type InboundRecipient } from './types';

const MAX_ADDRESS_FIELD = 1000;

/** Parses a delivery-status body into one entry per recipient group. */
export function parseDeliveryStatus(text: string): InboundRecipient[] {
  const groups = text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((g) => splitHeaders(`${g.trim()}\n\n`).headers)
    .flatMap(splitRecipientGroups)
    .filter((fields) => fields.some((f) => RECIPIENT_FIELDS.has(f.name)));
  return groups.map(recipientFromFields);
}

/** A group holding several Final-Recipient fields (missing blank lines) is split at each of them. */
function splitRecipientGroups(fields: HeaderField[]): HeaderField[][] {
  const out: HeaderField[][] = [];
  let cur: HeaderField[] = [];
  for (const f of fields) {
    if (f.name === 'final-recipient' && cur.some((c) => c.name === 'final-recipient')) {
      out.push(cur);
      cur = [];
    }
    cur.push(f);
  }
  out.push(cur);
  return out;
}

/** Fields that name a recipient: a group with one of them is a recipient's (X-Actual-Recipient alone: Sendmail). */
const RECIPIENT_FIELDS = new Set(['final-recipient', 'original-recipient', 'x-actual-recipient']);

function recipientFromFields(fields: HeaderField[]): InboundRecipient {
  const get = (name: string) => fields.find((f) => f.name === name)?.value ?? null;
  const diag = splitDiagnostic(get('diagnostic-code'));
  const statusField = /([245]\.\d{1,3}\.\d{1,3})/.exec(get('status') ?? '')?.[1] ?? null;
  // A generic X.0.0 status says less than the enhanced code of the remote reply.
  const status =
    statusField && /\.0\.0$/.test(statusField) && diag.enhanced?.[0] === statusField[0]
      ? diag.enhanced
      : (statusField ?? diag.enhanced);
  const action = (get('action') ?? '').toLowerCase().trim().split(/\s+/)[0] ?? '';
  const final = addressOfTyped(get('final-recipient')) ?? addressOfTyped(get('x-actual-recipient'));
  const original = mailboxOf(get('original-recipient'));
  return {
    // The address the sender used wins over the one the MTA finally failed on (an alias expansion, a
    // forward, an internal route): that is the address the sender knows, and the one to act on.
    recipient: original ?? final,
    originalRecipient: original,
    finalRecipient: final,
    action: (DSN_ACTIONS as readonly string[]).includes(action) ? (action as DsnAction) : null,
    status,
    code: diag.code,
    diagnostic: diag.text,
    remoteMta: typedValue(get('remote-mta')),
  };
}

/** A recipient with nothing but its address (complaints, auto-replies, notifications). */
export function bareRecipient(recipient: string | null): InboundRecipient {
  return {
    recipient,
    originalRecipient: null,
    action: null,
    status: null,
    code: null,
    diagnostic: null,
    remoteMta: null,
  };
}

/** `rfc822; a@b` -> `a@b` (also tolerates a missing type, angle brackets and an RFC 821 source route). */
export function addressOfTyped(value: string | null): string | null {
  const v = typedValue(value);
  // No address is longer than 320 characters: longer values are not read (bounded regex work).
  if (!v || v.length > MAX_ADDRESS_FIELD) return null;
  const m = /<?([^\s<>;]+@[^\s<>;]+?)>?$/.exec(v.trim().replace(/^"([^"]*)"$/, '$1'));
  const address = m?.[1]?.replace(/^"|"$/g, '').replace(/^@[^:@]+:(?=[^@:]+@)/, '') ?? null;
  return address ? (decodeImceaSmtp(address) ?? address) : null;
}

/**
 * Exchange wraps foreign addresses as `IMCEASMTP-john+40example+2Ecom@org.local` (`+XX` is a hex byte):
 * the Internet address is inside.
 */
function decodeImceaSmtp(address: string): string | null {
  const m = /^IMCEASMTP-(.+)@[^@]+$/i.exec(address);
  if (!m?.[1]) return null;
  const decoded = m[1].replace(/\+([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(decoded) ? decoded : null;
}

/**
 * An Original-Recipient that names a real Internet mailbox (`rfc822` or RFC 6533 `utf-8` type,
 * `local@domain.tld`), else null:
 * Exchange's encapsulated `IMCEAEX-...` forms and X.400 addresses say nothing the sender used.
 */
function mailboxOf(value: string | null): string | null {
  if (value === null) return null;
  const type = /^\s*([\w.-]+)\s*;/.exec(value)?.[1]?.toLowerCase();
  if (type !== undefined && type !== 'rfc822' && type !== 'utf-8') return null;
  const address = addressOfTyped(value);
  if (!address || /^imcea/i.test(address)) return null;
  return /^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$/.test(address) ? address : null;
}

function typedValue(value: string | null): string | null {
  if (value === null) return null;
  const semi = value.indexOf(';');
  const v = (semi >= 0 && semi < 20 ? value.slice(semi + 1) : value).trim();
  return v === '' ? null : v;
}

/** `smtp; 550 5.1.1 <a@b>: User unknown` -> code 550, enhanced 5.1.1, the whole reply as text. */
export function splitDiagnostic(value: string | null): {
  code: number | null;
  enhanced: string | null;
  text: string | null;
} {
  const v = typedValue(value);
  if (!v) return { code: null, enhanced: null, text: null };
  const parsed = parseSmtpReply(v);
  const enhanced = parsed.enhanced ?? /[(#\s]([245]\.\d{1,3}\.\d{1,3})(?![.\d])/.exec(` ${v}`)?.[1] ?? null;
  return { code: parsed.code, enhanced, text: v };
}

export function parseFeedbackReport(text: string): {
  feedback: FeedbackReport;
  recipients: string[];
} {
  const { headers } = splitHeaders(`${text.trim()}\n\n`);
  const get = (name: string) => headers.find((f) => f.name === name)?.value ?? null;
  const recipients = headers
    .filter((h) => h.name === 'original-rcpt-to' || h.name === 'removal-recipient')
    .map((h) => addressOfTyped(h.value))
    .filter((a): a is string => a !== null);
  return {
    feedback: {
      feedbackType: (get('feedback-type') ?? 'abuse').toLowerCase().trim(),
      userAgent: get('user-agent'),
      originalMailFrom: addressOfTyped(get('original-mail-from')),
      arrivalDate: get('arrival-date') ?? get('received-date'),
      sourceIp: get('source-ip'),
      reportedDomain: get('reported-domain'),
    },
    recipients: [...new Set(recipients)],
  };
}
