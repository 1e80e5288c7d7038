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

function destination(r: MxRule = rule(), automation: AutomationRule[] = []): DestinationRuntime {
  const d = new DestinationRuntime(
    { key: 'mx:mx.example.net', hosts: [{ host: 'mx.example.net', port: 25 }] },
    'mx',
    T0,
  );
  d.applyRules(r, compileAutomationRules(automation), T0);
  return d;
}

const accepted = { kind: 'accepted' as const, rawReply: '250 2.0.0 Ok', rateSignal: false, hadReply: true };
const rate421 = {
  kind: 'deferred' as const,
  rawReply: '421 4.7.0 Too many messages, try again later',
  rateSignal: true,
  hadReply: true,
};

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
  it('multiplicative decrease on a rate signal, recorded as "slowed"', () => {
    const d = destination();
    const changes = d.observe(rate421, settings, null, T0);
    expect(changes).toEqual([expect.objectContaining({ kind: 'slowed' })]);
    expect(d.effectiveRate()).toBe(600);
  });

  it('suspends after suspendAfterSignals signals within the window, and resumes after suspendMs', () => {
    const d = destination();
    let kinds: string[] = [];
    for (let i = 0; i < settings.suspendAfterSignals; i++)
      kinds = d.observe(rate421, settings, null, T0 + i * MIN).map((c) => c.kind);
    expect(kinds).toContain('suspended');
    const at = T0 + (settings.suspendAfterSignals - 1) * MIN;
    expect(d.suspendedUntil).toBe(at + settings.suspendMs);
    expect(d.expire(at + settings.suspendMs - 1)).toEqual([]);
    expect(d.expire(at + settings.suspendMs).map((c) => c.kind)).toEqual(['resumed']);
    expect(d.suspendedUntil).toBeNull();
  });

  it('signals outside the window do not add up to a suspension', () => {
    const d = destination();
    for (let i = 0; i < settings.suspendAfterSignals * 2; i++)
      d.observe(
        rate421,
        settings,
        null,
        T0 + i * (settings.signalWindowMs / settings.suspendAfterSignals + MIN),
      );
    expect(d.suspendedUntil).toBeNull();
  });

  it('additive increase after sustained acceptance, back to the rule limit', () => {
    const d = destination();
    d.observe(rate421, settings, null, T0); // 1200 -> 600
    expect(d.observe(accepted, settings, null, T0 + MIN)).toEqual([]); // too early
    const steps: (number | null)[] = [];
    for (let i = 1; i <= 10; i++) {
      d.observe(accepted, settings, null, T0 + i * settings.increasePeriodMs);
      steps.push(d.effectiveRate());
    }
    expect(steps.slice(0, 4)).toEqual([720, 840, 960, 1080]);
    expect(steps.at(-1)).toBe(1200);
    expect(d.adaptiveRate).toBeNull(); // back on the rule's own limit
  });

  it('without an hourly limit, a signal sets an adaptive rate from the observed one and AI lifts it again', () => {
    const d = destination(rule({ messagesPerHour: null }));
    for (let i = 0; i < 100; i++) d.observe(accepted, settings, null, T0 + i * 1000); // 100 in 100 s
    d.observe(rate421, settings, null, T0 + 100_000);
    expect(d.effectiveRate()).toBe(600); // 100 in 5 min = 1200/h, halved
    for (let i = 1; i <= 20 && d.effectiveRate() !== null; i++)
      d.observe(accepted, settings, null, T0 + 100_000 + i * settings.increasePeriodMs);
    expect(d.effectiveRate()).toBeNull();
  });

  it('error-rate breaker: blocks for breakerBlockMs when >= ratio of >= min attempts failed', () => {
    const s = AdaptiveSettings.parse({ breakerMinAttempts: 10, breakerRatio: 0.9 });
    const d = destination();
    const failed = {
      kind: 'failed' as const,
      rawReply: '550 5.1.1 User unknown',
      rateSignal: false,
      hadReply: true,
    };
    d.observe(accepted, s, null, T0);
    let kinds: string[] = [];
    for (let i = 1; i <= 9; i++) kinds = d.observe(failed, s, null, T0 + i).map((c) => c.kind);
    expect(kinds).toContain('breaker_opened'); // 9 of the last 10
    expect(d.suspendedUntil).toBe(T0 + 9 + s.breakerBlockMs);
  });

  it('breaker stays closed below the ratio', () => {
    const s = AdaptiveSettings.parse({ breakerMinAttempts: 10, breakerRatio: 0.9 });
    const d = destination();
    const failed = {
      kind: 'failed' as const,
      rawReply: '550 5.1.1 User unknown',
      rateSignal: false,
      hadReply: true,
    };
    for (let i = 0; i < 100; i++) d.observe(i % 5 === 0 ? accepted : failed, s, null, T0 + i);
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
    expect(d.observe(rate421, settings, auto, T0)).toEqual([]);
    expect(d.observe(rate421, settings, auto, T0 + MIN)).toEqual([]);
    expect(d.observe(rate421, settings, auto, T0 + 2 * MIN)).toEqual([
      expect.objectContaining({ kind: 'automation' }),
    ]);
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
    expect(d.observe(rate421, settings, auto, T0).map((c) => c.kind)).toEqual(['queue_bounced']);
  });

  it('persisted state survives a restart: suspension and reduced rate', () => {
    const d = destination();
    d.observe(rate421, settings, null, T0);
    const saved = d.persisted();
    const again = destination();
    again.restore(saved, T0 + MIN);
    expect(again.effectiveRate()).toBe(600);
  });
});
