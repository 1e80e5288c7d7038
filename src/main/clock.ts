/**
 * The main process's source of time (a leaf: the store, the engine and everything above take it injected).
 * Production uses the system clock; tests and the sandbox use a manual clock they advance explicitly, so
 * every retry, expiry and suspension path runs deterministically.
 */

export interface Clock {
  now(): number;
  /** Calls fn once at (or after) `at` epoch ms. Returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

// The system clock is the one place that reads real time and arms real timers for the engine (whose lint
// rules forbid Date.now and timers).
export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    // setTimeout's delay is a signed 32-bit int: wake early and re-arm for far-away times.
    const MAX_DELAY = 2 ** 31 - 1;
    let handle: ReturnType<typeof setTimeout>;
    const arm = () => {
      const delay = at - Date.now();
      if (delay > MAX_DELAY) handle = setTimeout(arm, MAX_DELAY);
      else handle = setTimeout(fn, Math.max(0, delay));
      handle.unref?.();
    };
    arm();
    return () => clearTimeout(handle);
  },
};

/** A clock that only moves when told to. `advance` fires due timers in time order. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): () => void {
    const timer = { at, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}
