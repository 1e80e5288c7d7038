import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { decideOutcome, expiredOutcome } from '../../src/main/engine/pipeline/decide';
import type { SmtpOutcome } from '../../src/main/engine/types';

const MINUTE = 60_000;

function reply(kind: SmtpOutcome['kind'], code: number, enhanced: string, text: string): SmtpOutcome {
  return {
    kind,
    code,
    enhanced,
    text,
    command: 'RCPT',
    mxHost: 'mx.test',
    ip: '127.0.0.1',
    tls: false,
    durationMs: 5,
  };
}

describe('pipeline: classifier -> retry policy -> the ledger outcome, on a fake clock', () => {
  const item = { logId: 7, deliveryId: 3, attempts: 0, expiresAt: Date.UTC(2026, 0, 5) };

  it('a greylisting soft bounce is retried at the retry policy time (5 minutes of the clock, time scale applied)', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const deps = { clock, random: () => 0.5 };
    const soft = reply('deferred', 451, '4.7.1', 'Greylisted, try again later');
    const o = decideOutcome(deps, {
      item,
      timeScale: 1,
      outcome: soft,
      destination: 'mx:mx.test',
      dkimDomain: null,
      bounceQueue: false,
    });
    expect(o.disposition).toMatchObject({ kind: 'retry', dueAt: clock.now() + 5 * MINUTE });
    expect(o.classification).toMatchObject({ type: 'soft' });
    expect(o.at).toBe(clock.now());

    clock.advance(MINUTE);
    const scaled = decideOutcome(deps, {
      item,
      timeScale: 10,
      outcome: soft,
      destination: null,
      dkimDomain: null,
      bounceQueue: false,
    });
    expect(scaled.disposition).toMatchObject({ kind: 'retry', dueAt: clock.now() + (5 * MINUTE) / 10 });
  });

  it('a 5xx goes to the ledger as a final failure with its qualification', () => {
    const clock = new ManualClock();
    const sink: unknown[] = [];
    const hard = reply('failed', 550, '5.1.1', 'User unknown');
    sink.push(
      decideOutcome(
        { clock, random: () => 0 },
        {
          item,
          timeScale: 1,
          outcome: hard,
          destination: 'mx:mx.test',
          dkimDomain: 'sender.test',
          bounceQueue: false,
        },
      ),
    );
    expect(sink).toEqual([
      expect.objectContaining({
        logId: 7,
        deliveryId: 3,
        attempt: hard,
        disposition: { kind: 'bounced' },
        classification: expect.objectContaining({ reason: 'user_unknown', type: 'hard' }),
        destination: 'mx:mx.test',
        dkimDomain: 'sender.test',
      }),
    ]);
  });

  it('an accepted message is delivered, unqualified; a bounced queue fails what would be retried', () => {
    const clock = new ManualClock();
    const ok = decideOutcome(
      { clock, random: () => 0 },
      {
        item,
        timeScale: 1,
        outcome: reply('accepted', 250, '2.0.0', 'OK'),
        destination: null,
        dkimDomain: null,
        bounceQueue: false,
      },
    );
    expect(ok).toMatchObject({ disposition: { kind: 'delivered' }, classification: null });
    const bounced = decideOutcome(
      { clock, random: () => 0 },
      {
        item,
        timeScale: 1,
        outcome: reply('deferred', 421, '4.7.0', 'Too many connections'),
        destination: null,
        dkimDomain: null,
        bounceQueue: true,
      },
    );
    expect(bounced.disposition).toEqual({ kind: 'bounced' });
  });

  it('a retry due after the validity ends is due at its end; an expired item goes without an attempt', () => {
    const clock = new ManualClock(item.expiresAt - MINUTE);
    const late = decideOutcome(
      { clock, random: () => 0.5 },
      {
        item,
        timeScale: 1,
        outcome: reply('deferred', 451, '4.7.1', 'try again later'),
        destination: null,
        dkimDomain: null,
        bounceQueue: false,
      },
    );
    expect(late.disposition).toEqual({ kind: 'retry', dueAt: item.expiresAt, rule: 'validity' });
    expect(expiredOutcome(clock, item)).toMatchObject({
      attempt: null,
      disposition: { kind: 'expired' },
      at: clock.now(),
    });
  });
});
