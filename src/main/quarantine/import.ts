/**
 * Quarantine CSV import (SPEC §4.4): every good row of a file is applied in one transaction, so an import
 * that is stopped (kill -9, power loss, a failing row write) leaves the list as it was: all of the file or
 * none of it, never a part nobody would notice. Bad rows are reported by line and skipped, as before. A
 * file's bytes are decoded in the encoding detected or chosen; a byte that is not text in it refuses the file
 * naming its lines.
 */
import type { MethodOutput } from '../../shared/contract';
import type { TextEncoding } from '../../shared/domain/text-encoding';
import { base64Reader, bufferReader, decodeCsvBytes, type CsvEncodingInfo } from '../campaign/csv-encoding';
import { writeTransaction, type Db } from '../store/db';
import { setQuarantineStatus } from '../store/quarantine-repo';
import { parseQuarantineCsv } from './csv';

/** Rows between two progress reports. */
export const PROGRESS_EVERY = 5_000;
const LISTED_ERRORS = 100;

export interface ImportProgress {
  /** Rows applied so far inside the (not yet committed) transaction. */
  applied: number;
  /** Good rows of the file. */
  rows: number;
}

/**
 * A quarantine CSV: its text, its bytes in base64 (the console's upload) or its bytes (the CLI's file), the
 * bytes decoded like a recipient list's (`campaign/csv-encoding.ts`: detected, or `encoding`).
 */
export type QuarantineCsvSource =
  | { fileName: string; csv: string }
  | { fileName: string; data: string; encoding?: TextEncoding | undefined }
  | { fileName: string; bytes: Uint8Array; encoding?: TextEncoding | undefined };

function textOf(input: QuarantineCsvSource): { text: string; encoding?: CsvEncodingInfo } {
  if ('csv' in input) return { text: input.csv };
  const reader = 'data' in input ? base64Reader(input.fileName, input.data) : bufferReader(input.bytes);
  return decodeCsvBytes(input.fileName, reader, input.encoding);
}

export function importQuarantineCsv(
  db: Db,
  input: QuarantineCsvSource,
  now: number,
  onProgress?: (p: ImportProgress) => void,
): MethodOutput<'quarantine.import'> {
  const { text, encoding } = textOf(input);
  const parsed = parseQuarantineCsv(input.fileName, text);
  const rows = parsed.rows.length;
  writeTransaction(db, () => {
    parsed.rows.forEach((row, i) => {
      setQuarantineStatus(db, { ...row, source: 'import' }, now);
      if ((i + 1) % PROGRESS_EVERY === 0 && i + 1 < rows) onProgress?.({ applied: i + 1, rows });
    });
  })();
  return {
    total: parsed.total,
    imported: rows,
    errors: parsed.errors.slice(0, LISTED_ERRORS),
    moreErrors: Math.max(0, parsed.errors.length - LISTED_ERRORS),
    ...(encoding ? { encoding } : {}),
  };
}
