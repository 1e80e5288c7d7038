/**
 * The import journal (migration 11): imports of files applied message by message (an mbox into the bounce
 * mailbox), which cannot be one transaction. A row stays `running` until the import ends; one left `running`
 * by a killed process is a partial import: the next run reports it and, when the file is unchanged, resumes
 * after the messages already done.
 */
import { writeTransaction, type Db } from './db';
import { stmt } from './statements';

/** `mbox`: relaydeck inmail import; `delivery`: a delivery's list written batch by batch (source `delivery:<id>`). */
export type ImportKind = 'mbox' | 'delivery';

export interface ImportRow {
  id: number;
  kind: ImportKind;
  source: string;
  fingerprint: string;
  startedAt: number;
  updatedAt: number;
  done: number;
  status: 'running' | 'complete' | 'abandoned';
}

const COLUMNS = `id, kind, source, fingerprint, started_at AS startedAt, updated_at AS updatedAt, done, status`;

/** Imports left unfinished (stopped mid-way, or running in another process), oldest first. */
export function unfinishedImports(db: Db, kind: ImportKind): ImportRow[] {
  return stmt(db, `SELECT ${COLUMNS} FROM imports WHERE kind = ? AND status = 'running' ORDER BY id`).all(
    kind,
  ) as ImportRow[];
}

/**
 * Starts (or resumes) the import of `source`: an unfinished import of the same file with the same
 * fingerprint is resumed (its row and its `done` count); one with another fingerprint (the file changed) is
 * marked abandoned and a new import starts. Returns the row to report progress on and the import resumed.
 */
export function beginImport(
  db: Db,
  input: { kind: ImportKind; source: string; fingerprint: string; now: number },
): { row: ImportRow; resumed: ImportRow | null } {
  return writeTransaction(db, () => {
    const unfinished = stmt(
      db,
      `SELECT ${COLUMNS} FROM imports WHERE kind = ? AND source = ? AND status = 'running' ORDER BY id DESC`,
    ).all(input.kind, input.source) as ImportRow[];
    const resumed = unfinished.find((r) => r.fingerprint === input.fingerprint) ?? null;
    for (const r of unfinished) {
      if (r === resumed) continue;
      stmt(db, `UPDATE imports SET status = 'abandoned', updated_at = ? WHERE id = ?`).run(input.now, r.id);
    }
    if (resumed) return { row: resumed, resumed: { ...resumed } };
    const id = Number(
      stmt(
        db,
        `INSERT INTO imports (kind, source, fingerprint, started_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
      ).run(input.kind, input.source, input.fingerprint, input.now, input.now).lastInsertRowid,
    );
    const row = stmt(db, `SELECT ${COLUMNS} FROM imports WHERE id = ?`).get(id) as ImportRow;
    return { row, resumed: null };
  })();
}

/** Messages of the file done so far (counted from its first message). */
export function recordImportProgress(db: Db, id: number, done: number, now: number): void {
  stmt(db, `UPDATE imports SET done = ?, updated_at = ? WHERE id = ?`).run(done, now, id);
}

export function completeImport(db: Db, id: number, done: number, now: number): void {
  stmt(db, `UPDATE imports SET done = ?, updated_at = ?, status = 'complete' WHERE id = ?`).run(
    done,
    now,
    id,
  );
}

/** An import given up (the file changed, or its delivery was deleted after a failure). */
export function abandonImport(db: Db, id: number, now: number): void {
  stmt(db, `UPDATE imports SET updated_at = ?, status = 'abandoned' WHERE id = ?`).run(now, id);
}

/** Whether an import of `source` is unfinished (running here or elsewhere, or stopped mid-way). */
export function importUnfinished(db: Db, kind: ImportKind, source: string): boolean {
  return (
    stmt(db, `SELECT 1 FROM imports WHERE kind = ? AND source = ? AND status = 'running' LIMIT 1`).get(
      kind,
      source,
    ) !== undefined
  );
}
