import { describe, expect, it } from 'vitest';
import { backoffMs, decideDisposition, retryDelay, BACKOFF_MAX_MS } from '../../src/main/engine/retry/policy';

const MIN = 60_000;
const HOUR = 60 * MIN;
const half = () => 0.5; // no jitter

const reply = (code: number | null, enhanced: string | null, text: string) => ({ code, enhanced, text });

describe('retry policy', () => {
  it('retries greylisting after 5 minutes', () => {
    const r = retryDelay(
      reply(451, '4.7.1', '<a@b.test>: Recipient address rejected: Greylisted, please try again later'),
      1,
      1,
      half,
    );
    expect(r).toEqual({ delayMs: 5 * MIN, rule: 'greylisting' });
  });

  it('recognises greylisting by its text alone', () => {
    expect(retryDelay(reply(450, null, 'Greylisted for 300 seconds'), 3, 1, half).rule).toBe('greylisting');
  });

  it('retries a full mailbox after 4 hours, even when its text says "try again later"', () => {
    const r = retryDelay(reply(452, '4.2.2', '<a@b.test>: Mailbox full, try again later'), 1, 1, half);
    expect(r).toEqual({ delayMs: 4 * HOUR, rule: 'mailbox_full' });
  });

  it('backs off exponentially from 10 minutes for other deferrals and connection failures, capped at 4 hours', () => {
    expect(retryDelay(reply(null, null, 'connection refused'), 1, 1, half).delayMs).toBe(10 * MIN);
    expect(retryDelay(reply(421, '4.3.2', 'Service not available'), 2, 1, half).delayMs).toBe(20 * MIN);
    expect(retryDelay(reply(421, null, 'busy'), 3, 1, half).delayMs).toBe(40 * MIN);
    expect(retryDelay(reply(421, null, 'busy'), 6, 1, half).delayMs).toBe(4 * HOUR);
    expect(retryDelay(reply(421, null, 'busy'), 60, 1, half).delayMs).toBe(4 * HOUR);
  });

  it('applies ±20 % jitter from the injected random source, never above the cap', () => {
    expect(backoffMs(1, 0)).toBe(8 * MIN);
    expect(backoffMs(1, 0.999999)).toBeCloseTo(12 * MIN, -2);
    expect(backoffMs(6, 0.999)).toBe(BACKOFF_MAX_MS);
    expect(backoffMs(5, 0)).toBe(160 * MIN * 0.8);
  });

  it('divides every delay by the delivery time scale', () => {
    expect(retryDelay(reply(451, '4.7.1', 'greylisted'), 1, 60, half).delayMs).toBe(5_000);
    expect(retryDelay(reply(452, '4.2.2', 'Mailbox full'), 1, 3600, half).delayMs).toBe(4_000);
    expect(retryDelay(reply(null, null, 'timeout'), 1, 600, half).delayMs).toBe(1_000);
  });
});

describe('disposition and validity', () => {
  const base = { attempts: 1, now: 1_000_000, expiresAt: 1_000_000 + 3 * HOUR, timeScale: 1, random: half };

  it('maps accepted -> delivered and failed -> bounced', () => {
    expect(
      decideDisposition({ ...base, outcome: { kind: 'accepted', ...reply(250, '2.0.0', 'Ok') } }),
    ).toEqual({ kind: 'delivered' });
    expect(
      decideDisposition({ ...base, outcome: { kind: 'failed', ...reply(550, '5.1.1', 'User unknown') } }),
    ).toEqual({ kind: 'bounced' });
  });

  it('schedules a deferral at now + delay while that is within the validity', () => {
    const d = decideDisposition({
      ...base,
      outcome: { kind: 'deferred', ...reply(451, '4.7.1', 'greylisted') },
    });
    expect(d).toEqual({ kind: 'retry', dueAt: base.now + 5 * MIN, rule: 'greylisting' });
  });

  it('schedules the expiry check exactly at expires_at when the next attempt would fall after it', () => {
    const d = decideDisposition({
      ...base,
      outcome: { kind: 'deferred', ...reply(452, '4.2.2', 'Mailbox full') },
    });
    expect(d).toEqual({ kind: 'retry', dueAt: base.expiresAt, rule: 'validity' });
  });

  it('expires a deferral that happens at or after the end of the validity', () => {
    const d = decideDisposition({
      ...base,
      now: base.expiresAt,
      outcome: { kind: 'deferred', ...reply(451, '4.7.1', 'greylisted') },
    });
    expect(d).toEqual({ kind: 'expired' });
  });

  it('compresses time with the time scale (validity in queue rows is already scaled)', () => {
    const d = decideDisposition({
      ...base,
      timeScale: 1000,
      expiresAt: base.now + 60_000,
      outcome: { kind: 'deferred', ...reply(421, null, 'try later') },
    });
    expect(d).toEqual({ kind: 'retry', dueAt: base.now + 600, rule: 'backoff' });
  });
});
