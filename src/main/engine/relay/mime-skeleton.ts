/**
 * The fast composer's core: a delivery's template compiled once into a MIME skeleton. Each body is cut into
 * lines; runs of lines without a `{{field}}` are encoded once (raw for 7bit, quoted-printable) and kept as
 * Buffers, only the lines holding fields are rendered and encoded per message. The header block is built by
 * nodemailer's own MimeNode (addresses, encoded words, folding exactly as MailComposer does), the bodies with
 * nodemailer's QP and base64 encoders, and the transfer encoding of each body is chosen per message by
 * MailComposer's rules (7bit when plain ASCII without long lines, else quoted-printable or base64 by the
 * share of non-Latin characters), so the messages are equivalent to MailComposer's.
 */
import crypto from 'node:crypto';
import * as base64 from 'nodemailer/lib/base64';
import { foldLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';
import { renderTemplate, type CompiledTemplate } from '../../../shared/domain/template';

const CRLF = Buffer.from('\r\n');
const LINE_LENGTH = 76;

/** What decides a body's transfer encoding, summed over its lines. */
interface TextStats {
  plain: boolean;
  longLines: boolean;
  latin: number;
  nonLatin: number;
}

type Line = CompiledTemplate['parts'];

/** Consecutive lines without fields, encoded once. `text` has no trailing line break. */
interface StaticRun {
  kind: 'static';
  text: string;
  stats: TextStats;
  raw: Buffer;
  qp: Buffer;
}

interface FieldLine {
  kind: 'field';
  line: Line;
}

export interface BodySkeleton {
  contentType: 'text/plain' | 'text/html';
  runs: (StaticRun | FieldLine)[];
}

export interface MessageSkeleton {
  bodies: BodySkeleton[];
  /** The last header lines, the same for every message: MIME-Version and Content-Type. */
  tail: string;
  /** The multipart delimiter (`--` + boundary), per delivery; null for a single body. */
  boundary: string | null;
}

export interface HeaderValues {
  from: { name: string; address: string };
  /** The recipient, or null for a shared message (the caller adds `To: undisclosed-recipients:;`). */
  to: string | null;
  subject: string;
  messageId: string | null;
  date: Date;
  trace: string;
  /**
   * The template's Reply-To, List-Unsubscribe(-Post) and custom headers, as encoded `Name: value` lines (each
   * ending with CRLF, unfolded), written after the Subject.
   */
  extra?: string;
}

export function compileBody(
  template: CompiledTemplate,
  contentType: BodySkeleton['contentType'],
): BodySkeleton {
  const lines: Line[] = [[]];
  for (const part of template.parts) {
    if (part.kind === 'field') {
      (lines.at(-1) as Line).push(part);
      continue;
    }
    const pieces = part.value.replace(/\r\n?/g, '\n').split('\n');
    pieces.forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (piece !== '') (lines.at(-1) as Line).push({ kind: 'text', value: piece });
    });
  }
  const runs: BodySkeleton['runs'] = [];
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    runs.push(staticRun(pending));
    pending = [];
  };
  for (const line of lines) {
    if (line.some((p) => p.kind === 'field')) {
      flush();
      runs.push({ kind: 'field', line });
    } else {
      pending.push(line.map((p) => (p.kind === 'text' ? p.value : '')).join(''));
    }
  }
  flush();
  return { contentType, runs };
}

/**
 * Compiles the bodies into a skeleton: the last header lines (MIME-Version, Content-Type with the boundary of
 * a multipart message) are built once by MimeNode. The boundary is a function of `boundarySeed` (the delivery
 * and its template), not random, so that a message rebuilt later (the message viewer) has the bytes sent.
 */
export function compileSkeleton(bodies: BodySkeleton[], boundarySeed: string): MessageSkeleton {
  const single = bodies.length === 1 ? bodies[0] : undefined;
  const root = new MimeNode(single ? `${single.contentType}; charset=utf-8` : 'multipart/alternative', {
    baseBoundary: crypto.createHash('sha256').update(boundarySeed).digest('hex').slice(0, 16),
  });
  const built = root.buildHeaders();
  const tail = built.slice(built.indexOf('MIME-Version:'));
  return { bodies, tail, boundary: single ? null : `--${String(root.boundary)}` };
}

/** Renders the whole message: header block, then the single body or a multipart/alternative of them. */
export function renderMessage(
  skeleton: MessageSkeleton,
  headers: HeaderValues,
  values: Readonly<Record<string, string>>,
  escape: (body: BodySkeleton) => ((value: string) => string) | undefined,
): Buffer {
  const rendered = skeleton.bodies.map((b) => renderBody(b, values, escape(b)));
  const single = rendered.length === 1 ? rendered[0] : undefined;
  // The header lines of MailComposer, in its order; values encoded and folded by MimeNode's own functions.
  let head = `X-Relaydeck-ID: ${headerValue('X-Relaydeck-ID', headers.trace)}\r\n`;
  head += `From: ${headerValue('From', headers.from)}\r\n`;
  if (headers.to !== null) head += `To: ${headerValue('To', headers.to)}\r\n`;
  head += `Subject: ${headerValue('Subject', headers.subject)}\r\n`;
  if (headers.extra) head += headers.extra;
  head += `Date: ${headers.date.toUTCString().replace(/GMT/, '+0000')}\r\n`;
  if (single) head += `Content-Transfer-Encoding: ${single.encoding}\r\n`;
  const messageId = headers.messageId ?? newMessageId(headers.from.address);
  head += `Message-ID: ${headerValue('Message-ID', messageId)}\r\n`;
  head = foldHeaders(head) + skeleton.tail + '\r\n\r\n';
  // MailComposer ends an encoded single body on a line break (base64 always, QP when the text does not
  // already end with one), a 7bit one as it is.
  if (single)
    return Buffer.concat([Buffer.from(head), ...single.chunks, ...(needsFinalBreak(single) ? [CRLF] : [])]);
  const boundary = skeleton.boundary ?? '';
  const chunks: Buffer[] = [Buffer.from(head)];
  for (const body of rendered) {
    chunks.push(
      Buffer.from(
        `${boundary}\r\nContent-Type: ${body.contentType}; charset=utf-8\r\n` +
          `Content-Transfer-Encoding: ${body.encoding}\r\n\r\n`,
      ),
      ...body.chunks,
      CRLF,
    );
  }
  chunks.push(Buffer.from(`${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * One MimeNode encodes every header value: its `encodeHeaderValue` keeps no state, and the static
 * `MimeNode.encodeHeaderValue` builds a node per call (with random bytes for a boundary it never uses).
 */
const headerEncoder = new MimeNode('text/plain', { baseBoundary: 'header-encoder' });

/** Printable ASCII without the double quote: MimeNode leaves such an unstructured value as it is. */
const PLAIN_TEXT = /^[\x20\x21\x23-\x7e]*$/;
/**
 * A dot-atom local part at a lowercase LDH domain whose last label starts with a letter (a numeric one reads as
 * an IPv4 address) and without `--` (A-labels): MimeNode leaves such an address as it is.
 */
const PLAIN_ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?!.*--)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
/** A msg-id already in angle brackets, without space or control characters. */
const PLAIN_MSG_ID = /^<[\x21-\x7e]*>$/;

/** Encoded From values (one per delivery in practice; bounded). */
const fromCache = new Map<string, string>();

/**
 * A header value as MimeNode encodes it. The values of every message (recipient, subject, ids) take a fast
 * path when MimeNode would leave them unchanged (the tests compare both on generated values); the From value,
 * the same for a whole delivery, is encoded once.
 */
export function headerValue(
  key: 'X-Relaydeck-ID' | 'From' | 'To' | 'Subject' | 'Message-ID',
  value: HeaderValues['from'] | string,
): string {
  if (typeof value !== 'string') {
    const cacheKey = `${value.name}\u0000${value.address}`;
    const hit = fromCache.get(cacheKey);
    if (hit !== undefined) return hit;
    const encoded = headerEncoder.encodeHeaderValue(key, value);
    if (fromCache.size >= 100) fromCache.clear();
    fromCache.set(cacheKey, encoded);
    return encoded;
  }
  const plain =
    key === 'To'
      ? PLAIN_ADDRESS.test(value)
      : key === 'Message-ID'
        ? PLAIN_MSG_ID.test(value)
        : PLAIN_TEXT.test(value) && !value.includes('=?');
  return plain ? value : headerEncoder.encodeHeaderValue(key, value);
}

/** Folds each header line at 76 characters as MimeNode.buildHeaders does. */
function foldHeaders(block: string): string {
  let out = '';
  for (const line of block.split('\r\n')) if (line !== '') out += `${foldLines(line, 76)}\r\n`;
  return out;
}

/** A Message-ID shaped as MimeNode generates them, on the From domain. */
function newMessageId(fromAddress: string): string {
  const hex = crypto.randomBytes(16).toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return `<${id}@${fromAddress.split('@').pop() ?? 'localhost'}>`;
}

interface RenderedBody {
  contentType: BodySkeleton['contentType'];
  encoding: '7bit' | 'quoted-printable' | 'base64';
  chunks: Buffer[];
}

function renderBody(
  body: BodySkeleton,
  values: Readonly<Record<string, string>>,
  escape: ((value: string) => string) | undefined,
): RenderedBody {
  // Field lines rendered (their values may hold line breaks), static runs as they are.
  const texts: string[] = [];
  const stats: TextStats = { plain: true, longLines: false, latin: 0, nonLatin: 0 };
  for (const run of body.runs) {
    if (run.kind === 'static') {
      addStats(stats, run.stats);
      texts.push(run.text);
    } else {
      const text = renderTemplate({ parts: run.line, fields: [] }, values, escape).replace(/\r\n?/g, '\n');
      addStats(stats, statsOf(text));
      texts.push(text);
    }
  }
  const encoding = transferEncoding(stats);
  const chunks: Buffer[] = [];
  if (encoding === 'base64') {
    const whole = Buffer.from(texts.join('\n').replace(/\n/g, '\r\n'));
    chunks.push(Buffer.from(base64.wrap(base64.encode(whole), LINE_LENGTH)));
    return { contentType: body.contentType, encoding, chunks };
  }
  body.runs.forEach((run, i) => {
    if (i > 0) chunks.push(CRLF);
    if (run.kind === 'static') chunks.push(encoding === '7bit' ? run.raw : run.qp);
    else
      chunks.push(
        Buffer.from(encodeLines(texts[i] ?? '', encoding), encoding === '7bit' ? 'utf8' : 'latin1'),
      );
  });
  return { contentType: body.contentType, encoding, chunks };
}

function needsFinalBreak(body: RenderedBody): boolean {
  if (body.encoding !== 'quoted-printable') return body.encoding === 'base64';
  const last = body.chunks.findLast((c) => c.length > 0);
  return !last || last[last.length - 1] !== 0x0a;
}

function staticRun(lines: string[]): StaticRun {
  const text = lines.join('\n');
  return {
    kind: 'static',
    text,
    stats: statsOf(text),
    raw: Buffer.from(encodeLines(text, '7bit')),
    qp: Buffer.from(encodeLines(text, 'quoted-printable'), 'latin1'),
  };
}

/** `text`'s lines (LF separated) encoded one by one and joined with CRLF (QP soft breaks are line-local). */
function encodeLines(text: string, encoding: '7bit' | 'quoted-printable'): string {
  const lines = text.split('\n');
  if (encoding === '7bit') return lines.join('\r\n');
  return lines.map((line) => qp.wrap(qp.encode(line), LINE_LENGTH)).join('\r\n');
}

function statsOf(text: string): TextStats {
  let latin = 0;
  let nonLatin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x80) nonLatin++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++;
  }
  let longLines = false;
  for (let start = 0; start <= text.length && !longLines;) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    longLines = stop - start > LINE_LENGTH;
    start = stop + 1;
  }
  return { plain: isPlainText(text), longLines, latin, nonLatin };
}

function addStats(into: TextStats, s: TextStats): void {
  into.plain &&= s.plain;
  into.longLines ||= s.longLines;
  into.latin += s.latin;
  into.nonLatin += s.nonLatin;
}

/** MimeNode.getTransferEncoding for a text body. */
function transferEncoding(s: TextStats): RenderedBody['encoding'] {
  if (s.plain && !s.longLines) return '7bit';
  return s.nonLatin < s.latin ? 'quoted-printable' : 'base64';
}
