/**
 * The message data's escaping for SMTP (RFC 5321 §4.5.2): dot-stuffing, bare CR and bare LF made CRLF, and the
 * final `.` line. The hottest code of a delivery worker: `needsEscaping` finds the line ends with
 * `Buffer.indexOf` and, when nothing needs escaping (always the case for the messages Relaydeck composes: CRLF
 * lines, no line starting with a dot), the data is passed on without a copy. `escapeChunk` gives the bytes
 * nodemailer's DataStream gives (the unit tests compare them on any data cut into any chunks).
 */
import { Transform, type TransformCallback } from 'node:stream';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** The byte before a chunk: `false` at the start of the data (a dot there starts a line). */
type LastByte = number | false;

/**
 * True when `chunk`, following `lastByte`, has a dot at the start of a line, a bare CR or a bare LF. A CR
 * that ends the chunk is judged with the next chunk's first byte (or by the end of the data).
 */
export function needsEscaping(chunk: Uint8Array, lastByte: LastByte): boolean {
  if (chunk.length === 0) return false;
  const first = chunk[0];
  if (lastByte === CR && first !== LF) return true;
  if (first === DOT && (lastByte === LF || lastByte === false)) return true;
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let lines = 0;
  for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) {
    const prev = i === 0 ? lastByte : buf[i - 1];
    if (prev !== CR) return true;
    if (buf[i + 1] === DOT) return true;
    lines++;
  }
  // Every CR but a final one must start a CRLF: with no bare LF, that is one CR per LF.
  let crs = 0;
  for (let i = buf.indexOf(CR); i !== -1; i = buf.indexOf(CR, i + 1)) crs++;
  const trailingCr = buf[buf.length - 1] === CR ? 1 : 0;
  return crs - trailingCr !== lines - (lastByte === CR ? 1 : 0);
}

/** nodemailer's escaping, byte by byte: used only for a chunk that needs it. */
export function escapeChunk(chunk: Buffer, lastByte: LastByte): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < chunk.length; i++) {
    const byte = chunk[i];
    const prev = i > 0 ? chunk[i - 1] : lastByte;
    let insert: string | null = null;
    if (prev === CR && byte !== LF) {
      // A bare CR becomes CRLF; a dot after it starts a line (no "\r.\r" end of data, SMTP smuggling).
      insert = byte === DOT ? '\n.' : '\n';
    } else if (byte === LF && prev !== CR) {
      insert = '\r';
    } else if (byte === DOT && (prev === LF || prev === false)) {
      insert = '.';
    }
    if (insert !== null) {
      parts.push(chunk.subarray(from, i), Buffer.from(insert, 'latin1'));
      from = i;
    }
  }
  if (parts.length === 0) return chunk;
  parts.push(chunk.subarray(from));
  return Buffer.concat(parts);
}

/** The message data's escaping stream, ended by the `.` line (what nodemailer's DataStream does). */
export class DotStuffer extends Transform {
  inByteCount = 0;
  outByteCount = 0;
  private lastByte: LastByte = false;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (buf.length === 0) return done();
    this.inByteCount += buf.length;
    const out = needsEscaping(buf, this.lastByte) ? escapeChunk(buf, this.lastByte) : buf;
    this.lastByte = buf[buf.length - 1] ?? this.lastByte;
    this.outByteCount += out.length;
    done(null, out);
  }

  override _flush(done: TransformCallback): void {
    const end = this.lastByte === LF ? '.\r\n' : this.lastByte === CR ? '\n.\r\n' : '\r\n.\r\n';
    this.outByteCount += end.length;
    done(null, Buffer.from(end, 'latin1'));
  }
}

/**
 * A whole message's data as it goes on the wire after DATA: the escaped data (the message itself when nothing
 * needs escaping) and the end-of-data line. Same bytes as `DotStuffer` given the message in one chunk.
 */
export function stuffMessage(raw: Buffer): [data: Buffer, end: Buffer] {
  if (raw.length === 0) return [raw, END_AFTER_NOTHING];
  const data = needsEscaping(raw, false) ? escapeChunk(raw, false) : raw;
  const last = raw[raw.length - 1];
  return [data, last === LF ? END_AFTER_LF : last === CR ? END_AFTER_CR : END_AFTER_TEXT];
}

const END_AFTER_LF = Buffer.from('.\r\n', 'latin1');
const END_AFTER_CR = Buffer.from('\n.\r\n', 'latin1');
const END_AFTER_TEXT = Buffer.from('\r\n.\r\n', 'latin1');
const END_AFTER_NOTHING = END_AFTER_TEXT;
