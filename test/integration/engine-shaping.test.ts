import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../src/main/engine';
import { ManualClock } from '../../src/main/clock';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import type { Engine, EngineDeps, EngineExtras, SmtpOutcome } from '../../src/main/engine/types';
import { silentLogger } from '../../src/main/logger';
import { loadRules, saveRules } from '../../src/main/store/rules-repo';
import { listShapingEvents } from '../../src/main/store/shaping-events-repo';
import type { MxRule, RulesDocument } from '../../src/shared/contract/mta';
import {
  logByEmail,
  openTempDb,
  queueRow,
  recordingNotifier,
  relayedDelivery,
  type TempDb,
  engineStorePorts,
} from '../support/engine-fixtures';
import { reply, scriptedRelays } from '../support/engine-fakes';
import { noDns } from '../support/dns-fixtures';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 60 * MIN;
let t: TempDb;
let engines: Engine[] = [];
beforeEach(() => {
  t = openTempDb();
  engines = [];
});
afterEach(async () => {
  for (const e of engines) await e.stop();
  t.cleanup();
});

function start(
  clock: ManualClock,
  factory: EngineDeps['relayFactory'],
  host: string,
  extras: EngineExtras = {},
) {
  const engine = createEngine({
    clock,
    dns: noDns,
    relayFactory: factory,
    ...engineStorePorts(t.db, clock),
    logger: silentLogger,
    notify: recordingNotifier(),
    defaultRoute: () => ({ kind: 'smtp', host, port: 25 }),
    sandboxAddress: () => null,
    random: () => 0.5,
    ...extras,
    options: { feedbackFlushMs: 0, ...extras.options },
  });
  engines.push(engine);
  engine.start();
  return engine;
}

function withRule(over: Partial<MxRule>, doc: RulesDocument = DEFAULT_RULES): RulesDocument {
  const rule: MxRule = { ...DEFAULT_RULES.mxRules.at(-1)!, id: 'test-rule', ...over };
  return { ...doc, mxRules: [rule, ...doc.mxRules] };
}

function recipients(n: number, domain = 'example.com'): string[] {
  return Array.from({ length: n }, (_, i) => `u${i}@${domain}`);
}

function attemptsInQueue(): number {
  return t.db.prepare('SELECT COALESCE(SUM(attempts), 0) FROM queue').pluck().get() as number;
}

function events(kind?: string) {
  return listShapingEvents(t.db, { cursor: null, limit: 100 }).items.filter((e) => !kind || e.kind === kind);
}

/** Messages leased now (in flight or waiting in memory for their destination). */
function leasedCount(): number {
  return t.db.prepare('SELECT COUNT(*) FROM queue WHERE lease_until > 0').pluck().get() as number;
}

/** relay.fake: one connection, no hourly limit, suspended (a minute first) at its first rate signal. */
function suspendOnFirstSignal(): void {
  const doc = withRule({
    match: { kind: 'mx', mask: 'relay.fake' },
    messagesPerHour: null,
    maxConnections: 1,
  });
  saveRules(t.db, { ...doc, adaptive: { ...doc.adaptive, suspendAfterSignals: 1, suspendMs: HOUR } }, T0);
}

const TSS04 = '421 4.7.0 [TSS04] Messages temporarily deferred due to unexpected volume';

describe('shaping: hourly limit smoothed over 5-minute periods', () => {
  it('sends no more than the period share per 5 minutes, and waiting messages get no attempt', async () => {
    const clock = new ManualClock(T0);
    saveRules(t.db, withRule({ match: { kind: 'mx', mask: 'relay.fake' }, messagesPerHour: 120 }), T0);
    const relays = scriptedRelays(() => reply('250 2.0.0 Ok', 'DATA'));
    relayedDelivery(t.db, recipients(40), { now: T0 });
    start(clock, relays.factory, 'relay.fake');
    await vi.waitFor(() => expect(relays.sent.length).toBeGreaterThan(0));
    await vi.waitFor(() =>
      expect(t.db.prepare('SELECT COUNT(*) FROM queue WHERE lease_until > ?').pluck().get(T0)).toBe(0),
    );
    const perPeriod: number[] = [];
    for (let p = 0; p < 4; p++) {
      const before = relays.sent.length;
      for (let s = 0; s < 300; s++) clock.advance(1000); // 5 minutes, second by second
      await vi.waitFor(() =>
        expect(
          t.db.prepare('SELECT COUNT(*) FROM queue WHERE lease_until > ?').pluck().get(clock.now()),
        ).toBe(0),
      );
      perPeriod.push(relays.sent.length - before);
    }
    // 120/h = 10 per 5 minutes (+1 for the token in hand)
    for (const n of perPeriod) expect(n).toBeLessThanOrEqual(11);
    expect(perPeriod.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(35);
    // Throttle waits never count as attempts: every message still queued has none.
    expect(attemptsInQueue()).toBe(0);
    expect(relays.sent.every((s) => s.attempt === 1)).toBe(true);
  });
});

describe('adaptive shaping end to end (ManualClock, scripted relays)', () => {
  it('a rate reply slows the destination (MD); the message is retried at its pace, not on the schedule', async () => {
    const clock = new ManualClock(T0);
    saveRules(t.db, withRule({ match: { kind: 'mx', mask: 'relay.fake' }, messagesPerHour: 6000 }), T0);
    const relays = scriptedRelays((to, attempt) =>
      to === 'u0@example.com' && attempt === 1
        ? reply('421 4.7.0 Too many messages, rate limited, try again later', 'MAIL')
        : reply('250 2.0.0 Ok', 'DATA'),
    );
    relayedDelivery(t.db, ['u0@example.com'], { now: T0 });
    const engine = start(clock, relays.factory, 'relay.fake');
    await vi.waitFor(() => expect(logByEmail(t.db, 1, 'u0@example.com').attempts).toBe(1));
    expect(queueRow(t.db, 1)?.attempts).toBe(1);
    const [state] = engine.destinations();
    expect(state).toMatchObject({ key: 'smtp:relay.fake:25', ruleId: 'test-rule', kind: 'smtp' });
    expect(state?.effective.messagesPerHour).toBe(3000);
    expect(state?.lastReply).toMatch(/^421 4\.7\.0 Too many/);
    expect(events('slowed')[0]).toMatchObject({ destination: 'smtp:relay.fake:25' });
    expect(events('slowed')[0]?.cause).toMatch(/421 4\.7\.0/);
    expect(events('slowed')[0]?.detail).toMatchObject({ limit: 'rate', from: 6000, to: 3000 });
    // Due at once (its destination's rate then spaces it), not 10 minutes later on the retry schedule.
    expect(queueRow(t.db, 1)?.due_at).toBe(T0 + 1200); // 3000/h: one slot every 1.2 s
    // The reputation history: the day's answers and the learnt rate, written at the latest when the engine stops.
    clock.advance(1200);
    await vi.waitFor(() => expect(logByEmail(t.db, 1, 'u0@example.com').status).toBe('sent'));
    await engine.stop();
    expect(t.db.prepare('SELECT * FROM destination_days').all()).toEqual([
      expect.objectContaining({
        destination: 'smtp:relay.fake:25',
        day: new Date(T0).toISOString().slice(0, 10),
        accepted: 1,
        deferred: 1,
        failed: 0,
        refused_sessions: 0,
        rate_per_hour: 3000,
      }),
    ]);
  });

  it('repeated rate signals suspend the destination for a minute; its messages wait without attempts and resume after', async () => {
    const clock = new ManualClock(T0);
    const doc = withRule({ match: { kind: 'mx', mask: 'relay.fake' }, messagesPerHour: null });
    saveRules(t.db, { ...doc, adaptive: { ...doc.adaptive, suspendAfterSignals: 3, suspendMs: HOUR } }, T0);
    let refusing = true;
    // Each attempt takes 10 ms of the clock, so each refusal comes a round trip after the last decrease.
    const relays = scriptedRelays(() => {
      clock.advance(10);
      return refusing
        ? reply('421 4.7.0 rate limited, try again later', 'MAIL')
        : reply('250 2.0.0 Ok', 'DATA');
    });
    relayedDelivery(t.db, recipients(10), { now: T0 });
    const engine = start(clock, relays.factory, 'relay.fake', { options: { maxInFlight: 1 } });
    // Each slow-down spaces the next sends a little more (short waits are spent in memory on the clock).
    await vi.waitFor(
      () => {
        clock.advance(1000);
        expect(events('suspended')).toHaveLength(1);
      },
      { timeout: 5000 },
    );
    // Messages waiting in memory for their slot (short waits on the clock) find the destination suspended.
    await vi.waitFor(() => {
      clock.advance(100);
      expect(leasedCount()).toBe(0);
    });
    // The third signal suspends; a message already on its way when it came may still have been sent.
    const sentBefore = relays.sent.length;
    expect(sentBefore).toBeGreaterThanOrEqual(3);
    expect(sentBefore).toBeLessThanOrEqual(4);
    // A refused message is retried at the destination's pace: it may be one of those sends twice.
    const triedBefore = new Set(relays.sent.map((s) => s.to)).size;
    const suspended = engine.destinations()[0];
    const suspendedAt = events('suspended')[0]!.at;
    // The first suspension lasts a minute (random 0.5: no jitter), not suspendMs (its cap).
    expect(suspended?.suspendedUntil).toBe(suspendedAt + 60_000);
    expect(suspended?.suspendedReason).toMatch(/3 signals in a row without an acceptance/);
    expect(suspended?.suspensionLevel).toBe(1);
    // The untouched messages wait for the end of the suspension, without attempts.
    const waiting = t.db.prepare('SELECT due_at, attempts FROM queue WHERE attempts = 0').all() as {
      due_at: number;
    }[];
    expect(waiting).toHaveLength(10 - triedBefore);
    expect(waiting.every((r) => r.due_at >= suspendedAt + 60_000)).toBe(true);
    // The refused ones too: a deferral about the destination's pace is due when it can take it again.
    const refused = t.db.prepare('SELECT due_at FROM queue WHERE attempts > 0').pluck().all() as number[];
    expect(refused.every((due) => due <= suspendedAt + 60_000)).toBe(true);

    refusing = false;
    clock.advance(60_000);
    await vi.waitFor(
      () => {
        clock.advance(1000);
        expect(relays.sent.filter((s) => s.attempt === 1)).toHaveLength(10);
      },
      { timeout: 5000 },
    );
    expect(events('resumed')).toHaveLength(1);
    expect(events('resumed')[0]?.cause).toMatch(/one probing session first/);
  });

  it('messages waiting for a connection when the destination is suspended get no attempt until it ends', async () => {
    const clock = new ManualClock(T0);
    suspendOnFirstSignal();
    // The first attempt is held until the others queue behind it for the destination's one connection.
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const relays = scriptedRelays(async (_to, attempt) => {
      if (relays.sent.length === 1) await firstHeld;
      clock.advance(10);
      return attempt === 1 && relays.sent.length === 1 ? reply(TSS04, 'MAIL') : reply('250 2.0.0 Ok', 'DATA');
    });
    relayedDelivery(t.db, recipients(6), { now: T0 });
    start(clock, relays.factory, 'relay.fake', { options: { maxInFlight: 6 } });
    // Five messages wait in memory for the connection the first one holds.
    await vi.waitFor(() => expect(leasedCount()).toBe(6));
    releaseFirst();
    // Its rate signal suspends the destination: the waiting messages go back to the queue, unsent.
    await vi.waitFor(() => {
      expect(events('suspended')).toHaveLength(1);
      expect(leasedCount()).toBe(0);
    });
    expect(relays.sent).toHaveLength(1);
    const until = events('suspended')[0]!.at + 60_000;
    const due = t.db.prepare('SELECT due_at FROM queue WHERE attempts = 0').pluck().all() as number[];
    expect(due).toHaveLength(5);
    expect(due.every((d) => d >= until)).toBe(true);
    // After the suspension, one probing session, then everything goes.
    clock.advance(60_000);
    await vi.waitFor(() => {
      clock.advance(1000);
      expect(relays.sent.filter((s) => s.attempt === 1)).toHaveLength(6);
    });
  });

  it('a message waiting for a suspended destination fails at its expiry, not after the suspension', async () => {
    const clock = new ManualClock(T0);
    suspendOnFirstSignal();
    const relays = scriptedRelays(() => {
      clock.advance(10);
      return reply(TSS04, 'MAIL');
    });
    // A validity of 30 s; the first refusal suspends the destination for a minute.
    relayedDelivery(t.db, recipients(3), { now: T0, validityMs: 30_000 });
    const engine = start(clock, relays.factory, 'relay.fake', { options: { maxInFlight: 1 } });
    await vi.waitFor(() => expect(events('suspended')).toHaveLength(1));
    const suspendedUntil = engine.destinations()[0]?.suspendedUntil ?? 0;
    expect(suspendedUntil).toBeGreaterThan(T0 + 30_000);
    // Every message waits for the suspension, but none past its expiry.
    await vi.waitFor(() => expect(leasedCount()).toBe(0));
    const due = t.db.prepare('SELECT due_at FROM queue').pluck().all() as number[];
    expect(due).toHaveLength(3);
    expect(due.every((d) => d <= T0 + 30_000)).toBe(true);
    // At its expiry each one fails with its last reason, within one tick of the scheduler.
    clock.advance(T0 + 30_000 - clock.now());
    await vi.waitFor(() => {
      for (const to of recipients(3)) expect(logByEmail(t.db, 1, to).status).toBe('failed');
    });
    const failedAt = t.db.prepare('SELECT updated_at FROM delivery_log').pluck().all() as number[];
    expect(failedAt.every((at) => at >= T0 + 30_000 && at <= T0 + 31_000)).toBe(true);
    expect(logByEmail(t.db, 1, 'u0@example.com').last_reply).toMatch(/TSS04/);
    expect(relays.sent).toHaveLength(1);
    expect(clock.now()).toBeLessThan(suspendedUntil);
  });

  it('a message waiting for an hourly limit fails at its expiry, not at its slot', async () => {
    const clock = new ManualClock(T0);
    // 12 messages an hour: one every 5 minutes; a validity of 60 s.
    saveRules(t.db, withRule({ match: { kind: 'mx', mask: 'relay.fake' }, messagesPerHour: 12 }), T0);
    const relays = scriptedRelays(() => reply('250 2.0.0 Ok', 'DATA'));
    relayedDelivery(t.db, recipients(3), { now: T0, validityMs: 60_000 });
    start(clock, relays.factory, 'relay.fake');
    await vi.waitFor(() => expect(logByEmail(t.db, 1, 'u0@example.com').status).toBe('sent'));
    await vi.waitFor(() => expect(leasedCount()).toBe(0));
    // The others' slots are 5 and 10 minutes away: they are due at their expiry instead.
    const due = t.db.prepare('SELECT due_at FROM queue').pluck().all() as number[];
    expect(due).toEqual([T0 + 60_000, T0 + 60_000]);
    clock.advance(60_000);
    await vi.waitFor(() => {
      expect(logByEmail(t.db, 1, 'u1@example.com').status).toBe('failed');
      expect(logByEmail(t.db, 1, 'u2@example.com').status).toBe('failed');
    });
    expect(relays.sent).toHaveLength(1);
  });

  it('Yahoo [TS03] suspends the Yahoo destination for 4 hours (shipped automation rule)', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays(() =>
      reply(
        '421 4.7.0 [TS03] All messages from 192.0.2.10 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes',
        'MAIL',
      ),
    );
    relayedDelivery(t.db, recipients(5, 'yahoo.com'), { now: T0 });
    const engine = start(clock, relays.factory, 'mta5.am0.yahoodns.net', { options: { maxInFlight: 1 } });
    await vi.waitFor(() => expect(events('automation')).toHaveLength(1));
    await vi.waitFor(() =>
      expect(t.db.prepare('SELECT COUNT(*) FROM queue WHERE lease_until > ?').pluck().get(T0)).toBe(0),
    );
    expect(relays.sent).toHaveLength(1);
    expect(events('automation')[0]?.cause).toMatch(/yahoo-ts03.*\[TS03\]/);
    expect(engine.destinations()[0]).toMatchObject({ ruleId: 'yahoo', suspendedUntil: T0 + 4 * HOUR });
    expect(attemptsInQueue()).toBe(1);
  });

  it('Gmail 4.7.28 throttles the Gmail destination: lower rate and 5 connections', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays(() =>
      reply(
        '421 4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp',
        'DATA',
      ),
    );
    relayedDelivery(t.db, recipients(1, 'gmail.com'), { now: T0 });
    const engine = start(clock, relays.factory, 'gmail-smtp-in.l.google.com');
    await vi.waitFor(() => expect(events('automation')).toHaveLength(1));
    const state = engine.destinations()[0];
    // The throttle allows 5 connections; the destination's slow start (1, a scripted relay reports no open
    // session to grow it) is lower still.
    expect(state).toMatchObject({
      ruleId: 'gmail',
      effective: { maxConnections: 1, messagesPerHour: 30_000 },
    });
    expect(events('automation')[0]?.detail).toMatchObject({
      rule: 'gmail-4-7-28',
      action: 'throttle',
      maxConnections: 5,
    });
  });

  it('Microsoft S3150 suspends the Outlook destination for 6 hours', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays(() =>
      reply(
        "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
        'RCPT',
      ),
    );
    relayedDelivery(t.db, recipients(3, 'hotmail.com'), { now: T0 });
    const engine = start(clock, relays.factory, 'hotmail-com.olc.protection.outlook.com', {
      options: { maxInFlight: 1 },
    });
    await vi.waitFor(() => expect(events('automation')).toHaveLength(1));
    expect(engine.destinations()[0]).toMatchObject({
      ruleId: 'microsoft-consumer',
      suspendedUntil: T0 + 6 * HOUR,
    });
    // The refused message itself is a hard bounce; the others wait.
    await vi.waitFor(() => expect(logByEmail(t.db, 1, 'u0@hotmail.com').status).toBe('failed'));
    expect(relays.sent).toHaveLength(1);
  });

  it('bounce_queue: every queued message of the destination fails with the triggering reply', async () => {
    const clock = new ManualClock(T0);
    const doc = withRule({ match: { kind: 'mx', mask: 'relay.fake' } });
    saveRules(
      t.db,
      {
        ...doc,
        automationRules: [
          {
            id: 'domain-gone',
            description: 'the receiver closed',
            scope: 'relay.fake',
            pattern: 'domain closed',
            trigger: { kind: 'immediate' },
            action: { kind: 'bounce_queue' },
            enabled: true,
          },
        ],
      },
      T0,
    );
    const relays = scriptedRelays(() => reply('421 4.3.2 domain closed for good', 'CONNECT'));
    relayedDelivery(t.db, recipients(6), { now: T0 });
    start(clock, relays.factory, 'relay.fake', { options: { maxInFlight: 1 } });
    await vi.waitFor(() => expect(t.db.prepare('SELECT COUNT(*) FROM queue').pluck().get()).toBe(0));
    expect(relays.sent).toHaveLength(1);
    const statuses = t.db.prepare('SELECT status FROM delivery_log').pluck().all();
    expect(statuses).toEqual(Array(6).fill('failed'));
    expect(events('queue_bounced')[0]?.cause).toMatch(/domain-gone/);
    // Each message's attempt history says why it failed: the tried one its reply, the others the rule.
    const attempts = t.db
      .prepare('SELECT command, code, enhanced, outcome, text FROM attempts ORDER BY log_id')
      .all() as { command: string; code: number; enhanced: string; outcome: string; text: string }[];
    expect(attempts).toHaveLength(6);
    expect(attempts.filter((a) => a.command === 'CONNECT')).toHaveLength(1);
    const queued = attempts.filter((a) => a.command === 'QUEUE');
    expect(queued).toHaveLength(5);
    for (const a of queued) {
      expect(a).toMatchObject({ code: 421, enhanced: '4.3.2', outcome: 'failed' });
      expect(a.text).toMatch(/automation rule "domain-gone" \(bounce the queue\)/);
      expect(a.text).toMatch(/reply to CONNECT from .*421 4\.3\.2 domain closed for good/);
    }
    // The qualification table lists what receivers answered: the trigger once, not the QUEUE notes.
    const qualified = t.db.prepare('SELECT first_raw, occurrences FROM qualification').all();
    expect(qualified).toEqual([
      { first_raw: expect.stringMatching(/^421 4\.3\.2 domain closed for good/), occurrences: 1 },
    ]);
  });

  it('a suspension survives a restart (destination_state)', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays(() =>
      reply('421 4.7.0 [TS03] All messages from 192.0.2.10 will be permanently deferred', 'MAIL'),
    );
    relayedDelivery(t.db, recipients(2, 'yahoo.com'), { now: T0 });
    const first = start(clock, relays.factory, 'mta5.am0.yahoodns.net', { options: { maxInFlight: 1 } });
    await vi.waitFor(() => expect(events('automation')).toHaveLength(1));
    await first.stop();
    engines = [];
    const second = start(clock, relays.factory, 'mta5.am0.yahoodns.net');
    clock.advance(HOUR); // still suspended: nothing is sent
    await vi.waitFor(() => expect(second.destinations()[0]?.suspendedUntil).toBe(T0 + 4 * HOUR));
    expect(relays.sent).toHaveLength(1);
  });
});

describe('rules reload without restart', () => {
  it('existing destinations re-resolve their rule', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays(() => reply('250 2.0.0 Ok', 'DATA'));
    relayedDelivery(t.db, recipients(1), { now: T0 });
    const engine = start(clock, relays.factory, 'relay.fake');
    await vi.waitFor(() => expect(engine.queued()).toBe(0));
    expect(engine.destinations()[0]?.ruleId).toBe('generic');
    saveRules(
      t.db,
      withRule(
        { match: { kind: 'mx', mask: '*.fake' }, maxConnections: 3, messagesPerHour: 600 },
        loadRules(t.db),
      ),
      T0,
    );
    engine.reloadRules();
    expect(engine.destinations()[0]).toMatchObject({
      ruleId: 'test-rule',
      configured: { maxConnections: 3, messagesPerHour: 600 },
      // The slow start's 1 connection (a scripted relay reports no open session to grow it), under the 3.
      effective: { maxConnections: 1, messagesPerHour: 600 },
    });
  });
});

// Keep the SmtpOutcome import used for typing scripted replies.
export type { SmtpOutcome };

describe('shaping: one slow destination does not hold up the others', () => {
  it('other destinations keep flowing while one is slowed, then suspended', async () => {
    const clock = new ManualClock(T0);
    const doc = DEFAULT_RULES;
    saveRules(t.db, { ...doc, adaptive: { ...doc.adaptive, suspendAfterSignals: 3 } }, T0);
    const relays = scriptedRelays((to) => {
      clock.advance(1); // each attempt a millisecond: each refusal a round trip after the last
      return to.endsWith('@slow.test')
        ? reply(
            '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume',
            'RCPT',
          )
        : reply('250 2.0.0 Ok', 'DATA');
    });
    // The slow destination's messages come first in the queue, interleaved with the others.
    const all = recipients(150, 'slow.test').flatMap((slow, i) => [slow, `u${i}@fast.test`]);
    relayedDelivery(t.db, all, {
      now: T0,
      routes: [
        { mask: 'slow.test', target: { kind: 'smtp', host: 'slow.fake', port: 25 } },
        { mask: 'fast.test', target: { kind: 'smtp', host: 'fast.fake', port: 25 } },
      ],
    });
    const engine = start(clock, relays.factory, 'unused.fake', { options: { maxInFlight: 4 } });
    await vi.waitFor(
      () => {
        clock.advance(100);
        const fast = relays.sent.filter((s) => s.to.endsWith('@fast.test') && s.attempt === 1);
        expect(fast).toHaveLength(150);
      },
      { timeout: 10_000 },
    );
    const slowed = engine.destinations().find((d) => d.key === 'smtp:slow.fake:25');
    expect(slowed?.learnt.messagesPerHour).not.toBeNull();
    // The slow destination keeps refusing: it is suspended in the end.
    await vi.waitFor(
      () => {
        clock.advance(500);
        expect(events('suspended')).toHaveLength(1);
      },
      { timeout: 10_000 },
    );
    expect(events('suspended')[0]?.destination).toBe('smtp:slow.fake:25');
    // A new delivery to the fast destination flows while the slow one is suspended.
    relayedDelivery(
      t.db,
      recipients(50, 'fast.test').map((a) => a.replace('@', '.second@')),
      {
        now: clock.now(),
        routes: [{ mask: 'fast.test', target: { kind: 'smtp', host: 'fast.fake', port: 25 } }],
      },
    );
    engine.wake();
    const before = clock.now();
    await vi.waitFor(
      () => {
        clock.advance(10);
        expect(relays.sent.filter((s) => s.to.includes('.second@'))).toHaveLength(50);
      },
      { timeout: 10_000 },
    );
    expect(engine.destinations().find((d) => d.key === 'smtp:slow.fake:25')?.suspendedUntil).toBeGreaterThan(
      clock.now(),
    );
    // The slow destination was tried a handful of times; its other messages wait without attempts.
    const slowAttempts = relays.sent.filter((s) => s.to.endsWith('@slow.test')).length;
    expect(slowAttempts).toBeLessThan(20);
    const fastState = engine.destinations().find((d) => d.key === 'smtp:fast.fake:25');
    expect(fastState).toMatchObject({ suspendedUntil: null, learnt: { messagesPerHour: null } });
    expect(clock.now() - before).toBeLessThan(10_000);
  });
});
