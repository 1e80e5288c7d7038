/**
 * The live state of one destination (a set of MX hosts, a static route or the sandbox) and its adaptive
 * behaviour (SPEC §6). Pure state machine: time is passed in, persistence and logging are the shaper's.
 *
 * - Limits: the matching MX rule sets max connections, messages per connection and messages per hour; the
 *   adaptive rate (multiplicative decrease on rate signals, additive increase on sustained acceptance) and
 *   temporary throttles (automation rules) lower them.
 * - Suspension: an automation rule, repeated rate signals or the error-rate breaker suspend the destination;
 *   nothing is sent to it until then (its messages wait in the queue, without attempts).
 */
import type {
  AdaptiveSettings,
  AutomationRule,
  DestinationState,
  MxRule,
} from '../../../shared/contract/mta';
import type { Destination } from '../types';
import { automationFor, type CompiledAutomationRule } from './rule-match';
import { TokenBucket } from './token-bucket';

export type DestinationKind = DestinationState['kind'];

/** A change the shaper persists (destination_state) and records (shaping_events). */
export interface ShapingChange {
  kind: 'slowed' | 'raised' | 'suspended' | 'resumed' | 'breaker_opened' | 'automation' | 'queue_bounced';
  cause: string;
  detail: Record<string, unknown>;
}

export interface PersistedState {
  suspendedUntil: number | null;
  ratePerHour: number | null;
  maxConnections: number | null;
  throttledUntil: number | null;
  reason: string | null;
}

/** Minimum adaptive rate: a destination is never slowed below this many messages per hour. */
export const MIN_RATE_PER_HOUR = 12;
const MAX_DOMAINS_SHOWN = 20;
/** Domains remembered per destination (lease exclusion, suspension deferral, counts). */
const MAX_DOMAINS_KEPT = 500;
const FIVE_MINUTES = 5 * 60_000;

interface Counts {
  accepted: number;
  deferred: number;
  failed: number;
}

export class DestinationRuntime {
  readonly key: string;
  readonly kind: DestinationKind;
  hosts: string[];
  readonly domains = new Set<string>();
  domainCount = 0;

  rule!: MxRule;
  private automation: CompiledAutomationRule[] = [];
  /** Adaptive hourly rate; null = the rule's (or no limit). */
  adaptiveRate: number | null = null;
  /** For a rule without an hourly limit: the rate observed when it was first slowed (the AI ceiling). */
  private adaptiveCeiling: number | null = null;
  throttle: { maxConnections: number | null; until: number } | null = null;
  suspendedUntil: number | null = null;
  suspendedReason: string | null = null;
  private bucket: TokenBucket | null = null;

  sending = 0;
  openConnections = 0;
  lastReply: string | null = null;
  lastReplyAt: number | null = null;

  private signals: number[] = [];
  private automationHits = new Map<string, number[]>();
  /** Recent outcomes for the breaker: true = failed or deferred. Bounded by breakerMinAttempts. */
  private recent: boolean[] = [];
  private recentFailures = 0;
  private lastChangeAt: number;
  private lastSignalAt = -Infinity;
  /** Per 5-minute slot of the last hour: accepted / deferred / failed (12 slots). */
  private slots: { start: number; counts: Counts }[] = [];

  constructor(destination: Destination, kind: DestinationKind, now: number) {
    this.key = destination.key;
    this.kind = kind;
    this.hosts = destination.hosts.map((h) => h.host);
    this.lastChangeAt = now;
  }

  /** (Re)applies rules: on creation and after `reloadRules`. */
  applyRules(rule: MxRule, automation: readonly CompiledAutomationRule[], now: number): void {
    this.rule = rule;
    this.automation = automationFor(automation, this.hosts);
    if (this.adaptiveRate !== null && rule.messagesPerHour !== null)
      this.adaptiveRate = Math.min(this.adaptiveRate, rule.messagesPerHour);
    this.syncBucket(now);
  }

  restore(state: PersistedState, now: number): void {
    if (state.suspendedUntil !== null && state.suspendedUntil > now) {
      this.suspendedUntil = state.suspendedUntil;
      this.suspendedReason = state.reason;
    }
    if (state.throttledUntil !== null && state.throttledUntil > now)
      this.throttle = { maxConnections: state.maxConnections, until: state.throttledUntil };
    this.adaptiveRate = state.ratePerHour;
    this.syncBucket(now);
  }

  persisted(): PersistedState {
    return {
      suspendedUntil: this.suspendedUntil,
      ratePerHour: this.adaptiveRate,
      maxConnections: this.throttle?.maxConnections ?? null,
      throttledUntil: this.throttle?.until ?? null,
      reason: this.suspendedReason,
    };
  }

  automationRules(): readonly CompiledAutomationRule[] {
    return this.automation;
  }

  noteDomain(domain: string): void {
    if (this.domains.has(domain)) return;
    this.domainCount++;
    if (this.domains.size < MAX_DOMAINS_KEPT) this.domains.add(domain);
  }

  /** The hourly rate in force: the adaptive rate, else the rule's; null = unlimited. */
  effectiveRate(): number | null {
    return this.adaptiveRate ?? this.rule.messagesPerHour;
  }

  effectiveMaxConnections(now: number): number {
    const throttled = this.throttle && this.throttle.until > now ? this.throttle.maxConnections : null;
    return Math.max(1, Math.min(this.rule.maxConnections, throttled ?? Infinity));
  }

  /** Ends a suspension or throttle whose time has come; returns the changes (for the log). */
  expire(now: number): ShapingChange[] {
    const changes: ShapingChange[] = [];
    if (this.suspendedUntil !== null && this.suspendedUntil <= now) {
      changes.push({
        kind: 'resumed',
        cause: `suspension ended (${this.suspendedReason ?? 'no reason recorded'})`,
        detail: {},
      });
      this.suspendedUntil = null;
      this.suspendedReason = null;
      this.lastChangeAt = now;
    }
    if (this.throttle && this.throttle.until <= now) {
      this.throttle = null;
      changes.push({ kind: 'raised', cause: 'temporary throttle ended', detail: {} });
    }
    return changes;
  }

  /**
   * Reserves the next send slot of the hourly limit: 0 = now, otherwise the wait (ms). The reservation holds
   * (the bucket goes into debt) so parked messages go at their own time; `unreserve` gives it back.
   */
  reserve(now: number): number {
    return this.bucket ? this.bucket.reserve(now) : 0;
  }

  unreserve(): void {
    this.bucket?.giveBack();
  }

  /** Interval between two sends at the current hourly rate (ms); 0 when unlimited. */
  intervalMs(): number {
    return this.bucket ? this.bucket.intervalMs() : 0;
  }

  /**
   * Records an outcome and decides what changes. `rawReply` is the reply as recorded; `automationHit` is
   * the automation rule that matched (already looked up), `rateSignal` whether it is a slow-down signal.
   */
  observe(
    o: { kind: 'accepted' | 'deferred' | 'failed'; rawReply: string; rateSignal: boolean; hadReply: boolean },
    settings: AdaptiveSettings,
    hit: AutomationRule | null,
    now: number,
  ): ShapingChange[] {
    if (o.hadReply) {
      this.lastReply = o.rawReply;
      this.lastReplyAt = now;
    }
    this.count(o.kind, now);
    const changes: ShapingChange[] = [];
    if (hit) {
      const change = this.automationTriggered(hit, o.rawReply, now);
      if (change) changes.push(change);
    } else if (o.rateSignal) {
      changes.push(...this.rateSignal(o.rawReply, settings, now));
    } else if (o.kind === 'accepted') {
      const raised = this.additiveIncrease(settings, now);
      if (raised) changes.push(raised);
    }
    const breaker = this.breaker(o.kind !== 'accepted', settings, now);
    if (breaker) changes.push(breaker);
    return changes;
  }

  private automationTriggered(rule: AutomationRule, raw: string, now: number): ShapingChange | null {
    if (rule.trigger.kind === 'count') {
      const since = now - rule.trigger.windowMs;
      const hits = (this.automationHits.get(rule.id) ?? []).filter((t) => t > since);
      hits.push(now);
      if (hits.length < rule.trigger.count) {
        this.automationHits.set(rule.id, hits);
        return null;
      }
      this.automationHits.delete(rule.id);
    }
    const cause = `automation rule "${rule.id}" matched: ${raw}`;
    const action = rule.action;
    switch (action.kind) {
      case 'suspend':
        this.suspend(now + action.durationMs, cause, now);
        return {
          kind: 'automation',
          cause,
          detail: { rule: rule.id, action: 'suspend', until: this.suspendedUntil },
        };
      case 'throttle': {
        const base = this.effectiveRate() ?? this.assumedRatePerHour(now);
        this.setAdaptiveRate(Math.max(MIN_RATE_PER_HOUR, base * action.rateFactor), now);
        const until = now + action.durationMs;
        this.throttle = { maxConnections: action.maxConnections, until };
        this.lastSignalAt = now;
        return {
          kind: 'automation',
          cause,
          detail: {
            rule: rule.id,
            action: 'throttle',
            ratePerHour: this.adaptiveRate,
            maxConnections: action.maxConnections,
            until,
          },
        };
      }
      case 'bounce_queue':
        return { kind: 'queue_bounced', cause, detail: { rule: rule.id } };
    }
  }

  private rateSignal(raw: string, settings: AdaptiveSettings, now: number): ShapingChange[] {
    const changes: ShapingChange[] = [];
    this.lastSignalAt = now;
    const since = now - settings.signalWindowMs;
    this.signals = this.signals.filter((t) => t > since);
    this.signals.push(now);
    if (this.signals.length >= settings.suspendAfterSignals) {
      this.signals = [];
      const cause = `${settings.suspendAfterSignals} rate signals within ${Math.round(settings.signalWindowMs / 60_000)} min, last: ${raw}`;
      this.suspend(now + settings.suspendMs, cause, now);
      changes.push({ kind: 'suspended', cause, detail: { until: this.suspendedUntil } });
    }
    const from = this.effectiveRate();
    const base = from ?? this.assumedRatePerHour(now);
    if (this.rule.messagesPerHour === null && this.adaptiveCeiling === null) this.adaptiveCeiling = base;
    const to = Math.max(MIN_RATE_PER_HOUR, Math.floor(base * settings.decreaseFactor));
    if (from === null || to < from) {
      this.setAdaptiveRate(to, now);
      changes.push({
        kind: 'slowed',
        cause: `rate signal: ${raw}`,
        detail: { fromPerHour: from, toPerHour: to, factor: settings.decreaseFactor },
      });
    }
    return changes;
  }

  private additiveIncrease(settings: AdaptiveSettings, now: number): ShapingChange | null {
    if (this.adaptiveRate === null) return null;
    if (this.throttle && this.throttle.until > now) return null;
    if (now - Math.max(this.lastChangeAt, this.lastSignalAt) < settings.increasePeriodMs) return null;
    const ceiling = this.rule.messagesPerHour ?? this.adaptiveCeiling ?? this.adaptiveRate;
    const from = this.adaptiveRate;
    const to = from + settings.increaseShare * ceiling;
    if (to >= ceiling) {
      this.adaptiveRate = null;
      this.adaptiveCeiling = null;
      this.lastChangeAt = now;
      this.syncBucket(now);
    } else {
      this.setAdaptiveRate(to, now);
    }
    return {
      kind: 'raised',
      cause: `sustained acceptance for ${Math.round(settings.increasePeriodMs / 60_000)} min`,
      detail: { fromPerHour: from, toPerHour: this.effectiveRate(), limitPerHour: this.rule.messagesPerHour },
    };
  }

  private breaker(failed: boolean, settings: AdaptiveSettings, now: number): ShapingChange | null {
    this.recent.push(failed);
    if (failed) this.recentFailures++;
    while (this.recent.length > settings.breakerMinAttempts) {
      if (this.recent.shift()) this.recentFailures--;
    }
    if (this.recent.length < settings.breakerMinAttempts) return null;
    const ratio = this.recentFailures / this.recent.length;
    if (ratio < settings.breakerRatio) return null;
    const cause = `error-rate breaker: ${this.recentFailures} of the last ${this.recent.length} attempts failed`;
    this.recent = [];
    this.recentFailures = 0;
    this.suspend(now + settings.breakerBlockMs, cause, now);
    return { kind: 'breaker_opened', cause, detail: { ratio, until: this.suspendedUntil } };
  }

  private suspend(until: number, reason: string, now: number): void {
    if (this.suspendedUntil !== null && this.suspendedUntil >= until) return;
    this.suspendedUntil = until;
    this.suspendedReason = reason;
    this.lastChangeAt = now;
  }

  private setAdaptiveRate(rate: number, now: number): void {
    this.adaptiveRate = this.rule.messagesPerHour === null ? rate : Math.min(rate, this.rule.messagesPerHour);
    this.lastChangeAt = now;
    this.syncBucket(now);
  }

  private syncBucket(now: number): void {
    const rate = this.effectiveRate();
    if (rate === null) this.bucket = null;
    else if (!this.bucket) this.bucket = new TokenBucket(rate, now);
    else if (this.bucket.rate !== rate) this.bucket.setRate(rate, now);
  }

  private count(kind: keyof Counts, now: number): void {
    const start = now - (now % FIVE_MINUTES);
    let slot = this.slots.at(-1);
    if (!slot || slot.start !== start) {
      slot = { start, counts: { accepted: 0, deferred: 0, failed: 0 } };
      this.slots.push(slot);
      const oldest = start - 11 * FIVE_MINUTES;
      while ((this.slots[0]?.start ?? oldest) < oldest) this.slots.shift();
    }
    slot.counts[kind]++;
  }

  lastHour(now: number): Counts {
    const since = now - 12 * FIVE_MINUTES;
    const total: Counts = { accepted: 0, deferred: 0, failed: 0 };
    for (const s of this.slots) {
      if (s.start <= since) continue;
      total.accepted += s.counts.accepted;
      total.deferred += s.counts.deferred;
      total.failed += s.counts.failed;
    }
    return total;
  }

  /**
   * The rate to slow down from when the rule sets no hourly limit: what was accepted over the last 5 minutes,
   * or, without any acceptance yet, one message per second per allowed connection.
   */
  private assumedRatePerHour(now: number): number {
    const observed = this.observedRatePerHour(now);
    return observed > 0 ? observed : this.effectiveMaxConnections(now) * 3600;
  }

  /** Accepted per hour, observed over the last 5 minutes. */
  observedRatePerHour(now: number): number {
    const since = now - FIVE_MINUTES;
    let accepted = 0;
    for (const s of this.slots) if (s.start + FIVE_MINUTES > since) accepted += s.counts.accepted;
    return accepted * 12;
  }

  snapshot(now: number, queued: number): DestinationState {
    const maxConnections = this.effectiveMaxConnections(now);
    const configured = {
      maxConnections: this.rule.maxConnections,
      maxMessagesPerConnection: this.rule.maxMessagesPerConnection,
      messagesPerHour: this.rule.messagesPerHour,
    };
    return {
      key: this.key,
      kind: this.kind,
      hosts: [...this.hosts],
      domains: [...this.domains].slice(0, MAX_DOMAINS_SHOWN),
      domainCount: this.domainCount,
      ruleId: this.rule.id,
      configured,
      effective: { ...configured, maxConnections, messagesPerHour: this.effectiveRate() },
      openConnections: this.openConnections,
      inFlight: this.sending,
      queued,
      currentRatePerHour: this.observedRatePerHour(now),
      suspendedUntil: this.suspendedUntil !== null && this.suspendedUntil > now ? this.suspendedUntil : null,
      suspendedReason:
        this.suspendedUntil !== null && this.suspendedUntil > now ? this.suspendedReason : null,
      lastReply: this.lastReply,
      lastReplyAt: this.lastReplyAt,
      lastHour: this.lastHour(now),
      learnt: { maxConnections: null, maxMessagesPerConnection: null, messagesPerHour: null, at: null },
      suspensionLevel: 0,
    };
  }
}
