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

/**
 * The simulator's clock: time moves only from one timer to the next (discrete-event simulation), driven by
 * `src/main/simulate/driver.ts`, which lets every consequence of an event settle before it fires the next.
 * Timers due at the same time fire in the order they were set. A binary heap keeps setting and firing a timer
 * O(log n) among the thousands a simulated campaign holds at once.
 */
export class VirtualClock implements Clock {
  private current: number;
  private heap: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;
  /** Timers set so far (a measure of activity: the driver sees that something happened). */
  scheduled = 0;
  /** Timers fired so far. */
  fired = 0;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): () => void {
    const timer = { at: Math.max(at, this.current), seq: this.seq++, fn, live: true };
    this.push(timer);
    this.scheduled++;
    return () => {
      timer.live = false;
    };
  }

  /** The time of the next live timer, or null when none is set. */
  nextAt(): number | null {
    this.dropCancelled();
    return this.heap[0]?.at ?? null;
  }

  /**
   * Moves time to the next live timer and fires every timer due then (those set while firing included, when
   * due at that same time). Returns the number fired (0: no timer left).
   */
  fireNext(): number {
    const next = this.nextAt();
    if (next === null) return 0;
    this.current = next;
    let n = 0;
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (!top || top.at > next) break;
      this.pop();
      top.live = false;
      n++;
      this.fired++;
      top.fn();
    }
    return n;
  }

  /** Moves time to `at` without firing anything (no timer may be due before it). */
  jumpTo(at: number): void {
    const next = this.nextAt();
    if (next !== null && next < at) throw new Error('VirtualClock.jumpTo: a timer is due before the target');
    this.current = Math.max(this.current, at);
  }

  pendingTimers(): number {
    return this.heap.filter((t) => t.live).length;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.heap[0]!.live) this.pop();
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: { at: number; seq: number; fn: () => void; live: boolean }): void {
    const h = this.heap;
    h.push(timer);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(l, m)) m = l;
      if (r < h.length && this.less(r, m)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
