import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from '../../src/main/store/db';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { AppError } from '../../src/shared/contract/errors';
import { openTempDb, type TempDb } from '../support/store-temp';

const tables = (db: Database.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('store migrations', () => {
  let t: TempDb | undefined;
  afterEach(() => t?.dispose());

  it('migrates an empty file to the current schema, in WAL mode', () => {
    t = openTempDb();
    expect(t.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(t.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(tables(t.db)).toEqual(
      expect.arrayContaining([
        'settings',
        'templates',
        'recipient_lists',
        'deliveries',
        'delivery_log',
        'queue',
        'attempts',
        'import_errors',
      ]),
    );
  });

  it.each(MIGRATIONS.map((m, i) => [m.version, i] as const))(
    'upgrades a database left at the version before %i, keeping its data',
    (_version, index) => {
      t = openTempDb({ migrations: MIGRATIONS.slice(0, index) });
      expect(t.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[index - 1]?.version ?? 0);
      // Migration 1 creates `settings`; from there on, a row written by the older version must survive.
      const keepsData = index > 0;
      if (keepsData) t.db.prepare("INSERT INTO settings(key, value) VALUES ('probe', '1')").run();
      t.db.close();
      const db = openDatabase(t.file);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        if (keepsData)
          expect(db.prepare("SELECT value FROM settings WHERE key = 'probe'").get()).toEqual({ value: '1' });
      } finally {
        db.close();
      }
    },
  );

  it('is idempotent: reopening a current database changes nothing', () => {
    t = openTempDb();
    const before = tables(t.db);
    t.db.close();
    const db = openDatabase(t.file);
    expect(tables(db)).toEqual(before);
    db.close();
  });

  it('refuses a database written by a newer version, with a clear message', () => {
    t = openTempDb();
    t.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    t.db.close();
    let error: unknown;
    try {
      openDatabase(t.file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('db_newer_version');
    expect((error as AppError).message).toContain(t.file);
    expect((error as AppError).message).toMatch(
      /newer version of Relaydeck \(schema \d+, this version knows up to \d+\)/,
    );
  });
});
