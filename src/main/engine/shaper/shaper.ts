/**
 * Traffic shaping in our own buckets, before the relay (SPEC §6). One `DestinationRuntime` per destination
 * key; `admit` decides, for a message whose destination is known, whether it goes now, waits a little in
 * memory (a short rate-limit wait or a free connection of its destination) or goes back to the queue without
 * an attempt (suspension, a long rate-limit wait, a destination already holding its share of waiting
 * messages). Outcomes feed the adaptive behaviour; every automatic change is persisted in
 * `destination_state`, recorded in `shaping_events` and logged.
 *
 * Order: a message first takes one of its destination's connection slots, then its rate slot, so the rate is
 * kept at the moment messages go (those that waited for a connection do not go back to back once it frees).
 *
 * Fairness: a message waiting for its destination's rate (a token) never holds one of the scheduler's
 * in-flight slots (it is parked), suspended or rate-limited destinations give their messages back to the queue,
 * and a destination keeps at most `waitersPerDestination` messages waiting for one of its connections; beyond
 * that its domains are excluded from leasing until it drains, so other destinations keep being served.
 *
 * Rules written by another process (`relaydeck rules import` next to a running engine) are noticed on the
 * message path: `destinationFor` has the revision watcher check (at most once per its period) and, when the
 * `mx_rules` revision moved and the stored rules differ from the ones in force, reloads them like `reload` does.
 */
import type { AdaptiveSettings, DestinationState, RulesDocument } from '../../../shared/contract/mta';
import type { RevisionWatcher } from '../../store/revision-watcher';
import type { ShaperStore } from '../../store/engine-store';
import type { Logger } from '../../logger';
import type { Clock } from '../../clock';
import type { Destination, RelayPolicy, SmtpOutcome } from '../types';
import { DestinationRuntime, type DestinationKind, type Handling, type ShapingChange } from './destination';
import { limitSignal, stageOf } from './signals';
import type { DestinationHistory, HistoryLimits } from './history';
import {
  compileAutomationRules,
  matchAutomation,
  matchMxRule,
  type CompiledAutomationRule,
} from './rule-match';
import { describeRules } from '../../../shared/contract/rules-json';
import { formatReply } from '../../../shared/domain/smtp-reply';

export type Admission =
  | { kind: 'go'; destination: DestinationRuntime }
  /** Back to the queue, due at `until`, without an attempt. `scope: 'destination'` = its other due messages too. */
  | {
      kind: 'defer';
      until: number;
      reason: string;
      scope: 'message' | 'destination' | 'spread';
      destination: DestinationRuntime;
    };

export interface ShaperOptions {
  store: ShaperStore;
  clock: Clock;
  logger: Logger;
  rules: RulesDocument;
  /** Tells when another process wrote the rules (topic `mx_rules`). */
  revisions: RevisionWatcher;
  /** A rate-limit wait up to this long is spent in memory; a longer one puts the message back in the queue. */
  shortWaitMs: number;
  /** Messages of one destination that may wait in memory for one of its connections. */
  waitersPerDestination: number;
  /** Draws the suspensions' jitter. */
  random: () => number;
  /** SMTP sessions open to a destination now (the sender's count; the slow start reads it). */
  openSessions(key: string): number;
  /** The reputation history: every outcome is counted for its destination's day. */
  history: Pick<DestinationHistory, 'note'>;
  /** Called when a message starts / stops waiting in memory (it does not hold an in-flight slot). */
  parked(delta: 1 | -1): void;
  /** A destination stopped excluding its domains from leasing: re-plan. */
  wake(): void;
}

interface Waiter {
  resolve(ok: boolean): void;
}

interface Runtime {
  d: DestinationRuntime;
  waiters: Waiter[];
  saturated: boolean;
  /** Every domain routed here (uncapped, unlike `d.domains`): a saturated destination excludes them all. */
  leaseDomains: Set<string>;
}

export interface Shaper {
  /** The destination a resolved message goes to (created with its rule on first use). */
  destinationFor(destination: Destination, kind: DestinationKind, domain: string): DestinationRuntime;
  /** Waits (parked) as the destination requires, then either admits the message or says when to retry. */
  admit(d: DestinationRuntime): Promise<Admission>;
  /** The message admitted by `admit` is done with its connection. */
  release(d: DestinationRuntime): void;
  /**
   * Feeds an outcome to the destination's adaptive behaviour; returns the changes made and what becomes of the
   * message (an ordinary attempt, back to the queue without one, or retried at the destination's pace).
   * `admittedAt`: when the message was admitted (its attempt began then; default: the outcome's duration ago).
   */
  observe(
    d: DestinationRuntime,
    outcome: SmtpOutcome,
    admittedAt?: number,
  ): { changes: ShapingChange[]; handling: Handling };
  policyOf(d: DestinationRuntime): RelayPolicy;
  /** Applies a new rules document to every destination, without restart. */
  reload(rules: RulesDocument): void;
  /** Domains whose destination holds as many waiting messages as it may: not leased for now. */
  excludedDomains(): string[];
  all(): DestinationRuntime[];
  snapshot(d: DestinationRuntime, queued: number): DestinationState;
  /** The limits learnt for a destination (null each where none was, or the destination is unknown here). */
  learntLimits(key: string): HistoryLimits;
  /** Ends every wait (engine stop): the waiting messages go back to the queue. */
  cancelWaits(): void;
}

export function createShaper(o: ShaperOptions): Shaper {
  const log = o.logger.child({ component: 'shaper' });
  const runtimes = new Map<string, Runtime>();
  const byDestination = new WeakMap<DestinationRuntime, Runtime>();
  const sleeps = new Set<{ cancel: () => void; resolve: (ok: boolean) => void }>();
  let rules = o.rules;
  let automation: CompiledAutomationRule[] = compileAutomationRules(rules.automationRules);
  let excluded: string[] | null = [];
  // The rules passed in were loaded at an unknown revision: the first check compares them with the store's.
  o.revisions.subscribe('mx_rules', followStoredRules);

  function runtimeOf(d: DestinationRuntime): Runtime {
    const r = byDestination.get(d);
    if (!r) throw new Error(`destination ${d.key} is not managed by this shaper`);
    return r;
  }

  function settings(): AdaptiveSettings {
    return rules.adaptive;
  }

  function apply(d: DestinationRuntime, changes: readonly ShapingChange[]): void {
    if (changes.length === 0) return;
    const now = o.clock.now();
    o.store.saveDestinationChanges(
      d.key,
      d.persisted(),
      changes.map((c) => ({ kind: c.kind, cause: c.cause, detail: c.detail })),
      now,
    );
    for (const c of changes)
      log.info(`destination ${c.kind}`, { destination: d.key, cause: c.cause, ...c.detail });
  }

  function sleep(until: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const entry = {
        cancel: () => undefined,
        resolve: (ok: boolean) => {
          sleeps.delete(entry);
          resolve(ok);
        },
      };
      const cancelTimer = o.clock.at(until, () => entry.resolve(true));
      entry.cancel = () => {
        cancelTimer();
        entry.resolve(false);
      };
      sleeps.add(entry);
    });
  }

  async function parkedWhile<T>(wait: Promise<T>): Promise<T> {
    o.parked(1);
    try {
      return await wait;
    } finally {
      o.parked(-1);
    }
  }

  function suspension(d: DestinationRuntime, now: number): Admission | null {
    if (d.suspendedUntil === null || d.suspendedUntil <= now) return null;
    return {
      kind: 'defer',
      until: d.suspendedUntil,
      reason: `destination suspended: ${d.suspendedReason ?? ''}`,
      scope: 'destination',
      destination: d,
    };
  }

  function reload(next: RulesDocument): void {
    rules = next;
    automation = compileAutomationRules(next.automationRules);
    const now = o.clock.now();
    for (const { d } of runtimes.values()) {
      const domain = d.domains.values().next().value ?? '';
      const before = d.rule.id;
      d.applyRules(matchMxRule(next.mxRules, { hosts: d.hosts, domain }), automation, now);
      if (before !== d.rule.id)
        log.info('destination rule changed', { destination: d.key, from: before, to: d.rule.id });
    }
    excluded = null;
    o.wake();
  }

  /** Reloads the rules when another process saved different ones (this process's saves call `reload`). */
  function followStoredRules(): void {
    let stored: RulesDocument;
    try {
      stored = o.store.loadRules();
    } catch (err) {
      log.error('the stored rules cannot be read: the rules in force stay', { err });
      return;
    }
    if (JSON.stringify(stored) === JSON.stringify(rules)) return;
    log.info('rules changed in the store by another process: reloaded', { rules: describeRules(stored) });
    reload(stored);
  }

  /** A message is done with its connection slot: it passes to the next waiting message, or is freed. */
  function releaseSlot(d: DestinationRuntime): void {
    const r = runtimeOf(d);
    // The slot passes to the next waiting message while the (possibly lowered) limit allows it.
    if (r.waiters.length > 0 && d.sending <= d.effectiveMaxConnections(o.clock.now())) {
      r.waiters.shift()?.resolve(true);
    } else {
      d.sending--;
    }
    if (r.saturated && r.waiters.length <= Math.floor(o.waitersPerDestination / 2)) setSaturated(r, false);
  }

  function stopping(d: DestinationRuntime): Admission {
    return {
      kind: 'defer',
      until: o.clock.now(),
      reason: 'engine stopping',
      scope: 'message',
      destination: d,
    };
  }

  /**
   * The message holds one of the destination's connection slots: it waits for its rate slot (parked: a wait
   * up to `shortWaitMs` is spent in memory, keeping the connection slot), or, for a longer wait, gives the
   * connection slot back and goes back to the queue with the destination's other due messages spread over the
   * coming slots.
   */
  async function paced(d: DestinationRuntime): Promise<Admission> {
    let now = o.clock.now();
    const wait = d.reserve(now);
    if (wait > o.shortWaitMs) {
      d.unreserve();
      releaseSlot(d);
      return {
        kind: 'defer',
        until: now + wait,
        reason: `hourly limit of ${Math.round(d.effectiveRate() ?? 0)} messages reached`,
        scope: 'spread',
        destination: d,
      };
    }
    if (wait > 0) {
      const ok = await parkedWhile(sleep(now + wait));
      now = o.clock.now();
      if (!ok) {
        d.unreserve();
        releaseSlot(d);
        return stopping(d);
      }
      // The destination may have been suspended while this message waited.
      const meanwhile = suspension(d, now);
      if (meanwhile) {
        d.unreserve();
        releaseSlot(d);
        return meanwhile;
      }
    }
    return { kind: 'go', destination: d };
  }

  function setSaturated(r: Runtime, saturated: boolean): void {
    if (r.saturated === saturated) return;
    r.saturated = saturated;
    excluded = null;
    if (!saturated) o.wake();
  }

  return {
    destinationFor(destination, kind, domain) {
      o.revisions.check();
      let r = runtimes.get(destination.key);
      if (!r) {
        const now = o.clock.now();
        const d = new DestinationRuntime(destination, kind, now);
        d.applyRules(matchMxRule(rules.mxRules, { hosts: d.hosts, domain }), automation, now);
        const saved = o.store.loadDestinationState(destination.key);
        if (saved) d.restore(saved, now);
        r = { d, waiters: [], saturated: false, leaseDomains: new Set() };
        runtimes.set(destination.key, r);
        byDestination.set(d, r);
        log.debug('destination opened', { destination: d.key, rule: d.rule.id });
      }
      r.d.noteDomain(domain);
      // A saturated destination's domains are not leased: a domain seen for the first time joins them.
      if (!r.leaseDomains.has(domain)) {
        r.leaseDomains.add(domain);
        if (r.saturated) excluded = null;
      }
      return r.d;
    },

    async admit(d) {
      const r = runtimeOf(d);
      const now = o.clock.now();
      apply(d, d.expire(now));
      const suspended = suspension(d, now);
      if (suspended) return suspended;
      // First one of the destination's connections, then its rate: the rate slot is taken when the message can
      // go, so messages that waited for a connection do not go back to back once it is free (a burst the
      // receiver counts), and no slot is reserved twice.
      if (d.sending < d.effectiveMaxConnections(now)) {
        d.sending++;
      } else {
        // Enough messages already wait for this destination: its domains are not leased until it drains (the
        // ones already leased wait too, rather than being written back to the queue). A connection wait is
        // short and keeps its in-flight slot (at most `waitersPerDestination` per destination), so a single
        // busy destination does not make the scheduler lease messages it cannot send.
        if (r.waiters.length + 1 >= o.waitersPerDestination) setSaturated(r, true);
        const ok = await new Promise<boolean>((resolve) => r.waiters.push({ resolve }));
        if (!ok) return stopping(d);
        // The destination was suspended while it waited: the slot passes on (the next waiter finds the
        // suspension too) and the message goes back to the queue until the suspension ends.
        const meanwhile = suspension(d, o.clock.now());
        if (meanwhile) {
          releaseSlot(d);
          return meanwhile;
        }
      }
      return paced(d);
    },

    release: releaseSlot,

    observe(d, outcome, admittedAt) {
      const now = o.clock.now();
      const raw = formatReply(outcome);
      const hit = outcome.kind === 'accepted' ? undefined : matchAutomation(d.automationRules(), raw);
      const signal = limitSignal(outcome, d.openConnections);
      o.history.note(d.key, signal?.kind === 'connections' ? 'refused_session' : outcome.kind);
      const result = d.observe(
        {
          kind: outcome.kind,
          rawReply: raw,
          signal,
          hadReply: outcome.code !== null || outcome.text !== '',
          startedAt: admittedAt ?? now - outcome.durationMs,
          openSessions: outcome.kind === 'accepted' ? o.openSessions(d.key) : undefined,
          ...(outcome.session?.cutAfter !== undefined ? { cutAfter: outcome.session.cutAfter } : {}),
          mailRefusedAfter:
            outcome.kind === 'deferred' && outcome.stage === 'mail' && (outcome.session?.completed ?? 0) > 0
              ? outcome.session?.completed
              : undefined,
          aboutRecipient:
            outcome.kind !== 'accepted' &&
            signal === null &&
            stageOf(outcome) === 'rcpt' &&
            outcome.code !== null &&
            outcome.code !== 421,
        },
        settings(),
        hit?.rule ?? null,
        now,
        o.random(),
      );
      apply(d, result.changes);
      return result;
    },

    policyOf(d) {
      const now = o.clock.now();
      return {
        tls: d.rule.tls,
        connectMs: d.rule.timeouts.connectMs,
        commandMs: d.rule.timeouts.commandMs,
        dataMs: d.rule.timeouts.dataMs,
        maxMessagesPerConnection: d.effectiveMessagesPerConnection(),
        maxConnections: d.effectiveMaxConnections(now),
        ruleId: d.rule.id,
      };
    },

    reload,

    excludedDomains() {
      if (excluded === null) {
        excluded = [];
        for (const r of runtimes.values()) if (r.saturated) excluded.push(...r.leaseDomains);
      }
      return excluded;
    },

    all: () => [...runtimes.values()].map((r) => r.d),

    snapshot(d, queued) {
      return d.snapshot(o.clock.now(), queued);
    },

    learntLimits(key) {
      const d = runtimes.get(key)?.d;
      return {
        maxConnections: d?.learntConnections ?? null,
        maxMessagesPerConnection: d?.learntPerConnection ?? null,
        messagesPerHour: d?.adaptiveRate ?? null,
      };
    },

    cancelWaits() {
      for (const s of [...sleeps]) s.cancel();
      for (const r of runtimes.values()) for (const w of r.waiters.splice(0)) w.resolve(false);
    },
  };
}
