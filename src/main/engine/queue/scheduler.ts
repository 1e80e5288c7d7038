/**
 * Takes due messages from the durable queue and hands them to `process`, at most `maxInFlight` at once.
 * No polling loop: after each plan it arms one `clock.at` timer at the next time something becomes due
 * (or a foreign lease ends); `wake()` re-plans at once (something was queued or finished).
 */
import type { Logger } from '../../logger';
import type { Clock } from '../clock';
import type { LeasedItem, QueueStore } from './queue-store';

export interface SchedulerOptions {
  clock: Clock;
  queue: QueueStore;
  logger: Logger;
  maxInFlight: number;
  leaseMs: number;
  /** Handles one leased message; must settle (it is awaited by `stop`). */
  process(item: LeasedItem): Promise<void>;
}

export interface Scheduler {
  start(): void;
  wake(): void;
  /** Stops taking work; resolves when every message in flight has been processed. */
  stop(): Promise<void>;
  inFlight(): number;
}

export function createScheduler(o: SchedulerOptions): Scheduler {
  const inFlight = new Map<number, Promise<void>>();
  let running = false;
  let planning = false;
  let replan = false;
  let timer: { at: number; cancel: () => void } | null = null;
  let cancelRenewal: (() => void) | null = null;

  function plan(): void {
    if (!running) return;
    if (planning) {
      replan = true;
      return;
    }
    planning = true;
    try {
      do {
        replan = false;
        planOnce();
      } while (replan && running);
    } finally {
      planning = false;
    }
  }

  function planOnce(): void {
    const now = o.clock.now();
    const capacity = o.maxInFlight - inFlight.size;
    if (capacity > 0) {
      const items = o.queue.lease(now, capacity, now + o.leaseMs, [...inFlight.keys()]);
      for (const item of items) launch(item);
    }
    // Full: the next completion re-plans. Otherwise sleep until the next due time.
    arm(inFlight.size >= o.maxInFlight ? null : o.queue.nextWakeAt(now));
  }

  function launch(item: LeasedItem): void {
    const run = o
      .process(item)
      .catch((err: unknown) => o.logger.error('message processing failed', { logId: item.logId, err }))
      .finally(() => {
        inFlight.delete(item.logId);
        if (inFlight.size === 0) {
          cancelRenewal?.();
          cancelRenewal = null;
        }
        plan();
      });
    inFlight.set(item.logId, run);
    armRenewal();
  }

  function arm(at: number | null): void {
    if (timer && timer.at === at) return;
    timer?.cancel();
    timer = null;
    if (at === null) return;
    timer = { at, cancel: o.clock.at(at, onTimer) };
  }

  function onTimer(): void {
    timer = null;
    plan();
  }

  /** While messages are in flight (also during `stop`), their leases are extended every third of a lease. */
  function armRenewal(): void {
    if (cancelRenewal || inFlight.size === 0) return;
    cancelRenewal = o.clock.at(o.clock.now() + Math.max(1, Math.floor(o.leaseMs / 3)), () => {
      cancelRenewal = null;
      if (inFlight.size === 0) return;
      o.queue.renew([...inFlight.keys()], o.clock.now() + o.leaseMs);
      armRenewal();
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      plan();
    },
    wake: plan,
    async stop() {
      running = false;
      timer?.cancel();
      timer = null;
      // Leases are still renewed while the messages in flight finish (a stop never frees a message early).
      await Promise.allSettled([...inFlight.values()]);
      cancelRenewal?.();
      cancelRenewal = null;
    },
    inFlight: () => inFlight.size,
  };
}
