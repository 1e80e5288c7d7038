import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { qualificationKey } from '../../src/main/engine/bounce/basic-classifier';
import { DEFAULT_BOUNCE_RULES } from '../../src/main/defaults/bounce-rules';
import { loadBounceRules, resetBounceRules, saveBounceRules } from '../../src/main/store/bounce-rules-repo';
import { recordQualifications, updateQualification } from '../../src/main/store/qualification-repo';
import { deleteDkimKey, insertDkimKey, setDkimKeyEnabled } from '../../src/main/store/dkim-repo';
import { readRevisions, revisionOf } from '../../src/main/store/revisions-repo';
import { loadRules, saveRules } from '../../src/main/store/rules-repo';
import { setSetting } from '../../src/main/store/settings-repo';
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

describe('rule revisions (the triggers of migration 9)', () => {
  const revisions = () => ({
    mx: revisionOf(t.db, 'mx_rules'),
    bounce: revisionOf(t.db, 'bounce_rules'),
  });

  /** Runs `write` and returns how much each revision moved. */
  function moved(write: () => void): { mx: number; bounce: number } {
    const before = revisions();
    write();
    const after = revisions();
    return { mx: after.mx - before.mx, bounce: after.bounce - before.bounce };
  }

  it('every write of the MX rule set moves its revision only', () => {
    expect(moved(() => loadRules(t.db))).toMatchObject({ mx: expect.any(Number), bounce: 0 });
    expect(moved(() => loadRules(t.db))).toEqual({ mx: 0, bounce: 0 });
    expect(moved(() => saveRules(t.db, DEFAULT_RULES, 1)).mx).toBeGreaterThan(0);
    const adaptive = { ...DEFAULT_RULES.adaptive, decreaseFactor: 0.6 };
    expect(moved(() => setSetting(t.db, 'adaptiveSettings', adaptive))).toEqual({ mx: 1, bounce: 0 });
    expect(moved(() => setSetting(t.db, 'adaptiveSettings', adaptive))).toEqual({ mx: 0, bounce: 0 });
    t.db.prepare('UPDATE automation_rules SET updated_at = 2 WHERE position = 0').run();
    expect(moved(() => t.db.prepare('DELETE FROM automation_rules WHERE position = 0').run())).toEqual({
      mx: 1,
      bounce: 0,
    });
  });

  it('bounce rules, the class mapping and manual qualifications move the bounce revision only', () => {
    const state = loadBounceRules(t.db);
    const doc = { rules: [...DEFAULT_BOUNCE_RULES], classMapping: state.classMapping };
    expect(moved(() => saveBounceRules(t.db, doc, 1))).toMatchObject({ mx: 0, bounce: expect.any(Number) });
    expect(moved(() => resetBounceRules(t.db, 2)).bounce).toBeGreaterThan(0);
    expect(moved(() => setSetting(t.db, 'returnPath', 'bounces@example.com'))).toEqual({ mx: 0, bounce: 0 });

    const reply = { code: 550, enhanced: '5.1.1', text: 'no such user' };
    const key = qualificationKey(reply);
    const hit = {
      key,
      source: 'sync' as const,
      code: 550,
      enhanced: '5.1.1',
      raw: reply.text,
      reason: 'user_unknown' as const,
      type: 'hard' as const,
      bounceClass: 10 as const,
      ruleId: 'some-rule',
      why: 'rule "some-rule": the reply says "no such user"',
    };
    // The hot path's occurrence counting is not an override.
    expect(moved(() => recordQualifications(t.db, [hit, hit], 3))).toEqual({ mx: 0, bounce: 0 });
    const id = t.db.prepare('SELECT id FROM qualification WHERE norm_key = ?').pluck().get(key) as number;
    expect(moved(() => updateQualification(t.db, { id, status: 'ignore' }, 4))).toEqual({ mx: 0, bounce: 0 });
    const requalify = () => updateQualification(t.db, { id, status: 'keep', reason: 'refused' }, 5);
    expect(moved(requalify)).toEqual({ mx: 0, bounce: 1 });
    expect(moved(() => recordQualifications(t.db, [hit], 6))).toEqual({ mx: 0, bounce: 0 });
  });
});

describe('DKIM key and settings revisions (the triggers of migration 9)', () => {
  const all = () => readRevisions(t.db);
  function moved(write: () => void): Record<string, number> {
    const before = all();
    write();
    const after = all();
    return Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
    );
  }

  it('every write of a DKIM key moves dkim_keys only', () => {
    const key = () =>
      insertDkimKey(t.db, {
        domain: 'sender.test',
        selector: 's1',
        algorithm: 'rsa-sha256',
        bits: 1024,
        keyPath: '/nowhere/s1.pem',
        publicKey: 'AAAA',
        createdAt: 1,
      });
    const none = { mx_rules: 0, bounce_rules: 0, dkim_keys: 0, settings: 0 };
    let id = 0;
    expect(moved(() => (id = key().id))).toEqual({ ...none, dkim_keys: 1 });
    expect(moved(() => setDkimKeyEnabled(t.db, id, false))).toEqual({ ...none, dkim_keys: 1 });
    expect(moved(() => deleteDkimKey(t.db, id))).toEqual({ ...none, dkim_keys: 1 });
  });

  it("every changed setting moves settings; the rule sets' settings move their set too", () => {
    const none = { mx_rules: 0, bounce_rules: 0, dkim_keys: 0, settings: 0 };
    expect(moved(() => setSetting(t.db, 'returnPath', 'a@example.com'))).toEqual({ ...none, settings: 1 });
    expect(moved(() => setSetting(t.db, 'returnPath', 'a@example.com'))).toEqual(none);
    expect(moved(() => setSetting(t.db, 'returnPath', 'b@example.com'))).toEqual({ ...none, settings: 1 });
    const adaptive = { ...DEFAULT_RULES.adaptive, decreaseFactor: 0.7 };
    expect(moved(() => setSetting(t.db, 'adaptiveSettings', adaptive))).toEqual({
      ...none,
      settings: 1,
      mx_rules: 1,
    });
    expect(moved(() => t.db.prepare("DELETE FROM settings WHERE key = 'returnPath'").run())).toEqual({
      ...none,
      settings: 1,
    });
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
