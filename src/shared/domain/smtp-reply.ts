/**
 * SMTP reply parsing: the basic code (RFC 5321) and the enhanced status code (RFC 3463).
 */

export interface EnhancedStatus {
  /** 2 success, 4 persistent transient failure, 5 permanent failure */
  klass: 2 | 4 | 5;
  subject: number;
  detail: number;
}

export interface ParsedReply {
  code: number | null;
  enhanced: string | null;
  /** Reply text without the code and enhanced code, continuation lines joined by a space. */
  text: string;
}

const ENHANCED_RE = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

export function parseEnhancedStatus(value: string): EnhancedStatus | null {
  const m = ENHANCED_RE.exec(value.trim());
  if (!m) return null;
  return { klass: Number(m[1]) as 2 | 4 | 5, subject: Number(m[2]), detail: Number(m[3]) };
}

/**
 * Parses a (possibly multi-line) SMTP reply such as
 * `550-5.1.1 The email account does not exist.\r\n550 5.1.1 Try again` or `451 4.7.1 Greylisted`.
 * Lines without a code are kept as text.
 */
export function parseSmtpReply(raw: string): ParsedReply {
  const lines = raw.split(/\r?\n/).filter((l) => l.trim() !== '');
  let code: number | null = null;
  let enhanced: string | null = null;
  const texts: string[] = [];
  for (const line of lines) {
    const m = /^\s*([2-5]\d\d)(?:[ -]|$)(.*)$/.exec(line);
    let rest = line.trim();
    if (m) {
      code ??= Number(m[1]);
      rest = (m[2] ?? '').trim();
    }
    // Some filters (Cisco IronPort, qmail variants) write the enhanced code with a leading '#': `550 #5.1.0`.
    const e = /^#?([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)(.*)$/.exec(rest);
    if (e) {
      enhanced ??= e[1] ?? null;
      rest = (e[2] ?? '').trim();
    }
    if (rest) texts.push(rest);
  }
  return { code, enhanced, text: texts.join(' ') };
}

/** The outcome class of a reply code: accepted (2xx), deferred (4xx) or failed (5xx). */
export function replyKind(code: number): 'accepted' | 'deferred' | 'failed' {
  if (code >= 200 && code < 400) return 'accepted';
  if (code >= 400 && code < 500) return 'deferred';
  return 'failed';
}

export function formatReply(reply: { code: number | null; enhanced: string | null; text: string }): string {
  const text = reply.text.trim();
  // A text that already starts with its reply code (a DSN's Diagnostic-Code, a raw reply) is kept as it is.
  const own = /^([2-5]\d\d)[ -]/.exec(text);
  if (own && (reply.code === null || Number(own[1]) === reply.code)) return text;
  return [reply.code, reply.enhanced, text].filter((p) => p !== null && p !== '').join(' ');
}
