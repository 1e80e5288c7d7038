/**
 * The character encoding of a CSV list given as bytes (a file, or an upload): detected from a bounded sample,
 * then the bytes decoded as a stream. Used by the recipient lists (`csv-import.ts`, in the CSV worker) and
 * the quarantine import.
 *
 * Detection, in order: a byte order mark (UTF-8, UTF-16 LE/BE); a sample that is valid UTF-8 stays UTF-8
 * whatever a detector would guess (plain ASCII is read as UTF-8 too); UTF-16 without a BOM from its NUL
 * bytes; otherwise chardet's best guess among the encodings offered (`TEXT_ENCODINGS`). ISO-8859-1 is
 * reported as Windows-1252: they differ only at 0x80–0x9F, where Windows-1252 (what Excel on Windows writes)
 * has €, curly quotes and dashes and ISO-8859-1 only control codes. The sample is at most three windows of
 * `SAMPLE_BYTES` (the start, the middle and the end of the list), so a list of any length is detected in
 * the same time.
 *
 * Decoding never replaces a byte silently: a byte that is not a character in the encoding used (or a NUL,
 * or a C1 control code of ISO-8859-x) is a problem reported with its line and the text around it, and the
 * list is refused (`csv_invalid`) naming the lines, with the detected encoding as the way out.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { AppError, type ErrorDetail } from '../../shared/contract/errors';
import {
  ENCODING_LABELS,
  isTextEncoding,
  type EncodingBasis,
  type TextEncoding,
} from '../../shared/domain/text-encoding';

/** Bytes of each sample window read for detection. */
export const SAMPLE_BYTES = 64 * 1024;
/** Lines with undecodable bytes listed in an error (all of them are counted). */
export const LISTED_PROBLEMS = 100;

export interface CsvEncodingInfo {
  /** What detection found. */
  detected: TextEncoding;
  basis: Exclude<EncodingBasis, 'chosen'>;
  /** The detector's confidence (0–1), when it was the detector that decided. */
  confidence?: number;
  /** The encoding the list was read in: the detected one, or the one chosen instead. */
  used: TextEncoding;
}

/** Random access to the bytes of a list. */
export interface ByteReader {
  readonly size: number;
  read(pos: number, length: number): Buffer;
  close(): void;
}

export function fileReader(fileName: string, file: string): ByteReader {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new AppError(
      'csv_invalid',
      `cannot read ${fileName}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(pos, length) {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - pos)));
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
    close: () => fs.closeSync(fd),
  };
}

export function bufferReader(bytes: Uint8Array): ByteReader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { size: buf.length, read: (pos, length) => buf.subarray(pos, pos + length), close: () => undefined };
}

const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 text (an upload), decoded window by window: the text is never decoded whole. */
export function base64Reader(fileName: string, data: string): ByteReader {
  const text = data.replace(/\s+$/, '');
  const invalid = () =>
    new AppError('invalid_input', `${fileName}: the uploaded bytes are not valid base64`, [
      { field: 'data', message: 'not valid base64' },
    ]);
  if (text.length % 4 !== 0) throw invalid();
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const size = (text.length / 4) * 3 - padding;
  return {
    size,
    read(pos, length) {
      const end = Math.min(size, pos + length);
      if (end <= pos) return Buffer.alloc(0);
      const from = Math.floor(pos / 3) * 4;
      const to = Math.ceil(end / 3) * 4;
      const part = text.slice(from, to);
      if (!BASE64_CHARS.test(part)) throw invalid();
      const bytes = Buffer.from(part, 'base64');
      const skip = pos - (from / 4) * 3;
      return bytes.subarray(skip, skip + (end - pos));
    },
    close: () => undefined,
  };
}

export interface Detection {
  detected: TextEncoding;
  basis: CsvEncodingInfo['basis'];
  confidence?: number;
}

const BOMS: { bytes: number[]; encoding: TextEncoding }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** The windows of the list read for detection: the whole list when it is small. */
function sampleWindows(reader: ByteReader): { pos: number; bytes: Buffer }[] {
  const { size } = reader;
  if (size <= 3 * SAMPLE_BYTES) return [{ pos: 0, bytes: reader.read(0, size) }];
  const middle = Math.floor((size - SAMPLE_BYTES) / 2);
  return [0, middle, size - SAMPLE_BYTES].map((pos) => ({ pos, bytes: reader.read(pos, SAMPLE_BYTES) }));
}

/** Whether a window is valid UTF-8, allowing a character cut at either edge of a window inside the list. */
function windowIsUtf8(bytes: Buffer, cutStart: boolean, cutEnd: boolean): boolean {
  let from = 0;
  if (cutStart) while (from < 3 && from < bytes.length && (bytes[from] as number) >> 6 === 2) from++;
  const to = cutEnd ? Math.max(from, completeUtf8Length(bytes)) : bytes.length;
  return isUtf8(bytes.subarray(from, to));
}

/** UTF-16 without a BOM: CSV text is mostly ASCII, so one byte of each pair is NUL. */
function utf16ByNuls(bytes: Buffer): TextEncoding | null {
  const n = Math.min(bytes.length, SAMPLE_BYTES) & ~1;
  if (n < 4) return null;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd > pairs * 0.3 && even < pairs * 0.05) return 'utf-16le';
  if (even > pairs * 0.3 && odd < pairs * 0.05) return 'utf-16be';
  return null;
}

/** chardet's names for the encodings offered; ISO-8859-1 is read as Windows-1252 (see the file comment). */
function fromDetectorName(name: string): TextEncoding | null {
  const lower = name.toLowerCase();
  if (lower === 'iso-8859-1') return 'windows-1252';
  if (lower === 'utf-8' || lower === 'ascii') return null;
  return isTextEncoding(lower) ? lower : null;
}

/** Multi-byte UTF-8 characters and bytes that cannot start or continue one, in a sample. */
function utf8Sequences(bytes: Buffer): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    const whole = need > 0 && isUtf8(bytes.subarray(i, i + need + 1));
    if (whole) {
      valid++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { valid, invalid };
}

export function detectEncoding(reader: ByteReader): Detection {
  const head = reader.read(0, 4);
  for (const bom of BOMS) {
    if (bom.bytes.every((b, i) => head[i] === b)) return { detected: bom.encoding, basis: 'bom' };
  }
  const windows = sampleWindows(reader);
  const first = windows[0]?.bytes ?? Buffer.alloc(0);
  const utf16 = utf16ByNuls(first);
  if (utf16) return { detected: utf16, basis: 'detector', confidence: 1 };
  const utf8 = windows.every((w, i) => windowIsUtf8(w.bytes, i > 0, w.pos + w.bytes.length < reader.size));
  if (utf8) {
    const ascii = windows.every((w) => w.bytes.every((b) => b < 0x80));
    return { detected: 'utf-8', basis: ascii ? 'ascii' : 'utf-8' };
  }
  const sample = Buffer.concat(windows.map((w) => w.bytes));
  // UTF-8 with a few damaged lines (one pasted from a Windows-1252 file): read as UTF-8, so that those lines
  // are refused by line rather than every other accented letter silently read as two Windows-1252 ones.
  const { valid, invalid } = utf8Sequences(sample);
  if (valid > 0 && valid >= invalid)
    return { detected: 'utf-8', basis: 'detector', confidence: valid / (valid + invalid) };
  for (const match of chardet.analyse(sample)) {
    const encoding = fromDetectorName(match.name);
    if (encoding) return { detected: encoding, basis: 'detector', confidence: match.confidence / 100 };
  }
  // Not UTF-8 and nothing the detector is sure of: what Excel on Windows writes.
  return { detected: 'windows-1252', basis: 'detector', confidence: 0 };
}

export interface DecodeProblem {
  line: number;
  message: string;
}

/** Turns bytes into text chunk by chunk, noting every line holding bytes that are not text in `encoding`. */
export interface CsvDecoder {
  write(bytes: Buffer): string;
  end(): string;
  /** The first `LISTED_PROBLEMS` lines with a problem (the first problem of each). */
  readonly problems: readonly DecodeProblem[];
  /** Lines with a problem, all of them. */
  readonly problemLines: number;
}

const LF = 0x0a;
/** Bytes of the current line kept to quote it in a problem. */
const CONTEXT_BYTES = 48;

// Control characters (NUL included) are looked for on purpose: a NUL is never CSV text, and a quoted line
// shows them as spaces.
/* eslint-disable no-control-regex */
const CONTROLS = /[\u0000-\u001f]/g;
const UTF16_PROBLEM = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DBCS_PROBLEM = /[\u0000\ufffd]/;
/* eslint-enable no-control-regex */

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/** Lines and their problems for the byte-level checkers (UTF-8 and single-byte encodings). */
class ByteLines {
  line = 1;
  problems: DecodeProblem[] = [];
  problemLines = 0;
  /** The last `CONTEXT_BYTES` bytes of this line before its first bad byte (a ring), and those after it. */
  private readonly before = Buffer.alloc(CONTEXT_BYTES);
  private beforeCount = 0;
  private readonly after = Buffer.alloc(CONTEXT_BYTES);
  private afterLen = 0;
  private pending: { byte: number; what: string } | null = null;

  constructor(private readonly show: (bytes: Buffer) => string) {}

  byte(b: number): void {
    if (b === LF) return this.newline();
    if (this.pending) {
      if (this.afterLen < CONTEXT_BYTES) this.after[this.afterLen++] = b;
      return;
    }
    this.before[this.beforeCount++ % CONTEXT_BYTES] = b;
  }

  /** Bytes known to hold no bad byte (the fast path): only lines are counted and the context kept. */
  valid(bytes: Buffer): void {
    if (this.pending) {
      for (const b of bytes) this.byte(b);
      return;
    }
    let from = 0;
    for (let nl = bytes.indexOf(LF); nl >= 0; nl = bytes.indexOf(LF, from)) {
      this.newline();
      from = nl + 1;
    }
    for (let i = Math.max(from, bytes.length - CONTEXT_BYTES); i < bytes.length; i++)
      this.byte(bytes[i] as number);
  }

  /** A bad byte (not passed to `byte`): the line's first is quoted with the text around it. */
  bad(b: number, what: string): void {
    if (this.pending) return this.byte(b);
    this.pending = { byte: b, what };
  }

  newline(): void {
    this.flush();
    this.line++;
    this.beforeCount = 0;
    this.afterLen = 0;
  }

  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.problemLines++;
    if (this.problems.length >= LISTED_PROBLEMS) return;
    const n = Math.min(this.beforeCount, CONTEXT_BYTES);
    const before = Buffer.alloc(n);
    for (let i = 0; i < n; i++) before[i] = this.before[(this.beforeCount - n + i) % CONTEXT_BYTES] as number;
    let from = 0;
    // Do not start the quote inside a UTF-8 character.
    while (from < 3 && from < before.length && (before[from] as number) >> 6 === 2) from++;
    const text = `${this.show(before.subarray(from))}[${hex(p.byte)}]${this.show(this.after.subarray(0, this.afterLen))}`;
    const quoted = text.replace(/\r$/, '').replace(CONTROLS, ' ');
    this.problems.push({ line: this.line, message: `${p.what} (in "${quoted}")` });
  }
}

/** The length of `bytes` up to the end of its last complete UTF-8 character. */
function completeUtf8Length(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 3); i--) {
    const b = bytes[i] as number;
    if (b >> 6 === 2) continue;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (bytes.length - i < need) return i;
    }
    break;
  }
  return bytes.length;
}

/** Byte by byte UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
function utf8Decoder(): CsvDecoder {
  const text = new StringDecoder('utf8');
  const lines = new ByteLines((b) => b.toString('utf8').replace(/\ufffd/g, '?'));
  let need = 0;
  let lo = 0x80;
  let hi = 0xbf;
  /** The bytes of the character being read (passed on to `lines` once it is complete or refused). */
  const seq: number[] = [];
  const notUtf8 = (b: number) => `byte ${hex(b)} cannot be read as UTF-8`;
  const refuse = () => {
    const [lead, ...rest] = seq;
    seq.length = 0;
    need = 0;
    lo = 0x80;
    hi = 0xbf;
    if (lead === undefined) return;
    lines.bad(lead, notUtf8(lead));
    for (const b of rest) lines.byte(b);
  };
  const check = (bytes: Buffer) => {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] as number;
      if (need > 0) {
        if (b >= lo && b <= hi) {
          seq.push(b);
          lo = 0x80;
          hi = 0xbf;
          if (--need === 0) {
            for (const x of seq) lines.byte(x);
            seq.length = 0;
          }
          continue;
        }
        refuse();
      }
      if (b < 0x80) {
        if (b === 0) lines.bad(b, 'a NUL byte, not text (is the file UTF-16?)');
        else lines.byte(b);
        continue;
      }
      if (b >= 0xc2 && b <= 0xdf) need = 1;
      else if (b === 0xe0) [need, lo] = [2, 0xa0];
      else if (b === 0xed) [need, hi] = [2, 0x9f];
      else if (b >= 0xe1 && b <= 0xef) need = 2;
      else if (b === 0xf0) [need, lo] = [3, 0x90];
      else if (b === 0xf4) [need, hi] = [3, 0x8f];
      else if (b >= 0xf1 && b <= 0xf3) need = 3;
      else {
        lines.bad(b, notUtf8(b));
        continue;
      }
      seq.push(b);
    }
  };
  return {
    write(bytes) {
      // Fast path: whole characters of valid UTF-8 without NUL are only counted for lines.
      const whole = need === 0 ? completeUtf8Length(bytes) : 0;
      const head = bytes.subarray(0, whole);
      if (whole > 0 && isUtf8(head) && head.indexOf(0) < 0) {
        lines.valid(head);
        check(bytes.subarray(whole));
      } else check(bytes);
      return text.write(bytes);
    },
    end() {
      if (need > 0) refuse();
      lines.flush();
      return text.end();
    },
    get problems() {
      return lines.problems;
    },
    get problemLines() {
      return lines.problemLines;
    },
  };
}

/** Single-byte encodings: each byte that is not a character (or is a NUL or a C1 control code) is a problem. */
function singleByteDecoder(encoding: TextEncoding): CsvDecoder {
  const label = ENCODING_LABELS[encoding];
  const table = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), encoding);
  const cp1252 = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), 'windows-1252');
  const what: (string | null)[] = Array.from({ length: 256 }, (_, b) => {
    const ch = table.charAt(b);
    if (b === 0) return 'a NUL byte, not text (is the file UTF-16?)';
    if (ch === '\ufffd') return `byte ${hex(b)} is not a character in ${label}`;
    if (ch >= '\u0080' && ch <= '\u009f') {
      const alt = cp1252.charAt(b);
      return `byte ${hex(b)} is a control code in ${label}, not a character${alt !== '\ufffd' ? ` (Windows-1252 reads it as "${alt}")` : ''}`;
    }
    return null;
  });
  const decoder = iconv.getDecoder(encoding);
  const lines = new ByteLines((b) => iconv.decode(b, encoding).replace(/[\u0080-\u009f\ufffd]/g, '?'));
  return {
    write(bytes) {
      let clean = true;
      for (let i = 0; i < bytes.length && clean; i++) clean = what[bytes[i] as number] === null;
      if (clean) lines.valid(bytes);
      else {
        for (let i = 0; i < bytes.length; i++) {
          const b = bytes[i] as number;
          const problem = what[b];
          if (problem) lines.bad(b, problem);
          else lines.byte(b);
        }
      }
      return decoder.write(bytes) ?? '';
    },
    end() {
      lines.flush();
      return decoder.end() ?? '';
    },
    get problems() {
      return lines.problems;
    },
    get problemLines() {
      return lines.problemLines;
    },
  };
}

/**
 * UTF-16 and the multi-byte Asian encodings: checked on the decoded text (a replacement character where
 * iconv-lite met bytes it could not read, an unpaired surrogate, a NUL).
 */
function textCheckedDecoder(encoding: TextEncoding): CsvDecoder {
  const label = ENCODING_LABELS[encoding];
  const decoder = iconv.getDecoder(encoding, { stripBOM: false });
  const utf16 = encoding === 'utf-16le' || encoding === 'utf-16be';
  const problems: DecodeProblem[] = [];
  let problemLines = 0;
  let line = 1;
  let current = '';
  let bytes = 0;
  const bad = utf16 ? UTF16_PROBLEM : DBCS_PROBLEM;
  const describe = (ch: string) =>
    ch === '\u0000'
      ? 'a NUL character, not text'
      : ch === '\ufffd'
        ? `bytes that cannot be read as ${label}`
        : `an unpaired surrogate (${hex(ch.charCodeAt(0) >> 8)}${hex(ch.charCodeAt(0) & 0xff).slice(2)}), not ${label} text`;
  /** Whether the line has a problem (noted). */
  const checkLine = (text: string): boolean => {
    const m = bad.exec(text);
    if (!m) return false;
    problemLines++;
    if (problems.length >= LISTED_PROBLEMS) return true;
    const at = m.index;
    const quoted =
      `${text.slice(Math.max(0, at - CONTEXT_BYTES), at)}[?]${text.slice(at + 1, at + 1 + CONTEXT_BYTES)}`
        .replace(/\r$/, '')
        .replace(CONTROLS, ' ')
        .replace(/[\ud800-\udfff\ufffd]/g, ' ');
    problems.push({ line, message: `${describe(m[0])} (in "${quoted}")` });
    return true;
  };
  let reported = false;
  const checkOnce = (text: string) => {
    if (!reported) reported = checkLine(text);
  };
  const take = (text: string) => {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      checkOnce(current + text.slice(from, nl));
      current = '';
      reported = false;
      line++;
      from = nl + 1;
    }
    current += text.slice(from);
    // A very long line is checked as it comes (a high surrogate at the end waits for its pair).
    if (current.length > 4 * CONTEXT_BYTES) {
      const keep = /[\ud800-\udbff]$/.test(current) ? 1 : 0;
      checkOnce(current.slice(0, current.length - keep));
      current = current.slice(current.length - keep);
    }
    return text;
  };
  return {
    write(chunk) {
      bytes += chunk.length;
      return take(decoder.write(chunk) ?? '');
    },
    end() {
      const rest = take(decoder.end() ?? '');
      if (current) checkOnce(current);
      if (utf16 && bytes % 2 === 1 && !reported) {
        problemLines++;
        if (problems.length < LISTED_PROBLEMS)
          problems.push({
            line,
            message: `the file ends with half a ${label} character (an odd number of bytes)`,
          });
      }
      return rest;
    },
    get problems() {
      return problems;
    },
    get problemLines() {
      return problemLines;
    },
  };
}

const MULTI_BYTE = new Set<TextEncoding>([
  'utf-16le',
  'utf-16be',
  'shift_jis',
  'euc-jp',
  'gb18030',
  'big5',
  'euc-kr',
]);

export function createDecoder(encoding: TextEncoding): CsvDecoder {
  if (encoding === 'utf-8') return utf8Decoder();
  return MULTI_BYTE.has(encoding) ? textCheckedDecoder(encoding) : singleByteDecoder(encoding);
}

/** The refusal of a list holding bytes that are not text in the encoding used. */
export function undecodableError(fileName: string, info: CsvEncodingInfo, decoder: CsvDecoder): AppError {
  const label = ENCODING_LABELS[info.used];
  const n = decoder.problemLines;
  const lines = decoder.problems.slice(0, 5).map((p) => p.line);
  const named = `${n === 1 ? 'line' : 'lines'} ${lines.join(', ')}${n > lines.length ? ` and ${n - lines.length} more` : ''}`;
  const hint =
    info.used !== info.detected
      ? ` It looks like ${ENCODING_LABELS[info.detected]}: read it in that encoding.`
      : info.used === 'utf-8' && info.basis === 'detector'
        ? ' The rest of the file is UTF-8: correct these lines, or choose the encoding the file was saved in.'
        : ' Choose the encoding the file was saved in (Excel on Windows saves CSV as Windows-1252).';
  const details: ErrorDetail[] = decoder.problems.map((p) => ({
    line: p.line,
    field: 'encoding',
    message: p.message,
  }));
  return new AppError(
    'csv_invalid',
    `${fileName} cannot be read as ${label}: ${named} ${n === 1 ? 'has' : 'have'} bytes that are not ${label} text. Nothing was imported.${hint}`,
    details,
  );
}

/** Bytes of a list read at a time while decoding. */
const READ_BYTES = 1 << 20;

/**
 * The text of a list given as bytes, chunk by chunk, in the encoding chosen or detected (`onEncoding` is
 * told before the first chunk). Stops with `undecodableError` at the end of the chunk where a problem shows,
 * after decoding the rest to count and list every line with one: no text with a problem is ever yielded.
 */
export function* decodedChunks(
  fileName: string,
  reader: ByteReader,
  chosen: TextEncoding | undefined,
  onEncoding: (info: CsvEncodingInfo) => void,
): Generator<string> {
  const detection = detectEncoding(reader);
  const info: CsvEncodingInfo = { ...detection, used: chosen ?? detection.detected };
  onEncoding(info);
  const decoder = createDecoder(info.used);
  const bom = BOMS.find(
    (b) => b.encoding === info.used && b.bytes.every((x, i) => reader.read(0, 4)[i] === x),
  );
  let pos = bom ? bom.bytes.length : 0;
  let failed = false;
  // A chunk never ends with half a surrogate pair (the parser encodes each chunk to UTF-8 on its own).
  let held = '';
  while (pos < reader.size) {
    const bytes = reader.read(pos, READ_BYTES);
    if (bytes.length === 0) break;
    pos += bytes.length;
    let text = held + decoder.write(bytes);
    held = '';
    if (/[\ud800-\udbff]$/.test(text)) {
      held = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (decoder.problemLines > 0) failed = true;
    if (!failed && text) yield text;
  }
  const rest = held + decoder.end();
  if (failed || decoder.problemLines > 0) throw undecodableError(fileName, info, decoder);
  if (rest) yield rest;
}

/** A whole list given as bytes, decoded (the quarantine import, which reads its file at once). */
export function decodeCsvBytes(
  fileName: string,
  reader: ByteReader,
  chosen?: TextEncoding,
): { text: string; encoding: CsvEncodingInfo } {
  let encoding: CsvEncodingInfo | null = null;
  const parts: string[] = [];
  try {
    for (const chunk of decodedChunks(fileName, reader, chosen, (info) => (encoding = info)))
      parts.push(chunk);
  } finally {
    reader.close();
  }
  return { text: parts.join(''), encoding: encoding as unknown as CsvEncodingInfo };
}
