/**
 * The diagnostic of each failed recipient of a plain-text bounce: the remote server's reply quoted in the
 * recipient's own region of the text (from its mention to the next recipient's), else the MTA's words on the
 * recipient's line ("Unknown user: a@b", "a@b (user not found)") or right under it, else the bounce's
 * reply or explanation for all of them. Replies are cleaned of the MTA's wrapping (Exim's "host ... [ip]:",
 * Exchange's "<host #5.1.1 smtp;...>", Postfix's "(in reply to ... command)").
 */
import { parseSmtpReply } from '../../../shared/domain/smtp-reply';

/**
 * A reply code in running text: three digits that are not part of a longer number, a port (`:52881`), a
 * time (`10:00:01.250`), a version or an order number (`#48213`); any other character may come before it
 * (a space, a quote, a full-width colon of an East Asian text).
 */
const SMTP_REPLY_RE =
  /(?<![\w.\-/]|\d:)([45]\d\d)(?![\d.])(?:[ -]+|\s*)((?:#?[45]\.\d{1,3}\.\d{1,3})?[^\n]*)/;

/**
 * The recipient's own diagnostic: the remote reply in the region from its mention (`from`, the offset of
 * its line) to the next failed address; else the words on its line ("Unknown user: a@b", "a@b (user not
 * found)"); else the lines right after it, up to a blank line (Exim, qmail, Exchange, Domino).
 */
export function diagnosticFor(text: string, recipient: string, from: number, to: number): string | null {
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
  const text = following ? withoutExpansions(following.replace(/\s+/g, ' ')) : '';
  return text === '' ? null : text;
}

/** The first remote reply in a text, with its continuation lines. */
function findReply(text: string): string | null {
  // Explicit introductions first: they point at the remote reply, not at any number in the text. The reply
  // goes on over indented lines and over the lines of a multi-line reply (`550-…` then `550 …`).
  const intro =
    /(?:Remote host said|said|Remote Server returned|The response (?:from the remote server )?was|SMTP error from remote mail server after [^\n]*:|reason\b|<<<|Diagnostic-Code|server (?:replied|responded))\s*[:'"(]?\s*\n?\s*([^\n]+(?:\n(?:[ \t]+|[45]\d\d[ -])[^\n]+)*)/i.exec(
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

export function findDiagnostic(text: string): string | null {
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
  /not exist|unknown|no such|no valid|not (?:a )?valid|not found|exceed|limit|not listed|not recogni[sz]ed|full|quota|disabled|suspended|expired|inactive|rejected|refused|denied|blocked|permission|not allowed|not accepting|invalid|unavailable|timed? ?out|too (large|big)|loop/i;

/**
 * Lines that describe the returned message rather than the failure (Exim's "The subject of the message is:",
 * a quoted Subject: or To: line): their words are the sender's, not the MTA's.
 */
const MESSAGE_SUMMARY_RE =
  /^(?:the )?(?:subject|date|message identifier|message-id|from|to|cc|sent|original message)\b[^:\n]{0,40}:/i;

/** The first short line of the text that explains the failure, or null. */
function explanationLine(text: string): string | null {
  for (const line of text.split('\n').slice(0, 200)) {
    const t = line.trim();
    if (t.length > 0 && t.length <= 400 && !MESSAGE_SUMMARY_RE.test(t) && EXPLANATION_RE.test(t)) return t;
  }
  return null;
}

/** The text without the "(generated from X)" / "(expanded from: <X>)" notes an MTA adds after an address. */
function withoutExpansions(text: string): string {
  return text
    .replace(/\(\s*(?:ultimately\s+)?(?:generated|expanded)\s+from:?[^()\n]{0,330}\)\s*/gi, '')
    .trim();
}

function cleanReply(raw: string): string {
  const joined = withoutExpansions(raw)
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
