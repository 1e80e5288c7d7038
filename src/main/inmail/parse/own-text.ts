/**
 * The bounce's own words, apart from the copy of the returned message. Plain-text bounces (qmail, old
 * Sendmail, IMail, DMA, OpenSMTPD, GroupWise, mFILTER ...) paste the returned message after a fixed
 * separator line; what follows it names the original recipients and senders, never the failed ones, so the
 * failed-recipient search must stop there. The separator is also where the returned header block can be
 * read when the bounce has no message/rfc822 part.
 *
 * Separators are matched one line at a time (lines are capped), in several languages, so the scan stays
 * linear on hostile input.
 */

/** Lines longer than this are never a separator. */
const MAX_SEPARATOR_LINE = 160;

/**
 * Separator lines: "------ This is a copy of the message" (Exim), "--- Below this line is a copy of the
 * message." (qmail), "----- Unsent message follows -----" (Sendmail), "Original message follows."
 * (IMail), "Message headers follow." (DMA), "Below is a copy of the original message:" (OpenSMTPD),
 * "Possibly truncated original message follows:" (GroupWise), "Original message headers:" (Exchange),
 * "--- Mensaje original adjunto." (Spanish qmail), "--- Original message headers ---", "--- headers of the
 * message ---", "-------元のメッセージ" (mFILTER) ...
 */
const SEPARATOR_RE = new RegExp(
  [
    'this is a copy of the message',
    'below this line is a copy of the message',
    'enclosed are the original headers',
    '(?:original|returned|unsent|undelivered|undeliverable|rejected|bounced)\\s+(?:message|mail|e-?mail)(?:\\s+(?:headers?|text|body))?\\s*(?:follows?|below|attached|is attached|included)',
    '(?:message|mail)\\s+(?:headers?|body|text)\\s+(?:follows?|below)',
    'below is (?:a copy of )?the (?:original )?message',
    'a copy of the (?:original )?message (?:is )?(?:below|follows|attached)',
    'original message headers\\s*:',
    '(?:header|headers|copy|text|body) of (?:the |your )?original (?:message|mail)',
    'original (?:message|mail) (?:is )?following',
    '^[\\s*=_-]*(?:original|returned|unsent|undelivered|rejected|bounced|attached) (?:message|mail|e-?mail|headers?)(?: headers?)?[\\s*=_:-]*$',
    '^[\\s*=_-]*(?:the )?headers? of the (?:original |returned )?(?:message|mail)[\\s*=_:-]*$',
    '^-{3,}\\s*(?:message|headers) (?:of|from) (?:the )?original',
    'mensa(?:je|gem) original',
    "message d'origine",
    'message original',
    'urspr[üu]ngliche nachricht',
    'originalnachricht',
    'messaggio originale',
    'oorspronkelijk bericht',
    '元のメッセージ',
    '元のメール',
    '原始邮件',
    '原始郵件',
  ].join('|'),
  'i',
);

/** A copy of a header block: a Received / Return-Path line, or From/To/Subject fields in a row. */
const HEADER_START_RE = /^(?:Return-Path:\s*<|Received:\s+(?:from|by)\s)/i;

export interface OwnText {
  /** The bounce's text up to the copy of the returned message ("\n" line ends). */
  own: string;
  /** The text after the separator (the pasted returned message), or '' when there is none. */
  copy: string;
}

/** Splits a bounce's human text into its own words and the pasted copy of the returned message. */
export function splitOwnText(text: string): OwnText {
  const normalised = text.replace(/\r\n?/g, '\n');
  let offset = 0;
  let seenContent = false;
  for (const line of normalised.split('\n')) {
    const next = offset + line.length + 1;
    if (seenContent && isSeparator(line)) {
      return { own: normalised.slice(0, offset), copy: normalised.slice(next) };
    }
    if (seenContent && HEADER_START_RE.test(line)) {
      return { own: normalised.slice(0, offset), copy: normalised.slice(offset) };
    }
    if (line.trim() !== '') seenContent = true;
    offset = next;
  }
  return { own: normalised, copy: '' };
}

/** The explanation is capped: a reason is stated near the top, and the classifier reads it whole. */
const MAX_EXPLANATION = 4_000;

/**
 * Lines of the bounce that describe the returned message rather than the failure ("Subject: …", Exim's
 * "The subject of the message is: …"): their words are the sender's (a subject can say "mailbox full").
 */
const SUMMARY_LINE_RE =
  /^\s*(?:the )?(?:subject|objet|asunto|betreff|oggetto|assunto|onderwerp|temat|тема|件名|主题|主題|date|sent|from|to|cc|message identifier|message-id)\b[^:\n]{0,40}[:：]/i;

/**
 * The bounce's own words as one line: the text before the returned copy, without the lines that describe
 * the returned message, whitespace collapsed, capped. Null when nothing is left.
 */
export function ownExplanation(text: string): string | null {
  const own = splitOwnText(text.slice(0, 64 * 1024)).own;
  const words = own
    .split('\n')
    .filter((line) => !SUMMARY_LINE_RE.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_EXPLANATION);
  return words === '' ? null : words;
}

function isSeparator(line: string): boolean {
  return line.length <= MAX_SEPARATOR_LINE && SEPARATOR_RE.test(line);
}
