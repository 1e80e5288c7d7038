/**
 * The one revision watcher: a second SQLite connection on the same file (as another process has) writes rules,
 * DKIM keys and settings; the watcher of the first connection notices within its period of the injected clock
 * (never before), calls the subscribers of the topics that moved once, and reads at once after a write of its
 * own connection. No wall-clock waits.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { openDatabase, type Db } from '../../src/main/store/db';
import { insertDkimKey } from '../../src/main/store/dkim-repo';
import { createRevisionWatcher, REVISIONS_CHECK_MS } from '../../src/main/store/revision-watcher';
import type { RevisionTopic } from '../../src/main/store/revisions-repo';
import { saveRules } from '../../src/main/store/rules-repo';
import { setSetting } from '../../src/main/store/settings-repo';
import { openTempDb, type TempDb } from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 0, 1);
let t: TempDb;
let other: Db;
beforeEach(() => {
  t = openTempDb();
  other = openDatabase(path.join(t.dir, 'relaydeck.sqlite'));
});
afterEach(() => {
  other.close();
  t.cleanup();
});

function watch(clock: ManualClock) {
  const watcher = createRevisionWatcher({ db: t.db, clock });
  const calls: RevisionTopic[] = [];
  const subscriptions = (['mx_rules', 'bounce_rules', 'dkim_keys', 'settings'] as const).map((topic) => {
    const s = watcher.subscribe(topic, () => calls.push(topic));
    s.mark();
    return s;
  });
  return { watcher, calls, subscriptions };
}

describe('revision watcher', () => {
  it("notices another connection's writes within its period of the clock, once per topic that moved", () => {
    const clock = new ManualClock(T0);
    const { watcher, calls } = watch(clock);

    saveRules(other, DEFAULT_RULES, T0);
    insertDkimKey(other, {
      domain: 'sender.test',
      selector: 's1',
      algorithm: 'rsa-sha256',
      bits: 1024,
      keyPath: '/nowhere/s1.pem',
      publicKey: 'AAAA',
      createdAt: T0,
    });
    clock.advance(REVISIONS_CHECK_MS - 1);
    watcher.check();
    expect(calls).toEqual([]);
    clock.advance(1);
    watcher.check();
    // saveRules writes the adaptive settings too: a setting changed.
    expect(calls.sort()).toEqual(['dkim_keys', 'mx_rules', 'settings']);

    calls.length = 0;
    clock.advance(REVISIONS_CHECK_MS);
    watcher.check();
    expect(calls).toEqual([]);

    setSetting(other, 'returnPath', 'bounces@example.com');
    watcher.check();
    expect(calls).toEqual([]);
    clock.advance(REVISIONS_CHECK_MS);
    watcher.check();
    watcher.check();
    expect(calls).toEqual(['settings']);
  });

  it('reads at once after a write of its own connection; a subscriber that marked is not called for it', () => {
    const clock = new ManualClock(T0);
    const { watcher, calls, subscriptions } = watch(clock);
    setSetting(t.db, 'returnPath', 'bounces@example.com');
    watcher.check();
    expect(calls).toEqual(['settings']);

    calls.length = 0;
    setSetting(t.db, 'returnPath', 'bounces@example.org');
    subscriptions[3]?.mark(); // the settings subscriber reloaded itself
    watcher.check();
    expect(calls).toEqual([]);
  });

  it('calls a subscriber that never marked at the first check (its state was loaded at an unknown revision); close stops the calls', () => {
    const clock = new ManualClock(T0);
    const watcher = createRevisionWatcher({ db: t.db, clock });
    const calls: string[] = [];
    const s = watcher.subscribe('mx_rules', () => calls.push('mx_rules'));
    clock.advance(REVISIONS_CHECK_MS);
    watcher.check();
    expect(calls).toEqual(['mx_rules']);
    s.close();
    saveRules(other, DEFAULT_RULES, T0);
    clock.advance(REVISIONS_CHECK_MS);
    watcher.check();
    expect(calls).toEqual(['mx_rules']);
  });
});
