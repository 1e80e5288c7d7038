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

/**
 * Several processes share a data dir (a console and `relaydeck run`, two `run`s): each waits this long for
 * another's write lock before failing with "database is locked". Write transactions are short (a feedback batch,
 * a lease), so a wait this long only ends in an error when something holds the lock abnormally.
 */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * A write transaction that takes SQLite's write lock when it begins (`BEGIN IMMEDIATE`), waiting for it under
 * the busy timeout. A deferred transaction (better-sqlite3's default) that reads and then writes fails at once
 * with SQLITE_BUSY ("database is locked", no wait) when another process committed after its read: every
 * transaction that writes goes through here (`test/unit/immediate-transactions.test.ts`). Inside another
 * transaction it nests as a savepoint.
 */
export function writeTransaction<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(fn);
  return (...args: A) => transaction.immediate(...args);
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
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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
 * A scratch store in memory, with the whole schema: what one simulated scenario writes and throws away
 * (nothing needs to survive the process, nobody else reads it). Never a data dir's store.
 */
export function openScratchDatabase(): Db {
  const db = new Database(':memory:', sqliteBinding());
  try {
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS, 0);
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

/**
 * Each migration in its own IMMEDIATE transaction that reads the version again under the write lock: two
 * processes opening a fresh data dir at once apply each migration once (the second one skips it).
 */
export function migrate(db: Db, migrations: readonly Migration[], from: number): void {
  for (const m of migrations) {
    if (m.version <= from) continue;
    writeTransaction(db, () => {
      if ((db.pragma('user_version', { simple: true }) as number) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export { SCHEMA_VERSION };
