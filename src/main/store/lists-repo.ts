/** Saved recipient lists (the demo list, later the analyst's own). */
import type { SampleList } from '../../shared/contract/schemas';
import type { Db } from './db';
import { toSampleList, type RecipientListRow } from './mappers';
import { stmt } from './statements';

export function insertRecipientList(
  db: Db,
  list: { name: string; fileName: string; csv: string },
  now: number,
): string {
  const result = stmt(
    db,
    'INSERT INTO recipient_lists(name, file_name, csv, created_at) VALUES (@name, @fileName, @csv, @now)',
  ).run({ ...list, now });
  return String(result.lastInsertRowid);
}

export function listRecipientLists(db: Db): SampleList[] {
  const rows = stmt(db, 'SELECT * FROM recipient_lists ORDER BY id').all() as RecipientListRow[];
  return rows.map(toSampleList);
}
