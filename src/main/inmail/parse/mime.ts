/**
 * A small, forgiving MIME reader for inbound reports. mailparser flattens `message/delivery-status` and
 * `message/feedback-report` into the text body and loses the part structure that RFC 3464 and RFC 5965 are
 * about, so reports are read here: headers (unfolded, RFC 2047 words decoded on request), the part tree
 * (multipart/*, message/rfc822 and its relatives parsed as nested messages), transfer and charset decoding.
 *
 * It never throws on bad input: a missing boundary leaves the body as one leaf, an unknown charset falls back
 * to UTF-8, depth and part counts are capped (bounces of bounces nest messages).
 */

export interface HeaderField {
  /** Lower-cased name. */
  name: string;
  /** Unfolded raw value (encoded words not decoded). */
  value: string;
}

export interface MimePart {
  headers: HeaderField[];
  /** Lower-cased `type/subtype`; `text/plain` when absent or unreadable. */
  contentType: string;
  params: Record<string, string>;
  /** The body as bytes, transfer encoding not yet removed (a latin1 string: one char per byte). */
  rawBody: string;
  children: MimePart[];
  /** For message/rfc822 (and message/global, text/rfc822-headers): the enclosed message. */
  message: MimePart | null;
}

export const MAX_DEPTH = 8;
/** Header values are searched for addresses in their first this many characters (bounded regex work). */
const MAX_ADDRESS_HEADER = 4000;
export const MAX_PARTS = 200;

const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global', 'message/rfc822-headers']);
const HEADER_ONLY_TYPES = new Set(['text/rfc822-headers', 'message/global-headers']);

/** Parses a message given as a latin1 string (one char per byte). */
export function parseMime(raw: string): MimePart {
  const budget = { parts: 0 };
  // Blank lines before a message's header (left by some exporters) are not an empty header block.
  return parsePart(raw.replace(/^(?:[ \t]*\r?\n)+/, ''), 0, budget);
}

function parsePart(raw: string, depth: number, budget: { parts: number }): MimePart {
  budget.parts++;
  const { headers, body } = splitHeaders(raw);
  const ct = parseHeaderParams(headerOf(headers, 'content-type') ?? 'text/plain');
  const contentType = /^[\w.+-]+\/[\w.+-]+$/.test(ct.value) ? ct.value.toLowerCase() : 'text/plain';
  const part: MimePart = {
    headers,
    contentType,
    params: ct.params,
    rawBody: body,
    children: [],
    message: null,
  };
  if (depth >= MAX_DEPTH || budget.parts >= MAX_PARTS) return part;
  const boundary = ct.params.boundary;
  if (contentType.startsWith('multipart/') && boundary) {
    for (const chunk of splitMultipart(body, boundary)) {
      if (budget.parts >= MAX_PARTS) break;
      part.children.push(parsePart(chunk, depth + 1, budget));
    }
  } else if (MESSAGE_TYPES.has(contentType)) {
    part.message = parsePart(transferDecode(part), depth + 1, budget);
  } else if (HEADER_ONLY_TYPES.has(contentType)) {
    part.message = parsePart(`${transferDecode(part).replace(/\s+$/, '')}\r\n\r\n`, depth + 1, budget);
  }
  return part;
}

/** Splits at the first empty line; a message without one is all headers when it looks like headers. */
export function splitHeaders(raw: string): { headers: HeaderField[]; body: string } {
  // A part that starts with an empty line has no header fields: all of it is body (RFC 2046 §5.1.1).
  const leadingBlank = /^\r?\n/.exec(raw);
  if (leadingBlank) return { headers: [], body: raw.slice(leadingBlank[0].length) };
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers: HeaderField[] = [];
  const lines = head.split(/\r?\n/);
  // A first line that is not a header (e.g. an mbox "From " line left in) is skipped, not fatal.
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length) {
      const last = headers[headers.length - 1];
      if (last) last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  if (!m && headers.length === 0) return { headers, body: raw };
  return { headers, body };
}

export function headerOf(headers: readonly HeaderField[], name: string): string | null {
  const found = headers.find((h) => h.name === name);
  return found ? found.value : null;
}

export function headersOf(headers: readonly HeaderField[], name: string): string[] {
  return headers.filter((h) => h.name === name).map((h) => h.value);
}

/** `type/subtype; a=b; c="d"` -> value and lower-cased parameter names (RFC 2231 `*` forms simplified). */
export function parseHeaderParams(value: string): { value: string; params: Record<string, string> } {
  const [first = '', ...rest] = splitParams(value);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name.endsWith('*')) {
      name = name.replace(/\*\d*\*?$/, '');
      v = v.replace(/^[\w-]*'[\w-]*'/, '');
      try {
        v = decodeURIComponent(v);
      } catch {
        // keep the raw value
      }
    } else name = name.replace(/\*\d+$/, '');
    params[name] = (params[name] ?? '') + v;
  }
  return { value: first.trim(), params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const chunks: string[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const lineEnd = body.indexOf('\n', pos);
    if (body.startsWith(`${delimiter}--`, pos) || lineEnd < 0) break;
    const next = findDelimiter(body, delimiter, lineEnd + 1);
    const end = next < 0 ? body.length : next;
    chunks.push(body.slice(lineEnd + 1, end).replace(/\r?\n$/, ''));
    pos = next;
  }
  return chunks;
}

/** Next delimiter line at or after `from` (it must start a line). */
function findDelimiter(body: string, delimiter: string, from: number): number {
  let i = body.indexOf(delimiter, from);
  while (i > 0 && body[i - 1] !== '\n') i = body.indexOf(delimiter, i + 1);
  return i;
}

/** The body with its Content-Transfer-Encoding removed (still bytes as a latin1 string). */
export function transferDecode(part: MimePart): string {
  const cte = (headerOf(part.headers, 'content-transfer-encoding') ?? '').trim().toLowerCase();
  if (cte === 'base64') {
    return Buffer.from(part.rawBody.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  }
  if (cte === 'quoted-printable') return decodeQuotedPrintable(part.rawBody);
  return part.rawBody;
}

export function decodeQuotedPrintable(s: string): string {
  return s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The part's body as text: transfer-decoded, then decoded from its charset (UTF-8 when unknown). */
export function partText(part: MimePart): string {
  return decodeCharset(transferDecode(part), part.params.charset);
}

/**
 * Charset names mailers write that the Encoding Standard does not know: Microsoft code pages by number and the
 * Chinese and Korean mailers' own names for GB 2312 and EUC-KR (QQ Mail's `eucgb2312_cn`).
 */
const CHARSET_ALIASES: Record<string, string> = {
  cp936: 'gbk',
  ms936: 'gbk',
  'windows-936': 'gbk',
  'euc-cn': 'gbk',
  euccn: 'gbk',
  eucgb2312_cn: 'gbk',
  'x-euc-cn': 'gbk',
  cp949: 'euc-kr',
  ms949: 'euc-kr',
  'windows-949': 'euc-kr',
  uhc: 'euc-kr',
  cp932: 'shift_jis',
  'windows-932': 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  cp950: 'big5',
  'windows-950': 'big5',
};

export function decodeCharset(latin1: string, charset: string | undefined): string {
  const bytes = Buffer.from(latin1, 'latin1');
  const label = (charset ?? 'utf-8').trim().toLowerCase();
  // Undeclared (or "ASCII") 8-bit text that is not UTF-8 is nearly always Windows-1252 / Latin-1.
  if (label === 'us-ascii' || label === 'ascii' || charset === undefined) return utf8OrLatin(bytes);
  try {
    return new TextDecoder(CHARSET_ALIASES[label] ?? label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function utf8OrLatin(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Decodes RFC 2047 encoded words (`=?utf-8?B?...?=`, `=?iso-8859-1?Q?...?=`) and raw UTF-8 bytes. */
export function decodeHeader(value: string): string {
  const utf8 = decodeCharset(value, 'utf-8');
  const text = /\uFFFD/.test(utf8) ? value : utf8;
  return text
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toLowerCase() === 'b'
          ? Buffer.from(data, 'base64').toString('latin1')
          : data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (__, h: string) => String.fromCharCode(parseInt(h, 16)));
      return decodeCharset(bytes, charset.replace(/\*.*$/, ''));
    });
}

/** Depth-first walk over a part, its children and enclosed messages. */
export function* walk(part: MimePart): Generator<MimePart> {
  yield part;
  for (const child of part.children) yield* walk(child);
  if (part.message) yield* walk(part.message);
}

/** The first address in a header value (`"Name" <a@b>` or `a@b`), lower-cased domain kept as written. */
export function firstAddress(value: string | null): string | null {
  if (!value) return null;
  if (value.length > MAX_ADDRESS_HEADER) return firstAddress(value.slice(0, MAX_ADDRESS_HEADER));
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  if (angle?.[1]) return angle[1];
  const bare = /([^\s<>"'(),;:]+@[^\s<>"'(),;:]+[a-z0-9])/i.exec(value);
  return bare?.[1] ?? null;
}
