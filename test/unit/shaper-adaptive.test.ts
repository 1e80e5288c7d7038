import { describe, expect, it } from 'vitest';
import { AdaptiveSettings, type AutomationRule, type MxRule } from '../../src/shared/contract/mta';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { DestinationRuntime } from '../../src/main/engine/shaper/destination';
import { compileAutomationRules } from '../../src/main/engine/shaper/rule-match';
import { TokenBucket } from '../../src/main/engine/shaper/token-bucket';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const PERIOD = 5 * MIN;
const settings = AdaptiveSettings.parse({});

function rule(over: Partial<MxRule> = {}): MxRule {
  return { ...DEFAULT_RULES.mxRules.at(-1)!, id: 'test', messagesPerHour: 1200, maxConnections: 10, ...over };
}

function destination(
  r: MxRule = rule(),
  automation: AutomationRule[] = [],
  options: { ramp?: boolean } = {},
): DestinationRuntime {
  const d = new DestinationRuntime(
    { key: 'mx:mx.example.net', hosts: [{ host: 'mx.example.net', port: 25 }] },
    'mx',
    T0,
  );
  d.applyRules(r, compileAutomationRules(automation), T0);
  // The connections' slow start has its own test; the others start at the rule's limit.
  if (!options.ramp) d.rampConnections = null;
  return d;
}

type Obs = Parameters<DestinationRuntime['observe']>[0];
const accepted: Omit<Obs, 'startedAt'> = {
  kind: 'accepted',
  rawReply: '250 2.0.0 Ok',
  signal: null,
  hadReply: true,
};
const rate421: Omit<Obs, 'startedAt'> = {
  kind: 'deferred',
  rawReply: '421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume',
  signal: { kind: 'rate' },
  hadReply: true,
};
const failed: Omit<Obs, 'startedAt'> = {
  kind: 'failed',
  rawReply: '550 5.1.1 User unknown',
  signal: null,
  hadReply: true,
};
const tooManyConnections = (concurrent: number): Omit<Obs, 'startedAt'> => ({
  kind: 'deferred',
  rawReply: '421 4.7.0 mx.example.net Error: too many connections from 127.0.0.1',
  signal: { kind: 'connections', concurrent },
  hadReply: true,
});
const sessionEnded = (completed: number): Omit<Obs, 'startedAt'> => ({
  kind: 'deferred',
  rawReply: '421 4.7.0 mx.example.net too many messages in this connection',
  signal: { kind: 'session', completed },
  hadReply: true,
});

/** Observes an outcome at `now` whose attempt started at `startedAt` (default: `now`, a fresh attempt). */
function see(
  d: DestinationRuntime,
  o: Omit<Obs, 'startedAt'>,
  now: number,
  options: { startedAt?: number; s?: typeof settings; hit?: AutomationRule | null; random?: number } = {},
) {
  return d.observe(
    { ...o, startedAt: options.startedAt ?? now },
    options.s ?? settings,
    options.hit ?? null,
    now,
    options.random ?? 0.5,
  );
}
const kinds = (r: ReturnType<typeof see>) => r.changes.map((c) => c.kind);

describe('token bucket (hourly limit smoothed over 12 periods of 5 minutes)', () => {
  it('never lets more than one period share (+1) go in any 5-minute period under a sustained backlog', () => {
    const bucket = new TokenBucket(1200, T0); // share = 100 per period
    const sentAt: number[] = [];
    let now = T0;
    for (let i = 0; i < 5000 && now < T0 + 3_600_000; i++) {
      const wait = bucket.reserve(now);
      now += wait;
      sentAt.push(now);
    }
    const perPeriod = new Map<number, number>();
    for (const t of sentAt) {
      const p = Math.floor((t - T0) / PERIOD);
      perPeriod.set(p, (perPeriod.get(p) ?? 0) + 1);
    }
    for (const n of perPeriod.values()) expect(n).toBeLessThanOrEqual(101);
    const firstHour = sentAt.filter((t) => t < T0 + 3_600_000).length;
    expect(firstHour).toBeLessThanOrEqual(1200 + 1);
    expect(firstHour).toBeGreaterThanOrEqual(1190);
  });

  it('reservations hold: successive callers get successive slots; giveBack returns one', () => {
    const bucket = new TokenBucket(3600, T0); // one per second
    expect(bucket.reserve(T0)).toBe(0);
    expect(bucket.reserve(T0)).toBe(1000);
    expect(bucket.reserve(T0)).toBe(2000);
    bucket.giveBack();
    expect(bucket.reserve(T0)).toBe(2000);
  });

  it('after an idle spell at most one period share goes at once', () => {
    const bucket = new TokenBucket(1200, T0);
    let immediate = 0;
    const later = T0 + 3_600_000;
    while (bucket.reserve(later) === 0) immediate++;
    expect(immediate).toBe(100);
  });
});

describe('adaptive shaping of a destination', () => {
  it('a rate signal lowers the rate (multiplicative decrease), recorded as "slowed" with the limit', () => {
    const d = destination();
    const r = see(d, rate421, T0);
    expect(r.changes).toEqual([
      expect.objectContaining({
        kind: 'slowed',
        detail: expect.objectContaining({ limit: 'rate', from: 1200, to: 600 }),
      }),
    ]);
    expect(d.effectiveRate()).toBe(600);
    // Retried at the destination's next slot (600/h: 6 s), not on the retry schedule.
    expect(r.handling).toEqual({ kind: 'paced', dueAt: T0 + 6_000 });
  });

  it('one decrease per round trip: the signals of one burst count once, a later attempt counts again', () => {
    const d = destination();
    // 25 attempts started together at T0; their refusals come back over the next 50 ms.
    for (let i = 0; i < 25; i++) see(d, rate421, T0 + 10 + i * 2, { startedAt: T0 });
    expect(d.effectiveRate()).toBe(600);
    // An attempt started after the decrease was still refused: one more decrease.
    see(d, rate421, T0 + 200, { startedAt: T0 + 100 });
    expect(d.effectiveRate()).toBe(300);
    expect(d.suspendedUntil).toBeNull();
  });

  it('a refused session lowers the connection limit to the sessions accepted, once per burst; the message is not an attempt', () => {
    const d = destination(rule({ maxConnections: 25 }));
    const results = [];
    for (let i = 0; i < 22; i++) results.push(see(d, tooManyConnections(3), T0 + 5 + i, { startedAt: T0 }));
    expect(results.flatMap((r) => r.changes)).toEqual([
      expect.objectContaining({
        kind: 'slowed',
        detail: expect.objectContaining({ limit: 'connections', from: 25, to: 3 }),
      }),
    ]);
    expect(results.every((r) => r.handling.kind === 'requeue')).toBe(true);
    // A later refusal of the same burst that saw more sessions accepted (greetings arrive one by one) raises
    // the learnt limit to what the burst saw, quietly.
    see(d, tooManyConnections(4), T0 + 40, { startedAt: T0 });
    see(d, tooManyConnections(2), T0 + 41, { startedAt: T0 });
    expect(d.effectiveMaxConnections(T0 + 50)).toBe(4);
    see(d, tooManyConnections(3), T0 + 60); // a new round trip: lowered again

    expect(d.effectiveMaxConnections(T0 + 100)).toBe(3);
    expect(d.effectiveRate()).toBe(1200); // the rate was not the problem
    // Connection refusals never add up to a suspension, nor count for the breaker.
    for (let i = 0; i < 20; i++) see(d, tooManyConnections(2), T0 + 1000 + i * 100);
    expect(d.suspendedUntil).toBeNull();
    expect(d.effectiveMaxConnections(T0 + 5000)).toBe(2);
  });

  it('a 421 after N messages on a session lowers messages per connection to N', () => {
    const d = destination(rule({ maxMessagesPerConnection: 100 }));
    const r = see(d, sessionEnded(50), T0);
    expect(r.changes[0]?.detail).toMatchObject({ limit: 'messagesPerConnection', from: 100, to: 50 });
    expect(d.effectiveMessagesPerConnection()).toBe(50);
    expect(r.handling).toEqual({ kind: 'paced', dueAt: T0 + 3_000 }); // 1200/h
    expect(d.effectiveRate()).toBe(1200);
  });

  it('a deferral at MAIL at the same message count on two sessions is a per-session limit, whatever its text', () => {
    const d = destination(rule({ maxMessagesPerConnection: 100 }));
    const tooMuch: Omit<Obs, 'startedAt'> = {
      kind: 'deferred',
      rawReply: '450 4.7.1 Error: too much mail from 127.0.0.1',
      signal: { kind: 'rate' },
      hadReply: true,
      mailRefusedAfter: 10,
    };
    see(d, tooMuch, T0);
    expect(d.effectiveRate()).toBe(600); // first: taken for the rate
    const r = see(d, tooMuch, T0 + 100);
    expect(r.changes.map((c) => [c.kind, c.detail.limit])).toEqual([
      ['raised', 'rate'],
      ['slowed', 'messagesPerConnection'],
    ]);
    expect(r.changes[1]?.detail).toMatchObject({ from: 100, to: 10 });
    expect(d.effectiveRate()).toBe(1200); // the first decrease is undone, and logged
  });

  it('suspension is the last resort: a minute first, twice as long in a row, capped; one probing session after', () => {
    const s = AdaptiveSettings.parse({ suspendAfterSignals: 3, suspendMs: 5 * MIN });
    const d = destination();
    let now = T0;
    const strike = () => {
      now += 1000;
      return see(d, rate421, now, { s });
    };
    strike();
    strike();
    expect(d.suspendedUntil).toBeNull();
    const third = strike();
    expect(kinds(third)).toContain('suspended');
    expect(d.suspendedUntil).toBe(now + MIN); // random 0.5: no jitter
    expect(third.handling).toEqual({ kind: 'paced', dueAt: now + MIN });
    // Released: one probing session until a message is accepted.
    now = d.suspendedUntil!;
    expect(d.expire(now).map((c) => c.kind)).toEqual(['resumed']);
    expect(d.effectiveMaxConnections(now)).toBe(1);
    // The probing session refused: suspended again at once, twice as long, then capped at suspendMs.
    const lengths: number[] = [];
    for (let round = 0; round < 4; round++) {
      expect(kinds(strike())).toContain('suspended');
      lengths.push(d.suspendedUntil! - now);
      now = d.suspendedUntil!;
      d.expire(now);
    }
    expect(lengths).toEqual([2 * MIN, 4 * MIN, 5 * MIN, 5 * MIN]);
    // An acceptance: full connections again.
    const back = see(d, accepted, now + 1);
    expect(kinds(back)).toContain('raised');
    expect(d.effectiveMaxConnections(now + 1)).toBe(10);
  });

  it('refusals of attempts already under way when the destination was suspended do not count against it', () => {
    const s = AdaptiveSettings.parse({ suspendAfterSignals: 1 });
    const block: AutomationRule = {
      id: 'block',
      description: '',
      scope: '*',
      pattern: 'S3150',
      enabled: true,
      trigger: { kind: 'immediate' },
      action: { kind: 'suspend', durationMs: 30 * MIN },
    };
    const d = destination(rule(), [block]);
    const s3150: Omit<Obs, 'startedAt'> = { ...rate421, rawReply: '550 5.7.1 ... (S3150)', signal: null };
    see(d, s3150, T0 + 1000, { s, hit: block, startedAt: T0 + 900 });
    expect(d.suspendedUntil).toBe(T0 + 1000 + 30 * MIN);
    // A rate refusal of an attempt admitted before that suspension: no strike, no suspension level.
    see(d, rate421, T0 + 1100, { s, startedAt: T0 + 950 });
    expect(d.suspensionLevel).toBe(0);
    // One admitted after it (the probing session, say) counts.
    see(d, rate421, T0 + 2000, { s, startedAt: T0 + 1500 });
    expect(d.suspensionLevel).toBe(1);
  });

  it('suspension length has jitter (±10 %)', () => {
    const s = AdaptiveSettings.parse({ suspendAfterSignals: 1 });
    const low = destination();
    see(low, rate421, T0, { s, random: 0 });
    const high = destination();
    see(high, rate421, T0, { s, random: 0.999 });
    expect(low.suspendedUntil).toBe(T0 + 0.9 * MIN);
    expect(high.suspendedUntil! - T0).toBeGreaterThan(1.09 * MIN);
  });

  it('an acceptance between signals means no suspension', () => {
    const s = AdaptiveSettings.parse({ suspendAfterSignals: 3 });
    const d = destination();
    for (let i = 0; i < 10; i++) {
      see(d, rate421, T0 + i * 2000, { s });
      see(d, accepted, T0 + i * 2000 + 1000, { s });
    }
    expect(d.suspendedUntil).toBeNull();
  });

  it('additive increase once per probing period (about 20 messages at the rate) up to a plateau below the refused rate, held, then probed back to the rule', () => {
    const d = destination(rule({ messagesPerHour: 36_000 })); // 10/s
    see(d, rate421, T0); // -> 18,000/h = 5/s: a probing period is 4 s
    expect(see(d, accepted, T0 + 3_000).changes).toEqual([]);
    const steps: (number | null)[] = [];
    let now = T0;
    for (let i = 1; i <= 5; i++) {
      now += 4_000 + 1;
      see(d, accepted, now);
      steps.push(d.effectiveRate());
    }
    // A tenth of the rule's rate per period, up to 85 % of the rate the receiver refused, where it holds.
    expect(steps).toEqual([21_600, 25_200, 28_800, 30_600, 30_600]);
    const plateauAt = T0 + 4 * 4_001;
    // No probe for increasePeriodMs (a receiver counting refusals towards a penalty box gets none)...
    expect(see(d, accepted, plateauAt + settings.increasePeriodMs - 1).changes).toEqual([]);
    expect(d.effectiveRate()).toBe(30_600);
    // ...then it probes by a fifth of a step per period, back to the rule's own limit.
    now = plateauAt + settings.increasePeriodMs;
    see(d, accepted, now);
    expect(d.effectiveRate()).toBe(31_320);
    for (let i = 0; i < 20 && d.adaptiveRate !== null; i++) {
      now += 4_000 + 1;
      see(d, accepted, now);
    }
    expect(d.effectiveRate()).toBe(36_000);
    expect(d.adaptiveRate).toBeNull(); // back on the rule's own limit
    // Refused at the plateau: the limit is just below, so the rate steps down to the plateau below that rate
    // (not halved again) and holds there.
    const e = destination(rule({ messagesPerHour: 36_000 }));
    see(e, rate421, T0);
    for (let i = 1; i <= 4; i++) see(e, accepted, T0 + i * 4_001);
    see(e, rate421, T0 + 20_000); // at 30,600/h
    expect(e.effectiveRate()).toBe(26_010); // 85 % of 30,600
    see(e, accepted, T0 + 30_000);
    see(e, accepted, T0 + 20_000 + settings.increasePeriodMs - 1);
    expect(e.effectiveRate()).toBe(26_010);
    expect(e.persisted().ratePerHour).toBe(26_010);
  });

  it("a new destination's connections start at one and grow by one per round of acceptances, the first after a second, each next one sooner, up to the rule", () => {
    const d = destination(rule({ maxConnections: 6, messagesPerHour: null }), [], { ramp: true });
    const limits: number[] = [];
    for (let i = 1; i <= 20; i++) {
      see(d, accepted, T0 + i * 250);
      limits.push(d.effectiveMaxConnections(T0 + i * 250));
    }
    // 1 connection for the first second from the first attempt (T0 + 250 ms); then +1 after a round of
    // acceptances (as many as the connections) counted from half the previous wait after the last one was
    // added: 2 at 1.25 s, 3 at 2 s (0.5 s later), 4 at 2.75 s (0.25 s later).
    expect(limits.slice(0, 5)).toEqual([1, 1, 1, 1, 2]);
    expect(limits.indexOf(3)).toBe(7);
    expect(limits.indexOf(4)).toBe(10);
    // Acceptances of attempts that began before the last connection was added do not add another.
    const f = destination(rule({ maxConnections: 6, messagesPerHour: null }), [], { ramp: true });
    see(f, accepted, T0); // the first attempt
    see(f, accepted, T0 + 1_000); // 2 connections from T0 + 1 s
    for (let i = 0; i < 10; i++) see(f, accepted, T0 + 3_000 + i, { startedAt: T0 + 900 });
    expect(f.effectiveMaxConnections(T0 + 3_100)).toBe(2);
    // While messages wait for the rate, another connection would only be one more to refuse: none is added.
    const g = destination(rule({ maxConnections: 6, messagesPerHour: 3_600 }), [], { ramp: true });
    see(g, accepted, T0); // the first attempt
    // The bucket starts with one token and earns one a second: by T0 + 1.1 s two messages went at once.
    expect([g.reserve(T0 + 1_100), g.reserve(T0 + 1_100)]).toEqual([0, 0]);
    expect(g.reserve(T0 + 1_100)).toBeGreaterThan(0); // the third waits for the rate
    see(g, accepted, T0 + 1_500);
    expect(g.effectiveMaxConnections(T0 + 1_500)).toBe(1);
    see(g, accepted, T0 + 2_200); // no wait for the rate within the last second
    expect(g.effectiveMaxConnections(T0 + 2_200)).toBe(2);
    // After the receiver pushed back on any limit (here messages per connection), no new connection for 5 s:
    // one limit is learnt at a time.
    const h = destination(rule({ maxConnections: 6, messagesPerHour: null }), [], { ramp: true });
    see(h, accepted, T0);
    see(h, sessionEnded(20), T0 + 500);
    see(h, accepted, T0 + 2_000);
    expect(h.effectiveMaxConnections(T0 + 2_000)).toBe(1);
    see(h, accepted, T0 + 5_600);
    expect(h.effectiveMaxConnections(T0 + 5_600)).toBe(2);
    // A refused session while ramping: the learnt limit takes over.
    const e = destination(rule({ maxConnections: 6, messagesPerHour: null }), [], { ramp: true });
    for (let i = 0; i <= 5; i++) see(e, accepted, T0 + i * 1_000); // 2 at 1 s, 3 at 3 s
    expect(e.effectiveMaxConnections(T0 + 5_000)).toBe(3);
    see(e, tooManyConnections(2), T0 + 5_500);
    expect(e.effectiveMaxConnections(T0 + 5_500)).toBe(2);
    expect(e.rampConnections).toBeNull();
  });

  it('without an hourly limit, the first rate signal halves the acceptance rate of the last second and holds there', () => {
    const d = destination(rule({ messagesPerHour: null }));
    for (let i = 0; i < 300; i++) see(d, accepted, T0 + 5_000 + i * 3); // 300 in 0.9 s
    const r = see(d, rate421, T0 + 5_950);
    expect(d.effectiveRate()).toBe(150 * 3600); // 300/s halved
    expect(r.changes[0]?.detail).toMatchObject({ limit: 'rate', from: null, to: 150 * 3600, factor: 0.5 });
    // The next message waits its interval at the new rate (the receiver just refused the pace).
    expect(d.reserve(T0 + 5_950)).toBeGreaterThan(0);
    // What the receiver let through before refusing may have been a burst: no probing for increasePeriodMs.
    see(d, accepted, T0 + 7_000);
    see(d, accepted, T0 + 5_950 + settings.increasePeriodMs - 1);
    expect(d.effectiveRate()).toBe(150 * 3600);
    expect(d.persisted().ratePerHour).toBe(150 * 3600);
    // Then it probes gently, by a fifth of a step.
    see(d, accepted, T0 + 5_950 + settings.increasePeriodMs);
    expect(d.effectiveRate()).toBeGreaterThan(150 * 3600);
    expect(d.effectiveRate()).toBeLessThan(155 * 3600);
  });

  it('a new delivery starts at the kept plateau, probes from it, and a refusal near it steps down and holds', () => {
    const d = destination(rule({ messagesPerHour: null }));
    d.restore(
      {
        suspendedUntil: null,
        ratePerHour: 36_000,
        maxConnections: null,
        throttledUntil: null,
        reason: null,
        learntMaxConnections: 1,
        learntMessagesPerConnection: 20,
        suspensionLevel: 0,
        learntAt: T0 - MIN,
      },
      T0,
    );
    expect(d.effectiveRate()).toBe(36_000);
    // Probing from the kept rate: 2 % of the rate refused then (36,000 / 0.85) per period (2 s at 10/s).
    see(d, accepted, T0 + 2_000);
    expect(d.effectiveRate()).toBeCloseTo(36_000 + 847, 0);
    // Learnt limits are probed only after a clean increasePeriodMs of this run.
    expect(d.effectiveMaxConnections(T0 + 2_000)).toBe(1);
    expect(d.effectiveMessagesPerConnection()).toBe(20);
    // Refused near the plateau: 85 % of the rate in force, held.
    see(d, rate421, T0 + 3_000);
    expect(d.effectiveRate()).toBe(Math.floor(0.85 * (36_000 + 847.0588235294117)));
    const held = d.effectiveRate();
    see(d, accepted, T0 + 10_000);
    expect(d.effectiveRate()).toBe(held);
  });

  it('a session the receiver closed without a reply after N messages lowers messages per connection to N, without a strike', () => {
    const s = AdaptiveSettings.parse({ suspendAfterSignals: 1 });
    const d = destination(rule({ maxMessagesPerConnection: 100 }));
    // The message itself went on a new session and was accepted; its outcome reports the cut.
    const r = see(d, { ...accepted, cutAfter: 20 }, T0, { s });
    expect(d.effectiveMessagesPerConnection()).toBe(20);
    expect(r.changes).toEqual([
      expect.objectContaining({
        kind: 'slowed',
        cause: 'session ended after 20 messages: the receiver closed it without a reply',
        detail: expect.objectContaining({ limit: 'messagesPerConnection', from: 100, to: 20 }),
      }),
    ]);
    expect(r.handling).toEqual({ kind: 'attempt' });
    expect(d.suspendedUntil).toBeNull(); // a budget is not a strike, even with suspendAfterSignals 1
  });

  it('learnt connection and per-connection limits grow back by one step per clean increasePeriod', () => {
    const d = destination(rule({ maxConnections: 10, maxMessagesPerConnection: 100 }));
    see(d, tooManyConnections(3), T0);
    see(d, sessionEnded(50), T0 + 1);
    expect(see(d, accepted, T0 + settings.increasePeriodMs - 1).changes).toEqual([]);
    expect(d.effectiveMaxConnections(T0 + settings.increasePeriodMs)).toBe(3);
    const r = see(d, accepted, T0 + settings.increasePeriodMs + 1);
    expect(r.changes.map((c) => c.detail.limit)).toEqual(['connections', 'messagesPerConnection']);
    expect(d.effectiveMaxConnections(T0 + settings.increasePeriodMs + 1)).toBe(4);
    expect(d.effectiveMessagesPerConnection()).toBe(55);
  });

  it('error-rate breaker: blocks for breakerBlockMs when >= ratio of >= min attempts failed', () => {
    const s = AdaptiveSettings.parse({ breakerMinAttempts: 10, breakerRatio: 0.9 });
    const d = destination();
    see(d, accepted, T0, { s });
    let k: string[] = [];
    for (let i = 1; i <= 9; i++) k = kinds(see(d, failed, T0 + i, { s }));
    expect(k).toContain('breaker_opened'); // 9 of the last 10
    expect(d.suspendedUntil).toBe(T0 + 9 + s.breakerBlockMs);
  });

  it('breaker: refusals of one recipient (greylisting, unknown users) count neither way; session failures do', () => {
    const s = AdaptiveSettings.parse({ breakerMinAttempts: 10, breakerRatio: 0.9 });
    const d = destination();
    const greylisted: Omit<Obs, 'startedAt'> = {
      kind: 'deferred',
      rawReply: '450 4.2.0 <a@corp.test>: Recipient address rejected: Greylisted',
      signal: null,
      hadReply: true,
      aboutRecipient: true,
    };
    see(d, accepted, T0, { s });
    for (let i = 1; i <= 100; i++) see(d, greylisted, T0 + i, { s });
    for (let i = 0; i < 100; i++) see(d, { ...failed, aboutRecipient: true }, T0 + 200 + i, { s });
    expect(d.suspendedUntil).toBeNull();
    // A host that drops every session is failing, whatever the recipients.
    const dropped: Omit<Obs, 'startedAt'> = {
      kind: 'deferred',
      rawReply: 'connection closed by the server at the end of data',
      signal: null,
      hadReply: false,
    };
    let k: string[] = [];
    for (let i = 1; i <= 9; i++) k = kinds(see(d, dropped, T0 + 400 + i, { s }));
    expect(k).toContain('breaker_opened');
  });

  it('breaker stays closed below the ratio', () => {
    const s = AdaptiveSettings.parse({ breakerMinAttempts: 10, breakerRatio: 0.9 });
    const d = destination();
    for (let i = 0; i < 100; i++) see(d, i % 5 === 0 ? accepted : failed, T0 + i, { s });
    expect(d.suspendedUntil).toBeNull();
  });

  it('automation rule: count trigger within the window, throttle with lower connections for its duration', () => {
    const auto: AutomationRule = {
      id: 'slow',
      description: '',
      scope: '*',
      pattern: 'x',
      enabled: true,
      trigger: { kind: 'count', count: 3, windowMs: 10 * MIN },
      action: { kind: 'throttle', rateFactor: 0.25, maxConnections: 2, durationMs: 30 * MIN },
    };
    const d = destination(rule(), [auto]);
    expect(see(d, rate421, T0, { hit: auto }).changes).toEqual([]);
    expect(see(d, rate421, T0 + MIN, { hit: auto }).changes).toEqual([]);
    const third = see(d, rate421, T0 + 2 * MIN, { hit: auto });
    expect(third.changes).toEqual([expect.objectContaining({ kind: 'automation' })]);
    expect(third.handling).toEqual({ kind: 'attempt' });
    expect(d.effectiveRate()).toBe(300);
    expect(d.effectiveMaxConnections(T0 + 3 * MIN)).toBe(2);
    expect(d.expire(T0 + 32 * MIN).map((c) => c.kind)).toEqual(['raised']);
    expect(d.effectiveMaxConnections(T0 + 32 * MIN)).toBe(10);
  });

  it('automation rule bounce_queue is reported for the engine to act on', () => {
    const auto: AutomationRule = {
      id: 'gone',
      description: '',
      scope: '*',
      pattern: 'x',
      enabled: true,
      trigger: { kind: 'immediate' },
      action: { kind: 'bounce_queue' },
    };
    const d = destination(rule(), [auto]);
    expect(kinds(see(d, rate421, T0, { hit: auto }))).toEqual(['queue_bounced']);
  });

  it('what was learnt survives a restart (a new delivery starts from it) and relaxes after clean days', () => {
    const d = destination(rule({ maxConnections: 10, maxMessagesPerConnection: 100 }));
    see(d, rate421, T0);
    see(d, tooManyConnections(3), T0 + 1);
    see(d, sessionEnded(20), T0 + 2);
    const saved = d.persisted();
    // The rate kept is the plateau below the refused one: 85 % of 1200, not the halved 600.
    expect(saved.ratePerHour).toBe(1020);
    const sameDay = destination(rule({ maxConnections: 10, maxMessagesPerConnection: 100 }));
    sameDay.restore(saved, T0 + MIN);
    expect(sameDay.effectiveRate()).toBe(1020);
    expect(sameDay.effectiveMaxConnections(T0 + MIN)).toBe(3);
    expect(sameDay.effectiveMessagesPerConnection()).toBe(20);
    const twoDaysLater = destination(rule({ maxConnections: 10, maxMessagesPerConnection: 100 }));
    twoDaysLater.restore(saved, T0 + 2 * 86_400_000 + MIN);
    expect(twoDaysLater.effectiveMaxConnections(T0 + 2 * 86_400_000 + MIN)).toBe(5);
    expect(twoDaysLater.effectiveMessagesPerConnection()).toBe(45); // 20 -> 30 -> 45
    expect(twoDaysLater.effectiveRate()).toBe(1200); // 1020 × 1.25 reaches the rule's
    const muchLater = destination(rule({ maxConnections: 10, maxMessagesPerConnection: 100 }));
    muchLater.restore(saved, T0 + 30 * 86_400_000);
    expect(muchLater.persisted()).toMatchObject({
      learntMaxConnections: null,
      learntMessagesPerConnection: null,
      ratePerHour: null,
    });
  });
});
