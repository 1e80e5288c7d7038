/**
 * Plain-text bounces of real MTAs and providers (no RFC 3464 report): Exim, qmail, Sendmail, Postfix,
 * Exchange / Office 365, Gmail, Yahoo, Domino and generic "mailer-daemon" notices. A format is recognised
 * from its fixed phrases; failed recipients and their diagnostics are then read from the human text, which
 * is cut before the copy of the returned message.
 */
import { parseSmtpReply } from '../../../../shared/domain/smtp-reply';
import { splitDiagnostic } from './report-fields';
import type { DsnAction, InboundRecipient } from './types';

interface Format {
  name: string;
  marker: RegExp;
}

/** Fixed phrases of each format (first match names the format). */
const FORMATS: readonly Format[] = [
  { name: 'qmail', marker: /This is the qmail-send program|qmail-send/i },
  {
    name: 'exim',
    marker:
      /This message was created automatically by mail delivery software|The following address\(es\) failed|X-Failed-Recipients/i,
  },
  {
    name: 'postfix',
    marker: /This is the mail system at host|I'm sorry to have to inform you that your message/i,
  },
  {
    name: 'sendmail',
    marker:
      /The following addresses had permanent fatal errors|Transcript of session follows|MAILER-DAEMON.*Returned mail/i,
  },
  {
    name: 'exchange',
    marker:
      /Delivery has failed to these recipients or groups|Your message to .{1,200} couldn't be delivered|Diagnostic information for administrators|Remote Server returned|Message Delivery Failure|The following recipient\(s\) cannot be reached/i,
  },
  {
    name: 'gmail',
    marker:
      /\*\* (Address not found|Message (not delivered|blocked)|Message not sent) \*\*|Delivery to the following recipient(s)? failed|Delivery Status Notification \((Failure|Delay)\)/i,
  },
  { name: 'yahoo', marker: /Sorry, we were unable to deliver your message to the following address/i },
  { name: 'domino', marker: /was not delivered to:[\s\S]{0,400}because:|Delivery Failure Report/i },
  {
    name: 'generic',
    marker:
      /(could not|couldn't|cannot|can't|was not|wasn't|unable to) (be )?deliver|undeliver|delivery (has )?failed|delivery failure|failed (permanently|recipient)|returned mail|permanent error|mailbox (is )?(full|unavailable)|user unknown|does not exist/i,
  },
];

/** Where the copy of the returned message starts: the text after it is not the bounce's own. */
const COPY_MARKERS =
  /^.*(------ This is a copy of the message|--- Below this line is a copy of the message|----- Original message -----|------ Original Message|Original message headers:|----- Transcript of session follows -----(?![\s\S]*<<<)|-----Original Message-----|Return-Path: <|Received: from ).*$/im;

const DELAY_RE =
  /has not yet been delivered|not been delivered yet|will (continue|keep) trying|still trying|Delivery Status Notification \(Delay\)|this is only a warning|delayed (for )?\d+ ?(hours?|minutes?|days?)|Warning: message .* delayed|delivery (is )?delayed|you do not need to resend/i;

const SMTP_REPLY_RE = /(?:^|[\s'"(:;>#])([45]\d\d)(?:[ -]+|\s*)((?:#?[45]\.\d{1,3}\.\d{1,3})?[^\n]*)/;

const ADDRESS_RE = /[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}/gi;

export function detectNonstandardFormat(text: string, subject: string, from: string): string | null {
  const haystack = `${subject}\n${text.slice(0, 20_000)}`;
  const fromDaemon = /mailer-daemon|postmaster|mail delivery (sub)?system|mail ?delivery|bounce/i.test(from);
  for (const f of FORMATS) {
    if (f.marker.test(haystack)) {
      if (
        f.name !== 'generic' ||
        fromDaemon ||
        /undeliver|deliver(y|ed)? (status|fail)|returned mail|failure notice/i.test(subject)
      )
        return f.name;
    }
  }
  return null;
}

export interface NonstandardInput {
  text: string;
  subject: string;
  /** Addresses that are not failed recipients (ours, the report's own sender and recipient). */
  excluded: readonly string[];
  /** X-Failed-Recipients (Exim) and similar headers. */
  failedHeader: readonly string[];
}

export function parseNonstandard(input: NonstandardInput): InboundRecipient[] {
  const cut = COPY_MARKERS.exec(input.text);
  const text = (cut ? input.text.slice(0, cut.index) : input.text).replace(/\r\n/g, '\n');
  const excluded = new Set(input.excluded.map((a) => a.toLowerCase()));
  const isCandidate = (a: string) =>
    !excluded.has(a.toLowerCase()) && !/^(mailer-daemon|postmaster|no-?reply|bounces?)@/i.test(a);

  const ordered: string[] = [];
  const add = (a: string | undefined) => {
    if (!a) return;
    const addr = a.replace(/^[<(]+|[>).,;:'"]+$/g, '');
    if (isCandidate(addr) && !ordered.some((o) => o.toLowerCase() === addr.toLowerCase())) ordered.push(addr);
  };
  input.failedHeader.forEach(add);
  // Addresses standing on their own line (Exim, Exchange, Domino, Gmail), or starting a "<a@b>:" block.
  for (const m of text.matchAll(/^[ \t]*<?([^\s<>@]+@[^\s<>]+?)>?:?[ \t]*$/gm)) add(m[1]);
  for (const m of text.matchAll(/^[ \t]*<([^\s<>@]+@[^\s<>]+)>:/gm)) add(m[1]);
  // Phrases naming the recipient inline.
  for (const m of text.matchAll(
    /(?:wasn't delivered to|was not delivered to|couldn't be delivered to|could not be delivered to|message to|delivery to|failed to deliver to|recipient:|addressed to)\s*<?([^\s<>@]+@[^\s<>]+)/gi,
  ))
    add(m[1]);
  if (ordered.length === 0) {
    const counts = new Map<string, number>();
    for (const m of text.matchAll(ADDRESS_RE))
      if (isCandidate(m[0])) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    const first = [...counts.keys()][0];
    if (first) add(first);
  }

  const delayed = DELAY_RE.test(`${input.subject}\n${text}`);
  const action: DsnAction = delayed ? 'delayed' : 'failed';
  const globalDiag = findDiagnostic(text);
  const recipients = ordered.map((recipient): InboundRecipient => {
    const diag = diagnosticFor(text, recipient, ordered) ?? globalDiag;
    const split = splitDiagnostic(diag);
    return {
      recipient,
      originalRecipient: null,
      action,
      status: split.enhanced,
      code: split.code,
      diagnostic: split.text,
      remoteMta: /(?:host|server)\s+([a-z0-9.-]+\.[a-z]{2,})/i.exec(text)?.[1] ?? null,
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

/** The diagnostic in the region of the text that follows a mention of the recipient. */
function diagnosticFor(text: string, recipient: string, all: readonly string[]): string | null {
  const lower = text.toLowerCase();
  const others = all.filter((a) => a.toLowerCase() !== recipient.toLowerCase()).map((a) => a.toLowerCase());
  let fallback: string | null = null;
  let from = 0;
  for (let guard = 0; guard < 20; guard++) {
    const at = lower.indexOf(recipient.toLowerCase(), from);
    if (at < 0) break;
    const afterLine = text.indexOf('\n', at);
    const start = at;
    let end = text.length;
    for (const o of others) {
      const next = lower.indexOf(o, at + recipient.length);
      if (next >= 0 && next < end) end = next;
    }
    const region = text.slice(start, end);
    const reply = findReply(region);
    if (reply) return reply;
    if (fallback === null && afterLine >= 0) {
      // The lines right after the recipient, up to a blank line (Exim, qmail, Exchange, Domino).
      const following = /^\n((?:[ \t]*\S[^\n]*\n?){1,4})/.exec(text.slice(afterLine, end))?.[1];
      if (following) fallback = following.replace(/\s+/g, ' ').trim();
    }
    from = at + recipient.length;
  }
  return fallback;
}

/** The first remote reply in a text, with its continuation lines. */
function findReply(text: string): string | null {
  // Explicit introductions first: they point at the remote reply, not at any number in the text.
  const intro =
    /(?:Remote host said|said|Remote Server returned|The response (?:from the remote server )?was|SMTP error from remote mail server after [^\n]*:|reason|<<<|Diagnostic-Code|server (?:replied|responded))\s*[:'"(]?\s*\n?\s*([^\n]+(?:\n[ \t]+[^\n]+)*)/i.exec(
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
    /(unrouteable address|retry timeout exceeded|all hosts for .* have been failing|mailbox is full[^\n]*|user unknown|no such user[^\n]*|does not exist[^\n]*|address not found[^\n]*|couldn't be found[^\n]*|connection timed out[^\n]*)/i.exec(
      text,
    );
  return known?.[1]?.trim() ?? null;
}

function cleanReply(raw: string): string {
  const joined = raw
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/^['"(]|['")]$/g, '')
    .replace(/^<[^<>\s]+@[^<>\s]+>:\s*/, '')
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
