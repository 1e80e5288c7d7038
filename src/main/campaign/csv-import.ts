/**
 * Recipient lists (CSV): a header row with an `email` column (any case) and any other columns as
 * personalization fields. BOM, `,` `;` and tab delimiters (detected from the header), quoted fields and CRLF
 * are accepted. Every row that cannot be used is reported with its line number, reason and raw text; rows
 * without an address and duplicates are kept as Ignored log rows (SPEC §2), never dropped.
 *
 * Lists are streamed: the text (or a file, read in chunks) goes through csv-parse chunk by chunk and every row
 * is handed to a sink in file order, so a million-row list is never held in memory as rows. Each chunk is
 * first scanned for the size limits (`MAX_FIELD_CHARS`, `MAX_ROW_CHARS`): a longer field or row refuses the
 * list naming its line (and the line where an unbalanced quote opened), before the parser buffers it. A quoted
 * field that swallowed lines shaped like rows (an unbalanced quote closed further down) is an error naming the
 * lines, never rows silently merged into one field. The app runs this in a worker thread (`csv-off-thread.ts`).
 */
import { parse, type Parser } from 'csv-parse';
import { AppError } from '../../shared/contract/errors';
import type { RecipientsPreview } from '../../shared/contract/schemas';
import { addressKey, checkAddress } from '../../shared/domain/address';
import type { TextEncoding } from '../../shared/domain/text-encoding';
import type { ImportError } from '../store/import-errors-repo';
import { base64Reader, decodedChunks, fileReader, type CsvEncodingInfo } from './csv-encoding';

export type RecipientKind = 'valid' | 'no_address' | 'duplicate';

export interface Recipient {
  line: number;
  kind: RecipientKind;
  /** Normalised address (domain lower-cased); '' when the row has none. */
  email: string;
  addrKey: string;
  domain: string;
  /** Every column of the row, by header name. */
  fields: Record<string, string>;
}

/**
 * A recipient list: its text (the demo lists, API clients), its bytes as base64 (an upload from the console)
 * or a file read in chunks (CLI). Bytes are decoded in `encoding`, or in the encoding detected
 * (`csv-encoding.ts`).
 */
export type RecipientSource =
  | { fileName: string; csv: string }
  | { fileName: string; data: string; encoding?: TextEncoding | undefined }
  | { fileName: string; file: string; encoding?: TextEncoding | undefined };

export interface ListCounts {
  total: number;
  valid: number;
  duplicates: number;
  noAddress: number;
  errors: number;
  /** How the list's bytes were decoded (absent for a list given as text). */
  encoding?: CsvEncodingInfo;
}

export interface RecipientSink {
  /** The header's columns, before any row: throw to refuse the list. */
  columns(columns: readonly string[]): void;
  /** Whether this address key was already seen in the list; the key counts as seen from now on. */
  seen(addrKey: string): boolean;
  recipient(r: Recipient): void;
  error(e: ImportError): void;
}

const DELIMITERS = [',', ';', '\t'] as const;
export const PREVIEW_ROWS = 20;
export const LISTED_ERRORS = 100;
/** Characters of text fed to the parser at a time. */
const CHUNK_CHARS = 1 << 20;
/** The longest field accepted (a personalisation value), in characters. */
export const MAX_FIELD_CHARS = 256 * 1024;
/** The longest row accepted (all its fields and delimiters), in characters. */
export const MAX_ROW_CHARS = 1024 * 1024;

/** The delimiter occurring most often outside quotes in the header line (`,` when none does). */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * The list's text in chunks, without its BOM; bytes (a file, an upload) are read and decoded chunk by chunk
 * (`onEncoding` is told how, before the first chunk).
 */
function* textChunks(
  source: RecipientSource,
  onEncoding: (info: CsvEncodingInfo) => void,
): Generator<string> {
  let first = true;
  const strip = (chunk: string) => {
    const text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    first = false;
    return text;
  };
  if ('csv' in source) {
    for (let at = 0; at < source.csv.length;) {
      let end = Math.min(at + CHUNK_CHARS, source.csv.length);
      // Never split a surrogate pair: each chunk is encoded to UTF-8 on its own.
      if (end < source.csv.length && /[\ud800-\udbff]/.test(source.csv.charAt(end - 1))) end--;
      yield strip(source.csv.slice(at, end));
      at = end;
    }
    return;
  }
  const reader =
    'file' in source ? fileReader(source.fileName, source.file) : base64Reader(source.fileName, source.data);
  try {
    for (const text of decodedChunks(source.fileName, reader, source.encoding, onEncoding)) yield strip(text);
  } finally {
    reader.close();
  }
}

/**
 * Maps the raw text of each record back to the line it starts on, and gives the whole physical line(s) of a
 * record the parser gave up on (its raw text stops where it gave up). Records come in file order, so a cursor
 * moves forward through the text; the text before the cursor's line is dropped as chunks come (csv-parse's own
 * line count is not used: it counts both characters of a CRLF inside quoted fields).
 */
class LineLocator {
  private text = '';
  private pos = 0;
  private line = 1;

  append(chunk: string): void {
    const from = this.text.lastIndexOf('\n', this.pos - 1) + 1;
    this.text = this.text.slice(from) + chunk;
    this.pos -= from;
  }

  locate(raw: string): { line: number; lineText: string } {
    const { text } = this;
    const needle = oneLine(raw);
    const at = needle ? text.indexOf(needle, this.pos) : -1;
    if (at < 0) return { line: this.line, lineText: needle };
    for (let i = this.pos; i < at; i++) if (text.charCodeAt(i) === 10) this.line++;
    const start = this.line;
    for (let i = at; i < at + needle.length; i++) if (text.charCodeAt(i) === 10) this.line++;
    this.pos = at + needle.length;
    const from = text.lastIndexOf('\n', at - 1) + 1;
    const eol = text.indexOf('\n', this.pos);
    return { line: start, lineText: oneLine(text.slice(from, eol < 0 ? text.length : eol)) };
  }
}

const QUOTE = 0x22;
const LF_CODE = 0x0a;

/**
 * Follows the text as csv-parse will read it (a quote opens a field only at its start; `""` inside quotes
 * is a quote) to enforce the field and row limits before the parser buffers anything, and to know where an
 * open quote started. Runs over every chunk before it is parsed.
 */
export class CsvScanner {
  private inQuotes = false;
  private justClosed = false;
  private atFieldStart = true;
  private fieldChars = 0;
  private rowChars = 0;
  private fieldIndex = 0;
  private line = 1;
  private rowLine = 1;
  /** Line where the open quote started (meaningful while `inQuotes`). */
  quoteLine = 0;
  private columns: readonly string[] = [];
  private header = '';

  private readonly delimiterCode: number;

  constructor(
    private readonly fileName: string,
    readonly delimiter: string,
  ) {
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /** Lines seen so far (the last line of the text once it is all scanned). */
  get lines(): number {
    return this.line;
  }

  get quoteOpen(): boolean {
    return this.inQuotes;
  }

  scan(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === QUOTE) {
        if (this.inQuotes) {
          this.inQuotes = false;
          this.justClosed = true;
        } else if (this.atFieldStart || this.justClosed) {
          if (!this.justClosed) this.quoteLine = this.line;
          this.inQuotes = true;
          this.justClosed = false;
        }
        this.atFieldStart = false;
      } else if (!this.inQuotes && c === this.delimiterCode) {
        this.fieldIndex++;
        this.fieldChars = 0;
        this.atFieldStart = true;
        this.justClosed = false;
      } else if (!this.inQuotes && c === LF_CODE) {
        if (this.line === 1) this.headerEnd();
        this.line++;
        this.rowLine = this.line;
        this.fieldIndex = 0;
        this.fieldChars = 0;
        this.rowChars = 0;
        this.atFieldStart = true;
        this.justClosed = false;
        continue;
      } else {
        if (c === LF_CODE) this.line++;
        this.atFieldStart = false;
        this.justClosed = false;
      }
      this.fieldChars++;
      this.rowChars++;
      if (this.line === 1) this.header += chunk.charAt(i);
      if (this.fieldChars > MAX_FIELD_CHARS)
        this.refuse(`a field is longer than ${MAX_FIELD_CHARS} characters`);
      if (this.rowChars > MAX_ROW_CHARS) this.refuse(`a row is longer than ${MAX_ROW_CHARS} characters`);
    }
  }

  /** The header's column names, for naming the column of a refused field (quotes dropped, good enough here). */
  private headerEnd(): void {
    this.columns = this.header.split(this.delimiter).map((c) => c.replace(/^\s*"|"\s*$/g, '').trim());
    this.header = '';
  }

  private refuse(what: string): never {
    const column = this.columns[this.fieldIndex];
    const quote = this.inQuotes
      ? ` (inside the quote opened on line ${this.quoteLine} and not closed since: an unbalanced quote?)`
      : '';
    const message = `${what}${quote}`;
    throw new AppError('csv_invalid', `${this.fileName} line ${this.rowLine}: ${message}`, [
      { line: this.rowLine, ...(column ? { field: column } : {}), message },
    ]);
  }
}

function oneLine(raw: string): string {
  return raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

/**
 * Streams a list into `sink`, in file order: the header's columns, then every recipient and every unusable
 * row. Throws `csv_invalid` for an empty list or a header without an "email" column. Returns the counts.
 */
export function readRecipients(source: RecipientSource, sink: RecipientSink): ListCounts {
  const { fileName } = source;
  const counts: ListCounts = { total: 0, valid: 0, duplicates: 0, noAddress: 0, errors: 0 };
  const locator = new LineLocator();
  let header: { columns: string[]; emailIndex: number; emailColumn: string } | null = null;

  const error = (e: ImportError) => {
    counts.errors++;
    sink.error(e);
  };
  const onRecord = (record: string[], raw: string) => {
    const { line } = locator.locate(raw);
    if (!header) {
      header = headerOf(fileName, record, line);
      sink.columns(header.columns);
      return;
    }
    const { columns, emailIndex, emailColumn } = header;
    counts.total++;
    const swallowed = swallowedRows(record, line, columns.length, emailIndex, delimiterOf(scanner));
    if (swallowed) {
      error({
        line: swallowed.line,
        field: columns[swallowed.index] ?? '',
        message: swallowed.message,
        raw: oneLine(raw),
      });
      return;
    }
    if (record.length !== columns.length) {
      error({
        line,
        message: `expected ${columns.length} fields as in the header, found ${record.length}`,
        raw: oneLine(raw),
      });
      return;
    }
    const fields: Record<string, string> = {};
    columns.forEach((c, i) => (fields[c] = record[i] ?? ''));
    const value = (record[emailIndex] ?? '').trim();
    if (value === '') {
      counts.noAddress++;
      sink.recipient({ line, kind: 'no_address', email: '', addrKey: '', domain: '', fields });
      return;
    }
    const check = checkAddress(value);
    if (!check.ok || !check.address || !check.domain) {
      error({ line, field: emailColumn, message: check.message ?? 'invalid address', raw: oneLine(raw) });
      return;
    }
    const key = addressKey(check.address);
    const kind: RecipientKind = sink.seen(key) ? 'duplicate' : 'valid';
    if (kind === 'valid') counts.valid++;
    else counts.duplicates++;
    sink.recipient({ line, kind, email: check.address, addrKey: key, domain: check.domain, fields });
  };

  let parser: Parser | null = null;
  let scanner: CsvScanner | null = null;
  /** An error thrown by our own callbacks inside the parser (refused header, sink), rethrown after `write`. */
  let thrown: unknown = null;
  const feed = (p: Parser, text: string) => {
    // csv-parse's public stream API: `write` parses the chunk synchronously (records are taken by
    // `on_record`, nothing is pushed to the readable side).
    p.write(text);
    if (thrown) throw thrown;
    if (p.errored) throw p.errored;
  };
  let last = '';
  let endLine = 0;
  for (const chunk of textChunks(source, (info) => (counts.encoding = info))) {
    if (!parser) {
      const delimiter = detectDelimiter(chunk);
      scanner = new CsvScanner(fileName, delimiter);
      parser = parse({
        delimiter,
        bom: false,
        relax_column_count: true,
        skip_empty_lines: true,
        raw: true,
        skip_records_with_error: true,
        on_skip: (err: { message: string; code?: string } | undefined, raw: string | undefined) => {
          const { line, lineText } = locator.locate(raw ?? '');
          counts.total++;
          const open = scanner?.quoteOpen && err?.code === 'CSV_QUOTE_NOT_CLOSED' ? scanner.quoteLine : 0;
          if (open) {
            // The quote never closes: name where it opened and the lines it took.
            error({
              line: open,
              message: `the quote opened on line ${open} is never closed: ${describeLines(open, endLine)} (the rest of the file) were read inside it, none of them imported`,
              raw: lineText,
            });
          } else error({ line, message: describeCsvError(err), raw: lineText });
          return undefined;
        },
        // With `raw`, csv-parse passes `{record, raw}` here although its typings say `string[]`.
        on_record: (value: unknown, context) => {
          if (thrown) return null;
          try {
            const record = Array.isArray(value) ? (value as string[]) : (value as ParsedRecord).record;
            onRecord(record, context.raw ?? '');
          } catch (err) {
            thrown = err;
          }
          return null;
        },
      });
      parser.on('error', noop); // read from `errored` after each write
    }
    (scanner as CsvScanner).scan(chunk);
    locator.append(chunk);
    feed(parser, chunk);
    if (chunk) last = chunk;
  }
  if (parser && scanner) {
    endLine = /\n$/.test(last) ? scanner.lines - 1 : scanner.lines;
    // The end of the text: `end` flushes the last row synchronously (the stream's final step runs at once).
    parser.end();
    if (thrown) throw thrown;
    if (parser.errored) throw parser.errored;
  }
  if (!header)
    throw new AppError('csv_invalid', `${fileName} is empty: expected a header row with an "email" column`);
  return counts;
}

function delimiterOf(scanner: CsvScanner | null): string {
  return scanner ? scanner.delimiter : ',';
}

/**
 * A quoted field holding whole lines shaped like rows of the list (as many fields as the header, an address
 * where the email column is): a quote left open on one line and closed lines later, which would silently
 * merge those rows into this field. Returns the error naming the line where the quote opened and the lines
 * it took. Multi-line values that do not look like rows (postal addresses, notes) are kept.
 */
function swallowedRows(
  record: readonly string[],
  line: number,
  width: number,
  emailIndex: number,
  delimiter: string,
): { line: number; index: number; message: string } | null {
  let at = line;
  for (let i = 0; i < record.length; i++) {
    const value = record[i] ?? '';
    if (!value.includes('\n')) continue;
    const inner = value.split('\n').map((l) => l.replace(/\r$/, ''));
    const rowLike = inner.slice(1).some((l) => {
      const parts = l.split(delimiter);
      return parts.length >= width && width > 1 && checkAddress((parts[emailIndex] ?? '').trim()).ok;
    });
    if (rowLike) {
      const to = at + inner.length - 1;
      return {
        line: at,
        index: i,
        message: `the quote opened on line ${at} closes only on line ${to}: ${describeLines(at, to)} were read inside this field as text, not imported as rows (an unbalanced quote?)`,
      };
    }
    at += inner.length - 1;
  }
  return null;
}

function describeLines(from: number, to: number): string {
  return to > from + 1 ? `lines ${from + 1}-${to}` : to === from + 1 ? `line ${to}` : 'no other line';
}

interface ParsedRecord {
  record: string[];
  raw: string;
}

const noop = () => undefined;

function headerOf(
  fileName: string,
  record: string[],
  line: number,
): { columns: string[]; emailIndex: number; emailColumn: string } {
  const columns = record.map((c) => c.trim());
  const emailIndex = columns.findIndex((c) => c.toLowerCase() === 'email');
  if (emailIndex < 0) {
    throw new AppError(
      'csv_invalid',
      `${fileName} has no "email" column in its header row (line ${line}: ${columns.map((c) => `"${c}"`).join(', ')})`,
      [{ line, message: 'the header row must contain an "email" column' }],
    );
  }
  return { columns, emailIndex, emailColumn: columns[emailIndex] ?? 'email' };
}

function describeCsvError(err: { message: string; code?: string } | undefined): string {
  switch (err?.code) {
    case 'INVALID_OPENING_QUOTE':
      return 'a quote appears inside an unquoted field (quote the whole field and double the quote)';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (the rest of the file was read as one field)';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unexpected text after a closing quote';
    default:
      return err?.message ?? 'unreadable row';
  }
}

/** The console's preview of a list: columns, the first rows, counts and the first errors (one pass). */
export function previewRecipients(source: RecipientSource): RecipientsPreview {
  let columns: readonly string[] = [];
  const rows: Record<string, string>[] = [];
  const errors: ImportError[] = [];
  const seen = new Set<string>();
  const counts = readRecipients(source, {
    columns: (c) => (columns = c),
    seen: (key) => seen.has(key) || !seen.add(key),
    recipient: (r) => {
      if (rows.length < PREVIEW_ROWS) rows.push(r.fields);
    },
    error: (e) => {
      if (errors.length < LISTED_ERRORS) errors.push(e);
    },
  });
  return {
    fileName: source.fileName,
    columns: [...columns],
    rows,
    total: counts.total,
    valid: counts.valid,
    duplicates: counts.duplicates,
    noAddress: counts.noAddress,
    ...listedErrors(errors, counts.errors),
    ...(counts.encoding ? { encoding: counts.encoding } : {}),
  };
}

/** The first errors of a list (at most LISTED_ERRORS of them kept) and how many more there are. */
export function listedErrors(
  first: readonly ImportError[],
  total: number,
): {
  errors: RecipientsPreview['errors'];
  moreErrors: number;
} {
  return {
    errors: first
      .slice(0, LISTED_ERRORS)
      .map(({ line, field, message }) => ({ line, message, ...(field ? { field } : {}) })),
    moreErrors: Math.max(0, total - LISTED_ERRORS),
  };
}
