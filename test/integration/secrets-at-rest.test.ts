/**
 * Secrets at rest (POSIX modes; the data dir's files read byte for byte): a data dir created by the built CLI is
 * 0700 with its database, -wal/-shm and secrets file 0600; an old-style data dir (0755, a 0644 database with
 * -wal/-shm, the VERP key and the IMAP password in `settings`) is tightened when opened, and both secrets move to
 * the secrets file and leave no trace in the database files or the log; a password saved through the API goes
 * to the secrets file, never to the database or the log.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/main/app';
import { SECRETS_FILE_NAME, createFileSecretStore } from '../../src/main/secrets/secret-store';
import { DB_FILE_NAME, openDatabase } from '../../src/main/store/db';
import { captureLogger } from '../support/api-test-logger';
import { TEST_APP } from '../support/app-options';
import { makeTempDir, type TempDir } from '../support/store-temp';

const posix = process.platform !== 'win32';
const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const execFileAsync = promisify(execFile);
let tmp: TempDir;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  tmp = makeTempDir();
});
afterAll(() => tmp?.remove());

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Every file of the data dir that holds data: the database and its WAL/shm, and the logs. */
function dataFiles(dir: string): string[] {
  const files = [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`]
    .map((f) => path.join(dir, f))
    .filter((f) => fs.existsSync(f));
  const logs = path.join(dir, 'logs');
  if (fs.existsSync(logs)) files.push(...fs.readdirSync(logs).map((f) => path.join(logs, f)));
  return files;
}

/** The files (of `dataFiles`) whose bytes contain `secret`, in UTF-8 or as the JSON text SQLite stores. */
function filesHolding(dir: string, secret: string): string[] {
  return dataFiles(dir).filter((f) => fs.readFileSync(f).includes(Buffer.from(secret, 'utf8')));
}

async function relaydeck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cli, ...args], {
      cwd: tmp.dir,
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.runIf(posix)('owner-only data dir', () => {
  it('a data dir created by the CLI is 0700, its database, -wal/-shm and secrets 0600', async () => {
    const dir = path.join(tmp.dir, 'fresh', 'data');
    const result = await relaydeck(['rules', 'export', '--data', dir]);
    expect(result.code).toBe(0);
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, DB_FILE_NAME))).toBe(0o600);
    expect(mode(path.join(dir, SECRETS_FILE_NAME))).toBe(0o600);
    expect(mode(path.join(dir, 'logs'))).toBe(0o700);
    for (const f of dataFiles(dir)) expect([f, mode(f)]).toEqual([f, 0o600]);

    // The VERP key generated on first open is in the secrets file, nowhere else.
    const key = createFileSecretStore(dir).get('verpKey');
    expect(key).toMatch(/^[0-9a-f]{32,128}$/);
    expect(filesHolding(dir, key!)).toEqual([]);
  });

  it('an old-style 0755/0644 data dir is tightened, and its secrets leave the database', async () => {
    const dir = path.join(tmp.dir, 'old');
    const file = path.join(dir, DB_FILE_NAME);
    const verpKey = 'c0ffee'.repeat(8);
    const password = 'imap-Pa55word-in-the-clear';
    // An earlier version's data dir: settings rows with the secrets, written more than once (stale copies in
    // the file's free space), world-readable files, and a WAL kept by a second connection.
    fs.mkdirSync(dir, { mode: 0o755 });
    openDatabase(file).close();
    let old = new Database(file);
    const put = (key: string, value: string) =>
      old
        .prepare(
          'INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        )
        .run(key, value);
    const imap = (pass: string) =>
      JSON.stringify({
        host: 'imap.example.test',
        port: 993,
        tls: true,
        user: 'bounces',
        password: pass,
        mailbox: 'INBOX',
        intervalSec: 300,
        enabled: false,
      });
    put('verpKey', JSON.stringify(verpKey));
    put('inmail.imap', imap(password));
    put('inmail.imap', imap(password + '-x'));
    old.close();
    expect(filesHolding(dir, password).length).toBeGreaterThan(0);
    expect(filesHolding(dir, verpKey).length).toBeGreaterThan(0);
    // Reopened and left open with a WAL holding the password too. From here on, this process must not open the
    // database files until the CLI is done (closing any descriptor of a file drops the process's POSIX locks
    // on it, and the CLI would take the open connection for gone).
    old = new Database(file);
    put('inmail.imap', imap(password));
    fs.mkdirSync(path.join(dir, 'logs'), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'logs', 'relaydeck.log'), '', { mode: 0o644 });
    for (const f of [file, `${file}-wal`, `${file}-shm`, path.join(dir, 'logs', 'relaydeck.log')]) {
      fs.chmodSync(f, 0o644);
    }
    fs.chmodSync(dir, 0o755);

    const result = await relaydeck(['rules', 'export', '--data', dir]);
    expect(result.code).toBe(0);

    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
    expect(mode(path.join(dir, SECRETS_FILE_NAME))).toBe(0o600);
    expect(mode(path.join(dir, 'logs'))).toBe(0o700);
    expect(mode(path.join(dir, 'logs', 'relaydeck.log'))).toBe(0o600);
    // Checked with the WAL still there (the old connection keeps it), then once it is checkpointed away.
    expect(filesHolding(dir, password)).toEqual([]);
    expect(filesHolding(dir, verpKey)).toEqual([]);
    old.close();

    const secrets = createFileSecretStore(dir);
    expect(secrets.get('verpKey')).toBe(verpKey);
    expect(secrets.get('imapPassword')).toBe(password);
    expect(filesHolding(dir, password)).toEqual([]);
    expect(filesHolding(dir, verpKey)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'logs', 'relaydeck.log'), 'utf8')).toContain(
      'moved secrets out of the database',
    );

    // The settings the console shows are intact, the password only said to be set.
    const app = await openApp({ ...TEST_APP, dataDir: dir, engine: false, sandbox: false, inmail: false });
    try {
      expect(await app.handlers['inmail.imapGet']({}, { transport: 'http' })).toMatchObject({
        host: 'imap.example.test',
        user: 'bounces',
        passwordSet: true,
      });
    } finally {
      await app.close();
    }
  });
});

describe('an IMAP password saved through the API', () => {
  it('goes to the secrets file, never to the database or the log', async () => {
    const dir = path.join(tmp.dir, 'api');
    fs.mkdirSync(dir);
    // Every record at every level, with its fields, as the file logger would serialise them.
    const logger = captureLogger();
    const app = await openApp({
      ...TEST_APP,
      dataDir: dir,
      logger,
      engine: false,
      sandbox: false,
      inmail: false,
    });
    const password = 'another-Secret-imap-pass';
    try {
      const saved = await app.handlers['inmail.imapSave'](
        {
          host: 'imap.example.test',
          port: 993,
          tls: true,
          user: 'bounces',
          password,
          mailbox: 'INBOX',
          intervalSec: 300,
          enabled: false,
        },
        { transport: 'http' },
      );
      expect(saved.passwordSet).toBe(true);
      expect(createFileSecretStore(dir).get('imapPassword')).toBe(password);
      expect(filesHolding(dir, password)).toEqual([]);
    } finally {
      await app.close();
    }
    expect(filesHolding(dir, password)).toEqual([]);
    expect(logger.records.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.records)).not.toContain(password);
    if (posix) expect(mode(path.join(dir, SECRETS_FILE_NAME))).toBe(0o600);
  });
});
