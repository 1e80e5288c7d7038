import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../src/main/engine';
import { ManualClock } from '../../src/main/clock';
import { createQueueStore } from '../../src/main/store/queue-repo';
import { createScheduler } from '../../src/main/engine/queue/scheduler';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { saveRules } from '../../src/main/store/rules-repo';
import type { Engine, EngineDeps, EngineExtras, SmtpOutcome } from '../../src/main/engine/types';
import { silentLogger } from '../../src/main/logger';
import {
  attemptsOf,
  logByEmail,
  openTempDb,
  queueRow,
  readDelivery,
  recordingNotifier,
  relayedDelivery,
  type TempDb,
  engineStorePorts,
} from '../support/engine-fixtures';
import { reply, scriptedRelays } from '../support/engine-fakes';
import { noDns } from '../support/dns-fixtures';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
let t: TempDb;
let engine: Engine | null = null;
beforeEach(() => {
  t = openTempDb();
});
afterEach(async () => {
  await engine?.stop();
  engine = null;
  t.cleanup();
});

function startEngine(
  clock: ManualClock,
  relayFactory: EngineDeps['relayFactory'],
  extras: EngineExtras = {},
) {
  const notify = recordingNotifier();
  engine = createEngine({
    clock,
    dns: noDns,
    relayFactory,
    ...engineStorePorts(t.db, clock),
    logger: silentLogger,
    notify,
    defaultRoute: () => ({ kind: 'smtp', host: 'relay.fake', port: 25 }),
    sandboxAddress: () => null,
    random: () => 0.5,
    ...extras,
    options: { feedbackFlushMs: 0, ...extras.options },
  });
  engine.start();
  return { engine, notify };
}

describe('engine scheduling on a manual clock', () => {
  it('delivers, bounces, and retries a greylisted message exactly when it is due', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays((to, attempt) => {
      if (to.startsWith('unknown')) return reply('550 5.1.1 <unknown@a.test>: User unknown');
      if (to.startsWith('grey') && attempt === 1)
        return reply('451 4.7.1 Greylisted, please try again later');
      return reply('250 2.0.0 Ok: queued', 'DATA');
    });
    const { deliveryId } = relayedDelivery(t.db, ['ok@a.test', 'grey@a.test', 'unknown@a.test'], { now: T0 });
    const { engine, notify } = startEngine(clock, relays.factory);

    await vi.waitFor(() => expect(engine.queued()).toBe(1));
    expect(logByEmail(t.db, deliveryId, 'ok@a.test')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(logByEmail(t.db, deliveryId, 'unknown@a.test')).toMatchObject({
      status: 'failed',
      reason: 'user_unknown',
      failure_type: 'hard',
    });
    const grey = logByEmail(t.db, deliveryId, 'grey@a.test');
    expect(grey).toMatchObject({ status: 'taken_into_account', reason: 'unreachable', bounce_class: 20 });
    expect(queueRow(t.db, grey.id)).toMatchObject({ due_at: T0 + 5 * MIN, attempts: 1, lease_until: 0 });
    expect(notify.logs).toContain(String(deliveryId));

    clock.advance(5 * MIN - 1);
    expect(relays.sent.filter((s) => s.to === 'grey@a.test')).toHaveLength(1);
    clock.advance(1);
    await engine.whenIdle();
    expect(relays.sent.filter((s) => s.to === 'grey@a.test')).toHaveLength(2);
    expect(logByEmail(t.db, deliveryId, 'grey@a.test')).toMatchObject({
      status: 'sent',
      attempts: 2,
      reason: null,
    });
    expect(attemptsOf(t.db, grey.id).map((a) => [a.outcome, a.at])).toEqual([
      ['deferred', T0],
      ['accepted', T0 + 5 * MIN],
    ]);
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      state: 'completed',
      n_sent: 2,
      n_failed: 1,
      n_success: 2,
      n_in_mta: 0,
    });
  });

  it('fails a message still deferred at the end of its validity with the last reason, without a further attempt', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays(() => reply('452 4.2.2 <full@a.test>: Mailbox full, try again later'));
    const { deliveryId, logIds } = relayedDelivery(t.db, ['full@a.test'], {
      now: T0,
      validityMs: 3 * 3_600_000,
      timeScale: 1,
    });
    const { engine } = startEngine(clock, relays.factory);
    await vi.waitFor(() => expect(queueRow(t.db, logIds[0]!)?.attempts).toBe(1));
    // Mailbox full retries after 4 h, beyond the 3 h validity: the expiry check is planned at expires_at.
    expect(queueRow(t.db, logIds[0]!)?.due_at).toBe(T0 + 3 * 3_600_000);
    clock.advance(3 * 3_600_000);
    await engine.whenIdle();
    expect(relays.sent).toHaveLength(1);
    expect(logByEmail(t.db, deliveryId, 'full@a.test')).toMatchObject({
      status: 'failed',
      reason: 'mailbox_full',
      attempts: 1,
    });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      n_failed: 1,
      n_soft: 1,
      n_hard: 0,
      n_soft_in_progress: 0,
    });
  });

  it('compresses retries and validity with the delivery time scale', async () => {
    const clock = new ManualClock(T0);
    const relays = scriptedRelays((_to, attempt) => (attempt < 3 ? reply(null) : reply('250 Ok', 'DATA')));
    const { deliveryId } = relayedDelivery(t.db, ['slow@a.test'], { now: T0, timeScale: 600 });
    const { engine } = startEngine(clock, relays.factory);
    await vi.waitFor(() => expect(relays.sent).toHaveLength(1));
    await vi.waitFor(() => expect(readDelivery(t.db, deliveryId).n_soft_in_progress).toBe(1));
    clock.advance(1000); // 10 min / 600
    await vi.waitFor(() => expect(relays.sent).toHaveLength(2));
    await vi.waitFor(() => expect(engine.queued()).toBe(1));
    clock.advance(2000); // 20 min / 600
    await engine.whenIdle();
    expect(logByEmail(t.db, deliveryId, 'slow@a.test')).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('bounds sends per destination and in flight overall', async () => {
    const clock = new ManualClock(T0);
    const active = new Map<string, number>();
    let total = 0;
    let maxTotal = 0;
    const maxPer = new Map<string, number>();
    const gates: (() => void)[] = [];
    const relays = scriptedRelays(async (to) => {
      const dest = to.split('@')[1]!;
      active.set(dest, (active.get(dest) ?? 0) + 1);
      total++;
      maxTotal = Math.max(maxTotal, total);
      maxPer.set(dest, Math.max(maxPer.get(dest) ?? 0, active.get(dest)!));
      await new Promise<void>((resolve) => gates.push(resolve));
      active.set(dest, active.get(dest)! - 1);
      total--;
      return reply('250 Ok', 'DATA');
    });
    const recipients = Array.from({ length: 24 }, (_, i) => `u${i}@${i % 2 ? 'a.test' : 'b.test'}`);
    relayedDelivery(t.db, recipients, {
      now: T0,
      routes: [
        { mask: 'a.test', target: { kind: 'smtp', host: 'a.fake', port: 25 } },
        { mask: 'b.test', target: { kind: 'smtp', host: 'b.fake', port: 25 } },
      ],
    });
    // Max connections per destination come from the MX rules (SPEC §6).
    const generic = DEFAULT_RULES.mxRules.at(-1)!;
    saveRules(t.db, { ...DEFAULT_RULES, mxRules: [{ ...generic, maxConnections: 2 }] }, T0);
    const { engine } = startEngine(clock, relays.factory, { options: { maxInFlight: 5 } });
    let released = 0;
    for (let i = 0; i < 100 && released < 24; i++) {
      await vi.waitFor(() => expect(gates.length).toBeGreaterThan(0));
      // The destinations' slow start opens one more connection per second at most.
      clock.advance(1_000);
      const batch = gates.splice(0);
      released += batch.length;
      batch.forEach((open) => open());
    }
    await engine.whenIdle();
    expect(relays.sent).toHaveLength(24);
    expect(maxTotal).toBeLessThanOrEqual(4); // 2 destinations x 2
    expect(Math.max(...maxPer.values())).toBe(2);
  });

  it('arms a single timer for the next due message instead of polling', async () => {
    const clock = new ManualClock(T0);
    // A soft bounce that says nothing of the destination's limits (a 421 would slow it: one message at a time).
    const relays = scriptedRelays(() => reply('451 4.3.0 Temporary local problem'));
    relayedDelivery(t.db, ['a@a.test', 'b@a.test'], { now: T0 });
    const { engine } = startEngine(clock, relays.factory, { options: { relayIdleMs: 1 } });
    await vi.waitFor(() => expect(relays.sent).toHaveLength(2));
    await vi.waitFor(() => expect(readDelivery(t.db, 1).n_soft_in_progress).toBe(2));
    clock.advance(1); // the relay's idle close
    expect(relays.closed).toEqual(['smtp:relay.fake:25']);
    expect(clock.pendingTimers()).toBe(1);
    expect(engine.queued()).toBe(2);
  });
});

describe('queue leases', () => {
  it('never hands the same message to two engines, and frees it when the lease ends', () => {
    relayedDelivery(t.db, ['a@a.test', 'b@a.test'], { now: T0 });
    const one = createQueueStore(t.db);
    const two = createQueueStore(t.db);
    expect(one.lease(T0, 10, T0 + MIN).map((i) => i.logId)).toEqual([1, 2]);
    expect(two.lease(T0 + 1, 10, T0 + MIN)).toEqual([]);
    expect(two.nextWakeAt(T0 + 1)).toBe(T0 + MIN);
    expect(two.lease(T0 + MIN, 10, T0 + 2 * MIN).map((i) => i.logId)).toEqual([1, 2]);
  });

  it('stores due times as whole milliseconds, whatever a rate interval makes of them', () => {
    relayedDelivery(t.db, ['a@a.test', 'b@a.test', 'c@a.test'], { now: T0 });
    const queue = createQueueStore(t.db);
    const [a] = queue.lease(T0, 1, T0 + MIN);
    queue.release(a!.logId, T0 + 1234.5);
    expect(queue.spreadDomains(['a.test'], T0 + 99.25, 276.9, T0 + MIN)).toBe(3);
    expect(queue.deferDomains(['a.test'], T0 + 5000.1, T0 + MIN)).toBe(3);
    const due = t.db.prepare('SELECT due_at FROM queue ORDER BY log_id').pluck().all() as number[];
    expect(due).toEqual([T0 + 5001, T0 + 5001, T0 + 5001]);
  });

  it('takes the oldest due free rows, past the leased ones, and frees an expired lease for the next lease', () => {
    relayedDelivery(t.db, ['a@a.test', 'b@a.test', 'c@a.test'], { now: T0 });
    t.db.prepare('UPDATE queue SET due_at = ? WHERE log_id = 3').run(T0 - MIN);
    const queue = createQueueStore(t.db);
    expect(queue.lease(T0, 1, T0 + MIN).map((i) => i.logId)).toEqual([3]);
    expect(queue.lease(T0, 1, T0 + 2 * MIN).map((i) => i.logId)).toEqual([1]);
    // Message 3's lease ends first: it is due again then, before message 2's later due time.
    t.db.prepare('UPDATE queue SET due_at = ? WHERE log_id = 2').run(T0 + 3 * MIN);
    expect(queue.nextWakeAt(T0)).toBe(T0 + MIN);
    expect(queue.lease(T0 + MIN, 10, T0 + 4 * MIN).map((i) => i.logId)).toEqual([3]);
    expect(queueRow(t.db, 1)).toMatchObject({ lease_until: T0 + 2 * MIN });
    expect(queue.nextWakeAt(T0 + MIN)).toBe(T0 + 2 * MIN);
  });

  it('walks the index of free rows only (EXPLAIN QUERY PLAN)', () => {
    const plan = (sql: string) =>
      (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ now: T0, limit: 16 }) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    expect(
      plan('SELECT log_id FROM queue WHERE lease_until = 0 AND due_at <= @now ORDER BY due_at LIMIT @limit'),
    ).toMatch(/USING COVERING INDEX queue_free \(due_at<\?\)/);
    expect(plan('SELECT MIN(due_at) FROM queue WHERE lease_until = 0 AND due_at > @now')).toMatch(
      /USING COVERING INDEX queue_free/,
    );
    expect(plan('SELECT MIN(lease_until) FROM queue WHERE lease_until > 0')).toMatch(
      /USING COVERING INDEX queue_leased/,
    );
  });

  it('does not launch a message it still holds when its lease came back free, and frees it again', () => {
    const clock = new ManualClock(T0);
    relayedDelivery(t.db, ['a@a.test', 'b@a.test'], { now: T0 });
    const queue = createQueueStore(t.db);
    const { scheduler, launched, finish } = heldScheduler(clock, queue, () => []);
    scheduler.start();
    expect(launched).toEqual([1, 2]);
    // Message 1 is given back due now while its processing has not settled yet (or its lease ran out).
    queue.release(1, T0);
    scheduler.wake();
    expect(launched).toEqual([1, 2]);
    expect(queueRow(t.db, 1)).toMatchObject({ lease_until: 0, due_at: T0 });
    // Once it settles, it is taken again.
    finish.shift()!();
    return vi
      .waitFor(() => expect(launched).toEqual([1, 2, 1]))
      .finally(() => {
        finish.forEach((f) => f());
        return scheduler.stop();
      });
  });
});

export type { SmtpOutcome };

/** A scheduler whose messages stay in flight until the test settles them (`finish`, in launch order). */
function heldScheduler(
  clock: ManualClock,
  queue: ReturnType<typeof createQueueStore>,
  excludedDomains: () => readonly string[],
) {
  const launched: number[] = [];
  const finish: (() => void)[] = [];
  const scheduler = createScheduler({
    clock,
    queue,
    logger: silentLogger,
    maxInFlight: 10,
    maxParked: 10,
    leaseBatch: 1,
    leaseMs: MIN,
    excludedDomains,
    process: (item) => {
      launched.push(item.logId);
      return new Promise<void>((resolve) => finish.push(resolve));
    },
  });
  return { scheduler, launched, finish };
}

describe('scheduler leases', () => {
  it('does not lease again after a short lease until the exclusions change, a wake or a due time', async () => {
    const clock = new ManualClock(T0);
    relayedDelivery(t.db, ['a@a.test', 'b@a.test', 'c@b.test', 'd@b.test'], { now: T0 });
    const store = createQueueStore(t.db);
    let leases = 0;
    const queue = {
      ...store,
      lease: (...args: Parameters<typeof store.lease>) => {
        leases++;
        return store.lease(...args);
      },
    };
    // One destination holds every domain of b.test busy (the shaper memoises its list: same array each plan).
    let excluded: readonly string[] = ['b.test'];
    const { scheduler, launched, finish } = heldScheduler(clock, queue, () => excluded);
    try {
      scheduler.start();
      expect(launched).toEqual([1, 2]);
      expect(leases).toBe(1);
      // Completions under the same exclusions find nothing new: no fruitless lease per finished message.
      finish.shift()!();
      finish.shift()!();
      await vi.waitFor(() => expect(scheduler.inFlight()).toBe(0));
      expect(leases).toBe(1);
      // The destination drains: a new exclusion list is leased under at once.
      excluded = [];
      scheduler.wake();
      expect(launched).toEqual([1, 2, 3, 4]);
      expect(leases).toBe(2);
      // A wake leases again even under an unchanged list (something may have been queued).
      scheduler.wake();
      expect(leases).toBe(3);
    } finally {
      finish.forEach((f) => f());
      await scheduler.stop();
    }
  });
});
