/**
 * The sandbox's hidden limits (SPEC §8, issue 12 item 5) against a real SMTP client on loopback: a raw socket
 * speaking plain SMTP, so each reply (greeting included) is seen as the receiver sent it. Timing on a
 * ManualClock; the per-profile listeners and the sandbox route that resolves a domain to its profile's one.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { createRouter } from '../../src/main/engine/relay/routing';
import type { MxResolver } from '../../src/main/engine/relay/mx';
import { startSandbox, type Sandbox } from '../../src/main/engine/sandbox';
import {
  LIMIT_REPLIES,
  SANDBOX_PROFILES,
  THROTTLED_PROFILE,
  sandboxProfile,
  type HiddenLimits,
  type SandboxProfile,
} from '../../src/main/engine/sandbox/profiles';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Reply {
  code: number;
  text: string;
}

/** A minimal SMTP client on a raw socket: one reply per call, in order; `closed` once the server ends it. */
class RawSmtp {
  private buffer = '';
  private readonly replies: Reply[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const m = /^(\d{3})([ -])(.*)\r\n/m.exec(this.buffer);
        if (!m || m.index !== 0) break;
        this.buffer = this.buffer.slice(m[0].length);
        if (m[2] === ' ') this.replies.push({ code: Number(m[1]), text: m[3] ?? '' });
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawSmtp> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawSmtp(socket);
    cleanups.push(() => client.end());
    return client;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** The next reply; rejects when the connection closes first. */
  async reply(): Promise<Reply> {
    for (let i = 0; i < 1000; i++) {
      const next = this.replies.shift();
      if (next) return next;
      if (this.closed) throw new Error('connection closed without a reply');
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    throw new Error('no reply');
  }

  async command(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** Resolves once the server has closed the connection. */
  async whenClosed(): Promise<void> {
    for (let i = 0; i < 1000 && !this.closed; i++) await new Promise<void>((r) => (this.waiter = r));
    if (!this.closed) throw new Error('still open');
  }

  /** One message with one recipient: the replies to MAIL, RCPT, DATA and the end of data. */
  async message(to: string): Promise<number[]> {
    const mail = await this.command('MAIL FROM:<news@sender.test>');
    if (mail.code !== 250) return [mail.code];
    const rcpt = await this.command(`RCPT TO:<${to}>`);
    if (rcpt.code !== 250) return [mail.code, rcpt.code];
    const data = await this.command('DATA');
    const end = await this.command(`Subject: hi\r\n\r\nHello\r\n.`);
    return [mail.code, rcpt.code, data.code, end.code];
  }

  end(): void {
    this.socket.destroy();
  }
}

function limited(limits: HiddenLimits, domain = 'limited.test'): SandboxProfile {
  return sandboxProfile({ id: 'limited', name: `limited ${domain}`, domains: [domain], limits });
}

async function sandboxWith(profiles: readonly SandboxProfile[], clock = new ManualClock()): Promise<Sandbox> {
  const sandbox = await startSandbox({ clock, profiles });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

/** A session past its greeting and EHLO. */
async function session(port: number): Promise<RawSmtp> {
  const c = await RawSmtp.connect(port);
  expect((await c.reply()).code).toBe(220);
  expect((await c.command('EHLO client.test')).code).toBe(250);
  return c;
}

describe('maxConnections', () => {
  it('refuses the 4th concurrent connection at the greeting with the configured 421, then closes it', async () => {
    const sandbox = await sandboxWith([
      limited({ maxConnections: { max: 3, reply: LIMIT_REPLIES.microsoftTooManyConnections } }),
    ]);
    const open = [await session(sandbox.port), await session(sandbox.port), await session(sandbox.port)];
    const fourth = await RawSmtp.connect(sandbox.port);
    expect(await fourth.reply()).toEqual({
      code: 421,
      text: '4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel',
    });
    await fourth.whenClosed();
    // Once one session ends, a new connection is greeted again.
    expect(sandbox.stats()[0]).toMatchObject({ openConnections: 3, peakConnections: 3 });
    expect((await open[0]!.command('QUIT')).code).toBe(221);
    await expect.poll(() => sandbox.stats()[0]?.openConnections).toBe(2);
    expect((await (await RawSmtp.connect(sandbox.port)).reply()).code).toBe(220);
    const [stats] = sandbox.stats();
    expect(stats).toMatchObject({ connectionsRefused: 1, connectionsAccepted: 4, peakConnections: 3 });
    expect(stats?.events).toEqual([expect.objectContaining({ kind: 'connection_refused', code: 421 })]);
  });

  it('fills <host> and <ip> in the Postfix text', async () => {
    const sandbox = await sandboxWith([
      limited({ maxConnections: { max: 1, reply: LIMIT_REPLIES.postfixTooManyConnections } }),
    ]);
    await session(sandbox.port);
    const second = await RawSmtp.connect(sandbox.port);
    expect(await second.reply()).toEqual({
      code: 421,
      text: '4.7.0 sandbox.relaydeck.test Error: too many connections from 127.0.0.1',
    });
  });
});

describe('messagesPerConnection', () => {
  it('answers the MAIL after N messages with the 421 and closes the session', async () => {
    const sandbox = await sandboxWith([
      limited({ messagesPerConnection: { max: 2, reply: LIMIT_REPLIES.eximTooManyMessages } }),
    ]);
    const c = await session(sandbox.port);
    expect(await c.message('a@limited.test')).toEqual([250, 250, 354, 250]);
    expect(await c.message('b@limited.test')).toEqual([250, 250, 354, 250]);
    expect(await c.command('MAIL FROM:<news@sender.test>')).toEqual({
      code: 421,
      text: 'sandbox.relaydeck.test too many messages in this connection',
    });
    await c.whenClosed();
    // A new session starts again from zero.
    const next = await session(sandbox.port);
    expect(await next.message('c@limited.test')).toEqual([250, 250, 354, 250]);
    expect(sandbox.received()).toHaveLength(3);
    expect(sandbox.stats()[0]).toMatchObject({ mailDeferred: 1, messagesAccepted: 3 });
  });

  it('keeps the session open when the reply is a 4xx other than 421', async () => {
    const sandbox = await sandboxWith([
      limited({ messagesPerConnection: { max: 1, reply: LIMIT_REPLIES.postfixTooMuchMail } }),
    ]);
    const c = await session(sandbox.port);
    expect(await c.message('a@limited.test')).toEqual([250, 250, 354, 250]);
    expect(await c.command('MAIL FROM:<news@sender.test>')).toEqual({
      code: 450,
      text: '4.7.1 Error: too much mail from 127.0.0.1',
    });
    expect((await c.command('NOOP')).code).toBe(250);
    expect(c.closed).toBe(false);
  });
});

describe('recipientsPerSecond', () => {
  it('spends one token per accepted RCPT, one second of capacity, refilled on the clock', async () => {
    const clock = new ManualClock();
    const sandbox = await sandboxWith(
      [
        limited({
          recipientsPerSecond: { rate: 5, at: 'rcpt', reply: LIMIT_REPLIES.postfixTooManyRecipients },
        }),
      ],
      clock,
    );
    const c = await session(sandbox.port);
    expect((await c.command('MAIL FROM:<news@sender.test>')).code).toBe(250);
    const rcpts = async (n: number) => {
      const codes: number[] = [];
      for (let i = 0; i < n; i++) codes.push((await c.command(`RCPT TO:<u${i}@limited.test>`)).code);
      return codes;
    };
    expect(await rcpts(6)).toEqual([250, 250, 250, 250, 250, 450]);
    expect(await c.command('RCPT TO:<late@limited.test>')).toEqual({
      code: 450,
      text: '4.7.1 Error: too many recipients from 127.0.0.1',
    });
    clock.advance(200); // one token
    expect(await rcpts(2)).toEqual([250, 450]);
    clock.advance(10_000); // capped at one second's worth
    expect(await rcpts(6)).toEqual([250, 250, 250, 250, 250, 450]);
    expect(sandbox.stats()[0]).toMatchObject({ rcptDeferred: 4, mailDeferred: 0 });
  });

  it('checks the bucket at MAIL when the profile says so', async () => {
    const clock = new ManualClock();
    const sandbox = await sandboxWith(
      [limited({ recipientsPerSecond: { rate: 2, at: 'mail', reply: LIMIT_REPLIES.microsoftServerBusy } })],
      clock,
    );
    const c = await session(sandbox.port);
    expect(await c.message('a@limited.test')).toEqual([250, 250, 354, 250]);
    expect(await c.message('b@limited.test')).toEqual([250, 250, 354, 250]);
    expect(await c.command('MAIL FROM:<news@sender.test>')).toEqual({
      code: 451,
      text: '4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77714)',
    });
    clock.advance(500);
    expect(await c.message('c@limited.test')).toEqual([250, 250, 354, 250]);
    expect(sandbox.stats()[0]).toMatchObject({ mailDeferred: 1, rcptDeferred: 0, messagesAccepted: 3 });
  });
});

describe('penaltyBox', () => {
  const box = (durationMs: number): HiddenLimits => ({
    maxConnections: { max: 1, reply: LIMIT_REPLIES.postfixTooManyConnections },
    penaltyBox: {
      violations: 3,
      windowMs: 10_000,
      durationMs,
      greeting: LIMIT_REPLIES.yahooTss04,
      command: LIMIT_REPLIES.microsoftServerBusy,
    },
  });
  const yahoo =
    '4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes';

  async function violate(port: number, times: number): Promise<number[]> {
    const codes: number[] = [];
    for (let i = 0; i < times; i++) {
      const c = await RawSmtp.connect(port);
      codes.push((await c.reply()).code);
      await c.whenClosed();
    }
    return codes;
  }

  it('boxes the sender after K violations: greeting and commands refused, then released after the duration', async () => {
    const clock = new ManualClock();
    const sandbox = await sandboxWith([limited(box(60_000))], clock);
    const open = await session(sandbox.port);
    expect(await violate(sandbox.port, 2)).toEqual([421, 421]);
    // Two violations: not boxed yet, the open session still delivers.
    expect(await open.message('a@limited.test')).toEqual([250, 250, 354, 250]);
    clock.advance(1_000);
    expect(await violate(sandbox.port, 1)).toEqual([421]); // the third: boxed
    expect(await open.command('MAIL FROM:<news@sender.test>')).toEqual({
      code: 451,
      text: '4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77714)',
    });
    expect((await open.command('QUIT')).code).toBe(221);
    await expect.poll(() => sandbox.stats()[0]?.openConnections).toBe(0);
    const boxed = await RawSmtp.connect(sandbox.port);
    expect(await boxed.reply()).toEqual({ code: 421, text: yahoo });
    await boxed.whenClosed();

    clock.advance(59_999); // boxed at +1 s for 60 s: 1 ms short of the end of the stay
    expect(await violate(sandbox.port, 1)).toEqual([421]);
    clock.advance(1);
    const released = await session(sandbox.port);
    expect(await released.message('b@limited.test')).toEqual([250, 250, 354, 250]);
    const stats = sandbox.stats()[0]!;
    expect(stats).toMatchObject({ connectionsRefused: 3, penaltyRefusals: 3, penaltyBoxed: 1 });
    expect(stats.events.map((e) => e.kind)).toEqual([
      'connection_refused',
      'connection_refused',
      'connection_refused',
      'penalty_boxed',
      'penalty_command',
      'penalty_greeting',
      'penalty_greeting',
    ]);
  });

  it('extends the stay when the sender keeps knocking while boxed', async () => {
    const clock = new ManualClock();
    const sandbox = await sandboxWith([limited(box(60_000))], clock);
    await session(sandbox.port);
    expect(await violate(sandbox.port, 3)).toEqual([421, 421, 421]); // boxed at t0 until t0 + 60 s
    clock.advance(30_000);
    expect(await violate(sandbox.port, 3)).toEqual([421, 421, 421]); // three more: until t0 + 90 s
    clock.advance(31_000); // t0 + 61 s: the first stay would have ended
    const still = await RawSmtp.connect(sandbox.port);
    expect(await still.reply()).toEqual({ code: 421, text: yahoo });
    expect(sandbox.stats()[0]).toMatchObject({ penaltyBoxed: 2 });
  });
});

describe('one listener per profile', () => {
  it('starts a listener per shipped profile, each serving its own domains, and routes a domain to its own', async () => {
    const sandbox = await sandboxWith(SANDBOX_PROFILES);
    expect(sandbox.listeners.map((l) => [l.profile, l.domains])).toEqual(
      SANDBOX_PROFILES.map((p) => [p.name, p.domains]),
    );
    expect(sandbox.listeners.slice(0, 2).map((l) => [l.profile, l.domains])).toEqual([
      ['Demo receivers (Postfix)', ['inbox.test', 'mail.test', 'corp.test', 'shop.test']],
      ['Hidden limits (penalty box)', ['throttled.test']],
    ]);
    const [demo, throttled] = sandbox.listeners;
    expect(demo?.port).toBe(sandbox.port);
    expect(throttled?.port).not.toBe(demo?.port);
    expect(sandbox.addressFor('throttled.test')).toEqual({ host: '127.0.0.1', port: throttled?.port });
    expect(sandbox.addressFor('Inbox.TEST')).toEqual({ host: '127.0.0.1', port: demo?.port });
    // A domain no profile serves goes to the demo listener, which refuses it.
    expect(sandbox.addressFor('nowhere.example')).toEqual({ host: '127.0.0.1', port: demo?.port });

    // Each listener serves its own profile's domains only.
    const atDemo = await session(demo!.port);
    expect(await atDemo.message('someone@throttled.test')).toEqual([250, 550]);
    const atThrottled = await session(throttled!.port);
    expect(await atThrottled.message('someone@throttled.test')).toEqual([250, 250, 354, 250]);
    expect(sandbox.received()).toEqual([expect.objectContaining({ profile: THROTTLED_PROFILE.name })]);

    // The sandbox route resolves each domain to its profile's listener: one destination per profile.
    const mx: MxResolver = { resolve: () => Promise.reject(new Error('no MX lookup expected')) };
    const router = createRouter({
      mx,
      defaultRoute: () => ({ kind: 'sandbox' }),
      sandboxAddress: (domain) => sandbox.addressFor(domain),
    });
    const keyOf = async (domain: string) => {
      const r = await router.resolve(domain, { routes: [], smarthost: null });
      return r.ok ? r.destination.key : null;
    };
    expect(await keyOf('throttled.test')).toBe(`smtp:127.0.0.1:${throttled?.port}`);
    expect(await keyOf('inbox.test')).toBe(`smtp:127.0.0.1:${demo?.port}`);
  });

  it('ships a hidden-limits profile with real receivers’ texts', () => {
    expect(THROTTLED_PROFILE.domains).toEqual(['throttled.test']);
    expect(THROTTLED_PROFILE.limits).toMatchObject({
      maxConnections: { max: 3 },
      messagesPerConnection: { max: 20 },
      recipientsPerSecond: { rate: 20 },
      penaltyBox: { violations: 10 },
    });
  });
});

describe('provider profiles over SMTP', () => {
  it('gives a dead domain a closed port, refuses MAIL without STARTTLS where TLS is required, answers with the provider’s texts', async () => {
    const byId = (id: string) => SANDBOX_PROFILES.find((p) => p.id === id)!;
    const sandbox = await sandboxWith([byId('demo'), byId('corporate'), byId('dead-domain'), byId('gmail')]);
    const dead = sandbox.addressFor('dead.test');
    await expect(RawSmtp.connect(dead.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const corporate = await session(sandbox.addressFor('corporate.test').port);
    expect(await corporate.command('MAIL FROM:<news@sender.test>')).toEqual({
      code: 530,
      text: '5.7.0 Must issue a STARTTLS command first',
    });

    const gmail = await session(sandbox.addressFor('gmail.test').port);
    expect(await gmail.message('unknown.someone@gmail.test')).toEqual([250, 550]);
    expect(sandbox.addressFor('googlemail.test')).toEqual(sandbox.addressFor('gmail.test'));
  });
});
