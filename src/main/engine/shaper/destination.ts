/**
 * The live state of one destination (a set of MX hosts, a static route or the sandbox) and its adaptive
 * behaviour (SPEC §6). Pure state machine: time and randomness are passed in, persistence and logging are the
 * shaper's.
 *
 * - Limits: the matching MX rule sets max connections, messages per connection and messages per hour. Each
 *   is lowered by the signal about it (`signals.ts`): a refused session lowers the connection limit to the
 *   sessions the receiver had accepted, a 421 or a cut after N messages lowers messages per connection to N, a
 *   rate reply lowers the rate (multiplicative decrease, from the rate in force or, under a rule without an
 *   hourly limit, from the acceptance rate measured over the last second). These are the learnt limits; they
 *   are kept in the store, a new delivery starts from them, and they relax towards the rule after clean days.
 * - One decrease per round trip: a signal counts only when its attempt started after the last decrease of the
 *   same limit, so one burst of refused connections or deferred recipients is one decrease, not one per message.
 * - Recovery is additive and probing: after a clean period the rate grows by a share of its reference (the
 *   period is the time of about 20 messages at the current rate, between 1 s and `increasePeriodMs`) up to a
 *   plateau at 85 % of the rate the receiver last refused; there it holds for `increasePeriodMs` (a receiver
 *   that counts refusals towards a penalty box gets none from probing meanwhile), then probes by a fifth of
 *   that step. One more connection and a few more messages per connection are tried after each
 *   `increasePeriodMs` without signal.
 * - Slow start: with no connection limit learnt, a destination opens 1 connection and one more per round of
 *   acceptances up to the rule's (the first after a second, each next one sooner), so a receiver's connection
 *   limit costs one refused session, not a burst. Connections grow (slow start or probing) only while they are
 *   what holds messages back: not within 5 s of a signal about any limit, nor while messages wait for the
 *   rate, when one more session would only be one more to refuse.
 * - Suspension is the last resort: `suspendAfterSignals` counted signals with no acceptance between them (or
 *   an automation rule, or the error-rate breaker). The first lasts a minute, each one in a row twice the
 *   last, capped at `suspendMs`, with ±10 % jitter; it ends with one probing session (one connection) until a
 *   message is accepted. Nothing is sent meanwhile; the messages wait in the queue without attempts.
 */
import type {
  AdaptiveSettings,
  AutomationRule,
  DestinationState,
  MxRule,
} from '../../../shared/contract/mta';
import type { StoredDestinationState } from '../../store/engine-store';
import type { Destination } from '../types';
import { automationFor, type CompiledAutomationRule } from './rule-match';
import type { LimitSignal } from './signals';
import { HOUR_MS, TokenBucket } from './token-bucket';

export type DestinationKind = DestinationState['kind'];

/** A change the shaper persists (destination_state) and records (shaping_events). */
export interface ShapingChange {
  kind: 'slowed' | 'raised' | 'suspended' | 'resumed' | 'breaker_opened' | 'automation' | 'queue_bounced';
  cause: string;
  detail: Record<string, unknown>;
}

/** The limit a learnt change is about (`detail.limit` of its shaping event). */
export type LearntLimit = 'connections' | 'messagesPerConnection' | 'rate';

/**
 * What the pipeline does with the message whose outcome this was:
 * - `attempt`: an ordinary attempt (retry policy, classifier);
 * - `requeue`: the session was refused before the message was offered (a connection limit): back to the
 *   queue without an attempt;
 * - `paced`: an attempt the receiver refused because of the destination's pace: retried when the destination
 *   can take it (`dueAt`), not on the retry schedule.
 */
export type Handling = { kind: 'attempt' } | { kind: 'requeue' } | { kind: 'paced'; dueAt: number };

export interface Observation {
  kind: 'accepted' | 'deferred' | 'failed';
  rawReply: string;
  signal: LimitSignal | null;
  hadReply: boolean;
  /** When the attempt started: a signal from before the last decrease of its limit does not count again. */
  startedAt: number;
  /** Sessions open to the destination now, when the sender knows (the slow start grows once they are all used). */
  openSessions?: number;
  /** A deferral at MAIL on a session that had carried this many messages (> 0). */
  mailRefusedAfter?: number;
  /** The receiver closed another session without a reply after this many messages (`SessionFacts.cutAfter`). */
  cutAfter?: number;
  /**
   * The reply refused one recipient (at RCPT, not a 421, not a limit signal): greylisting, an unknown user, a full
   * mailbox. It says nothing of the destination's health, so the error-rate breaker counts it neither way, as
   * Postfix counts only failed sessions towards a dead destination: a greylisting gateway that defers nine first
   * attempts in ten and accepts every retry is not a failing destination.
   */
  aboutRecipient?: boolean;
}

/** What is kept of a destination across restarts and deliveries: the store's `destination_state` row. */
export type PersistedState = StoredDestinationState;

/** Minimum adaptive rate: a destination is never slowed below this many messages per hour. */
export const MIN_RATE_PER_HOUR = 12;
/**
 * Connections a destination with nothing learnt starts with. Postfix starts at 5 (its initial destination
 * concurrency); one is enough to learn from, and a second one is opened only once the first is greeted.
 */
export const INITIAL_CONNECTIONS = 1;
/**
 * The slow start's first extra connection waits this long after the first attempt: long enough for the
 * receiver's first pushback (a rate counted over a second, a budget of messages per session) to come before a
 * second session gives it one more thing to refuse. Each later step waits half as long as the one before,
 * down to RAMP_MIN_STEP_MS (receivers count connections per minute as well as at once: Postfix's anvil).
 */
export const RAMP_FIRST_STEP_MS = 1_000;
const RAMP_MIN_STEP_MS = 125;
/** Messages that waited for the rate within this long: the rate, not the connections, is what limits sending. */
const RATE_BOUND_MS = 1_000;
/**
 * After the receiver pushed back on any limit, the slow start waits this long before opening another
 * connection: one limit is learnt at a time, so a second refusal does not pile onto the first (a penalty box
 * counts them together).
 */
const RAMP_QUIET_MS = 5_000;
/** Near the rate of the last rate signal, probing steps by this share of `increaseShare` only. */
const PLATEAU_SHARE = 0.2;
/** "Near": from this share of the last signal's rate. */
const PLATEAU_FROM = 0.85;
/** The first suspension; each one in a row lasts twice the last, up to `suspendMs`. */
export const FIRST_SUSPENSION_MS = 60_000;
const SUSPENSION_JITTER = 0.1;
/**
 * A learnt rate's bucket holds a quarter of a second of sending: a receiver that refused the pace may count it
 * over a second, and a burst after a pause (a new session, a retry) must not exceed it.
 */
const LEARNT_BURST_MS = 250;
/** Messages at the current rate that make one probing period of the rate. */
const PROBE_MESSAGES = 20;
const DAY_MS = 86_400_000;
const MAX_DOMAINS_SHOWN = 20;
/** Domains remembered per destination (lease exclusion, suspension deferral, counts). */
const MAX_DOMAINS_KEPT = 500;
const FIVE_MINUTES = 5 * 60_000;
const TENTH = 100;

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
  /** Adaptive (learnt) hourly rate; null = the rule's (or no limit). */
  adaptiveRate: number | null = null;
  /** The rate additive increase steps by: the rule's, or (a rule without one) the rate at the first signal. */
  private adaptiveCeiling: number | null = null;
  /** The rate when the last rate signal came: probing slows down as it comes near it again. */
  private signalRate: number | null = null;
  /**
   * Slow start of the connections while none is learnt: a new destination opens INITIAL_CONNECTIONS and one
   * more for each round of acceptances (as many as the connections), up to the rule's limit, so a receiver's
   * connection limit is met by one refused session, not by a burst of them. null: done (or learnt).
   */
  rampConnections: number | null = null;
  private rampCredit = 0;
  /** When the slow start last added a connection, or began (the first attempt seen). */
  private rampAt = -Infinity;
  /** How long the slow start's next step waits after the last (see RAMP_FIRST_STEP_MS). */
  private rampStepMs = RAMP_FIRST_STEP_MS;
  /** When a message last waited for the destination's rate (a token), see `rateBound`. */
  private rateWaitAt = -Infinity;
  /** Since when the rate holds just below the rate the receiver last refused (null: not holding). */
  private plateauSince: number | null = null;
  /** When the destination was last suspended by its signals. */
  private suspendedAt = -Infinity;
  /** Learnt limits; null = the rule's. */
  learntConnections: number | null = null;
  learntPerConnection: number | null = null;
  learntAt: number | null = null;
  throttle: { maxConnections: number | null; until: number } | null = null;
  suspendedUntil: number | null = null;
  suspendedReason: string | null = null;
  /** Suspensions in a row; the next one lasts FIRST_SUSPENSION_MS × 2^level (capped). */
  suspensionLevel = 0;
  private lastSuspensionEnd: number | null = null;
  /** The connection limit before its last decrease (a burst's later refusals may raise the learnt one to it). */
  private connectionsBeforeDecrease = 0;
  /** After a suspension: one connection until a message is accepted. */
  probing = false;
  private bucket: TokenBucket | null = null;
  /** The message count of the last session whose MAIL was deferred (see `perSession`). */
  private lastMailRefusedAfter: number | null = null;
  /** The rate before a MAIL deferral was taken for a rate signal (undone if it proves a per-session limit). */
  private rateBeforeMailDecrease: { rate: number | null } | null = null;

  sending = 0;
  openConnections = 0;
  lastReply: string | null = null;
  lastReplyAt: number | null = null;

  /** Counted signals since the last acceptance (times): enough of them suspend the destination. */
  private strikes: number[] = [];
  private lastDecrease: Record<LearntLimit | 'blocked', number> = {
    connections: -Infinity,
    messagesPerConnection: -Infinity,
    rate: -Infinity,
    blocked: -Infinity,
  };
  private lastIncrease: Record<LearntLimit, number> = {
    connections: -Infinity,
    messagesPerConnection: -Infinity,
    rate: -Infinity,
  };
  private automationHits = new Map<string, number[]>();
  /** Recent outcomes for the breaker: true = failed or deferred. Bounded by breakerMinAttempts. */
  private recent: boolean[] = [];
  private recentFailures = 0;
  private lastChangeAt: number;
  /** Per 5-minute slot of the last hour: accepted / deferred / failed (12 slots). */
  private slots: { start: number; counts: Counts }[] = [];
  /** Accepted per 100 ms over the last second (the acceptance rate a first rate signal starts from). */
  private tenths: { start: number; accepted: number }[] = [];

  constructor(destination: Destination, kind: DestinationKind, now: number) {
    this.key = destination.key;
    this.kind = kind;
    this.hosts = destination.hosts.map((h) => h.host);
    this.lastChangeAt = now;
  }

  /** (Re)applies rules: on creation and after `reloadRules`. */
  applyRules(rule: MxRule, automation: readonly CompiledAutomationRule[], now: number): void {
    const first = this.rule === undefined;
    this.rule = rule;
    if (first && this.learntConnections === null && rule.maxConnections > INITIAL_CONNECTIONS)
      this.rampConnections = INITIAL_CONNECTIONS;
    if (this.rampConnections !== null && this.rampConnections >= rule.maxConnections)
      this.rampConnections = null;
    this.automation = automationFor(automation, this.hosts);
    if (this.adaptiveRate !== null && rule.messagesPerHour !== null)
      this.adaptiveRate = Math.min(this.adaptiveRate, rule.messagesPerHour);
    if (this.learntConnections !== null && this.learntConnections >= rule.maxConnections)
      this.learntConnections = null;
    if (this.learntPerConnection !== null && this.learntPerConnection >= rule.maxMessagesPerConnection)
      this.learntPerConnection = null;
    this.syncBucket(now);
  }

  /**
   * Takes back what was learnt (a previous delivery, another process). Learnt limits relax towards the rule
   * for each clean day since they were learnt: one more connection, half as many more messages per connection,
   * a quarter more rate; a suspension level falls by one per clean day.
   */
  restore(state: PersistedState, now: number): void {
    if (state.suspendedUntil !== null && state.suspendedUntil > now) {
      this.suspendedUntil = state.suspendedUntil;
      this.suspendedReason = state.reason;
    }
    if (state.throttledUntil !== null && state.throttledUntil > now)
      this.throttle = { maxConnections: state.maxConnections, until: state.throttledUntil };
    const days = state.learntAt === null ? 0 : Math.max(0, Math.floor((now - state.learntAt) / DAY_MS));
    const relax = <T extends number>(v: T | null, f: (v: number) => number, limit: number | null) => {
      if (v === null || days === 0) return v;
      let x: number = v;
      for (let i = 0; i < days && (limit === null || x < limit); i++) x = f(x);
      return limit !== null && x >= limit ? null : x;
    };
    this.learntConnections = relax(state.learntMaxConnections, (v) => v + 1, this.rule.maxConnections);
    if (this.learntConnections !== null) this.rampConnections = null;
    this.learntPerConnection = relax(
      state.learntMessagesPerConnection,
      (v) => Math.ceil(v * 1.5),
      this.rule.maxMessagesPerConnection,
    );
    // Without an hourly limit in the rule, a learnt rate is forgotten after a clean week.
    this.adaptiveRate =
      this.rule.messagesPerHour === null && days >= 7
        ? null
        : relax(state.ratePerHour, (v) => v * 1.25, this.rule.messagesPerHour);
    if (this.adaptiveRate !== null && this.rule.messagesPerHour === null) {
      this.adaptiveCeiling = this.adaptiveRate;
      // Kept at the plateau below the last refused rate (some time ago): probing goes on gently from there,
      // and a refusal near it steps down to the plateau below and holds.
      this.signalRate = this.adaptiveRate / PLATEAU_FROM;
      this.plateauSince = now - DAY_MS;
    }
    this.learntAt = state.learntAt;
    // Learnt connection and per-connection limits are probed after a clean `increasePeriodMs` of this run.
    this.lastIncrease.connections = now;
    this.lastIncrease.messagesPerConnection = now;
    this.suspensionLevel = Math.max(0, state.suspensionLevel - days);
    this.applyRules(this.rule, this.automation, now);
  }

  persisted(): PersistedState {
    // The rate kept for the next delivery: the current one, or, when higher, the plateau below the rate the
    // receiver last refused (where sending was clean), so a new delivery starts near the receiver's pace.
    const plateau = this.signalRate !== null ? PLATEAU_FROM * this.signalRate : null;
    const rate =
      this.adaptiveRate !== null && plateau !== null
        ? Math.max(this.adaptiveRate, plateau)
        : this.adaptiveRate;
    return {
      suspendedUntil: this.suspendedUntil,
      ratePerHour: rate === null ? null : Math.round(rate),
      maxConnections: this.throttle?.maxConnections ?? null,
      throttledUntil: this.throttle?.until ?? null,
      reason: this.suspendedReason,
      learntMaxConnections: this.learntConnections,
      learntMessagesPerConnection: this.learntPerConnection,
      suspensionLevel: this.suspensionLevel,
      learntAt: this.learntAt,
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
    return Math.max(
      1,
      Math.min(
        this.rule.maxConnections,
        this.learntConnections ?? Infinity,
        this.rampConnections ?? Infinity,
        throttled ?? Infinity,
        this.probing ? 1 : Infinity,
      ),
    );
  }

  effectiveMessagesPerConnection(): number {
    return Math.max(1, Math.min(this.rule.maxMessagesPerConnection, this.learntPerConnection ?? Infinity));
  }

  /** Ends a suspension or throttle whose time has come; returns the changes (for the log). */
  expire(now: number): ShapingChange[] {
    const changes: ShapingChange[] = [];
    if (this.suspendedUntil !== null && this.suspendedUntil <= now) {
      changes.push({
        kind: 'resumed',
        cause: `suspension ended (${this.suspendedReason ?? 'no reason recorded'}): one probing session first`,
        detail: { probing: true },
      });
      this.suspendedUntil = null;
      this.suspendedReason = null;
      this.probing = true;
      this.bucket?.restart(now);
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
    const wait = this.bucket ? this.bucket.reserve(now) : 0;
    if (wait > 0) this.rateWaitAt = now;
    return wait;
  }

  /** When the receiver last pushed back on one of the limits (a decrease, or a refusal with nothing open). */
  private lastSignalAt(): number {
    const d = this.lastDecrease;
    return Math.max(d.connections, d.messagesPerConnection, d.rate, d.blocked);
  }

  /** Whether messages waited for the rate lately: more connections would not send them sooner. */
  rateBound(now: number): boolean {
    return now - this.rateWaitAt < RATE_BOUND_MS;
  }

  unreserve(): void {
    this.bucket?.giveBack();
  }

  /** Interval between two sends at the current hourly rate (ms); 0 when unlimited. */
  intervalMs(): number {
    return this.bucket ? this.bucket.intervalMs() : 0;
  }

  /**
   * Records an outcome and decides what changes and what becomes of the message. `hit` is the automation rule
   * that matched (already looked up); `random01` draws the suspension's jitter.
   */
  observe(
    o: Observation,
    settings: AdaptiveSettings,
    hit: AutomationRule | null,
    now: number,
    random01: number,
  ): { changes: ShapingChange[]; handling: Handling } {
    if (o.hadReply) {
      this.lastReply = o.rawReply;
      this.lastReplyAt = now;
    }
    // The slow start's first second counts from the first attempt (a destination may be known long before).
    if (this.rampAt === -Infinity) this.rampAt = o.startedAt;
    const changes: ShapingChange[] = [];
    // A session the receiver closed without a word after N messages: its message budget (no strike).
    if (o.cutAfter !== undefined) {
      const raw = 'the receiver closed it without a reply';
      const cut = { ...o, rawReply: raw };
      changes.push(
        ...this.signalled({ kind: 'session', completed: o.cutAfter }, cut, settings, now, random01),
      );
    }
    // A refused session offered no message: it is neither an acceptance nor a failure of the breaker's.
    if (o.signal?.kind !== 'connections') this.count(o.kind, now);
    if (hit) {
      const change = this.automationTriggered(hit, o.rawReply, now);
      if (change) changes.push(change);
    } else if (o.signal) {
      changes.push(...this.signalled(o.signal, o, settings, now, random01));
    } else if (o.kind === 'accepted') {
      changes.push(...this.accepted(o, settings, now));
    }
    if (o.signal?.kind !== 'connections' && !o.aboutRecipient) {
      const breaker = this.breaker(o.kind !== 'accepted', settings, now);
      if (breaker) changes.push(breaker);
    }
    return { changes, handling: this.handling(o, hit, now) };
  }

  private handling(o: Observation, hit: AutomationRule | null, now: number): Handling {
    if (!o.signal || o.kind === 'accepted') return { kind: 'attempt' };
    if (o.signal.kind === 'connections') return { kind: 'requeue' };
    // An automation rule decides for itself (its suspension moves the queue); otherwise the destination's pace.
    if (hit) return { kind: 'attempt' };
    if (this.suspendedUntil !== null && this.suspendedUntil > now)
      return { kind: 'paced', dueAt: this.suspendedUntil };
    // The destination's next send slot: never "now", so a receiver answering 421 at once cannot spin a loop.
    return { kind: 'paced', dueAt: now + Math.max(1, Math.ceil(this.intervalMs())) };
  }

  private signalled(
    given: LimitSignal,
    o: Observation,
    settings: AdaptiveSettings,
    now: number,
    random01: number,
  ): ShapingChange[] {
    const { signal, undone } = this.perSession(given, o, now);
    const limit: LearntLimit | 'blocked' = signal.kind === 'session' ? 'messagesPerConnection' : signal.kind;
    // One decrease per round trip: attempts already under way at the last decrease say nothing new, except
    // that a refused session of the same burst may have seen more sessions accepted than the first one did
    // (sessions are counted as their greetings arrive): the learnt limit is the most the burst saw accepted.
    if (o.startedAt <= this.lastDecrease[limit]) {
      if (
        signal.kind === 'connections' &&
        this.learntConnections !== null &&
        signal.concurrent > this.learntConnections &&
        signal.concurrent < this.connectionsBeforeDecrease
      )
        this.learntConnections = signal.concurrent;
      return [];
    }
    const changes: ShapingChange[] = undone ? [undone] : [];
    const cause = `${o.rawReply}`;
    switch (signal.kind) {
      case 'connections': {
        const from = this.effectiveMaxConnections(now);
        const to = Math.max(1, Math.min(signal.concurrent, from));
        this.rampConnections = null;
        if (to < from) {
          this.connectionsBeforeDecrease = from;
          this.learntConnections = to;
          changes.push(
            this.learnt(
              'connections',
              from,
              to,
              `session refused with ${signal.concurrent} open: ${cause}`,
              now,
            ),
          );
        }
        break;
      }
      case 'session': {
        const from = this.effectiveMessagesPerConnection();
        const to = Math.max(1, Math.min(signal.completed, from));
        if (to < from) {
          this.learntPerConnection = to;
          changes.push(
            this.learnt(
              'messagesPerConnection',
              from,
              to,
              `session ended after ${signal.completed} messages: ${cause}`,
              now,
            ),
          );
        }
        break;
      }
      case 'rate': {
        const from = this.effectiveRate();
        const base = from ?? this.measuredRatePerHour(now);
        if (this.rule.messagesPerHour === null && this.adaptiveCeiling === null) this.adaptiveCeiling = base;
        // Refused at or above the plateau below the last refused rate: the limit is just below, so the rate
        // steps down to the plateau below this one and holds there, instead of being halved again.
        const nearLimit = from !== null && this.signalRate !== null && from >= PLATEAU_FROM * this.signalRate;
        const factor = nearLimit ? PLATEAU_FROM : settings.decreaseFactor;
        const to = Math.max(MIN_RATE_PER_HOUR, Math.floor(base * factor));
        // A rate measured while none was in force counts what the receiver let through as a burst before it
        // refused (its sustained rate is unknown): the rate holds where it was halved to before any probing.
        this.signalRate = from === null || nearLimit ? to / PLATEAU_FROM : base;
        this.plateauSince = from === null || nearLimit ? now : null;
        if (from === null || to < from) {
          this.setAdaptiveRate(to, now);
          // The receiver just said "too fast": the next message waits its interval at the new rate.
          this.bucket?.empty(now);
          const change = this.learnt('rate', from, to, `rate signal: ${cause}`, now);
          change.detail.factor = factor;
          changes.push(change);
        }
        break;
      }
      case 'blocked':
        this.lastDecrease.blocked = now;
        break;
    }
    if (signal.kind !== 'connections' && signal.kind !== 'session') {
      const suspended = this.strike(o, settings, now, random01);
      if (suspended) changes.push(suspended);
    }
    return changes;
  }

  /**
   * A deferral at MAIL that comes at the same message count on two sessions in a row is a per-session limit,
   * whatever its text says (a rate text like Postfix's "too much mail" answered on every session's Nth MAIL).
   */
  private perSession(
    signal: LimitSignal,
    o: Observation,
    now: number,
  ): { signal: LimitSignal; undone: ShapingChange | null } {
    if (signal.kind !== 'rate' || o.mailRefusedAfter === undefined) return { signal, undone: null };
    const n = o.mailRefusedAfter;
    const repeated = this.lastMailRefusedAfter === n;
    this.lastMailRefusedAfter = n;
    if (!repeated) {
      this.rateBeforeMailDecrease = { rate: this.adaptiveRate };
      return { signal, undone: null };
    }
    // The first one was taken for the rate: that decrease is undone (and logged).
    let undone: ShapingChange | null = null;
    if (this.rateBeforeMailDecrease) {
      const from = this.adaptiveRate;
      this.adaptiveRate = this.rateBeforeMailDecrease.rate;
      this.signalRate = null;
      this.plateauSince = null;
      this.rateBeforeMailDecrease = null;
      this.syncBucket(now);
      undone = {
        kind: 'raised',
        cause: `the deferral at MAIL after ${n} messages is a per-session limit, not the rate: ${o.rawReply}`,
        detail: {
          limit: 'rate',
          from,
          to: this.adaptiveRate,
          fromPerHour: from,
          toPerHour: this.adaptiveRate,
        },
      };
    }
    return { signal: { kind: 'session', completed: n }, undone };
  }

  private learnt(
    limit: LearntLimit,
    from: number | null,
    to: number,
    cause: string,
    now: number,
  ): ShapingChange {
    this.lastDecrease[limit] = now;
    this.lastIncrease[limit] = now;
    this.learntAt = now;
    this.lastChangeAt = now;
    const key = limit === 'rate' ? { fromPerHour: from, toPerHour: to } : {};
    return { kind: 'slowed', cause, detail: { limit, from, to, ...key } };
  }

  /** A counted signal with no acceptance since the last: enough of them suspend the destination. */
  private strike(
    o: Observation,
    settings: AdaptiveSettings,
    now: number,
    random01: number,
  ): ShapingChange | null {
    // An attempt already under way when the destination was suspended says nothing new about it.
    if (o.startedAt <= this.suspendedAt) return null;
    const since = now - settings.signalWindowMs;
    this.strikes = this.strikes.filter((t) => t > since);
    this.strikes.push(now);
    // The probing session after a suspension was refused too: suspended again at once (the next level).
    if (!this.probing && this.strikes.length < settings.suspendAfterSignals) return null;
    const count = this.strikes.length;
    const raw = o.rawReply;
    this.strikes = [];
    this.probing = false;
    this.suspendedAt = now;
    if (this.lastSuspensionEnd !== null && now - this.lastSuspensionEnd > 2 * settings.suspendMs)
      this.suspensionLevel = 0;
    const length = Math.min(
      settings.suspendMs,
      FIRST_SUSPENSION_MS * 2 ** Math.min(this.suspensionLevel, 20),
    );
    const until = now + Math.round(length * (1 - SUSPENSION_JITTER + 2 * SUSPENSION_JITTER * random01));
    const why =
      count === 1 ? 'the probing session was refused' : `${count} signals in a row without an acceptance`;
    const cause = `${why} (suspension ${this.suspensionLevel + 1} in a row), last: ${raw}`;
    this.suspensionLevel++;
    this.lastSuspensionEnd = until;
    this.suspend(until, cause, now);
    return {
      kind: 'suspended',
      cause,
      detail: { until, level: this.suspensionLevel, lengthMs: until - now },
    };
  }

  /** An acceptance: the strikes end, a probing session opens the way, and limits grow back after clean periods. */
  private accepted(o: Observation, settings: AdaptiveSettings, now: number): ShapingChange[] {
    this.strikes = [];
    const changes: ShapingChange[] = [];
    // Slow start: a round of acceptances adds a connection, counting only attempts that started after the
    // last one was added and only while every connection allowed is open (so the newest session was greeted
    // before the next is opened), the first a second after the first attempt and each next one sooner (see
    // RAMP_FIRST_STEP_MS), not within RAMP_QUIET_MS of a signal about any limit, and not while the rate is what
    // holds messages back.
    if (
      this.rampConnections !== null &&
      o.startedAt > this.rampAt &&
      now - this.rampAt >= this.rampStepMs &&
      now - this.lastSignalAt() >= RAMP_QUIET_MS &&
      !this.rateBound(now) &&
      (o.openSessions === undefined || o.openSessions >= this.rampConnections)
    ) {
      this.rampCredit += 1 / this.rampConnections;
      if (this.rampCredit >= 1) {
        this.rampCredit = 0;
        this.rampConnections++;
        this.rampAt = now;
        this.rampStepMs = Math.max(RAMP_MIN_STEP_MS, this.rampStepMs / 2);
        if (this.rampConnections >= this.rule.maxConnections) this.rampConnections = null;
      }
    }
    if (this.probing) {
      this.probing = false;
      changes.push({
        kind: 'raised',
        cause: 'probing session accepted: back to the learnt limits',
        detail: { limit: 'connections', from: 1, to: this.effectiveMaxConnections(now) },
      });
    }
    if (this.throttle && this.throttle.until > now) return changes;
    const rate = this.increaseRate(settings, now);
    if (rate) changes.push(rate);
    const conn = this.increaseLimit('connections', settings, now);
    if (conn) changes.push(conn);
    const perConn = this.increaseLimit('messagesPerConnection', settings, now);
    if (perConn) changes.push(perConn);
    return changes;
  }

  /** Additive increase of a learnt rate, once per probing period (about PROBE_MESSAGES at the current rate). */
  private increaseRate(settings: AdaptiveSettings, now: number): ShapingChange | null {
    const from = this.adaptiveRate;
    if (from === null) return null;
    const period = Math.min(settings.increasePeriodMs, Math.max(1_000, (PROBE_MESSAGES * HOUR_MS) / from));
    if (now - Math.max(this.lastIncrease.rate, this.lastDecrease.rate) < period) return null;
    const reference = this.rule.messagesPerHour ?? this.adaptiveCeiling ?? from;
    // Far below where the receiver last said "too fast", a share of the reference, up to the plateau just
    // below it; there the rate holds for `increasePeriodMs`, then probes by a fifth of a step; past that rate
    // without a signal, it is old news (fast again).
    if (this.signalRate !== null && from >= this.signalRate) {
      this.signalRate = null;
      this.plateauSince = null;
    }
    const plateau = this.signalRate === null ? null : PLATEAU_FROM * this.signalRate;
    let to: number;
    if (plateau !== null && from >= plateau) {
      this.plateauSince ??= now;
      if (now - this.plateauSince < settings.increasePeriodMs) return null;
      to = from + settings.increaseShare * PLATEAU_SHARE * (this.signalRate ?? 0);
    } else {
      to = from + settings.increaseShare * reference;
      if (plateau !== null && to >= plateau) {
        to = plateau;
        this.plateauSince = now;
      }
    }
    this.lastIncrease.rate = now;
    if (this.rule.messagesPerHour !== null && to >= this.rule.messagesPerHour) {
      this.adaptiveRate = null;
      this.adaptiveCeiling = null;
      this.syncBucket(now);
    } else {
      this.setAdaptiveRate(to, now);
    }
    return {
      kind: 'raised',
      cause: `sustained acceptance for ${formatPeriod(period)}`,
      detail: {
        limit: 'rate',
        from: Math.round(from),
        to: this.effectiveRate() === null ? null : Math.round(this.effectiveRate() ?? 0),
        fromPerHour: from,
        toPerHour: this.effectiveRate(),
        limitPerHour: this.rule.messagesPerHour,
      },
    };
  }

  /** One more connection, or a few more messages per connection, after each clean `increasePeriodMs`. */
  private increaseLimit(
    limit: 'connections' | 'messagesPerConnection',
    settings: AdaptiveSettings,
    now: number,
  ): ShapingChange | null {
    const from = limit === 'connections' ? this.learntConnections : this.learntPerConnection;
    if (from === null) return null;
    if (now - Math.max(this.lastIncrease[limit], this.lastDecrease[limit]) < settings.increasePeriodMs)
      return null;
    // One more connection would only be one more to refuse while the messages wait for the rate.
    if (limit === 'connections' && this.rateBound(now)) return null;
    this.lastIncrease[limit] = now;
    const ruleLimit = limit === 'connections' ? this.rule.maxConnections : this.rule.maxMessagesPerConnection;
    const next =
      limit === 'connections' ? from + 1 : from + Math.max(1, Math.round(from * settings.increaseShare));
    const to = next >= ruleLimit ? null : next;
    if (limit === 'connections') this.learntConnections = to;
    else this.learntPerConnection = to;
    return {
      kind: 'raised',
      cause: `sustained acceptance for ${formatPeriod(settings.increasePeriodMs)}: probing`,
      detail: { limit, from, to: to ?? ruleLimit },
    };
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
        this.suspendedAt = now;
        this.suspend(now + action.durationMs, cause, now);
        return {
          kind: 'automation',
          cause,
          detail: { rule: rule.id, action: 'suspend', until: this.suspendedUntil },
        };
      case 'throttle': {
        const base = this.effectiveRate() ?? this.measuredRatePerHour(now);
        this.setAdaptiveRate(Math.max(MIN_RATE_PER_HOUR, base * action.rateFactor), now);
        const until = now + action.durationMs;
        this.throttle = { maxConnections: action.maxConnections, until };
        this.lastDecrease.rate = now;
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
    this.suspendedAt = now;
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
    const burst = this.adaptiveRate !== null ? LEARNT_BURST_MS : undefined;
    if (rate === null) this.bucket = null;
    else if (!this.bucket) this.bucket = new TokenBucket(rate, now, burst);
    else this.bucket.setRate(rate, now, burst ?? HOUR_MS / 12);
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
    if (kind !== 'accepted') return;
    const tenth = now - (now % TENTH);
    let t = this.tenths.at(-1);
    if (!t || t.start !== tenth) {
      t = { start: tenth, accepted: 0 };
      this.tenths.push(t);
      while ((this.tenths[0]?.start ?? tenth) <= tenth - 1_000) this.tenths.shift();
    }
    t.accepted++;
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
   * The rate a rate signal slows down from when no rate is in force: what was accepted over the last second
   * when that is a measure (10 or more), else over the last 5 minutes, else one message per second per allowed
   * connection.
   */
  private measuredRatePerHour(now: number): number {
    let lastSecond = 0;
    for (const t of this.tenths) if (t.start > now - 1_000) lastSecond += t.accepted;
    if (lastSecond >= 10) return lastSecond * 3600;
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
    const suspended = this.suspendedUntil !== null && this.suspendedUntil > now;
    return {
      key: this.key,
      kind: this.kind,
      hosts: [...this.hosts],
      domains: [...this.domains].slice(0, MAX_DOMAINS_SHOWN),
      domainCount: this.domainCount,
      ruleId: this.rule.id,
      configured,
      effective: {
        maxConnections,
        maxMessagesPerConnection: this.effectiveMessagesPerConnection(),
        messagesPerHour: this.effectiveRate(),
      },
      openConnections: this.openConnections,
      inFlight: this.sending,
      queued,
      currentRatePerHour: this.observedRatePerHour(now),
      suspendedUntil: suspended ? this.suspendedUntil : null,
      suspendedReason: suspended ? this.suspendedReason : null,
      lastReply: this.lastReply,
      lastReplyAt: this.lastReplyAt,
      lastHour: this.lastHour(now),
      learnt: {
        maxConnections: this.learntConnections,
        maxMessagesPerConnection: this.learntPerConnection,
        messagesPerHour: this.adaptiveRate,
        at: this.learntAt,
      },
      suspensionLevel: this.suspensionLevel,
    };
  }
}

function formatPeriod(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
