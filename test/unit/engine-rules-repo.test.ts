import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/main/engine/shaper/default-rules';
import { loadRules, saveRules } from '../../src/main/store/rules-repo';
import { listShapingEvents, recordShapingEvent } from '../../src/main/store/shaping-events-repo';
import { openTempDb, type TempDb } from '../support/engine-fixtures';

let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

describe('rules repository', () => {
  it('seeds the shipped defaults on first read, then returns what was saved, in order', () => {
    expect(loadRules(t.db)).toEqual(DEFAULT_RULES);
    const generic = DEFAULT_RULES.mxRules.at(-1)!;
    const doc = {
      ...DEFAULT_RULES,
      mxRules: [{ ...generic, id: 'first', match: { kind: 'domain' as const, mask: 'shop.test' } }, generic],
      automationRules: [],
      adaptive: { ...DEFAULT_RULES.adaptive, decreaseFactor: 0.7 },
    };
    saveRules(t.db, doc, 5);
    expect(loadRules(t.db)).toEqual(doc);
  });

  it('refuses an invalid document and keeps the rules in force', () => {
    const generic = DEFAULT_RULES.mxRules.at(-1)!;
    expect(() =>
      saveRules(t.db, { ...DEFAULT_RULES, mxRules: [generic, { ...generic, id: 'after' }] }, 1),
    ).toThrow(/rule must be last/);
    expect(loadRules(t.db)).toEqual(DEFAULT_RULES);
  });

  it('names the table and position of a stored rule that no longer parses', () => {
    loadRules(t.db);
    t.db.prepare('UPDATE mx_rules SET body_json = \'{"id":"x"}\' WHERE position = 2').run();
    expect(() => loadRules(t.db)).toThrow(/mx_rules position 2: invalid rule/);
  });
});

describe('shaping events repository', () => {
  it('lists newest first with a keyset cursor, optionally for one destination', () => {
    for (let i = 0; i < 5; i++)
      recordShapingEvent(t.db, {
        at: 1000 + i,
        destination: i % 2 ? 'mx:a' : 'mx:b',
        kind: 'slowed',
        cause: `signal ${i}`,
        detail: { i },
      });
    const first = listShapingEvents(t.db, { cursor: null, limit: 2 });
    expect(first.items.map((e) => e.cause)).toEqual(['signal 4', 'signal 3']);
    const second = listShapingEvents(t.db, { cursor: first.nextCursor, limit: 2 });
    expect(second.items.map((e) => e.cause)).toEqual(['signal 2', 'signal 1']);
    const last = listShapingEvents(t.db, { cursor: second.nextCursor, limit: 2 });
    expect(last).toMatchObject({ items: [{ cause: 'signal 0', detail: { i: 0 } }], nextCursor: null });
    expect(
      listShapingEvents(t.db, { cursor: null, limit: 10, destination: 'mx:a' }).items.map((e) => e.cause),
    ).toEqual(['signal 3', 'signal 1']);
  });
});
