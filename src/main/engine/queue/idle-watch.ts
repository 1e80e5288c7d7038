/**
 * "Tell me when nothing is queued any more" (`engine.whenIdle`, used by `deliver --wait` and `run
 * --until-idle`). The engine checks after each of its own outcome writes; another process on the data dir may
 * empty the queue too (its writes call nothing here), so while someone waits the queue is also read again every
 * `recheckMs` of the clock. No timer runs while nobody waits.
 */
import type { Clock } from '../../clock';

export interface IdleWatch {
  /** Resolves when the queue is empty (at once when it already is). */
  wait(): Promise<void>;
  /** Something changed here: resolve the waiters if the queue is empty now. */
  check(): void;
  /** Stops re-reading (the waiters stay pending). */
  close(): void;
}

export function createIdleWatch(o: { clock: Clock; queued: () => number; recheckMs: number }): IdleWatch {
  const waiters: (() => void)[] = [];
  let cancelRecheck: (() => void) | null = null;

  function check(): void {
    if (waiters.length === 0 || o.queued() > 0) return;
    cancelRecheck?.();
    cancelRecheck = null;
    for (const resolve of waiters.splice(0)) resolve();
  }

  function armRecheck(): void {
    if (cancelRecheck || waiters.length === 0) return;
    cancelRecheck = o.clock.at(o.clock.now() + o.recheckMs, () => {
      cancelRecheck = null;
      check();
      armRecheck();
    });
  }

  return {
    wait() {
      if (o.queued() === 0) return Promise.resolve();
      const idle = new Promise<void>((resolve) => waiters.push(resolve));
      armRecheck();
      return idle;
    },
    check,
    close() {
      cancelRecheck?.();
      cancelRecheck = null;
    },
  };
}
