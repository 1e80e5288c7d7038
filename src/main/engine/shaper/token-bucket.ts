/**
 * Hourly limits smoothed over 12 periods of 5 minutes (SPEC §6), as a token bucket: capacity = one period's
 * share (rate / 12), refilled continuously at rate / hour. Chosen over a sliding window of 12 counters because
 * it needs O(1) state, answers "when is the next slot" exactly (so a message can be put back in the queue with
 * the right due time), and spreads sends evenly inside a period instead of letting a period's share go out in
 * one burst at its start. Under a sustained backlog the bucket stays near empty, so each 5-minute period
 * carries at most its share plus one message; after an idle spell at most one period's share goes at once.
 * Pure: time is passed in.
 */

export const SMOOTHING_PERIODS = 12;
export const HOUR_MS = 3_600_000;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private ratePerHour: number;
  private burstMs: number;

  /**
   * Starts with one token, so the first message of a new destination goes at once. `burstMs`: the capacity as
   * a time at the rate; by default one smoothing period (an hourly limit of a rule); a learnt rate, about a
   * receiver whose tolerance for bursts is unknown, uses one second.
   */
  constructor(ratePerHour: number, now: number, burstMs = HOUR_MS / SMOOTHING_PERIODS) {
    this.ratePerHour = ratePerHour;
    this.burstMs = burstMs;
    this.tokens = Math.min(1, this.capacity());
    this.updatedAt = now;
  }

  get rate(): number {
    return this.ratePerHour;
  }

  capacity(): number {
    return Math.max(1, (this.ratePerHour * this.burstMs) / HOUR_MS);
  }

  /** Changes the rate (and burst); tokens already earned are kept (within the new capacity). */
  setRate(ratePerHour: number, now: number, burstMs = this.burstMs): void {
    this.refill(now);
    this.ratePerHour = ratePerHour;
    this.burstMs = burstMs;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** No token left: the next reservation waits one interval (the receiver just refused the pace). */
  empty(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Drops the tokens earned while idle (after a suspension the destination starts again with one). */
  restart(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 1);
  }

  /**
   * Reserves the next token: returns 0 when it is available now, otherwise how long until it is earned (ms).
   * The reservation holds (the bucket goes into debt), so successive callers get successive slots;
   * `giveBack` returns a reservation that was not used.
   */
  reserve(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.max(1, Math.ceil((-this.tokens * HOUR_MS) / this.ratePerHour));
  }

  giveBack(): void {
    this.tokens = Math.min(this.capacity(), this.tokens + 1);
  }

  /** Milliseconds between two sends at the current rate. */
  intervalMs(): number {
    return HOUR_MS / this.ratePerHour;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(
        this.capacity(),
        this.tokens + ((now - this.updatedAt) * this.ratePerHour) / HOUR_MS,
      );
      this.updatedAt = now;
    }
  }
}
