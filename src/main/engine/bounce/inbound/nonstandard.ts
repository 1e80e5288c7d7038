/**
 * Plain-text bounces of real MTAs and providers (no RFC 3464 report): Exim, qmail, Sendmail, Postfix,
 * Exchange / Office 365, Gmail, Yahoo, Domino and generic "mailer-daemon" notices. A format is recognised
 * from its fixed phrases; failed recipients and their diagnostics are then read from the human text, which
 * is cut before the copy of the returned message.
 */
import { parseSmtpReply } from '../../../../shared/domain/smtp-reply';
import type { HeaderField } from './mime';
import { splitOwnText } from './own-text';
import { parseDeliveryStatus, splitDiagnostic } from './report-fields';
import { headersOfPastedCopy, recipientOfReturnedHeaders, recipientOfVerp } from './returned-headers';
import { findMentions } from './text-recipients';
import type { DsnAction, InboundRecipient } from './types';

interface Format {
  name: string;
  marker: RegExp;
  /** Phrases that other mail can contain too: they count only from a daemon or under a bounce subject. */
  gated?: boolean;
}

/** Fixed phrases of each format (first match names the format). */
const FORMATS: readonly Format[] = [
  {
    name: 'qmail',
    marker:
      /This is the qmail-send program|qmail-send|I'm afraid I wasn't able to deliver your message to the following addresses|Sorry, no mailbox here by that name|vpopmail/i,
  },
  { name: 'dma', marker: /DragonFly Mail Agent|There was an error delivering your mail to/i },
  {
    name: 'opensmtpd',
    marker:
      /This is the MAILER-DAEMON, please DO NOT REPLY|An error has occurred while attempting to deliver a message for\s+the following list of recipients/i,
  },
  {
    name: 'courier',
    marker: /running the Courier mail server|Your message to the following recipients cannot be delivered/i,
  },
  {
    name: 'exim',
    marker:
      /This message was created automatically by mail delivery software|The following address\(es\) failed|X-Failed-Recipients/i,
  },
  {
    name: 'postfix',
    marker:
      /This is the (?:mail system|Postfix program) at host|I'm sorry to have to inform you that your message/i,
  },
  {
    name: 'sendmail',
    marker:
      /The following addresses had (?:permanent fatal errors|transient non-fatal errors)|Transcript of session follows|Unsent message follows|MAILER-DAEMON.*Returned mail/i,
  },
  {
    name: 'exchange',
    marker:
      /Delivery has failed to these recipients or groups|Your message to .{1,200} couldn't be delivered|Diagnostic information for administrators|Remote Server returned|Message Delivery Failure|The following recipient\(s\) (?:cannot|could not) be reached|did not reach the following recipient/i,
  },
  {
    name: 'gmail',
    marker:
      /\*\* (Address not found|Message (not delivered|blocked)|Message not sent) \*\*|Delivery to the following recipient(s)? failed|Delivery Status Notification \((Failure|Delay)\)/i,
  },
  { name: 'google-groups', marker: /Google Groups|the group you tried to contact/i, gated: true },
  { name: 'yahoo', marker: /Sorry, we were unable to deliver your message to the following address/i },
  { name: 'domino', marker: /was not delivered to:[\s\S]{0,400}because:|Delivery Failure Report/i },
  { name: 'groupwise', marker: /The message that you sent was undeliverable to the following/i },
  {
    name: 'imail',
    marker: /<SMTP32 v|IMail Server|Unknown user: |User mailbox exceeds allowed size/i,
    gated: true,
  },
  { name: 'mfilter', marker: /m-FILTER/i, gated: true },
  { name: 'surfcontrol', marker: /SurfControl|The following recipients were affected/i, gated: true },
  {
    name: 'japanese-carrier',
    marker:
      /ezweb\.ne\.jp|docomo\.ne\.jp|Your mail sent on:|could not be delivered to the following recipients/i,
    gated: true,
  },
  {
    name: 'generic',
    gated: true,
    marker: new RegExp(
      [
        "(could not|couldn't|cannot|can't|was not|wasn't|unable to|failed to) (be )?deliver",
        'undeliver',
        'non[- ]?deliver',
        'delivery (has )?failed',
        'delivery (failure|problem|error)',
        'failed (permanently|recipient)',
        'returned mail',
        'permanent (error|failure)',
        'mailbox (is )?(full|unavailable|not found|disabled)',
        'over ?quota|quota exceeded',
        'user unknown|unknown (user|recipient)',
        'no such (user|mailbox|address|recipient)',
        'not a valid (user|recipient|mailbox|address)',
        'does not exist',
        'address rejected',
        'unzustellbar|nicht zugestellt',
        'non recapitabile',
        'no (pudo|puede) ser entregado',
        'n[ãa]o (pode|p[ôo]de) ser entregue',
        "n'a pas pu être (remis|distribu)",
        'onbestelbaar',
        'niedostarcz',
        '配信.{0,8}(失敗|できません)',
        '送信できませんでした',
        '届きませんでした',
      ].join('|'),
      'i',
    ),
  },
];

/** Senders of delivery reports: daemons, delivery subsystems, or the null sender. */
const DAEMON_FROM_RE =
  /mailer-daemon|postmaster|mail delivery|mail ?administrator|mail system|mailer|daemon|bounce|^\s*(?:"[^"]*"\s*)?<?\s*>?\s*$/i;
const BOUNCE_SUBJECT_RE =
  /undeliver|deliver(y|ed)? (status|fail|notification|problem|error)|non[- ]?delivery|returned mail|failure notice|mail (system )?error|could not (be )?(send|deliver)|unzustellbar|non recapitabile|non remis|no entregado|配信|返送|エラー/i;

/** Whether a From header is a delivery daemon's (or the null sender's). */
export function isDaemonSender(from: string): boolean {
  return DAEMON_FROM_RE.test(from);
}

/** A bounce's own words are short: past this many characters the text is not read (bounded work). */
const MAX_OWN_TEXT = 64 * 1024;
/** Failed recipients listed for one bounce, at most. */
const MAX_RECIPIENTS = 500;

const DELAY_RE =
  /has not yet been delivered|not been delivered yet|will (continue|keep) trying|still trying|Delivery Status Notification \(Delay\)|this is only a warning|delayed (for )?\d+ ?(hours?|minutes?|days?)|Warning: message [^\n]{0,200} delayed|delivery (is )?delayed|you do not need to resend/i;

const SMTP_REPLY_RE = /(?:^|[\s'"(:;>#])([45]\d\d)(?:[ -]+|\s*)((?:#?[45]\.\d{1,3}\.\d{1,3})?[^\n]*)/;

const ADDRESS_RE =
  /[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.){1,8}[a-z]{1,63}/gi;

export function detectNonstandardFormat(text: string, subject: string, from: string): string | null {
  const haystack = `${subject}\n${text.slice(0, 20_000)}`;
  const fromDaemon = isDaemonSender(from);
  const bounceSubject = BOUNCE_SUBJECT_RE.test(subject);
  for (const f of FORMATS) {
    if (f.marker.test(haystack)) {
      if (!f.gated || fromDaemon || bounceSubject) return f.name;
    }
  }
  // A daemon's message under a bounce subject is a bounce even in words no marker knows.
  if (fromDaemon && bounceSubject) return 'generic';
  return null;
}

export interface NonstandardInput {
  text: string;
  subject: string;
  /** Addresses that are not failed recipients (ours, the report's own sender and recipient). */
  excluded: readonly string[];
  /** X-Failed-Recipients (Exim) and similar headers. */
  failedHeader: readonly string[];
  /** The header of the returned message when the bounce attaches it (else it is read from a pasted copy). */
  returnedHeaders?: readonly HeaderField[] | null;
  /** The address the bounce was sent to (a VERP address may encode the recipient). */
  envelopeTo?: string | null;
}

export function parseNonstandard(input: NonstandardInput): InboundRecipient[] {
  const split = splitOwnText(input.text);
  const own = split.own.slice(0, MAX_OWN_TEXT);
  const copy = split.copy.slice(0, MAX_OWN_TEXT);
  const excluded = new Set(input.excluded.map((a) => a.toLowerCase()));
  const isCandidate = (a: string) =>
    !excluded.has(a.toLowerCase()) &&
    !/^(mailer-daemon|postmaster|no-?reply|bounces?|double-bounce|root)@/i.test(a) &&
    !/^imcea/i.test(a) &&
    /@[^@]*[a-z]/i.test(a);

  const embedded = embeddedDeliveryStatus(own);
  if (embedded.length) return embedded;

  const returnedHeaders = input.returnedHeaders ?? headersOfPastedCopy(copy);
  const found = failedAddresses(own, input, isCandidate, returnedHeaders);
  const returnedTo = returnedHeaders ? recipientOfReturnedHeaders(returnedHeaders, isCandidate) : null;
  const delayed = DELAY_RE.test(`${input.subject}\n${own}`);
  const action: DsnAction = delayed ? 'delayed' : 'failed';
  const globalDiag = findDiagnostic(own);
  const starts = [...new Set(found.map((f) => f.at))].sort((a, b) => a - b);
  const recipients = found.slice(0, MAX_RECIPIENTS).map((f): InboundRecipient => {
    // The recipient's region runs from its mention to the next recipient's (the whole text if unmentioned).
    const next = starts.find((s) => s > f.at) ?? own.length;
    const diag = diagnosticFor(own, f.final ?? f.address, f.at, next) || globalDiag;
    const split = splitDiagnostic(diag);
    const routed = senderAddressOfRoute(f.address, returnedTo);
    return {
      recipient: routed ?? f.address,
      originalRecipient: routed ?? (f.final ? f.address : null),
      finalRecipient: f.final ?? (routed ? f.address : null),
      action,
      status: split.enhanced,
      code: split.code,
      diagnostic: split.text,
      remoteMta: /(?:host|server)\s+([a-z0-9.-]+\.[a-z]{2,})/i.exec(own)?.[1] ?? null,
    };
  });
  if (recipients.length === 0 && globalDiag) {
    const split = splitDiagnostic(globalDiag);
    recipients.push({
      recipient: null,
      originalRecipient: null,
      action,
      status: split.enhanced,
      code: split.code,
      diagnostic: split.text,
      remoteMta: null,
    });
  }
  return recipients;
}

interface Found {
  address: string;
  final: string | null;
  /** Where the text mentions it (0 when only a header or the returned message does). */
  at: number;
}

/**
 * The failed addresses, most trustworthy source first: X-Failed-Recipients (mapped to the addresses they
 * were generated from), the bounce's own words, the returned message's header, a VERP envelope.
 */
function failedAddresses(
  own: string,
  input: NonstandardInput,
  isCandidate: (a: string) => boolean,
  returnedHeaders: readonly HeaderField[] | null,
): Found[] {
  const mentions = findMentions(own, isCandidate);
  const header = input.failedHeader.map(stripAddress).filter((a) => a.includes('@') && isCandidate(a));
  if (header.length) {
    return unique(
      header.map((h) => {
        const m = mentions.find((x) => (x.final ?? x.address).toLowerCase() === h.toLowerCase());
        return { address: m?.address ?? h, final: m?.final ?? null, at: m?.at ?? 0 };
      }),
    );
  }
  if (mentions.length) return mentions.map((m) => ({ address: m.address, final: m.final, at: m.at }));
  const fromHeaders = returnedHeaders ? recipientOfReturnedHeaders(returnedHeaders, isCandidate) : null;
  if (fromHeaders) return [{ address: fromHeaders, final: null, at: 0 }];
  const lone = loneAddress(own, isCandidate);
  if (lone) return [{ address: lone, final: null, at: 0 }];
  const verp = recipientOfVerp(input.envelopeTo ?? null);
  return verp && isCandidate(verp) ? [{ address: verp, final: null, at: 0 }] : [];
}

/** The one address a short bounce text names anywhere (else null: several say nothing). */
function loneAddress(own: string, isCandidate: (a: string) => boolean): string | null {
  const found = new Map<string, string>();
  for (const line of own.split('\n').slice(0, 500)) {
    const capped = line.slice(0, 1000);
    for (const m of capped.matchAll(ADDRESS_RE)) {
      const sender = /\bfrom\s*:?\s*<?$/i.test(capped.slice(Math.max(0, m.index - 12), m.index));
      if (isCandidate(m[0]) && !sender) found.set(m[0].toLowerCase(), m[0]);
      if (found.size > 1) return null;
    }
  }
  return [...found.values()][0] ?? null;
}

/**
 * The returned message's To when the failed address is the same mailbox on an internal route
 * (`fred@mailgrp1.example.com`, `fred@cluster.local` for `fred@example.com`): the sender's address wins.
 */
function senderAddressOfRoute(failed: string, returnedTo: string | null): string | null {
  if (!returnedTo || failed.toLowerCase() === returnedTo.toLowerCase()) return null;
  const [fl, fd = ''] = failed.toLowerCase().split('@');
  const [tl, td = ''] = returnedTo.toLowerCase().split('@');
  if (fl !== tl) return null;
  const internal =
    fd.endsWith(`.${td}`) || !fd.includes('.') || /\.(local|lan|internal|localdomain|corp)$/.test(fd);
  return internal ? returnedTo : null;
}

/** DSN fields (Final-Recipient ...) written into the text part by MTAs that send no status part. */
function embeddedDeliveryStatus(own: string): InboundRecipient[] {
  const start = own.search(/^[ \t]*(?:Final|Original)-Recipient:/im);
  if (start < 0) return [];
  const groupStart = own.lastIndexOf('\n\n', start);
  return parseDeliveryStatus(own.slice(groupStart < 0 ? start : groupStart + 2)).filter(
    (r) => r.recipient !== null,
  );
}

function stripAddress(a: string): string {
  return a.trim().replace(/^[<("']+|[>)"'.,;:]+$/g, '');
}

function unique(found: Found[]): Found[] {
  const seen = new Set<string>();
  return found.filter((f) => {
    const key = f.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The recipient's own diagnostic: the remote reply in the region from its mention (`from`, the offset of
 * its line) to the next failed address; else the words on its line ("Unknown user: a@b", "a@b (user not
 * found)"); else the lines right after it, up to a blank line (Exim, qmail, Exchange, Domino).
 */
function diagnosticFor(text: string, recipient: string, from: number, to: number): string | null {
  const lower = text.toLowerCase();
  const at = lower.indexOf(recipient.toLowerCase(), from);
  if (at < 0 || at >= to) return null;
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const newline = text.indexOf('\n', at);
  const lineEnd = newline < 0 ? text.length : newline;
  const reply = findReply(text.slice(at, Math.max(to, lineEnd)));
  if (reply) return reply;
  return lineWords(text.slice(lineStart, lineEnd), recipient) ?? followingLines(text.slice(lineEnd, to));
}

/** The words on the recipient's line besides the address, when they say something (not a date). */
function lineWords(line: string, recipient: string): string | null {
  const i = line.toLowerCase().indexOf(recipient.toLowerCase());
  const tidy = (t: string) =>
    t
      .replace(/[<>"']/g, '')
      .replace(/^[\s:;,.-]+|[\s:;,(-]+$/g, '')
      .trim();
  const before = tidy(line.slice(0, i));
  const after = tidy(line.slice(i + recipient.length)).replace(/^\((.*)\)\.?$/, '$1');
  // A sentence around the address is kept whole; otherwise the words on the side that has them.
  const words = /[a-z]{2}/i.test(before) && /[a-z]{2}/i.test(after) ? line.trim() : after || before;
  if (!EXPLANATION_RE.test(words) || /^on\s/i.test(words)) return null;
  return words;
}

/** The lines right after the recipient's line, up to a blank line. */
function followingLines(after: string): string | null {
  const following = /^\n((?:[ \t]*\S[^\n]*\n?){1,4})/.exec(after)?.[1];
  return following ? following.replace(/\s+/g, ' ').trim() : null;
}

/** The first remote reply in a text, with its continuation lines. */
function findReply(text: string): string | null {
  // Explicit introductions first: they point at the remote reply, not at any number in the text.
  const intro =
    /(?:Remote host said|said|Remote Server returned|The response (?:from the remote server )?was|SMTP error from remote mail server after [^\n]*:|reason\b|<<<|Diagnostic-Code|server (?:replied|responded))\s*[:'"(]?\s*\n?\s*([^\n]+(?:\n[ \t]+[^\n]+)*)/i.exec(
      text,
    );
  if (intro?.[1] && /[45]\d\d|[45]\.\d{1,3}\.\d{1,3}/.test(intro[1])) return cleanReply(intro[1]);
  const m = SMTP_REPLY_RE.exec(text);
  if (m) {
    const idx = m.index + m[0].indexOf(m[1] ?? '');
    const rest = text.slice(idx);
    const lines = rest.split('\n');
    const block = [lines[0] ?? ''];
    for (const line of lines.slice(1, 6)) {
      if (/^[ \t]+\S/.test(line) || /^[45]\d\d[ -]/.test(line)) block.push(line.trim());
      else break;
    }
    return cleanReply(block.join('\n'));
  }
  if (intro?.[1]) return cleanReply(intro[1]);
  return null;
}

function findDiagnostic(text: string): string | null {
  const reply = findReply(text);
  if (reply) return reply;
  // Texts without any reply code: Exim "Unrouteable address", Domino "because:", qmail explanations.
  const because = /because:\s*\n\s*\n?\s*([^\n]+)/i.exec(text)?.[1];
  if (because) return because.trim();
  const known =
    /unrouteable address|retry timeout exceeded|all hosts for [^\n]{0,200} have been failing|mailbox is full|user unknown|no such user|does not exist|address not found|couldn't be found|connection timed out/i.exec(
      text,
    );
  return known ? lineAround(text, known.index) : explanationLine(text);
}

/** The trimmed line of the text that holds the offset (capped). */
function lineAround(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  return text
    .slice(start, end < 0 ? text.length : end)
    .trim()
    .slice(0, 400);
}

/** Words that explain a failure, for a text whose reason is a sentence of the MTA's own. */
const EXPLANATION_RE =
  /not exist|unknown|no such|no valid|not (?:a )?valid|not found|not listed|not recogni[sz]ed|full|quota|disabled|suspended|expired|inactive|rejected|refused|denied|blocked|permission|not allowed|invalid|unavailable|timed? ?out|too (large|big)|loop/i;

/** The first short line of the text that explains the failure, or null. */
function explanationLine(text: string): string | null {
  for (const line of text.split('\n').slice(0, 200)) {
    const t = line.trim();
    if (t.length > 0 && t.length <= 400 && EXPLANATION_RE.test(t)) return t;
  }
  return null;
}

function cleanReply(raw: string): string {
  const joined = raw
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/^['"(]|['")]$/g, '')
    .replace(/^<[^<>\s]+@[^<>\s]+>:\s*/, '')
    // Exim: "host mx.example.com [192.0.2.1]: 550 ..."; Yahoo: "554: delivery error".
    .replace(/^host\s+[^\s[]{1,255}\s*\[[^\]\n]{1,64}\]:?\s*(?=[45]\d\d)/i, '')
    .replace(/^([45]\d\d):\s+/, '$1 ')
    .replace(/\s*\(in reply to [^)]*\)\.?/i, '')
    .replace(/\s*\[RCPT_TO\]/i, '')
    .trim();
  // Exchange writes `<mx.example.com #5.1.1 smtp;550 5.1.1 User unknown>`.
  const exchange = /#([45]\.\d+\.\d+)\s+smtp;\s*(.*?)>?$/is.exec(joined);
  if (exchange?.[2]) {
    const p = parseSmtpReply(exchange[2]);
    return p.enhanced ? exchange[2] : `${p.code ?? ''} ${exchange[1]} ${p.text}`.trim();
  }
  return joined.replace(/\s*\n\s*/g, ' ');
}
