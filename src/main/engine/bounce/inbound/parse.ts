/**
 * `parseInbound`: what a message received on the bounce mailbox is (SPEC §4.3) — an RFC 3464 DSN, an RFC 5965
 * complaint (or an Amazon SES notification), an RFC 3834 auto-reply, a non-standard bounce, or unknown — with
 * its per-recipient details and the identifiers that tie it back to the message we sent (VERP envelope
 * address, the returned part's Message-ID, our X-Relaydeck-Id trace header).
 *
 * Never throws and never drops: malformed MIME, unknown charsets, oversized input (cut at `MAX_PARSE_BYTES`),
 * bounces of bounces and mail loops all give a report, `unknown` with the reason in `note` when nothing
 * trustworthy can be said.
 */
import { autoReplyReason } from './auto-reply';
import {
  decodeHeader,
  firstAddress,
  headerOf,
  headersOf,
  parseMime,
  partText,
  splitHeaders,
  type HeaderField,
  type MimePart,
} from './mime';
import { parseEspEvents } from './esp-events';
import { detectNonstandardFormat, parseNonstandard } from './nonstandard';
import { addressOfTyped, parseDeliveryStatus, parseFeedbackReport } from './report-fields';
import { parseSesNotification } from './ses';
import type { InboundRecipient, InboundReport, OriginalMessage } from './types';

/** Reports and their returned parts beyond this size are cut (the report parts come first). */
export const MAX_PARSE_BYTES = 2 * 1024 * 1024;
/** More Received headers than this is a loop: the message is reported as unknown, never answered. */
export const MAX_RECEIVED = 50;

export interface ParseInboundOptions {
  /** The SMTP envelope recipient (RCPT TO) when the message arrived by SMTP: the VERP address. */
  envelopeTo?: string | null;
}

export function parseInbound(
  raw: Buffer | string,
  options: ParseInboundOptions = {},
): Promise<InboundReport> {
  return Promise.resolve(parseInboundSync(raw, options));
}

export function parseInboundSync(raw: Buffer | string, options: ParseInboundOptions = {}): InboundReport {
  const bytes = typeof raw === 'string' ? toLatin1(raw) : raw.toString('latin1');
  const truncated = bytes.length > MAX_PARSE_BYTES;
  const input = truncated ? bytes.slice(0, MAX_PARSE_BYTES) : bytes;
  try {
    return analyse(input, options, truncated);
  } catch (err) {
    return {
      ...emptyReport(truncated),
      envelopeTo: options.envelopeTo ?? null,
      note: `unreadable message: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

function toLatin1(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u00ff]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

function emptyReport(truncated: boolean): InboundReport {
  return {
    kind: 'unknown',
    format: null,
    note: null,
    envelopeTo: null,
    from: null,
    subject: null,
    messageId: null,
    recipients: [],
    original: null,
    feedback: null,
    truncated,
  };
}

function analyse(input: string, options: ParseInboundOptions, truncated: boolean): InboundReport {
  const root = parseMime(input);
  const h = root.headers;
  const subject = decodeHeader(headerOf(h, 'subject') ?? '');
  const fromHeader = decodeHeader(headerOf(h, 'from') ?? '');
  const base: InboundReport = {
    ...emptyReport(truncated),
    note: truncated ? `input cut at ${MAX_PARSE_BYTES} bytes` : null,
    envelopeTo: options.envelopeTo ?? envelopeAddress(h),
    from: firstAddress(fromHeader),
    subject: subject || null,
    messageId: headerOf(h, 'message-id'),
  };
  if (root.headers.length === 0) return { ...base, note: 'no message headers: not an email message' };
  const received = headersOf(h, 'received').length;
  if (received > MAX_RECEIVED) return { ...base, note: `mail loop: ${received} Received headers` };

  const own = ownParts(root);
  const reportType = (root.params['report-type'] ?? '').toLowerCase();
  const statusPart = own.find((p) => /^message\/(global-)?delivery-status$/.test(p.contentType));
  const feedbackPart = own.find((p) => p.contentType === 'message/feedback-report');
  const returned = own.find((p) => p.message !== null)?.message ?? null;
  const original = returned ? originalOf(returned.headers) : null;
  const text = humanText(own);

  if (statusPart || (reportType === 'delivery-status' && root.contentType === 'multipart/report')) {
    let recipients = statusPart ? parseDeliveryStatus(partText(statusPart)) : [];
    let note = base.note;
    if (recipients.length === 0) {
      recipients = parseNonstandard({
        text,
        subject,
        excluded: excludedAddresses(base, original),
        failedHeader: [],
      });
      note = 'delivery-status part without recipient fields; recipients read from the text';
    }
    if (returned && isReport(returned) && !original?.relaydeckId) {
      return {
        ...base,
        format: 'rfc3464',
        recipients,
        original,
        note: 'bounce of a bounce: the returned message is itself a report',
      };
    }
    return {
      ...base,
      kind: 'dsn',
      format: 'rfc3464',
      recipients,
      original: original ?? inlineOriginal(input),
      note,
    };
  }

  if (feedbackPart || reportType === 'feedback-report') {
    const parsed = feedbackPart ? parseFeedbackReport(partText(feedbackPart)) : null;
    const fromOriginal = original?.to && !/redacted/i.test(original.to) ? firstAddress(original.to) : null;
    const addresses = parsed?.recipients.length ? parsed.recipients : fromOriginal ? [fromOriginal] : [null];
    const recipients = addresses.map((recipient): InboundRecipient => ({
      recipient: recipient && /redacted/i.test(recipient) ? null : recipient,
      originalRecipient: null,
      action: null,
      status: null,
      code: null,
      diagnostic: null,
      remoteMta: null,
    }));
    return {
      ...base,
      kind: 'arf',
      format: 'rfc5965',
      recipients,
      original,
      feedback: parsed?.feedback ?? {
        feedbackType: 'abuse',
        userAgent: null,
        originalMailFrom: null,
        arrivalDate: null,
        sourceIp: null,
        reportedDomain: null,
      },
    };
  }

  const sesOnly = parseSesNotification(text);
  const ses = sesOnly ?? (/^\s*[[{]/.test(text) ? parseEspEvents(text) : null);
  if (ses) {
    return {
      ...base,
      kind: ses.kind === 'bounce' ? 'bounce_nonstandard' : 'arf',
      format: sesOnly ? 'ses' : 'esp-json',
      recipients: ses.recipients,
      feedback: ses.feedback,
      original: ses.original,
    };
  }

  const format = detectNonstandardFormat(text, subject, fromHeader);
  const autoReply = autoReplyReason(h, subject);
  if (format && (format !== 'generic' || !autoReply)) {
    const recipients = parseNonstandard({
      text,
      subject,
      excluded: excludedAddresses(base, original),
      failedHeader: headersOf(h, 'x-failed-recipients').flatMap((v) => v.split(',').map((a) => a.trim())),
    });
    const orig = original ?? inlineOriginal(input);
    if (returned && isReport(returned) && !orig?.relaydeckId) {
      return {
        ...base,
        format,
        recipients,
        original: orig,
        note: 'bounce of a bounce: the returned message is itself a report',
      };
    }
    return {
      ...base,
      kind: 'bounce_nonstandard',
      format,
      recipients,
      original: orig,
      note: recipients.length ? base.note : 'bounce without a recognisable failed recipient',
    };
  }
  if (autoReply) {
    const inReplyTo = headerOf(h, 'in-reply-to') ?? headerOf(h, 'references');
    return {
      ...base,
      kind: 'auto_reply',
      format: 'rfc3834',
      note: autoReply,
      recipients: [
        {
          recipient: base.from,
          originalRecipient: null,
          action: null,
          status: null,
          code: null,
          diagnostic: null,
          remoteMta: null,
        },
      ],
      original: {
        messageId: /<[^>]+>/.exec(inReplyTo ?? '')?.[0] ?? null,
        relaydeckId: null,
        from: null,
        to: base.from,
        subject: subject.replace(/^[^:]{1,40}:\s*/, '') || null,
      },
    };
  }
  return { ...base, note: base.note ?? 'not a delivery report, complaint, bounce or auto-reply' };
}

/** The parts of the message itself: the multipart tree without descending into enclosed messages. */
function ownParts(root: MimePart): MimePart[] {
  const out: MimePart[] = [];
  const visit = (p: MimePart) => {
    out.push(p);
    p.children.forEach(visit);
  };
  visit(root);
  return out;
}

function humanText(parts: MimePart[]): string {
  const plain = parts.filter((p) => p.contentType === 'text/plain' && p.children.length === 0);
  if (plain.length) return plain.map(partText).join('\n');
  const html = parts.filter((p) => p.contentType === 'text/html');
  if (html.length) return html.map((p) => htmlToText(partText(p))).join('\n');
  return parts.length === 1 && parts[0] ? partText(parts[0]) : '';
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function envelopeAddress(h: readonly HeaderField[]): string | null {
  for (const name of ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'to']) {
    const a = firstAddress(headerOf(h, name));
    if (a) return a;
  }
  return null;
}

function originalOf(h: readonly HeaderField[]): OriginalMessage {
  return {
    messageId: headerOf(h, 'message-id'),
    relaydeckId: headerOf(h, 'x-relaydeck-id'),
    from: headerOf(h, 'from') ? decodeHeader(headerOf(h, 'from') ?? '') : null,
    to: headerOf(h, 'to') ? decodeHeader(headerOf(h, 'to') ?? '') : null,
    subject: headerOf(h, 'subject') ? decodeHeader(headerOf(h, 'subject') ?? '') : null,
  };
}

/** Identifiers of a returned message pasted inline in the text (qmail, Exim, Yahoo copy the message as text). */
function inlineOriginal(input: string): OriginalMessage | null {
  const { body } = splitHeaders(input);
  const relaydeckId = /^X-Relaydeck-Id:[ \t]*(\S+)/im.exec(body)?.[1] ?? null;
  const messageId = /^Message-ID:[ \t]*(<[^>\s]+>)/im.exec(body)?.[1] ?? null;
  if (!relaydeckId && !messageId) return null;
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*([^\\r\\n]+)`, 'im').exec(body)?.[1] ?? null;
  return { messageId, relaydeckId, from: field('From'), to: field('To'), subject: field('Subject') };
}

/** A returned message that is itself a bounce or report (a bounce of a bounce). */
function isReport(message: MimePart): boolean {
  if (message.contentType === 'multipart/report') return true;
  const from = headerOf(message.headers, 'from') ?? '';
  const returnPath = headerOf(message.headers, 'return-path');
  return /mailer-daemon|postmaster/i.test(from) || (returnPath !== null && /^<\s*>$/.test(returnPath.trim()));
}

function excludedAddresses(base: InboundReport, original: OriginalMessage | null): string[] {
  return [
    base.from,
    base.envelopeTo,
    addressOfTyped(original?.from ?? null),
    firstAddress(original?.from ?? null),
  ].filter((a): a is string => a !== null);
}
