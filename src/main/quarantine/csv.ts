/**
 * The quarantine list as CSV (SPEC §4.4, §7: UTF-8 with BOM). Export writes every column; import reads a header
 * row naming `address` (or `email`), and optionally `status` (default `quarantine`) and `note`, so an exported
 * file imports back as it was. Bad rows are reported by line and skipped; good rows are imported.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  QUARANTINE_STATUSES,
  type QuarantineEntry,
  type QuarantineStatus,
} from '../../shared/contract/bounce';
import { AppError } from '../../shared/contract/errors';
import type { RowError } from '../../shared/contract/schemas';
import { checkAddress } from '../../shared/domain/address';
import { CsvScanner } from '../campaign/csv-import';

export const EXPORT_COLUMNS = [
  'address',
  'status',
  'error_count',
  'last_error_at',
  'last_reason',
  'last_type',
  'quarantined_at',
  'updated_at',
  'source',
  'note',
] as const;

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export function quarantineCsv(entries: Iterable<QuarantineEntry>): string {
  const rows: string[][] = [[...EXPORT_COLUMNS]];
  for (const e of entries) {
    rows.push([
      e.address,
      e.status,
      String(e.errorCount),
      iso(e.lastErrorAt),
      e.lastReason ?? '',
      e.lastType ?? '',
      iso(e.quarantinedAt),
      iso(e.updatedAt),
      e.source,
      e.note,
    ]);
  }
  return `\uFEFF${stringify(rows, { record_delimiter: '\r\n' })}`;
}

export interface QuarantineCsvRow {
  line: number;
  address: string;
  status: QuarantineStatus;
  note: string;
}

export function parseQuarantineCsv(
  fileName: string,
  csv: string,
): { rows: QuarantineCsvRow[]; errors: RowError[]; total: number } {
  // Field and row limits first, naming the line (and where an unbalanced quote opened), before csv-parse
  // buffers a record that swallowed the rest of the file.
  new CsvScanner(fileName, ',').scan(csv);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(csv, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new AppError('csv_invalid', `${fileName} cannot be read: ${(err as Error).message}`, [
      { ...(line ? { line } : {}), message: (err as Error).message },
    ]);
  }
  const header = records.shift();
  if (!header)
    throw new AppError('csv_invalid', `${fileName} is empty: expected a header row with "address"`);
  const columns = header.record.map((c) => c.toLowerCase());
  const addressIndex = columns.findIndex((c) => c === 'address' || c === 'email');
  if (addressIndex < 0) {
    throw new AppError('csv_invalid', `${fileName} has no "address" (or "email") column in its header row`, [
      { line: header.info.lines, message: 'the header row must contain an "address" column' },
    ]);
  }
  const statusIndex = columns.indexOf('status');
  const noteIndex = columns.indexOf('note');
  const rows: QuarantineCsvRow[] = [];
  const errors: RowError[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const check = checkAddress(record[addressIndex] ?? '');
    if (!check.ok || !check.address) {
      errors.push({ line, field: 'address', message: check.message ?? 'invalid address' });
      continue;
    }
    const status = statusIndex >= 0 && record[statusIndex] ? record[statusIndex] : 'quarantine';
    if (!(QUARANTINE_STATUSES as readonly string[]).includes(status)) {
      errors.push({
        line,
        field: 'status',
        message: `"${status}" is not a status (${QUARANTINE_STATUSES.join(', ')})`,
      });
      continue;
    }
    rows.push({
      line,
      address: check.address,
      status: status as QuarantineStatus,
      note: noteIndex >= 0 ? (record[noteIndex] ?? '') : '',
    });
  }
  return { rows, errors, total: records.length };
}
