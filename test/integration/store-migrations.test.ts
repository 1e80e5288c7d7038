import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, openDatabase, SCHEMA_VERSION } from '../../src/main/store/db';
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

  it('applies each migration once when two processes open a fresh data dir at once', () => {
    // This connection read version 0 (a fresh file), then another process migrated the file first.
    t = openTempDb({ migrations: [] });
    expect(t.db.pragma('user_version', { simple: true })).toBe(0);
    const other = openDatabase(t.file);
    try {
      expect(() => migrate(t!.db, MIGRATIONS, 0)).not.toThrow();
      expect(t.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      other.close();
    }
  });

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

  it('migration 6 marks the rows already counted in n_soft, then a row counts once whatever follows', () => {
    t = openTempDb({ migrations: MIGRATIONS.filter((m) => m.version < 6) });
    t.db.exec(`
      INSERT INTO deliveries (id, name, state, reporting, template_json, validity_requested_ms, validity_ms, created_at)
      VALUES (1, 'd', 'delivering', 'efs', '{}', 1, 1, 0);
      INSERT INTO delivery_log (id, delivery_id, line, email, addr_key, domain, fields_json, status, failure_type, updated_at)
      VALUES (1, 1, 2, 'a@x.test', 'a@x.test', 'x.test', '{}', 'taken_into_account', 'soft', 0),
             (2, 1, 3, 'b@x.test', 'b@x.test', 'x.test', '{}', 'sent', NULL, 0),
             (3, 1, 4, 'c@x.test', 'c@x.test', 'x.test', '{}', 'sent', NULL, 0);
      -- b was soft-bounced, then accepted (the success cleared its type); c was accepted at once.
      INSERT INTO attempts (log_id, at, outcome, text) VALUES (2, 1, 'deferred', '452 4.2.2 full'),
             (2, 2, 'accepted', '250 ok'), (3, 1, 'accepted', '250 ok');
    `);
    t.db.close();
    // Up to version 8 (migration 9 hands these counters to the ledger, tested in test/unit/efs-feedback.test.ts).
    const db = openDatabase(t.file, { migrations: MIGRATIONS.filter((m) => m.version <= 8) });
    try {
      const marks = () =>
        db.prepare('SELECT soft_counted FROM delivery_log ORDER BY id').pluck().all() as number[];
      const domainSoft = () => db.prepare('SELECT n_soft FROM delivery_domains').pluck().get() as number;
      expect(marks()).toEqual([1, 1, 0]);
      const before = domainSoft();
      const setType = db.prepare('UPDATE delivery_log SET failure_type = ? WHERE id = ?');
      setType.run('soft', 2); // an asynchronous soft DSN after the acceptance: already counted
      expect(domainSoft()).toBe(before);
      setType.run('soft', 3); // c's first soft qualification
      expect([marks(), domainSoft()]).toEqual([[1, 1, 1], before + 1]);
      setType.run(null, 3);
      setType.run('soft', 3);
      expect(domainSoft()).toBe(before + 1);
    } finally {
      db.close();
    }
  });

  it('migration 19 keeps a delivery’s pre-send analysis beside a delivery from version 18', () => {
    t = openTempDb({ migrations: MIGRATIONS.filter((m) => m.version <= 18) });
    t.db.exec(`
      INSERT INTO deliveries (id, name, state, reporting, template_json, validity_requested_ms, validity_ms, created_at)
      VALUES (1, 'd', 'completed', 'efs', '{}', 1, 1, 0);
    `);
    t.db.close();
    const db = openDatabase(t.file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT count(*) FROM delivery_analysis').pluck().get()).toBe(0);
      db.prepare(
        `INSERT INTO delivery_analysis(delivery_id, report_json, acknowledged_errors, recorded_at)
         VALUES (1, '{}', 1, 5)`,
      ).run();
      // No analysis for a delivery that does not exist.
      expect(() =>
        db
          .prepare(
            `INSERT INTO delivery_analysis(delivery_id, report_json, acknowledged_errors, recorded_at)
             VALUES (2, '{}', 0, 5)`,
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      db.close();
    }
  });

  it('migration 9 keeps the rule revisions in the one revisions table, and its triggers bump them', () => {
    t = openTempDb({ migrations: MIGRATIONS.filter((m) => m.version < 9) });
    t.db.exec(`
      UPDATE rule_revisions SET revision = 7 WHERE name = 'mx_rules';
      UPDATE rule_revisions SET revision = 3 WHERE name = 'bounce_rules';
    `);
    t.db.close();
    const db = openDatabase(t.file);
    try {
      const revisions = () =>
        Object.fromEntries(
          db.prepare('SELECT topic, revision FROM revisions').raw().all() as [string, number][],
        );
      expect(revisions()).toEqual({ mx_rules: 7, bounce_rules: 3, dkim_keys: 0, settings: 0 });
      expect(tables(db)).not.toContain('rule_revisions');
      db.exec(`
        INSERT INTO mx_rules (position, body_json, updated_at) VALUES (0, '{}', 0);
        INSERT INTO settings (key, value) VALUES ('probe', '1');
        INSERT INTO dkim_keys (domain, selector, algorithm, bits, key_path, public_key, enabled, created_at)
        VALUES ('a.test', 's1', 'rsa-sha256', 1024, '/nowhere', 'AAAA', 1, 0);
      `);
      expect(revisions()).toEqual({ mx_rules: 8, bounce_rules: 3, dkim_keys: 1, settings: 1 });
    } finally {
      db.close();
    }
  });

  it('migration 10 leaves no counter triggers: the ledger moves every counter', () => {
    t = openTempDb();
    const triggers = t.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .pluck()
      .all() as string[];
    expect(
      triggers.filter((n) => !n.endsWith('_revision_insert') && !/_revision_(update|delete)$/.test(n)),
    ).toEqual([]);
  });

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
