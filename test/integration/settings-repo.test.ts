import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/store/db';
import { ManualClock } from '../../src/main/clock';
import { createRevisionWatcher, REVISIONS_CHECK_MS } from '../../src/main/store/revision-watcher';
import { getSetting, setSetting, watchedSetting } from '../../src/main/store/settings-repo';
import { openTempDb, type TempDb } from '../support/store-temp';

describe('settings', () => {
  let t: TempDb | undefined;
  let other: Db | undefined;
  afterEach(() => {
    other?.close();
    other = undefined;
    t?.dispose();
  });

  it('reads back what was written, and nothing for a key never written', () => {
    t = openTempDb();
    expect(getSetting(t.db, 'returnPath')).toBeUndefined();
    setSetting(t.db, 'returnPath', 'bounces@example.test');
    expect(getSetting(t.db, 'returnPath')).toBe('bounces@example.test');
  });

  it('serves the parsed value again while the stored text is unchanged; the shared value is frozen', () => {
    t = openTempDb();
    setSetting(t.db, 'defaultRoute', { kind: 'smtp', host: '127.0.0.1', port: 2525 });
    const first = getSetting(t.db, 'defaultRoute');
    expect(getSetting(t.db, 'defaultRoute')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('sees a write made through another connection on the next read', () => {
    t = openTempDb();
    setSetting(t.db, 'defaultRoute', { kind: 'sandbox' });
    expect(getSetting(t.db, 'defaultRoute')).toEqual({ kind: 'sandbox' });
    other = openDatabase(t.file);
    setSetting(other, 'defaultRoute', { kind: 'smtp', host: 'relay.example.test', port: 25 });
    expect(getSetting(t.db, 'defaultRoute')).toEqual({ kind: 'smtp', host: 'relay.example.test', port: 25 });
    other.prepare("DELETE FROM settings WHERE key = 'defaultRoute'").run();
    expect(getSetting(t.db, 'defaultRoute')).toBeUndefined();
  });

  it('sees a write made by another process on the next read', () => {
    t = openTempDb();
    setSetting(t.db, 'returnPath', 'bounces@one.test');
    expect(getSetting(t.db, 'returnPath')).toBe('bounces@one.test');
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.pragma('busy_timeout = 5000');
      db.prepare("UPDATE settings SET value = ? WHERE key = 'returnPath'").run(JSON.stringify('bounces@two.test'));
      db.close();`;
    execFileSync(process.execPath, ['-e', script, t.file], { cwd: process.cwd(), timeout: 20_000 });
    expect(getSetting(t.db, 'returnPath')).toBe('bounces@two.test');
  });

  it('names the key when another writer stored a value its schema refuses', () => {
    t = openTempDb();
    setSetting(t.db, 'returnPath', 'bounces@one.test');
    expect(getSetting(t.db, 'returnPath')).toBe('bounces@one.test');
    other = openDatabase(t.file);
    other.prepare("UPDATE settings SET value = '\"no at sign\"' WHERE key = 'returnPath'").run();
    expect(() => getSetting(t!.db, 'returnPath')).toThrow(/setting "returnPath" holds an invalid value/);
  });

  it('watchedSetting: re-reads at once after a write of this process, else a write elsewhere within the watch period', () => {
    t = openTempDb();
    const clock = new ManualClock(0);
    setSetting(t.db, 'returnPath', 'bounces@one.test');
    const revisions = createRevisionWatcher({ db: t.db, clock });
    const returnPath = watchedSetting(t.db, 'returnPath', revisions);
    expect(returnPath()).toBe('bounces@one.test');
    setSetting(t.db, 'returnPath', 'bounces@two.test');
    expect(returnPath()).toBe('bounces@two.test');
    // Written by another connection without setSetting (as another process does): seen once the period passed.
    other = openDatabase(t.file);
    other
      .prepare("UPDATE settings SET value = ? WHERE key = 'returnPath'")
      .run(JSON.stringify('bounces@three.test'));
    clock.advance(REVISIONS_CHECK_MS - 1);
    expect(returnPath()).toBe('bounces@two.test');
    clock.advance(1);
    expect(returnPath()).toBe('bounces@three.test');
  });
});
