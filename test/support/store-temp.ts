/** Temp data directories and databases for store, campaign and engine tests (removed after each test). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db, type OpenOptions } from '../../src/main/store/db';

export interface TempDir {
  dir: string;
  remove(): void;
}

export function makeTempDir(): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface TempDb extends TempDir {
  db: Db;
  file: string;
  /** Closes the database and removes the directory. */
  dispose(): void;
}

export function openTempDb(options: OpenOptions = {}): TempDb {
  const tmp = makeTempDir();
  const file = path.join(tmp.dir, 'relaydeck.sqlite');
  const db = openDatabase(file, options);
  return {
    ...tmp,
    db,
    file,
    dispose() {
      if (db.open) db.close();
      tmp.remove();
    },
  };
}
