/** Rows of a recipient list that could not be used, kept with their raw text so nothing is lost. */
import type { RowError } from '../../shared/contract/schemas';
import type { Db } from './db';
import { stmt } from './statements';

export interface ImportError extends RowError {
  raw: string;
}

/** Call inside the caller's transaction. */
export function insertImportErrors(db: Db, deliveryId: number, errors: readonly ImportError[]): void {
  const insert = stmt(
    db,
    'INSERT INTO import_errors(delivery_id, line, field, message, raw) VALUES (?, ?, ?, ?, ?)',
  );
  for (const e of errors) insert.run(deliveryId, e.line, e.field ?? null, e.message, e.raw);
}

export function listImportErrors(db: Db, deliveryId: number, limit: number): ImportError[] {
  const rows = stmt(
    db,
    'SELECT line, field, message, raw FROM import_errors WHERE delivery_id = ? ORDER BY line, id LIMIT ?',
  ).all(deliveryId, limit) as { line: number; field: string | null; message: string; raw: string }[];
  return rows.map((r) => ({
    line: r.line,
    message: r.message,
    raw: r.raw,
    ...(r.field ? { field: r.field } : {}),
  }));
}
