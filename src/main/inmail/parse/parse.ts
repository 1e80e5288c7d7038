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
import { autoReplyReason, challengeReason } from './auto-reply';
import {
  decodeHeader,
  firstAddress,
  headerOf,
  headersOf,
  parseMime,
  partText,
  splitHeaders,
  transferDecode,
  type HeaderField,
  type MimePart,
} from './mime';
import { parseEspEvents } from './esp-events';
import { parseJmrp } from './jmrp';
import {
  detectNonstandardFormat,
  isBounceSubject,
  isDaemonSender,
  parseNonstandard,
  type NonstandardInput,
} from './nonstandard';
import { addressOfTyped, bareRecipient, parseDeliveryStatus, parseFeedbackReport } from './report-fields';
import { ownExplanation } from './own-text';
import { addressesIn, headersOfPastedCopy } from './returned-headers';
import { parseSesNotification } from './ses';
import type { FeedbackReport, InboundRecipient, InboundReport, OriginalMessage } from './types';

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
    return analyse(input, options, truncated, 0);
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
    explanation: null,
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

/** What the parsing steps share: the message, its parts, and what was read from its header. */
interface Context {
  input: string;
  root: MimePart;
  own: MimePart[];
  base: InboundReport;
  subject: string;
  fromHeader: string;
  text: string;
  returned: MimePart | null;
  original: OriginalMessage | null;
  /** The report a wrapper attaches (a forwarded bounce), read once; null at the second level or when none. */
  attachedReport(): InboundReport | null;
}

function analyse(
  input: string,
  options: ParseInboundOptions,
  truncated: boolean,
  depth: number,
): InboundReport {
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
  const returned = returnedMessage(own);
  const text = humanText(own);
  const ctx: Context = {
    input,
    root,
    own,
    base: { ...base, explanation: ownExplanation(text) },
    subject,
    fromHeader,
    text,
    returned,
    original: returned ? originalOf(returned.headers) : null,
    attachedReport: () => {
      if (depth > 0) return null;
      const part = own.find((p) => p.message !== null && isReport(p.message));
      // Read as a message of its own: its envelope is its To (our address, which the wrapper must not name).
      const inner = part ? analyse(transferDecode(part), {}, truncated, depth + 1) : null;
      return inner && inner.kind !== 'unknown' ? inner : null;
    },
  };
  return (
    deliveryStatusReport(ctx) ??
    feedbackReport(ctx) ??
    jmrpReport(ctx) ??
    espReport(ctx) ??
    dispositionReport(ctx) ??
    textReport(ctx) ??
    forwardedReport(ctx) ?? {
      ...base,
      note: base.note ?? 'not a delivery report, complaint, bounce or auto-reply',
    }
  );
}

/**
 * A message that is none of the above but attaches one that is (a sending service's "bounce forwarding", a
 * colleague's "Fwd:" of a bounce as an attachment): the attached report is read, once (not its own attachments).
 */
function forwardedReport(ctx: Context): InboundReport | null {
  const inner = ctx.attachedReport();
  return inner && { ...inner, envelopeTo: ctx.base.envelopeTo, note: FORWARDED_NOTE };
}

const FORWARDED_NOTE = 'a forwarded report: the attached one was read';

/**
 * A bounce whose returned message is itself a report: a forwarding service (or a sending service's bounce
 * forwarding) passing on the bounce it received for the copy it forwarded. Our message went to the address
 * the wrapper names; why it failed is the attached report's. Null when the attached report cannot be read or
 * returns no message (the wrapper is then left unqualified: it could be a bounce of anybody's bounce).
 */
function wrappedReport(ctx: Context, outer: readonly InboundRecipient[]): InboundReport | null {
  const inner = ctx.attachedReport();
  // Only a report that returns the message it is about says which message failed.
  if (!inner?.original || (inner.kind !== 'dsn' && inner.kind !== 'bounce_nonstandard')) return null;
  const failed = inner.recipients.filter((r) => r.action !== 'delivered' && r.action !== 'relayed');
  const cause = failed.find((r) => r.diagnostic !== null || r.status !== null) ?? failed[0];
  // The wrapper's recipients, not the attached report's addressee (our return path, read from its header).
  const ours = inner.envelopeTo?.toLowerCase();
  const named = outer.filter((r) => r.recipient !== null && r.recipient.toLowerCase() !== ours);
  const recipients = named.length
    ? named.map((r) =>
        r.diagnostic !== null || r.status !== null || !cause
          ? r
          : {
              ...r,
              action: cause.action,
              status: cause.status,
              code: cause.code,
              diagnostic: cause.diagnostic,
              remoteMta: cause.remoteMta,
            },
      )
    : inner.recipients;
  return { ...inner, envelopeTo: ctx.base.envelopeTo, recipients, note: FORWARDED_NOTE };
}

const LIST_NOTICE_RE =
  /^confirm [0-9a-f]{16,}|subscription confirmation|confirm (your|this) subscription|to confirm that you want to be (added|subscribed)|welcome to the [^\n]{1,80} mailing list|confirmation (de|d'|d’)\s?abonnement|abonnement (à|a) confirmer|anmeldebest(ä|ae)tigung/im;

/** RFC 3464: a delivery-status part (or a multipart/report that says it is one). */
function deliveryStatusReport(ctx: Context): InboundReport | null {
  const { root, own, base, returned, original } = ctx;
  const reportType = (root.params['report-type'] ?? '').toLowerCase();
  const statusPart = own.find((p) => /^message\/(?:global-|x-?)?delivery-status$/.test(p.contentType));
  if (!statusPart && !(reportType === 'delivery-status' && root.contentType === 'multipart/report'))
    return null;
  let recipients = statusPart ? parseDeliveryStatus(partText(statusPart)) : [];
  let note = base.note;
  // The text's recipients, read once and only when the status fields leave something to fill.
  let fromText: InboundRecipient[] | null = null;
  const textual = () =>
    (fromText ??= parseNonstandard(nonstandardInput(ctx, failedRecipientsHeader(root.headers))));
  if (recipients.length === 0) {
    recipients = textual();
    note = 'delivery-status part without recipient fields; recipients read from the text';
  } else if (recipients.some(isUnnamed)) {
    recipients = nameFromText(recipients, textual());
  }
  if (recipients.some((r) => r.diagnostic === null)) recipients = diagnosticsFromText(recipients, textual());
  if (returned && isReport(returned) && !original?.relaydeckId) {
    const wrapped = wrappedReport(ctx, recipients);
    if (wrapped) return wrapped;
    return {
      ...base,
      format: 'rfc3464',
      recipients,
      original,
      note: 'bounce of a bounce: the returned message is itself a report',
    };
  }
  // A challenge-response system that answers in DSN form (no server refused anything: no reply code).
  const challenge = recipients.every((r) => r.code === null) ? challengeReason(root.headers, ctx.text) : null;
  if (challenge) {
    return {
      ...base,
      kind: 'auto_reply',
      format: 'challenge-response',
      recipients,
      original,
      note: challenge,
    };
  }
  return {
    ...base,
    kind: 'dsn',
    format: 'rfc3464',
    recipients,
    original: original ?? inlineOriginal(ctx.input),
    note,
  };
}

/** RFC 5965: a feedback-report part (or a multipart/report that says it is one). */
function feedbackReport(ctx: Context): InboundReport | null {
  const { root, own, base, original } = ctx;
  const reportType = (root.params['report-type'] ?? '').toLowerCase();
  const feedbackPart = own.find((p) => p.contentType === 'message/feedback-report');
  if (!feedbackPart && reportType !== 'feedback-report') return null;
  const parsed = feedbackPart ? parseFeedbackReport(partText(feedbackPart)) : null;
  const fromOriginal =
    (original?.to && !/redacted/i.test(original.to) ? firstAddress(original.to) : null) ??
    // Microsoft's reports name the complaining mailbox in X-HmXmrOriginalRecipient (the report's fields or
    // the returned header) when the returned To is redacted.
    addressesIn(
      headerOf(ctx.returned?.headers ?? [], 'x-hmxmroriginalrecipient') ??
        /^X-HmXmrOriginalRecipient:[ \t]*(.+)$/im.exec(feedbackPart ? partText(feedbackPart) : '')?.[1] ??
        null,
    )[0] ??
    null;
  // An RFC 6591 authentication failure report is about our signature or SPF, not about any recipient.
  const authFailure = parsed?.feedback.feedbackType === 'auth-failure';
  const addresses =
    parsed?.recipients.length && !authFailure
      ? parsed.recipients
      : fromOriginal && !authFailure
        ? [fromOriginal]
        : [null];
  return {
    ...base,
    kind: 'arf',
    format: 'rfc5965',
    recipients: addresses.map((a) => bareRecipient(a && /redacted/i.test(a) ? null : a)),
    original,
    feedback: parsed?.feedback ?? abuseFeedback(null),
  };
}

/** Microsoft JMRP complaints in their original (non-RFC 5965) form. */
function jmrpReport(ctx: Context): InboundReport | null {
  const jmrp = parseJmrp(ctx.root, ctx.own);
  if (!jmrp) return null;
  return {
    ...ctx.base,
    kind: 'arf',
    format: 'jmrp',
    recipients: [bareRecipient(jmrp.recipient)],
    original: originalOf(jmrp.complained),
    feedback: abuseFeedback('Microsoft JMRP'),
  };
}

/** Amazon SES notifications and sending services' JSON events. */
function espReport(ctx: Context): InboundReport | null {
  const sesOnly = parseSesNotification(ctx.text);
  const ses = sesOnly ?? (/^\s*[[{]/.test(ctx.text) ? parseEspEvents(ctx.text) : null);
  if (!ses) return null;
  return {
    ...ctx.base,
    kind: ses.kind === 'bounce' ? 'bounce_nonstandard' : ses.kind === 'delivery' ? 'dsn' : 'arf',
    format: sesOnly ? 'ses' : 'esp-json',
    recipients: ses.recipients,
    feedback: ses.feedback,
    original: ses.original,
  };
}

/**
 * RFC 8098 message disposition notifications (read receipts, "deleted without being read"): an answer of the
 * recipient's mail program, not a delivery failure. The recipient is the MDN's Final-Recipient. A Sieve
 * `reject` (RFC 5429) comes in the same form, disposition "deleted", its text saying the message was refused:
 * that one is a bounce, its text the diagnostic.
 */
function dispositionReport(ctx: Context): InboundReport | null {
  const part = ctx.own.find((p) => p.contentType === 'message/disposition-notification');
  if (!part) return null;
  const { headers } = splitHeaders(`${partText(part).trim()}\n\n`);
  const field = (name: string) => headerOf(headers, name);
  const recipient =
    addressOfTyped(field('final-recipient')) ?? addressOfTyped(field('original-recipient')) ?? ctx.base.from;
  const disposition = (field('disposition') ?? '').toLowerCase();
  const explanation = ctx.base.explanation;
  if (/deleted|denied|failed/.test(disposition) && /reject|refus/i.test(explanation ?? '')) {
    return {
      ...ctx.base,
      kind: 'bounce_nonstandard',
      format: 'rfc5429',
      recipients: [{ ...bareRecipient(recipient), action: 'failed', diagnostic: explanation }],
      original: ctx.original,
    };
  }
  return {
    ...ctx.base,
    kind: 'auto_reply',
    format: 'rfc8098',
    note: `message disposition notification (${(field('disposition') ?? 'displayed').trim()})`,
    recipients: [bareRecipient(recipient)],
    original: ctx.original,
  };
}

/**
 * A message with no machine-readable part: a vendor's bounce text, an auto-reply or a challenge. A
 * bounce's phrases win, except generic ones in a message a person's address sent with auto-reply marks.
 */
function textReport(ctx: Context): InboundReport | null {
  const { base, root, subject, fromHeader, text, returned, original } = ctx;
  const h = root.headers;
  const nullSender = /^<\s*>$/.test((headerOf(h, 'return-path') ?? '').trim());
  // A delivery daemon's message is a bounce even when no phrase names its format (daemons mark their
  // bounces Auto-Submitted: auto-replied, like auto-replies).
  // A list manager's administrative notice (a subscription to confirm, a welcome) comes from a daemon-like
  // address but reports no failure: it is no bounce unless its words say one.
  const listNotice = LIST_NOTICE_RE.test(`${subject}\n${text.slice(0, 2000)}`);
  const format =
    detectNonstandardFormat(text, subject, fromHeader, nullSender) ??
    (/[a-z]/i.test(fromHeader) && isDaemonSender(fromHeader) && !listNotice ? 'generic' : null);
  const autoReply = autoReplyReason(h, subject, text);
  // A challenge-response system (TMDA, SpamArrest …) writes like mail delivery software but refuses nothing:
  // without a failure reply in its text, its challenge wins over bounce phrases.
  const challenge = challengeReason(h, text);
  const failureReply = /(?:^|\s)[45]\d\d[ -]/m.test(text.slice(0, 20_000));
  if (
    format &&
    !(challenge && !failureReply) &&
    (format !== 'generic' ||
      !autoReply ||
      isDaemonSender(fromHeader) ||
      // RFC 3834's mark alone does not make an auto-reply: mail software marks its bounces auto-replied too
      // (a list manager's "Message rejected"); a bounce subject then decides.
      (autoReply === 'Auto-Submitted: auto-replied' && isBounceSubject(subject)))
  ) {
    const recipients = parseNonstandard(nonstandardInput(ctx, failedRecipientsHeader(h)));
    const orig = original ?? inlineOriginal(ctx.input);
    if (returned && isReport(returned) && !orig?.relaydeckId) {
      const wrapped = wrappedReport(ctx, recipients);
      if (wrapped) return wrapped;
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
  if (autoReply || challenge) {
    const inReplyTo = headerOf(h, 'in-reply-to') ?? headerOf(h, 'references');
    // An out-of-office comes from the person's own mailbox; a challenge (or a list's moderation notice) from a
    // service, on behalf of the mailbox our message was sent to: the returned message names that one.
    // (A challenge sent from the mailbox's own domain, TMDA's, is the person's own: its From stands, unless
    // the text says which mailbox our message went to: "your e-mail to info@…".)
    const named = challenge
      ? (soleAddress(original?.to ?? null) ?? soleAddressIn(base.explanation, [base.from, base.envelopeTo]))
      : null;
    const protectedMailbox =
      (named && domainOf(named) !== domainOf(base.from) ? named : null) ??
      (challenge ? addressedMailbox(text, [base.from, base.envelopeTo]) : null);
    return {
      ...base,
      kind: 'auto_reply',
      format: challenge ? 'challenge-response' : 'rfc3834',
      note: challenge ?? autoReply,
      // What the answer says, for the rare auto-reply that tells the address is gone.
      recipients: [{ ...bareRecipient(protectedMailbox ?? base.from), diagnostic: answerExcerpt(text) }],
      original: {
        messageId: /<[^>]+>/.exec(inReplyTo ?? '')?.[0] ?? null,
        relaydeckId: null,
        from: null,
        to: base.from,
        subject: subject.replace(/^[^:]{1,40}:\s*/, '') || null,
      },
    };
  }
  return null;
}

/** The one address a text names besides `others` (links left out), or null when it names none or several. */
function soleAddressIn(text: string | null, others: readonly (string | null)[]): string | null {
  if (!text) return null;
  const skip = new Set(others.flatMap((a) => (a ? [a.toLowerCase()] : [])));
  const words = text.replace(/\b(?:https?|ftp):\/\/\S{1,2000}/gi, ' ');
  const found = [...new Set(addressesIn(words).map((a) => a.toLowerCase()))].filter((a) => !skip.has(a));
  return found.length === 1 ? (found[0] ?? null) : null;
}

/**
 * The one mailbox a challenge says our message was sent to ("your message to a@b", "Ihre E-Mail an a@b",
 * "votre message à a@b", "su mensaje a a@b"), or null.
 */
function addressedMailbox(text: string, others: readonly (string | null)[]): string | null {
  const skip = new Set(others.flatMap((a) => (a ? [a.toLowerCase()] : [])));
  const found = [
    ...text
      .slice(0, 5_000)
      .matchAll(
        /\b(?:message|e-?mail|mail|nachricht|courriel|mensaje|correo|messaggio|mensagem)\s+(?:to|an|à|a|para|per)\s+<?([^\s<>"'(),;:@]+@[a-z0-9.-]+\.[a-z]{2,})/gi,
      ),
  ]
    .map((m) => (m[1] ?? '').toLowerCase())
    .filter((a) => !skip.has(a));
  const unique = [...new Set(found)];
  return unique.length === 1 ? (unique[0] ?? null) : null;
}

function domainOf(address: string | null): string | null {
  return address?.split('@')[1]?.toLowerCase() ?? null;
}

/** The one address a header value names, or null when it names none or several. */
function soleAddress(value: string | null): string | null {
  const found = [...new Set(addressesIn(value).map((a) => a.toLowerCase()))];
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** The first words of an automatic answer (whitespace collapsed, capped): what `qualifyInbound` reads. */
function answerExcerpt(text: string): string | null {
  const words = text.slice(0, 2_000).replace(/\s+/g, ' ').trim().slice(0, 600);
  return words === '' ? null : words;
}

/**
 * A DSN recipient without an Internet address: a `LOCAL;` or X.400 type, Exchange's `IMCEAEX-` forms, a
 * Notes hierarchical name (`Hans Gruber/Sales/ACME@ACME`: its "domain" is a Notes domain, with no dot).
 */
function isUnnamed(r: InboundRecipient): boolean {
  return (
    r.recipient === null || /^imcea/i.test(r.recipient) || !/@(?:[^@\s.]+\.)+[^@\s.]+$|@\[/.test(r.recipient)
  );
}

/**
 * Names the DSN recipients the status fields leave unnamed with the addresses the text (or the returned
 * header) gives, when they pair up one to one.
 */
function nameFromText(recipients: InboundRecipient[], textual: InboundRecipient[]): InboundRecipient[] {
  const named = new Set(recipients.filter((r) => !isUnnamed(r)).map((r) => r.recipient?.toLowerCase()));
  const spare = textual.flatMap((t) =>
    t.recipient && !named.has(t.recipient.toLowerCase()) ? [t.recipient] : [],
  );
  if (spare.length !== recipients.filter(isUnnamed).length) return recipients;
  let i = 0;
  return recipients.map((r) =>
    isUnnamed(r) ? { ...r, finalRecipient: r.recipient, recipient: spare[i++] ?? r.recipient } : r,
  );
}

/**
 * DSN recipients without a Diagnostic-Code (Exim, OpenSMTPD, CommuniGate, Sendmail on expiry give only a
 * Status): the reply or explanation the human-readable part gives for the same address. The Status field is
 * kept unless it is the generic X.0.0 and the text has a precise code of the same class.
 */
function diagnosticsFromText(
  recipients: InboundRecipient[],
  textual: InboundRecipient[],
): InboundRecipient[] {
  const byAddress = new Map(
    textual.flatMap((t) => (t.recipient && t.diagnostic ? [[t.recipient.toLowerCase(), t] as const] : [])),
  );
  const sole = textual.length === 1 && recipients.length === 1 ? textual[0] : undefined;
  return recipients.map((r) => {
    if (r.diagnostic !== null) return r;
    const addresses = [r.recipient, r.finalRecipient, r.originalRecipient].filter((a): a is string => !!a);
    const found = addresses.map((a) => byAddress.get(a.toLowerCase())).find((t) => t) ?? sole;
    if (!found?.diagnostic) return r;
    const generic = r.status === null || /\.0\.0$/.test(r.status);
    const status =
      generic && found.status && (r.status === null || found.status[0] === r.status[0])
        ? found.status
        : r.status;
    return { ...r, diagnostic: found.diagnostic, code: r.code ?? found.code, status };
  });
}

/** Exim's (and Google's) X-Failed-Recipients, one address per comma-separated item. */
function failedRecipientsHeader(headers: readonly HeaderField[]): string[] {
  return headersOf(headers, 'x-failed-recipients').flatMap((v) => v.split(','));
}

function nonstandardInput(ctx: Context, failedHeader: string[]): NonstandardInput {
  return {
    text: ctx.text,
    subject: ctx.subject,
    // A returned message pasted as text names our sender too (its From is never a failed recipient).
    excluded: excludedAddresses(ctx.base, ctx.original ?? inlineOriginal(ctx.input), ctx.root.headers),
    failedHeader,
    returnedHeaders: ctx.returned?.headers ?? null,
    envelopeTo: ctx.base.envelopeTo,
  };
}

function abuseFeedback(userAgent: string | null): FeedbackReport {
  return {
    feedbackType: 'abuse',
    userAgent,
    originalMailFrom: null,
    arrivalDate: null,
    sourceIp: null,
    reportedDomain: null,
  };
}

/** The returned message: an enclosed message part, else a text part that is a pasted header block. */
function returnedMessage(own: readonly MimePart[]): MimePart | null {
  const enclosed = own.find((p) => p.message !== null)?.message;
  if (enclosed) return enclosed;
  const pasted = own.find((p) => isHeaderCopy(p));
  if (!pasted) return null;
  const headers = headersOfPastedCopy(partText(pasted));
  return headers ? { ...pasted, headers, message: null, children: [] } : null;
}

/** A text part (not the first) that holds a copy of a message header: "message-header.txt" and the like. */
function isHeaderCopy(part: MimePart): boolean {
  if (part.contentType !== 'text/plain' || part.children.length) return false;
  const head = partText(part).slice(0, 2000).trimStart();
  return (
    /^(?:Received|Return-Path|From|To|Subject|Message-ID|Date|MIME-Version|X-[\w-]+):[ \t]/i.test(head) &&
    (headersOfPastedCopy(head) ?? []).length >= 3
  );
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
  const words = plain.filter((p, i) => i === 0 || !isHeaderCopy(p));
  if (words.length) return words.map(partText).join('\n');
  const html = parts.filter((p) => p.contentType === 'text/html');
  if (html.length) return html.map((p) => htmlToText(partText(p))).join('\n');
  return parts.length === 1 && parts[0] ? partText(parts[0]) : '';
}

/** The HTML without the named elements and their content (an unclosed one runs to the end). */
function withoutElements(html: string, names: readonly string[]): string {
  const lower = html.toLowerCase();
  let out = '';
  let pos = 0;
  for (;;) {
    const starts = names
      .map((n) => ({ n, at: lower.indexOf(`<${n}`, pos) }))
      .filter((s) => s.at >= 0)
      .sort((a, b) => a.at - b.at);
    const first = starts[0];
    if (!first) return out + html.slice(pos);
    out += html.slice(pos, first.at);
    const close = lower.indexOf(`</${first.n}>`, first.at);
    if (close < 0) return out;
    pos = close + first.n.length + 3;
  }
}

function htmlToText(html: string): string {
  return withoutElements(html, ['script', 'style'])
    .replace(/<br\s*\/?>|<\/(p|div|tr|li|h\d)>/gi, '\n')
    .replace(/<[^<>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function envelopeAddress(h: readonly HeaderField[]): string | null {
  // X-Original-To comes last: some MTAs (DragonFly DMA) write the failed address there in the bounce itself.
  for (const name of ['delivered-to', 'envelope-to', 'x-envelope-to', 'to', 'x-original-to']) {
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

/** Addresses that are never failed recipients: the report's sender and addressee, the returned sender. */
function excludedAddresses(
  base: InboundReport,
  original: OriginalMessage | null,
  headers: readonly HeaderField[],
): string[] {
  return [
    base.from,
    base.envelopeTo,
    firstAddress(headerOf(headers, 'to')),
    addressOfTyped(original?.from ?? null),
    firstAddress(original?.from ?? null),
  ].filter((a): a is string => a !== null);
}
