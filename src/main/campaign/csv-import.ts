/**
 * Recipient lists (CSV): a header row with an `email` column (any case) and any other columns as
 * personalization fields. BOM, `,` `;` and tab delimiters (detected from the header), quoted fields and CRLF
 * are accepted. Every row that cannot be used is reported with its line number, reason and raw text; rows
 * without an address and duplicates are kept as Ignored log rows (SPEC §2), never dropped.
 */
import { parse } from 'csv-parse/sync';
import { AppError } from '../../shared/contract/errors';
import type { RecipientsPreview } from '../../shared/contract/schemas';
import { addressKey, checkAddress } from '../../shared/domain/address';
import type { ImportError } from '../store/import-errors-repo';

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

export interface ParsedRecipients {
  fileName: string;
  columns: string[];
  /** The column holding the address (header spelling as in the file). */
  emailColumn: string;
  delimiter: string;
  recipients: Recipient[];
  errors: ImportError[];
  counts: { total: number; valid: number; duplicates: number; noAddress: number; errors: number };
}

const DELIMITERS = [',', ';', '\t'] as const;
export const PREVIEW_ROWS = 20;
export const LISTED_ERRORS = 100;

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

interface ParsedRecord {
  record: string[];
  raw: string;
}

/**
 * Maps raw record texts back to the line they start on, scanning forward through the text (records come in
 * order, so the total work is linear in the file size).
 */
function lineLocator(text: string): (raw: string) => { line: number; lineText: string } {
  let pos = 0;
  let line = 1;
  return (raw) => {
    const needle = oneLine(raw);
    const at = needle ? text.indexOf(needle, pos) : -1;
    if (at < 0) return { line, lineText: needle };
    for (let i = pos; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    const start = line;
    for (let i = at; i < at + needle.length; i++) if (text.charCodeAt(i) === 10) line++;
    pos = at + needle.length;
    // The whole physical line(s) of the record: the parser's raw text stops where it gave up.
    const from = text.lastIndexOf('\n', at - 1) + 1;
    const eol = text.indexOf('\n', pos);
    return { line: start, lineText: oneLine(text.slice(from, eol < 0 ? text.length : eol)) };
  };
}

function oneLine(raw: string): string {
  return raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

export function parseRecipients(fileName: string, csv: string): ParsedRecipients {
  const text = csv.charCodeAt(0) === 0xfeff ? csv.slice(1) : csv;
  const delimiter = detectDelimiter(text);
  const locate = lineLocator(text);
  const errors: ImportError[] = [];
  const records: (ParsedRecord & { line: number })[] = [];
  // Records and skipped records arrive in file order, so the locator sees them in order too.
  parse(text, {
    delimiter,
    bom: false,
    relax_column_count: true,
    skip_empty_lines: true,
    raw: true,
    skip_records_with_error: true,
    on_skip: (err: { message: string; code?: string } | undefined, raw: string | undefined) => {
      const { line, lineText } = locate(raw ?? '');
      errors.push({ line, message: describeCsvError(err), raw: lineText });
      return undefined;
    },
    // With `raw`, csv-parse passes `{record, raw}` here although its typings say `string[]`.
    on_record: (value: unknown, context) => {
      const raw = context.raw ?? '';
      const record = Array.isArray(value) ? (value as string[]) : (value as ParsedRecord).record;
      records.push({ record, raw, line: locate(raw).line });
      return null;
    },
  });

  const header = records.shift();
  if (!header)
    throw new AppError('csv_invalid', `${fileName} is empty: expected a header row with an "email" column`);
  const columns = header.record.map((c) => c.trim());
  const emailIndex = columns.findIndex((c) => c.toLowerCase() === 'email');
  if (emailIndex < 0) {
    throw new AppError(
      'csv_invalid',
      `${fileName} has no "email" column in its header row (line ${header.line}: ${columns.map((c) => `"${c}"`).join(', ')})`,
      [{ line: header.line, message: 'the header row must contain an "email" column' }],
    );
  }
  const emailColumn = columns[emailIndex] ?? 'email';

  const recipients: Recipient[] = [];
  const seen = new Set<string>();
  const counts = { total: 0, valid: 0, duplicates: 0, noAddress: 0, errors: 0 };
  for (const { record, raw, line } of records) {
    if (record.length !== columns.length) {
      errors.push({
        line,
        message: `expected ${columns.length} fields as in the header, found ${record.length}`,
        raw: oneLine(raw),
      });
      continue;
    }
    const fields: Record<string, string> = {};
    columns.forEach((c, i) => (fields[c] = record[i] ?? ''));
    const value = (record[emailIndex] ?? '').trim();
    if (value === '') {
      recipients.push({ line, kind: 'no_address', email: '', addrKey: '', domain: '', fields });
      continue;
    }
    const check = checkAddress(value);
    if (!check.ok || !check.address || !check.domain) {
      errors.push({
        line,
        field: emailColumn,
        message: check.message ?? 'invalid address',
        raw: oneLine(raw),
      });
      continue;
    }
    const key = addressKey(check.address);
    const kind: RecipientKind = seen.has(key) ? 'duplicate' : 'valid';
    seen.add(key);
    recipients.push({ line, kind, email: check.address, addrKey: key, domain: check.domain, fields });
  }
  errors.sort((a, b) => a.line - b.line);
  for (const r of recipients) {
    if (r.kind === 'valid') counts.valid++;
    else if (r.kind === 'duplicate') counts.duplicates++;
    else counts.noAddress++;
  }
  counts.errors = errors.length;
  counts.total = recipients.length + errors.length;
  return { fileName, columns, emailColumn, delimiter, recipients, errors, counts };
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

export function toPreview(parsed: ParsedRecipients): RecipientsPreview {
  return {
    fileName: parsed.fileName,
    columns: parsed.columns,
    rows: parsed.recipients.slice(0, PREVIEW_ROWS).map((r) => r.fields),
    total: parsed.counts.total,
    valid: parsed.counts.valid,
    duplicates: parsed.counts.duplicates,
    noAddress: parsed.counts.noAddress,
    ...listedErrors(parsed.errors),
  };
}

export function listedErrors(errors: readonly ImportError[]): {
  errors: RecipientsPreview['errors'];
  moreErrors: number;
} {
  return {
    errors: errors
      .slice(0, LISTED_ERRORS)
      .map(({ line, field, message }) => ({ line, message, ...(field ? { field } : {}) })),
    moreErrors: Math.max(0, errors.length - LISTED_ERRORS),
  };
}
