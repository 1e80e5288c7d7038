/**
 * Takes due messages from the durable queue and hands them to `process`, at most `maxInFlight` at once.
 * No polling loop: after each plan it arms one `clock.at` timer at the next time something becomes due
 * (or a foreign lease ends); `wake()` re-plans at once (something was queued or finished).
 */
import type { Logger } from '../../logger';
import type { Clock } from '../../clock';
import type { LeasedItem, QueueStore } from '../../store/queue-repo';

export interface SchedulerOptions {
  clock: Clock;
  queue: QueueStore;
  logger: Logger;
  /** Messages being processed at once, not counting parked ones (waiting in memory for their destination). */
  maxInFlight: number;
  /** Parked messages over every destination; beyond this nothing more is leased. */
  maxParked: number;
  /**
   * Lease at least this many at once (when that many slots are free, or nothing is in flight): one lease
   * query per batch instead of one per completed message.
   */
  leaseBatch: number;
  leaseMs: number;
  /** Domains not to lease for now (their destination is busy); re-read at every plan. */
  excludedDomains(): readonly string[];
  /** Handles one leased message; must settle (it is awaited by `stop`). */
  process(item: LeasedItem): Promise<void>;
  /**
   * How often a sleeping scheduler looks for another process's writes (messages queued by `relaydeck deliver`
   * next to a running console, leases given back): `FOREIGN_WRITES_CHECK_MS` by default; null: never (a
   * store no other process writes).
   */
  foreignWritesCheckMs?: number | null;
}

export interface Scheduler {
  start(): void;
  wake(): void;
  /** Stops taking work; resolves when every message in flight has been processed. */
  stop(): Promise<void>;
  inFlight(): number;
  /** A message starts (+1) or stops (-1) waiting in memory: it does not hold an in-flight slot meanwhile. */
  parked(delta: 1 | -1): void;
  /**
   * Messages leased outside `plan` (they join another message's transaction) are in flight until `done`
   * settles: their leases are renewed and `stop` waits for them.
   */
  adopt(logIds: readonly number[], done: Promise<void>): void;
}

/**
 * Nothing in this process is told when another process on the data dir queues messages: a sleeping scheduler
 * asks the store this often whether another connection wrote (one PRAGMA), and plans again when one did.
 */
export const FOREIGN_WRITES_CHECK_MS = 1_000;

/** A lease the store refused (its write lock held by another process beyond the busy timeout) is retried after. */
const STORE_RETRY_MS = 1_000;

export function createScheduler(o: SchedulerOptions): Scheduler {
  const inFlight = new Map<number, Promise<void>>();
  let running = false;
  let planning = false;
  let replan = false;
  /** The one timer: `due` is when something becomes due here; it fires sooner to look for foreign writes. */
  let timer: { due: number | null; cancel: () => void } | null = null;
  const foreignCheckMs =
    o.foreignWritesCheckMs === undefined ? FOREIGN_WRITES_CHECK_MS : o.foreignWritesCheckMs;
  let cancelRenewal: (() => void) | null = null;
  let parked = 0;
  /**
   * The exclusion list of the last lease that came back short: nothing more is free under it, so completions
   * and parked messages do not lease again (a saturated destination of 1,000 domains would otherwise cost one
   * fruitless scan per finished message). A new exclusion list, `wake()` (something was queued, given back or
   * written) or the timer (something came due) lease again.
   */
  let exhausted: readonly string[] | null = null;

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
    const capacity = Math.min(o.maxInFlight - active(), o.maxParked - parked);
    // Too few free slots for a batch while others are busy: the next completions re-plan.
    if (capacity < Math.min(o.leaseBatch, o.maxInFlight) && inFlight.size > 0) {
      arm(null);
      return;
    }
    if (capacity <= 0) {
      arm(null);
      return;
    }
    const excluded = o.excludedDomains();
    if (excluded === exhausted) {
      // Messages given back meanwhile (throttle waits, suspensions) may have moved the next due time.
      arm(o.queue.nextWakeAt(now));
      return;
    }
    let items: LeasedItem[];
    try {
      items = o.queue.lease(now, capacity, now + o.leaseMs, excluded);
    } catch (err) {
      // The store refused the write (another process held its lock beyond the busy timeout): nothing was
      // leased; try again a moment later instead of failing whoever planned (a timer, a completion).
      o.logger.error('leasing from the queue failed; trying again', { err, retryMs: STORE_RETRY_MS });
      arm(now + STORE_RETRY_MS);
      return;
    }
    exhausted = items.length < capacity ? excluded : null;
    for (const item of items) {
      // Leases exclude the messages we hold, except one whose lease ran out before its renewal or one given back
      // due now while its processing settles: it is not launched twice, and it is made free again (as before
      // this lease; the renewal extends the lease of a message still in flight), to be leased once it settles.
      if (inFlight.has(item.logId)) {
        o.queue.release(item.logId, item.dueAt);
        exhausted = null;
      } else launch(item);
    }
    // Full (or a full batch taken, so more may be due): the next completion re-plans. Otherwise sleep until
    // the next due time.
    arm(items.length >= capacity ? null : o.queue.nextWakeAt(now));
  }

  function active(): number {
    return inFlight.size - parked;
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

  /**
   * Sleeps until `at` (null: until woken), looking for another process's writes every `foreignCheckMs`
   * meanwhile. One timer at a time: a timer armed for the same due time is kept (it fires no later than a
   * check interval from now anyway).
   */
  function arm(at: number | null): void {
    if (timer && timer.due === at) return;
    timer?.cancel();
    timer = null;
    armTimer(at);
  }

  function armTimer(due: number | null): void {
    const check = foreignCheckMs === null ? null : o.clock.now() + foreignCheckMs;
    const at = due === null ? check : check === null ? due : Math.min(due, check);
    if (at === null) return;
    timer = { due, cancel: o.clock.at(at, () => onTimer(due)) };
  }

  function onTimer(due: number | null): void {
    timer = null;
    if (!running) return;
    if ((due !== null && o.clock.now() >= due) || o.queue.changedElsewhere()) wake();
    else armTimer(due);
  }

  function wake(): void {
    exhausted = null;
    plan();
  }

  /** While messages are in flight (also during `stop`), their leases are extended every third of a lease. */
  function armRenewal(): void {
    if (cancelRenewal || inFlight.size === 0) return;
    cancelRenewal = o.clock.at(o.clock.now() + Math.max(1, Math.floor(o.leaseMs / 3)), () => {
      cancelRenewal = null;
      if (inFlight.size === 0) return;
      try {
        o.queue.renew([...inFlight.keys()], o.clock.now() + o.leaseMs);
      } catch (err) {
        // Tried again at the next renewal, a third of a lease later: the leases still have two thirds to run.
        o.logger.error('renewing the leases of messages in flight failed', { err, messages: inFlight.size });
      }
      armRenewal();
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      wake();
    },
    wake,
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
    adopt(logIds, done) {
      for (const id of logIds) inFlight.set(id, done);
      armRenewal();
      void done.finally(() => {
        for (const id of logIds) inFlight.delete(id);
        if (inFlight.size === 0) {
          cancelRenewal?.();
          cancelRenewal = null;
        }
        plan();
      });
    },
    parked(delta) {
      parked += delta;
      // A message starting to wait frees its slot: more work may be taken.
      if (delta === 1) plan();
    },
  };
}
