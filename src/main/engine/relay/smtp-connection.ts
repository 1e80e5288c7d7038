/**
 * nodemailer's SMTPConnection with a lighter message-data path, the hottest code of a delivery worker.
 *
 * nodemailer escapes the message data (dot-stuffing, bare CR and bare LF made CRLF, RFC 5321 §4.5.2) with a
 * Transform that visits every byte in JavaScript: about 24 µs for a 5 KB message, the largest single cost of a
 * send. `DotStuffer` gives the same bytes but finds the line ends with `Buffer.indexOf` and, when nothing
 * needs escaping (always the case for the messages Relaydeck composes: CRLF lines, no line starting with a
 * dot), passes the chunk on without copying it. The data and its final `.` line leave in one socket write.
 *
 * `onDataStart` is called when the server invited the data (354), before the first byte is written: the relay
 * switches to its data timeout there.
 *
 * This overrides nodemailer's internal `_createSendStream` (SMTP only; LMTP and debug logging keep
 * nodemailer's own). The nodemailer version is pinned by package-lock.json, and the tests send every escaping
 * case through this connection to a real SMTP server and compare the bytes it received.
 */
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';

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

type ReplyCallback = (err: Error | null, str?: string) => void;

/** The nodemailer internals `_createSendStream` works with (nodemailer 10). */
interface SendStreamInternals {
  options: SMTPConnectionOptions;
  _socket?: Socket;
  _responseActions: ((str: string) => void)[];
  _actionSMTPStream(str: string, callback: ReplyCallback): void;
  _currentDataStream: Transform | false;
  _createSendStream(callback: ReplyCallback): Transform;
}

const nodemailerSendStream = (SMTPConnection.prototype as unknown as SendStreamInternals)._createSendStream;
// A nodemailer without this method would never call the override (no data timeout, no fast escaping): fail loudly.
if (typeof nodemailerSendStream !== 'function')
  throw new Error('nodemailer SMTPConnection has no _createSendStream: smtp-connection.ts needs updating');

export class RelaySmtpConnection extends SMTPConnection {
  /** Called when the data of the current transaction starts (the server answered DATA with 354). */
  onDataStart: (() => void) | null = null;

  /** nodemailer's `_createSendStream` (not in its typings), with `DotStuffer` in place of DataStream. */
  _createSendStream(callback: ReplyCallback): Transform {
    const self = this as unknown as SendStreamInternals;
    this.onDataStart?.();
    if (self.options.lmtp || self.options.debug) return nodemailerSendStream.call(self, callback);
    const socket = self._socket;
    const stream = new DotStuffer();
    self._responseActions.push((str) => self._actionSMTPStream(str, callback));
    self._currentDataStream = stream;
    if (socket) {
      // The data and the final dot leave in one write (nodemailer writes the whole message at once).
      socket.cork();
      process.nextTick(() => socket.uncork());
      stream.pipe(socket, { end: false });
    }
    stream.once('end', () => {
      if (self._currentDataStream === stream) self._currentDataStream = false;
    });
    return stream;
  }
}
