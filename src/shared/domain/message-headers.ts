/**
 * The message headers a template may carry besides From and Subject: Reply-To, List-Unsubscribe (a mailto and
 * an https URI, RFC 2369), the one-click unsubscribe of RFC 8058 (`List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click`, which requires the https URI) and custom headers. Values may hold `{{field}}`
 * placeholders; a field placed in an unsubscribe URI is percent-encoded there.
 *
 * The checks here are shared by the contract's schema (every API input), the console's form and the CLI's
 * `.eml` import, so they read the same everywhere.
 */

/** Header names the engine writes itself (lower case): a custom header cannot duplicate them. */
export const ENGINE_HEADERS: readonly string[] = [
  'from',
  'to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'dkim-signature',
  'return-path',
  'received',
  'reply-to',
  'list-unsubscribe',
  'list-unsubscribe-post',
];

/** Where a header the engine writes is set instead, for the message refusing it as a custom header. */
const OWN_FIELD: Record<string, string> = {
  'reply-to': 'use the Reply-To field',
  'list-unsubscribe': 'use the unsubscribe fields',
  'list-unsubscribe-post': 'use the one-click unsubscribe option',
};

/** The project's own trace headers (X-Relaydeck-ID…). */
const TRACE_PREFIX = 'x-relaydeck-';

/** RFC 5322 §3.6.8: a field name is printable ASCII except the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

export const ONE_CLICK_VALUE = 'List-Unsubscribe=One-Click';

export interface CustomHeader {
  name: string;
  value: string;
}

export interface TemplateHeaders {
  replyTo?: string | undefined;
  listUnsubscribe?: { mailto?: string | undefined; https?: string | undefined } | undefined;
  oneClick?: boolean | undefined;
  headers?: readonly CustomHeader[] | undefined;
}

export interface HeaderProblem {
  /** Path in the template: `replyTo`, `listUnsubscribe.https`, `oneClick`, `headers.2.name`. */
  path: (string | number)[];
  /** Plain English, naming the field. */
  message: string;
}

const LINE_BREAK = /[\r\n]/;
/** Control characters other than tab. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `{{field}}` placeholders replaced by a plain token, to check the static parts of a value. */
function withoutFields(value: string): string {
  return value.replace(/\{\{[^}]*\}\}/g, 'x');
}

/** Why a custom header name is refused, or null. */
export function headerNameProblem(name: string): string | null {
  if (name === '') return 'needs a name';
  if (!FIELD_NAME.test(name))
    return `"${name}" is not a header name: use letters, digits and "-" (no spaces or colon)`;
  const lower = name.toLowerCase();
  if (lower.startsWith(TRACE_PREFIX))
    return `${name} is Relaydeck's own trace header and is set by the engine`;
  if (ENGINE_HEADERS.includes(lower))
    return `${name} is set by the engine${OWN_FIELD[lower] ? `: ${OWN_FIELD[lower]}` : ''}`;
  return null;
}

/** The mailto URI of the unsubscribe field: an address alone is taken as `mailto:address`. */
export function mailtoUri(value: string): string {
  const v = value.trim();
  return /^mailto:/i.test(v) ? v : `mailto:${v}`;
}

function uriProblem(value: string, kind: 'mailto' | 'https'): string | null {
  const v = withoutFields(value.trim());
  if (LINE_BREAK.test(value)) return 'must be on one line';
  if (/[\s<>"]/.test(v)) return 'must not contain spaces, "<", ">" or quotes (percent-encode them)';
  if (/[^\x21-\x7e]/.test(v)) return 'must be plain ASCII: percent-encode other characters';
  if (kind === 'https') {
    if (!/^https:\/\/[^/?#]+/i.test(v))
      return 'must be an https:// address (e.g. https://example.com/unsubscribe?e={{email}})';
    return null;
  }
  const address = mailtoUri(v).slice('mailto:'.length).split('?')[0] ?? '';
  if (!/^[^@]+@[^@]+\.[^@]+$/.test(address))
    return 'must be an email address or a mailto: URI (e.g. unsubscribe@example.com)';
  return null;
}

/** Every problem of a template's headers; empty when they are valid. */
export function templateHeaderProblems(t: TemplateHeaders): HeaderProblem[] {
  const problems: HeaderProblem[] = [];
  const replyTo = t.replyTo ?? '';
  if (replyTo !== '') {
    if (LINE_BREAK.test(replyTo) || CONTROL.test(replyTo))
      problems.push({ path: ['replyTo'], message: 'Reply-To must be on one line' });
    else if (!/@/.test(withoutFields(replyTo)))
      problems.push({
        path: ['replyTo'],
        message: 'Reply-To must be an email address (e.g. support@example.com)',
      });
  }
  const mailto = t.listUnsubscribe?.mailto ?? '';
  const https = t.listUnsubscribe?.https ?? '';
  const mailtoProblem = mailto === '' ? null : uriProblem(mailto, 'mailto');
  if (mailtoProblem)
    problems.push({ path: ['listUnsubscribe', 'mailto'], message: `Unsubscribe email ${mailtoProblem}` });
  const httpsProblem = https === '' ? null : uriProblem(https, 'https');
  if (httpsProblem)
    problems.push({ path: ['listUnsubscribe', 'https'], message: `Unsubscribe link ${httpsProblem}` });
  if (t.oneClick && https.trim() === '')
    problems.push({
      path: ['oneClick'],
      message:
        'One-click unsubscribe needs an https unsubscribe link (RFC 8058): add one, or turn one-click off',
    });
  const seen = new Map<string, number>();
  (t.headers ?? []).forEach((h, i) => {
    const name = h.name.trim();
    const nameProblem = headerNameProblem(name);
    if (nameProblem) problems.push({ path: ['headers', i, 'name'], message: `Header ${nameProblem}` });
    else {
      const first = seen.get(name.toLowerCase());
      if (first !== undefined)
        problems.push({
          path: ['headers', i, 'name'],
          message: `Header ${name} is already set (header ${first + 1}): give it once`,
        });
      else seen.set(name.toLowerCase(), i);
    }
    if (LINE_BREAK.test(h.value) || CONTROL.test(h.value))
      problems.push({
        path: ['headers', i, 'value'],
        message: `Header ${name || i + 1}: the value must be on one line, without control characters`,
      });
    else if (h.value.trim() === '')
      problems.push({ path: ['headers', i, 'value'], message: `Header ${name || i + 1} needs a value` });
  });
  return problems;
}

/** The template's header values that may hold `{{fields}}`, by their path (for compiling and the fields check). */
export function headerSources(t: TemplateHeaders): { path: string; label: string; source: string }[] {
  const out: { path: string; label: string; source: string }[] = [];
  if (t.replyTo) out.push({ path: 'replyTo', label: 'Reply-To', source: t.replyTo });
  if (t.listUnsubscribe?.mailto)
    out.push({
      path: 'listUnsubscribe.mailto',
      label: 'Unsubscribe email',
      source: t.listUnsubscribe.mailto,
    });
  if (t.listUnsubscribe?.https)
    out.push({ path: 'listUnsubscribe.https', label: 'Unsubscribe link', source: t.listUnsubscribe.https });
  (t.headers ?? []).forEach((h, i) =>
    out.push({ path: `headers.${i}.value`, label: `Header ${h.name}`, source: h.value }),
  );
  return out;
}
