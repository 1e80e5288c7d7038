/**
 * Quarantine CSV import (SPEC §4.4): every good row of a file is applied in one transaction, so an import
 * that is stopped (kill -9, power loss, a failing row write) leaves the list as it was: all of the file or
 * none of it, never a part nobody would notice. Bad rows are reported by line and skipped, as before.
 */
import type { MethodOutput } from '../../shared/contract';
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

export function importQuarantineCsv(
  db: Db,
  input: { fileName: string; csv: string },
  now: number,
  onProgress?: (p: ImportProgress) => void,
): MethodOutput<'quarantine.import'> {
  const parsed = parseQuarantineCsv(input.fileName, input.csv);
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
  };
}
