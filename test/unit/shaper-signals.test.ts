import { describe, expect, it } from 'vitest';
import { limitSignal } from '../../src/main/engine/shaper/signals';
import type { SmtpOutcome, SmtpStage } from '../../src/main/engine/types';

/** A receiver's reply at a stage, on a session that had completed `completed` transactions. */
function reply(
  stage: SmtpStage,
  code: number | null,
  text: string,
  o: { enhanced?: string | null; completed?: number; concurrent?: number } = {},
): SmtpOutcome {
  const enhanced = o.enhanced ?? /^(\d\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? null;
  return {
    kind: code !== null && code < 300 ? 'accepted' : code !== null && code >= 500 ? 'failed' : 'deferred',
    code,
    enhanced,
    text,
    command: null,
    stage,
    session: { completed: o.completed ?? 0, concurrent: o.concurrent ?? 0 },
    mxHost: 'mx.example.net',
    ip: '127.0.0.1',
    tls: false,
    durationMs: 5,
  };
}

describe('limit signals: each reply names the limit it is about (real receivers’ texts)', () => {
  it('a session refused at the greeting while others are open: the connection limit', () => {
    // Postfix anvil, Microsoft, a generic "too many connections", a refused TCP connection.
    for (const [code, text] of [
      [421, '4.7.0 mx.example.net Error: too many connections from 127.0.0.1'],
      [
        421,
        '4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel',
      ],
      [421, 'Too many concurrent SMTP connections; please try again later'],
      [null, 'connection refused (127.0.0.1)'],
      [554, '5.7.0 Too many connections'],
    ] as const) {
      expect(limitSignal(reply('greeting', code, text, { concurrent: 3 }), 0)).toEqual({
        kind: 'connections',
        concurrent: 3,
      });
    }
  });

  it('the same refusal with no other session open: blocked (a penalty box), nothing to lower', () => {
    expect(
      limitSignal(reply('greeting', 421, '4.7.0 Error: too many connections from 127.0.0.1'), 0),
    ).toEqual({
      kind: 'blocked',
    });
    // A TCP refusal with nothing open is a host down: the retry schedule applies.
    expect(limitSignal(reply('connect', null, 'connection refused (127.0.0.1)'), 0)).toBeNull();
    // Without session facts (an outcome made elsewhere), the destination's open sessions are used.
    const bare = { ...reply('greeting', 421, '4.7.0 too many connections'), session: null };
    expect(limitSignal(bare, 2)).toEqual({ kind: 'connections', concurrent: 2 });
  });

  it('a banner deferring us for our volume is about the rate (blocked when nothing else is open)', () => {
    const tss04 =
      '4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes';
    expect(limitSignal(reply('greeting', 421, tss04, { concurrent: 2 }), 0)).toEqual({ kind: 'rate' });
    expect(limitSignal(reply('greeting', 421, tss04), 0)).toEqual({ kind: 'blocked' });
  });

  it('a 5xx banner that is not about connections is a refusal of the sender, not a limit', () => {
    expect(
      limitSignal(
        reply(
          'greeting',
          554,
          '5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org',
          { concurrent: 2 },
        ),
        0,
      ),
    ).toBeNull();
  });

  it('a timeout is a slow host, not a limit', () => {
    expect(
      limitSignal(
        reply('greeting', null, 'connection timed out: Greeting never received', { concurrent: 2 }),
        0,
      ),
    ).toBeNull();
  });

  it('a 421 or a cut after N messages on a session: messages per connection', () => {
    expect(
      limitSignal(
        reply('mail', 421, '4.7.0 mx.example.net too many messages in this connection', { completed: 50 }),
        0,
      ),
    ).toEqual({
      kind: 'session',
      completed: 50,
    });
    expect(
      limitSignal(
        reply('mail', 421, '4.3.2 Service not available, closing transmission channel', { completed: 20 }),
        0,
      ),
    ).toEqual({
      kind: 'session',
      completed: 20,
    });
    expect(
      limitSignal(reply('mail', 452, '4.3.2 Too many messages per connection', { completed: 10 }), 0),
    ).toEqual({
      kind: 'session',
      completed: 10,
    });
    expect(
      limitSignal(
        reply('mail', null, 'connection dropped by the server: Connection closed', { completed: 7 }),
        0,
      ),
    ).toEqual({
      kind: 'session',
      completed: 7,
    });
    // The same 421 on a session's first transaction is not about its message budget.
    expect(
      limitSignal(reply('mail', 421, '4.3.2 Service not available, closing transmission channel'), 0),
    ).toEqual({
      kind: 'rate',
    });
  });

  it('rate and volume replies: the rate, whatever the session had done', () => {
    for (const [stage, code, text] of [
      [
        'rcpt',
        421,
        '4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
      ],
      [
        'mail',
        421,
        '4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address.',
      ],
      ['rcpt', 451, '4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77714)'],
      ['mail', 421, 'mx.comcast.net comcast 127.0.0.1 Comcast block for spam. RL000001 rate limited'],
      ['rcpt', 450, '4.7.1 <a@example.net>: Recipient address rejected: rate limit exceeded'],
      ['mail', 451, '4.7.1 Please try again later'],
      ['rcpt', 450, '4.7.1 Error: too many recipients from 127.0.0.1'],
      ['mail', 450, '4.7.1 Error: too much mail from 127.0.0.1'],
      [
        'rcpt',
        450,
        '4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.',
      ],
    ] as const) {
      expect(limitSignal(reply(stage, code, text, { completed: 30 }), 0), text).toEqual({ kind: 'rate' });
    }
  });

  it('greylisting, full mailboxes, a passing trouble after the data and 5xx are not signals', () => {
    expect(
      limitSignal(
        reply('rcpt', 451, '4.7.1 <a@b>: Recipient address rejected: Greylisted, please try again later'),
        0,
      ),
    ).toBeNull();
    expect(limitSignal(reply('rcpt', 452, '4.2.2 Mailbox full, try again later'), 0)).toBeNull();
    expect(limitSignal(reply('rcpt', 452, '4.5.3 Error: too many recipients'), 0)).toBeNull();
    expect(
      limitSignal(reply('data-end', 451, '4.3.0 Error: queue file write error, try again later'), 0),
    ).toBeNull();
    expect(limitSignal(reply('mail', 554, '5.7.1 too many complaints'), 0)).toBeNull();
    expect(limitSignal(reply('data-end', 250, '2.0.0 Ok: queued'), 0)).toBeNull();
  });
});
