/**
 * Reply normalisation (SPEC §4.2): the variable parts of a reply (addresses, URLs' queries, dates, times, IPs,
 * host names with digits, ids, numbers) become placeholders so that identical failures collapse into one key:
 * `<a@b.com>: User unknown` and `<c@d.org>: User unknown` both give `<{email}>: User unknown`.
 *
 * The classifier's patterns run on the normalised text, and the delivery-log qualification table groups
 * replies by `normaliseReply(raw)`. Reply codes and RFC 3463 enhanced codes are kept, and so are short
 * provider codes such as `[TSS04]` or `(S3150)` that rules need.
 */
import { isIP } from 'node:net';
import { parseSmtpReply } from '../../../shared/domain/smtp-reply';

/** Normalised keys are capped: the end of a very long reply never distinguishes two failures usefully. */
export const NORMALISED_MAX_LENGTH = 1000;

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';

const URL_RE = /\b(?:https?|ftp):\/\/[^\s<>"'\])]+/gi;
const EMAIL_RE = /[^\s<>()[\]"',;:@]+@(?:[a-z0-9-]+\.)+[a-z0-9-]+/gi;
const RFC_DATE_RE = new RegExp(
  String.raw`(?:(?:${DAYS}),?\s+)?\d{1,2}\s+(?:${MONTHS})[a-z]*\.?\s+\d{2,4}` +
    String.raw`(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*[+-]\d{4})?(?:\s*\([A-Z]{2,5}\))?`,
  'gi',
);
const ISO_DATE_RE =
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|\s*[+-]\d{2}:?\d{2})?)?(?![\w])/gi;
const SLASH_DATE_RE = /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g;
const TIME_RE = /\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AP]M\b)?(?:\s*[+-]\d{4}\b)?/gi;
const ENHANCED_RE = /(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)/g;
const IP_CANDIDATE_RE = /(?:IPv6:)?[0-9a-f:.]*[:.][0-9a-f:.]+/gi;
const HOST_RE = /\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\b/gi;
const TOKEN_RE = /[A-Za-z0-9][\w+/=-]{7,}/g;
/** Short provider codes kept as they are: S3150, AS201806281, TSS04, DYN:T1 is handled by length. */
const PROVIDER_CODE_RE = /^[A-Z]{1,3}\d{2,9}$/;
const PROTECTED_BASE = 0xe000;
const PROTECTED_RE = /[\ue000-\uf8ff]/g;
const NUMBER_RE = /(?<![\w.{])\d+(?:[.,]\d+)*(?![\w}])/g;

/**
 * Normalises a whole reply (`550-5.1.1 ...\r\n550 5.1.1 ...` or a DSN Diagnostic-Code text): the code and the
 * enhanced code are kept in front, the text is normalised.
 */
export function normaliseReply(raw: string): string {
  const parsed = parseSmtpReply(raw);
  const head = [parsed.code, parsed.enhanced].filter((p) => p !== null).join(' ');
  const text = normaliseText(parsed.text);
  return (head && text ? `${head} ${text}` : head || text).slice(0, NORMALISED_MAX_LENGTH);
}

/** Normalises reply text (no code handling). */
export function normaliseText(text: string): string {
  // Kept parts are swapped for one private-use character each (no digit, no word character) and put back last.
  const kept: string[] = [];
  const protect = (value: string): string => {
    kept.push(value);
    return String.fromCharCode(PROTECTED_BASE + kept.length - 1);
  };
  let out = text
    .slice(0, NORMALISED_MAX_LENGTH * 4)
    .replace(PROTECTED_RE, '')
    .replace(/\s+/g, ' ')
    .trim();
  out = out.replace(URL_RE, (url) => protect(url.replace(/[?#].*$/s, '?{query}')));
  out = out.replace(EMAIL_RE, () => '{email}');
  out = out.replace(RFC_DATE_RE, '{date}');
  out = out.replace(ISO_DATE_RE, '{date}');
  out = out.replace(SLASH_DATE_RE, '{date}');
  out = out.replace(ENHANCED_RE, protect);
  out = out.replace(IP_CANDIDATE_RE, (candidate) => {
    const bare = candidate.replace(/^IPv6:/i, '').replace(/[.:]+$/, '');
    return isIP(bare) ? `{ip}${candidate.slice(candidate.indexOf(bare) + bare.length)}` : candidate;
  });
  out = out.replace(TIME_RE, '{time}');
  out = out.replace(HOST_RE, (host) => (/\d/.test(host) && /[a-z]/i.test(host) ? '{host}' : host));
  out = out.replace(TOKEN_RE, (token) =>
    /\d/.test(token) && /[a-z]/i.test(token) && !PROVIDER_CODE_RE.test(token) ? '{id}' : token,
  );
  out = out.replace(NUMBER_RE, '{n}');
  out = out.replace(PROTECTED_RE, (c) => kept[c.charCodeAt(0) - PROTECTED_BASE] ?? '');
  return out.slice(0, NORMALISED_MAX_LENGTH);
}
