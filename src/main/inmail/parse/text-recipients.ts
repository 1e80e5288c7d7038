/**
 * The failed recipients a plain-text bounce names in its own words, found by the few shapes every MTA's
 * text falls into rather than by one parser per MTA:
 *
 * - an address alone on its line, bare, `<quoted>`, `"quoted"` or followed by a colon (qmail, Exim, GMX,
 *   Domino, Gmail, Exchange 2007+, SurfControl, mFILTER, Google Groups, Mailman-era "simple" bounces);
 * - an address that starts its line and is followed by its reason: `addr: reason` (OpenSMTPD, EZweb,
 *   Postfix text), `addr... reason` (Sendmail), `addr on <date>` (Exchange 2003), `addr (reason)`
 *   (GroupWise), `addr (addr)` (Exchange 2007+), `'addr' on <date>` (Exchange 2000/2003);
 * - a reply that names it first: `550 <addr>... User unknown`, `<<< 550 5.1.1 <addr>: ...` (old Sendmail);
 * - a phrase that names it inline: "error delivering your mail to <addr>" (DMA), "wasn't delivered to
 *   addr" (Gmail, Office 365), "Unknown user: addr" (IMail), "Recipient address: addr", "You sent mail to
 *   addr", "...: addr" at the end of a reason line (IMail), `RCPT TO:<addr>` answered by a failure reply.
 *
 * The address the sender used wins over an expansion: "(generated from X)" (Exim), "(expanded from: <X>)"
 * (Sendmail, Postfix) make X the recipient. Sender-side lines (From:, "A message sent by", greetings) are
 * skipped. Lines are capped in length and count, and each pattern is anchored or bounded: linear work.
 */

export interface Mention {
  /** The failed address as the text gives it (the original one, when an expansion names it). */
  address: string;
  /** The address the MTA failed on, when the text shows an expansion (else null). */
  final: string | null;
  /** Offset of the mention in the text: the recipient's own diagnostic follows it. */
  at: number;
  /** `strong`: stated as failed; `weak`: only quoted (a To: line of the returned message's summary). */
  strength: 'strong' | 'weak';
}

const MAX_LINES = 3000;
const MAX_LINE = 1000;

/** A mailbox: dot-atom-ish local part (or a quoted one), a domain of labels; a 1-letter TLD is tolerated. */
const ADDR = `(?:"[^"\\n]{1,64}"|[a-z0-9!#$%&'*+/=?^_\`{|}~.-]{1,64})@(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\\.){1,8}[a-z0-9-]{1,63}`;

/** The address alone on its line: bare, bracketed or quoted, an optional colon after it. */
const ALONE_RE = new RegExp(
  `^[\\s>*•·-]{0,12}(?:rfc822;\\s*)?[<"'(\\[]?(${ADDR})[>"')\\]]?\\s*[:.,;]?\\s*$`,
  'i',
);

/** The address starting its line, followed by its reason in one of the usual shapes. */
const LEADING_RE = new RegExp(
  `^[\\s>*•·-]{0,12}[<"'\\[]?(${ADDR})[>"'\\]]?\\s*(?:\\((?:ultimately\\s+)?(?:generated|expanded)\\s+from:?\\s*<?(${ADDR})>?\\)\\s*)?(?::\\s*\\S|\\.\\.\\.\\s*\\S|\\s+on\\s+\\S|\\s*\\(\\s*\\S|\\s+-{1,3}\\s*\\S|\\s+\\[[^\\]]*\\]|\\s*[|>]\\s*\\S)`,
  'i',
);

/** A line that is a display name and an address: `John Doe (john@x)<mailto:john@x>` (Exchange 2010+). */
const NAMED_RE = new RegExp(
  `^\\s*"?[^@<>()":\\n]{1,80}"?\\s*[(<\\[](?:mailto:)?(${ADDR})[)>\\]]\\s*(?:<mailto:[^<>\\s]{1,320}>)?\\s*$`,
  'i',
);

/** A reply that names the address before its text: `550 <addr>... User unknown`, `<<< 550 5.1.1 <addr>:`. */
const REPLY_NAMING_RE = new RegExp(
  `^\\s*(?:<<<\\s*)?[45]\\d\\d[ -](?:#?[45]\\.\\d{1,3}\\.\\d{1,3}\\s+)?[<"]?(${ADDR})[>"]?\\s*(?:\\.\\.\\.|:|\\s)`,
  'i',
);

/** Phrases that name the failed address inline (English and the common localisations). */
const INLINE_RES: readonly RegExp[] = [
  new RegExp(
    `(?:deliver(?:y|ed|ing)?|sen[dt]|forward(?:ed|ing)?|relay(?:ed|ing)?|transmit(?:ted)?|reach)\\s+(?:of\\s+)?(?:(?:your|the|this)\\s+)?(?:(?:mail|message|e-?mail)\\s+)?(?:to|for)\\s*:?\\s*[<"']{0,2}(${ADDR})`,
    'i',
  ),
  new RegExp(
    `(?:message|mail|e-?mail)\\s+(?:sent\\s+)?to\\s*:?\\s*[<"']{0,2}(${ADDR})[>"']?\\s*(?:could|was|has|is|did|failed|bounced|couldn|wasn|hasn|cannot|can't)`,
    'i',
  ),
  new RegExp(
    `(?:unknown|invalid|bad|non-?existent|disabled|inactive|unavailable|illegal|no such)\\s+(?:local\\s+)?(?:user|recipient|address|mailbox|account|alias|local[- ]part)(?:\\s+name)?\\s*[:-]?\\s*[<"']{0,2}(${ADDR})`,
    'i',
  ),
  new RegExp(
    `(?:recipient|rcpt|addressee|destinatario|destinataire|destinat[áa]rio|empf[äa]nger|宛先(?:アドレス)?|收件人)(?:\\s+(?:address|e-?mail))?\\s*(?:[:=：]|is)\\s*[<"']{0,2}(${ADDR})`,
    'i',
  ),
  new RegExp(
    `(?:user|mailbox|account|address)\\s+[<"']{0,2}(${ADDR})[>"']?\\s+(?:is|was|does|has|not|unknown)\\b`,
    'i',
  ),
  new RegExp(`^\\s*[A-Za-z][^:\\n]{3,120}:\\s*[<"']{0,2}(${ADDR})[>"']?\\.?\\s*$`, 'i'),
];

/** `RCPT TO:<addr>` in a transcript: a failure only when a 4xx/5xx reply answers it. */
const RCPT_RE = new RegExp(`RCPT\\s+TO\\s*:\\s*<?(${ADDR})>?`, 'i');
const FAILURE_REPLY_RE = /^\s*(?:<<<\s*)?[45]\d\d[\s-]/;

/** The `To:` line of a summary of the returned message (Exchange 2003, XWall, SurfControl): weak. */
const TO_LINE_RE = new RegExp(`^\\s*To:\\s*(?:[^<\\n]{0,80}<)?(${ADDR})>?\\s*$`, 'i');

/** Lines about the sender or greeting them: their addresses are never failed recipients. */
const SENDER_LINE_RE =
  /^\s*(?:from|sender)\b[\s:]|^\s*(?:reply-to|return-path|envelope-from|x-sender|cc|bcc|date|sent|subject|message-id)\s*:|^\s*(?:hello|hi|dear|bonjour|hallo|hola|ciao)\b[\s,]|mail\s+from\s*:|\(mail from:|envelope-from|^\s*(?:reporting|received-from|remote)-mta\s*:/i;
/** A line that introduces the sender on the next line ("A message sent by" in Exim). */
const SENDER_INTRO_RE =
  /(?:message|mail)\s+(?:that\s+you\s+)?sent\s+by\s*:?\s*$|^\s*(?:from|sender)\s*:?\s*$/i;

/** "(generated from X)", "(expanded from: <X>)", "ultimately generated from X" near a mention. */
const EXPANSION_RE = new RegExp(`(?:ultimately\\s+)?(?:generated|expanded)\\s+from:?\\s*<?(${ADDR})>?`, 'i');

export function findMentions(text: string, isCandidate: (address: string) => boolean): Mention[] {
  const lines = text.split('\n').slice(0, MAX_LINES);
  const strong: Mention[] = [];
  const transcript: Mention[] = [];
  const weak: Mention[] = [];
  let offset = 0;
  let previous = '';
  for (let i = 0; i < lines.length; i++) {
    const full = lines[i] ?? '';
    const line = full.length > MAX_LINE ? full.slice(0, MAX_LINE) : full;
    const at = offset;
    offset += full.length + 1;
    if (line.trim() === '') continue;
    const afterSenderIntro = SENDER_INTRO_RE.test(previous);
    previous = line;
    if (afterSenderIntro || SENDER_LINE_RE.test(line)) {
      const to = TO_LINE_RE.exec(line);
      if (to?.[1]) weak.push({ address: to[1], final: null, at, strength: 'weak' });
      continue;
    }
    const stated = statedOnLine(line);
    if (stated) strong.push({ address: stated, final: null, at, strength: 'strong' });
    const replied = stated ? null : repliedOnLine(line, lines[i + 1] ?? '');
    if (replied) transcript.push({ address: replied, final: null, at, strength: 'strong' });
    const to = TO_LINE_RE.exec(line);
    if (to?.[1]) weak.push({ address: to[1], final: null, at, strength: 'weak' });
  }
  // A transcript names the addresses again (sometimes rewritten): it counts only when nothing else does.
  for (const tier of [strong, transcript, weak]) {
    const chosen = applyExpansions(text, tier).filter((m) => isCandidate(m.address));
    if (chosen.length) return uniqueByAddress(chosen);
  }
  return [];
}

/** The address a line states as failed: alone, leading its reason, named, or in a phrase. */
function statedOnLine(line: string): string | null {
  const alone = ALONE_RE.exec(line)?.[1];
  if (alone) return alone;
  const leading = LEADING_RE.exec(line)?.[1];
  if (leading) return leading;
  const named = NAMED_RE.exec(line)?.[1];
  if (named) return named;
  if (/^\s*to\s*:/i.test(line)) return null;
  for (const re of INLINE_RES) {
    const m = re.exec(line)?.[1];
    if (m) return m;
  }
  return null;
}

/** The address a transcript line names in a failure reply, or in a RCPT TO that a failure answers. */
function repliedOnLine(line: string, next: string): string | null {
  const reply = REPLY_NAMING_RE.exec(line)?.[1];
  if (reply) return reply;
  const rcpt = RCPT_RE.exec(line);
  if (!rcpt?.[1]) return null;
  const tail = line.slice(rcpt.index + rcpt[0].length);
  return FAILURE_REPLY_RE.test(next) || /\b[45]\d\d[\s-]/.test(tail) ? rcpt[1] : null;
}

/**
 * Replaces an expanded address by the one it was generated from (the sender's), looking at the mention's
 * line and the indented lines of its block.
 */
function applyExpansions(text: string, mentions: Mention[]): Mention[] {
  const originals = new Set<string>();
  const mapped = mentions.map((m) => {
    const block = blockAt(text, m.at);
    const original = EXPANSION_RE.exec(block)?.[1];
    if (!original || original.toLowerCase() === m.address.toLowerCase()) return m;
    originals.add(original.toLowerCase());
    return { ...m, address: original, final: m.address };
  });
  // The original named inside "(generated from X)" is not a second failed recipient, nor is the expanded
  // address when a transcript line names it again.
  const finals = new Set(mapped.flatMap((m) => (m.final ? [m.final.toLowerCase()] : [])));
  return mapped.filter(
    (m) =>
      m.final !== null || (!originals.has(m.address.toLowerCase()) && !finals.has(m.address.toLowerCase())),
  );
}

/** The mention's line and its continuation lines (indented deeper than it), up to a blank line. */
function blockAt(text: string, at: number): string {
  const lines = text.slice(at, at + 2000).split('\n');
  const first = lines[0] ?? '';
  const indent = (line: string) => /^[ \t]*/.exec(line)?.[0].length ?? 0;
  const out = [first];
  for (const line of lines.slice(1, 7)) {
    if (line.trim() === '' || indent(line) <= indent(first)) break;
    out.push(line);
  }
  return out.join('\n');
}

/** The items in order, each address once (the first mention of it, case aside). */
export function uniqueByAddress<T extends { address: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((m) => {
    const key = m.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
