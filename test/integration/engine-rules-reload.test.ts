/**
 * Rules written by another process reach a running engine without a restart: MX rules saved through a second
 * connection to the data dir are applied to the next messages once the rules' revision is checked (every
 * REVISIONS_CHECK_MS of the engine's clock), and logged; the engine's own reloads are not logged as foreign ones.
 * Bounce rules follow the same revision in the stored classifier. The real `relaydeck rules import` next to a
 * running engine is in rules-cli.test.ts.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceRules } from '../../src/main/api/handlers-mta';
import { createEngine } from '../../src/main/engine';
import { ManualClock } from '../../src/main/clock';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import type { Engine, RelayFactory, RelayPolicy } from '../../src/main/engine/types';
import { createStoredClassifier } from '../../src/main/inmail';
import { mappingRows, saveBounceRules } from '../../src/main/store/bounce-rules-repo';
import { openDatabase, type Db } from '../../src/main/store/db';
import { qualificationKey } from '../../src/main/engine/bounce/basic-classifier';
import { recordQualifications, updateQualification } from '../../src/main/store/qualification-repo';
import { REVISIONS_CHECK_MS } from '../../src/main/store/revision-watcher';
import { saveRules } from '../../src/main/store/rules-repo';
import type { MxRule, RulesDocument } from '../../src/shared/contract/mta';
import { BOUNCE_CLASS_MAPPING } from '../../src/shared/domain/bounce-rules';
import { captureLogger } from '../support/api-test-logger';
import { reply, scriptedRelays } from '../support/engine-fakes';
import {
  openTempDb,
  recordingNotifier,
  relayedDelivery,
  type TempDb,
  engineStorePorts,
} from '../support/engine-fixtures';
import { noDns } from '../support/dns-fixtures';

const T0 = Date.UTC(2026, 0, 1);
const FOREIGN_RELOAD = 'rules changed in the store by another process: reloaded';
let t: TempDb;
let other: Db;
let engine: Engine | null;
beforeEach(() => {
  t = openTempDb();
  // A second connection to the same file, as `relaydeck rules import` in another process has.
  other = openDatabase(path.join(t.dir, 'relaydeck.sqlite'));
  engine = null;
});
afterEach(async () => {
  await engine?.stop();
  other.close();
  t.cleanup();
});

function withRule(over: Partial<MxRule>): RulesDocument {
  const rule: MxRule = { ...DEFAULT_RULES.mxRules.at(-1)!, id: 'imported', ...over };
  return { ...DEFAULT_RULES, mxRules: [rule, ...DEFAULT_RULES.mxRules] };
}

/** Accepts everything and records the policy each message was sent with. */
function recordingRelays(): { factory: RelayFactory; policies: Map<string, RelayPolicy | undefined> } {
  const relays = scriptedRelays(() => reply('250 2.0.0 Ok', 'DATA'));
  const policies = new Map<string, RelayPolicy | undefined>();
  const factory: RelayFactory = (destination) => {
    const relay = relays.factory(destination);
    return {
      ...relay,
      send(message) {
        policies.set(message.envelope.to, message.policy);
        return relay.send(message);
      },
    };
  };
  return { factory, policies };
}

function startEngine(clock: ManualClock, factory: RelayFactory) {
  const logger = captureLogger();
  engine = createEngine({
    clock,
    dns: noDns,
    relayFactory: factory,
    ...engineStorePorts(t.db, clock),
    logger,
    notify: recordingNotifier(),
    defaultRoute: () => ({ kind: 'smtp', host: 'relay.fake', port: 25 }),
    sandboxAddress: () => null,
    random: () => 0.5,
    options: { feedbackFlushMs: 0 },
  });
  engine.start();
  return { engine, logger };
}

async function send(e: Engine, clock: ManualClock, recipients: string[]): Promise<void> {
  relayedDelivery(t.db, recipients, { now: clock.now() });
  e.wake();
  await e.whenIdle();
}

describe('MX rules written by another process', () => {
  it('apply to the next messages after the revision check, and the reload is logged', async () => {
    const clock = new ManualClock(T0);
    saveRules(t.db, DEFAULT_RULES, T0);
    const { factory, policies } = recordingRelays();
    const { engine: e, logger } = startEngine(clock, factory);
    await send(e, clock, ['a@example.com']);
    expect(policies.get('a@example.com')).toMatchObject({ ruleId: 'generic', tls: 'opportunistic' });

    replaceRules(
      other,
      withRule({ match: { kind: 'mx', mask: 'relay.fake' }, tls: 'disabled', maxConnections: 1 }),
      'import',
      T0,
    );
    clock.advance(REVISIONS_CHECK_MS);
    await send(e, clock, ['b@example.com', 'c@example.com']);
    for (const to of ['b@example.com', 'c@example.com'])
      expect(policies.get(to)).toMatchObject({ ruleId: 'imported', tls: 'disabled', maxConnections: 1 });
    expect(e.destinations()[0]).toMatchObject({ ruleId: 'imported', configured: { maxConnections: 1 } });
    const reloads = logger.records.filter((r) => r.msg === FOREIGN_RELOAD);
    expect(reloads).toEqual([
      expect.objectContaining({ level: 'info', fields: expect.objectContaining({ component: 'shaper' }) }),
    ]);
    expect(reloads[0]?.fields.rules).toMatch(/^\d+ MX rules, \d+ automation rules$/);
  });

  it('are read at most once per check period: a message in between keeps the rules in force', async () => {
    const clock = new ManualClock(T0);
    saveRules(t.db, DEFAULT_RULES, T0);
    const { factory, policies } = recordingRelays();
    const { engine: e, logger } = startEngine(clock, factory);
    clock.advance(REVISIONS_CHECK_MS);
    await send(e, clock, ['a@example.com']);
    replaceRules(other, withRule({ match: { kind: 'mx', mask: 'relay.fake' } }), 'import', T0);
    clock.advance(REVISIONS_CHECK_MS - 1);
    await send(e, clock, ['b@example.com']);
    expect(policies.get('b@example.com')?.ruleId).toBe('generic');
    clock.advance(1);
    await send(e, clock, ['c@example.com']);
    expect(policies.get('c@example.com')?.ruleId).toBe('imported');
    expect(logger.records.filter((r) => r.msg === FOREIGN_RELOAD)).toHaveLength(1);
  });

  it("the engine's own reload (rules saved through its API) is not reported as another process's", async () => {
    const clock = new ManualClock(T0);
    saveRules(t.db, DEFAULT_RULES, T0);
    const { factory, policies } = recordingRelays();
    const { engine: e, logger } = startEngine(clock, factory);
    replaceRules(t.db, withRule({ match: { kind: 'mx', mask: 'relay.fake' } }), 'console', T0);
    e.reloadRules();
    clock.advance(REVISIONS_CHECK_MS);
    await send(e, clock, ['a@example.com']);
    expect(policies.get('a@example.com')?.ruleId).toBe('imported');
    expect(logger.records.filter((r) => r.msg === FOREIGN_RELOAD)).toEqual([]);
  });
});

describe('bounce rules written by another process', () => {
  const REPLY = {
    code: 550,
    enhanced: '5.7.1',
    text: 'Message rejected by the house policy engine',
    command: 'DATA',
  } as const;

  it('reach the stored classifier after the revision check (rules and manual qualifications)', () => {
    const clock = new ManualClock(T0);
    const logger = captureLogger();
    const classifier = createStoredClassifier(t.db, { clock, logger });
    const before = classifier.classify(REPLY);
    expect(before.reason).not.toBe('user_unknown');

    saveBounceRules(
      other,
      {
        rules: [
          {
            id: 'house-policy',
            pattern: 'house policy engine',
            bounceClass: 10,
            description: 'test',
            examples: [],
          },
          ...classifier.rules,
        ],
        classMapping: mappingRows(BOUNCE_CLASS_MAPPING),
      },
      T0,
    );
    expect(classifier.classify(REPLY)).toEqual(before);
    clock.advance(REVISIONS_CHECK_MS);
    expect(classifier.classify(REPLY)).toMatchObject({ ruleId: 'house-policy', reason: 'user_unknown' });
    expect(
      logger.records.filter((r) => r.msg === 'bounce rules changed in the store: reloaded'),
    ).toHaveLength(1);

    // An analyst's requalification in another process is an override of the same revision.
    const key = qualificationKey(REPLY);
    recordQualifications(
      other,
      [{ key, source: 'sync', code: 550, enhanced: '5.7.1', raw: REPLY.text, ...before }],
      T0,
    );
    const id = other.prepare('SELECT id FROM qualification WHERE norm_key = ?').pluck().get(key) as number;
    updateQualification(other, { id, status: 'keep', reason: 'refused', type: 'hard', bounceClass: 51 }, T0);
    clock.advance(REVISIONS_CHECK_MS);
    expect(classifier.classify(REPLY)).toMatchObject({ ruleId: 'manual', reason: 'refused', type: 'hard' });
  });
});
