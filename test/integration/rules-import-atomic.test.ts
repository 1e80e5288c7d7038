/**
 * Rules import is all or nothing (issue 16): the rules and the shaping event recording the change are written
 * in one transaction, so an import that fails part-way (here the event's insert, made to fail after the rules
 * rows were written) leaves the rules in force exactly as they were.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { replaceRules } from '../../src/main/api/handlers-mta';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { loadRules, saveRules } from '../../src/main/store/rules-repo';
import { openTempDb, type TempDb } from '../support/store-temp';

let t: TempDb | null = null;
afterEach(() => {
  t?.dispose();
  t = null;
});

describe('rules import', () => {
  it('a failure after the rules rows were written leaves the previous rules', () => {
    t = openTempDb();
    saveRules(t.db, DEFAULT_RULES, 1_000);
    const before = loadRules(t.db);
    const changed = {
      ...DEFAULT_RULES,
      mxRules: DEFAULT_RULES.mxRules.map((r) => ({ ...r, maxConnections: 1 })),
    };
    t.db.exec(
      `CREATE TEMP TRIGGER fail_event BEFORE INSERT ON shaping_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    expect(() => replaceRules(t!.db, changed, 'import', 2_000)).toThrow(/disk full/);
    expect(loadRules(t.db)).toEqual(before);
    t.db.exec('DROP TRIGGER fail_event');
    expect(replaceRules(t.db, changed, 'import', 3_000).mxRules.every((r) => r.maxConnections === 1)).toBe(
      true,
    );
  });
});
