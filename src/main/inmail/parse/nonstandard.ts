/**
 * Plain-text bounces of real MTAs and providers (no RFC 3464 report): qmail and its variants, Exim, Postfix,
 * Sendmail (old and new), Exchange 2003 to Office 365, Gmail, Yahoo, Domino, GroupWise, Courier, OpenSMTPD,
 * DragonFly DMA, IMail, mFILTER, SurfControl, Japanese carriers and generic "mailer-daemon" notices in
 * several languages. A format is recognised from its fixed phrases (the name is informative: one reader
 * serves them all); the failed recipients are then read from the bounce's own words, cut before the copy
 * of the returned message, most trustworthy source first:
 *   X-Failed-Recipients > DSN fields pasted in the text > the text's statements (own-text.ts,
 *   text-recipients.ts) > an address in the Subject > the returned message's header > the only address
 *   in the text > a VERP envelope address;
 * and the address the sender used wins over an expansion or an internal route. Each recipient's
 * diagnostic comes from its own region of the text (text-diagnostics.ts).
 */
import type { HeaderField } from './mime';
import { splitOwnText } from './own-text';
import { parseDeliveryStatus, splitDiagnostic } from './report-fields';
import { headersOfPastedCopy, recipientOfReturnedHeaders, recipientOfVerp } from './returned-headers';
import { diagnosticFor, findDiagnostic } from './text-diagnostics';
import { findMentions, uniqueByAddress } from './text-recipients';
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
        'not (been |yet been )?delivered',
        '(was|were|has been|have been) (blocked|rejected|refused|quarantined|returned)',
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
        "n'a pas (pu )?(être|ete|été) (remis|distribu)",
        'no se (ha )?(podido )?entreg',
        'non (è|e) stato (consegnat|recapitat)',
        'n[ãa]o foi entregue',
        'onbestelbaar',
        'не (может быть )?доставлен',
        '无法(投递|送达)|退信',
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
  /mailer-daemon|postmaster|mail delivery|mail ?administrator|mail system|mailer|daemon|bounce|(?:listserv|mailman)(?:-[^@\s]*)?@|list server|-owner@|owner-[^@\s]*@|-request@|^\s*(?:"[^"]*"\s*)?<?\s*>?\s*$/i;
const BOUNCE_SUBJECT_RE =
  /undeliver|deliver(y|ed)? (status|fail|notification|problem|error)|non[- ]?delivery|returned mail|failure notice|mail (system )?error|could not (be )?(send|deliver)|not delivered|delivery (failure|failed|problem|warning|delayed)|\b(message|mail|e-?mail)\b[^\n]{0,40}\b(blocked|rejected|refused|returned)\b|\b(message|courriel|nachricht|mensaje|messaggio|mensagem|bericht)\b[^\n]{0,40}(rejet[ée]|refus[ée]|bloqu[ée]|abgelehnt|zurückgewiesen|blockiert|rechazad|bloquead|rifiutat|respint|bloccat|rejeitad|recusad|geweigerd|geblokkeerd)|unzustellbar|nicht zugestellt|non recapitabile|mancata consegna|non consegnat|non remis|non distribu|échec de (la )?(remise|livraison|distribution)|no entregado|no se (ha )?pudo entregar|não entregue|falha na entrega|onbestelbaar|niet (afgeleverd|bezorgd)|配[信送](エラー|失敗|不能)|返送|送信エラー|拒否|遮断|拒绝|退信/i;

/** Whether a Subject is a bounce's ("Undeliverable: …", "Message rejeté pour la liste …"). */
export function isBounceSubject(subject: string): boolean {
  return BOUNCE_SUBJECT_RE.test(subject);
}

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

const ADDRESS_RE =
  /[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.){1,8}[a-z]{1,63}/gi;

/**
 * The format of a plain-text bounce, or null when the message is not one. Phrases other mail can contain too
 * (`gated` formats) count only from a daemon (or the null sender, `nullSender`: Return-Path <>) or under a
 * bounce subject.
 */
export function detectNonstandardFormat(
  text: string,
  subject: string,
  from: string,
  nullSender = false,
): string | null {
  const haystack = `${subject}\n${text.slice(0, 20_000)}`;
  const fromDaemon = isDaemonSender(from) || nullSender;
  const bounceSubject = isBounceSubject(subject);
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
    !/^(mailer-daemon|no-?reply|bounces?|double-bounce|root)@/i.test(a) &&
    // A list's command and bounce addresses are named for contact, never as failed recipients.
    !/(?:-request|-bounces)@/i.test(a) &&
    !/^imcea/i.test(a) &&
    /@[^@]*[a-z]/i.test(a);

  const embedded = embeddedDeliveryStatus(own);
  if (embedded.length) return embedded;

  const returnedHeaders = input.returnedHeaders ?? headersOfPastedCopy(copy);
  // Addresses inside links (`…/verify?email=a@b`) are parameters, not recipients: the links are blanked
  // for the search, keeping every offset (diagnostics are read from the text as it is).
  const found = failedAddresses(withoutLinks(own), input, isCandidate, returnedHeaders);
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

/**
 * The text with each link, and each message id a label introduces ("Message ID: <…@host>"), replaced by as
 * many spaces (offsets kept): their addresses are parameters and identifiers, not recipients.
 */
function withoutLinks(text: string): string {
  return text
    .replace(/\b(?:https?|ftp):\/\/[^\s<>"']{1,2000}/gi, (url) => ' '.repeat(url.length))
    .replace(
      /(\b(?:message|msg|queue)[ _-]?id(?:entifier)?|\bin-reply-to|\breferences|identificativo(?: del)? messaggio|id(?:entifiant)? du message|identificador del mensaje|nachrichten-?id)([ \t]*[:=]?[ \t]*)(<[^<>\s]{1,250}>|[^<>\s]{1,250}@[^<>\s]{1,250})/gi,
      (_, label: string, gap: string, id: string) => label + gap + ' '.repeat(id.length),
    );
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
    return uniqueByAddress(
      header.map((h) => {
        const m = mentions.find((x) => (x.final ?? x.address).toLowerCase() === h.toLowerCase());
        return { address: m?.address ?? h, final: m?.final ?? null, at: m?.at ?? 0 };
      }),
    );
  }
  if (mentions.length) return mentions.map((m) => ({ address: m.address, final: m.final, at: m.at }));
  const inSubject = subjectAddress(input.subject, isCandidate);
  if (inSubject) return [{ address: inSubject, final: null, at: 0 }];
  // A VERP return path names the failed recipient exactly; the returned header's To may be a list address.
  // Unless the VERP part carries a tag before the address (`bounces+ed6854-user=example.com@`): the returned
  // To that ends it is the address.
  const verp = recipientOfVerp(input.envelopeTo ?? null);
  const fromHeaders = returnedHeaders ? recipientOfReturnedHeaders(returnedHeaders, isCandidate) : null;
  if (verp && isCandidate(verp)) {
    const tagged = fromHeaders !== null && verp.toLowerCase().endsWith(fromHeaders.toLowerCase());
    const tagEnd = verp.charAt(verp.length - (fromHeaders?.length ?? 0) - 1);
    const address = tagged && /[-._+]/.test(tagEnd) ? fromHeaders : verp;
    return [{ address, final: null, at: 0 }];
  }
  if (fromHeaders) return [{ address: fromHeaders, final: null, at: 0 }];
  const lone = loneAddress(own, isCandidate);
  return lone ? [{ address: lone, final: null, at: 0 }] : [];
}

/** The one address a bounce's Subject names ("Undeliverable: a@b", "Delivery failure <a@b>"), or null. */
function subjectAddress(subject: string, isCandidate: (a: string) => boolean): string | null {
  const found = [...new Set([...subject.slice(0, 500).matchAll(ADDRESS_RE)].map((m) => m[0]))].filter(
    isCandidate,
  );
  return found.length === 1 && found[0] ? found[0] : null;
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
