/**
 * Opening the SQLite store: WAL, foreign keys, numbered migrations on user_version. A database written by a
 * newer Relaydeck is refused with a clear message instead of being misread.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/contract/errors';
import { ensurePrivateFile, tightenFile } from '../private-files';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';

export type Db = Database.Database;

export const DB_FILE_NAME = 'relaydeck.sqlite';
/** The files SQLite keeps beside the database in WAL mode. */
export const SIDE_FILES = ['-wal', '-shm'] as const;

export interface OpenOptions {
  /** Migrations to apply (tests pass a prefix to build older versions). */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = migrations.at(-1)?.version ?? 0;
  if (!options.readonly) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // Created 0600 before SQLite opens it (SQLite gives the -wal and -shm files the database's mode); an
    // older, world-readable database and its -wal/-shm are tightened.
    ensurePrivateFile(file);
    for (const suffix of SIDE_FILES) tightenFile(file + suffix);
  }
  const db = new Database(file, { readonly: options.readonly ?? false, ...sqliteBinding() });
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > target) {
      throw new AppError(
        'db_newer_version',
        `${file} was written by a newer version of Relaydeck (schema ${current}, this version knows up to ${target}). ` +
          'Upgrade Relaydeck or use another data directory (--data DIR).',
      );
    }
    if (!options.readonly) {
      migrate(db, migrations, current);
      for (const suffix of SIDE_FILES) tightenFile(file + suffix);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * node_modules holds the better-sqlite3 addon built for Node (the CLI and the tests use it). Electron needs one
 * built for its own ABI: `npm start` prepares it and names it in RELAYDECK_SQLITE_BINDING (scripts/start.mjs);
 * packaged apps get a rebuilt node_modules from electron-builder instead.
 */
function sqliteBinding(): { nativeBinding?: string } {
  const binding = process.env.RELAYDECK_SQLITE_BINDING;
  return binding ? { nativeBinding: binding } : {};
}

function migrate(db: Db, migrations: readonly Migration[], from: number): void {
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export { SCHEMA_VERSION };
