/**
 * The simulator's building blocks: the virtual clock (event to event), the receiver's seeded fates and replies,
 * and the virtual network's sessions (timeouts, a 421 ending the session, a dead host), on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/main/clock';
import { DEFAULT_SANDBOX_PROFILES, LIMIT_REPLIES } from '../../src/main/defaults/sandbox-profiles';
import { fillReply, Receiver, seededDraw } from '../../src/main/engine/sandbox/receiver';
import { sandboxProfile } from '../../src/main/engine/sandbox/profiles';
import { drivenUntil, settle } from '../../src/main/simulate/run';
import { createVirtualNetwork, RTT_MS } from '../../src/main/simulate/virtual-network';
import type { SandboxProfile } from '../../src/shared/contract/simulation';

const profile = (id: string): SandboxProfile => DEFAULT_SANDBOX_PROFILES.profiles.find((p) => p.id === id)!;

describe('VirtualClock', () => {
  it('fires timers in time order, those of one instant in the order they were set, skipping cancelled ones', () => {
    const clock = new VirtualClock(1_000);
    const seen: string[] = [];
    clock.at(3_000, () => seen.push('c'));
    clock.at(2_000, () => seen.push('a'));
    const cancel = clock.at(2_500, () => seen.push('cancelled'));
    clock.at(2_000, () => {
      seen.push('b');
      // Set while firing, due at the same instant: fired in the same step.
      clock.at(2_000, () => seen.push('b2'));
    });
    cancel();
    expect(clock.nextAt()).toBe(2_000);
    expect(clock.fireNext()).toBe(3);
    expect(seen).toEqual(['a', 'b', 'b2']);
    expect(clock.now()).toBe(2_000);
    expect(clock.fireNext()).toBe(1);
    expect(clock.now()).toBe(3_000);
    expect(clock.fireNext()).toBe(0);
    expect(seen).toEqual(['a', 'b', 'b2', 'c']);
  });

  it('never moves back: a timer set in the past fires at the current time; jumpTo refuses to skip a timer', () => {
    const clock = new VirtualClock(5_000);
    clock.at(1_000, () => undefined);
    expect(clock.nextAt()).toBe(5_000);
    clock.fireNext();
    clock.at(9_000, () => undefined);
    clock.jumpTo(8_000);
    expect(clock.now()).toBe(8_000);
    expect(() => clock.jumpTo(10_000)).toThrow(/due before/);
  });

  it('orders ten thousand timers set at random times (the heap)', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    let x = 12345;
    for (let i = 0; i < 10_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const at = x % 100_000;
      clock.at(at, () => fired.push(at));
    }
    while (clock.fireNext() > 0);
    expect(fired).toHaveLength(10_000);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
  });

  it('settle waits for promise chains and immediates of the instant, not for the clock', async () => {
    const clock = new VirtualClock(0);
    const steps: string[] = [];
    clock.at(10, () => {
      void Promise.resolve()
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => steps.push('after an immediate'))
        .then(() => clock.at(20, () => steps.push('next event')));
    });
    clock.fireNext();
    await settle(clock);
    expect(steps).toEqual(['after an immediate']);
    expect(clock.nextAt()).toBe(20);
  });
});

describe('Receiver', () => {
  const clock = new VirtualClock(0);
  const session = { id: 's1', remoteAddress: '198.51.100.25', secure: true };

  it('draws each address’s fate from the seed: the same in every run, at the profile’s rates', () => {
    const gmail = new Receiver(profile('gmail'), { clock, seed: 1, serverName: 'mx', sendAsync: null });
    const again = new Receiver(profile('gmail'), { clock, seed: 1, serverName: 'mx', sendAsync: null });
    const other = new Receiver(profile('gmail'), { clock, seed: 2, serverName: 'mx', sendAsync: null });
    const addresses = Array.from({ length: 20_000 }, (_, i) => `reader${i}@gmail.test`);
    const fates = addresses.map((a) => gmail.fateOf(a));
    expect(addresses.map((a) => again.fateOf(a))).toEqual(fates);
    expect(addresses.map((a) => other.fateOf(a))).not.toEqual(fates);
    const share = (fate: string) => fates.filter((f) => f === fate).length / fates.length;
    expect(share('unknown_user')).toBeGreaterThan(0.025);
    expect(share('unknown_user')).toBeLessThan(0.035);
    expect(share('accept')).toBeGreaterThan(0.93);
    expect(seededDraw(1, 'a@b.test')).toBe(seededDraw(1, 'a@b.test'));
  });

  it('honours the test addresses before the rates, with the provider’s own reply text', () => {
    const gmail = new Receiver(profile('gmail'), { clock, seed: 1, serverName: 'mx', sendAsync: null });
    expect(gmail.fateOf('Unknown.Someone@gmail.test')).toBe('unknown_user');
    expect(gmail.rcpt(session, 'unknown.someone@gmail.test')).toEqual({
      code: 550,
      text: expect.stringMatching(/^5\.1\.1 The email account that you tried to reach does not exist/),
    });
    expect(gmail.rcpt(session, 'grey.one@gmail.test')).toMatchObject({ code: 451 });
  });

  it('greylists until the delay has passed, and refuses MAIL without TLS when TLS is required', () => {
    const clock2 = new VirtualClock(0);
    const corporate = new Receiver(profile('corporate'), {
      clock: clock2,
      seed: 1,
      serverName: 'mx',
      sendAsync: null,
    });
    expect(corporate.mail({ ...session, secure: false })).toEqual({
      code: 530,
      text: '5.7.0 Must issue a STARTTLS command first',
    });
    expect(corporate.rcpt(session, 'grey.bob@corporate.test')).toMatchObject({
      code: 450,
      text: expect.stringContaining('<grey.bob@corporate.test>: Recipient address rejected: Greylisted'),
    });
    clock2.jumpTo(4 * 60_000);
    expect(corporate.rcpt(session, 'grey.bob@corporate.test')).toMatchObject({ code: 450 });
    clock2.jumpTo(5 * 60_000);
    expect(corporate.rcpt(session, 'grey.bob@corporate.test')).toBeNull();
  });

  it('bans the IP of a sender that keeps exceeding Microsoft’s rate: 5.7.606 at the greeting, S3150 to open sessions', () => {
    const clock3 = new VirtualClock(0);
    const microsoft = new Receiver(profile('microsoft'), {
      clock: clock3,
      seed: 1,
      serverName: 'mx',
      sendAsync: null,
    });
    expect(microsoft.connect(session)).toBeNull();
    // 15 recipients per second: the 16th of one second is throttled (S77714); 30 throttles in 10 minutes ban the IP.
    let throttled = 0;
    let sent = 0;
    while (throttled < 30 && sent < 100) {
      const reply = microsoft.rcpt(session, `reader${sent++}@outlook.test`);
      if (reply?.text.includes('S77714')) throttled++;
    }
    expect(throttled).toBe(30);
    expect(sent).toBeLessThan(50);
    expect(microsoft.rcpt(session, 'another@outlook.test')).toEqual({
      code: 550,
      text: expect.stringContaining('(S3150)'),
    });
    expect(microsoft.connect({ ...session, id: 's2' })).toEqual({
      code: 550,
      text: expect.stringMatching(/^5\.7\.606 Access denied, banned sending IP \[198\.51\.100\.25\]/),
    });
    clock3.jumpTo(61 * 60_000);
    expect(microsoft.connect({ ...session, id: 's3' })).toBeNull();
  });

  it('fills <addr>, <host> and <ip> in replies', () => {
    expect(fillReply(LIMIT_REPLIES.postfixTooManyConnections, { host: 'mx.test', ip: '192.0.2.1' })).toBe(
      '4.7.0 mx.test Error: too many connections from 192.0.2.1',
    );
    expect(
      fillReply({ code: 550, text: '5.1.1 <addr>: unknown' }, { addr: 'a@b.test', host: 'h', ip: 'i' }),
    ).toBe('5.1.1 <a@b.test>: unknown');
  });
});

describe('the virtual network', () => {
  const options = (host: string) => ({
    host,
    port: 25,
    name: 'relay.test',
    starttls: 'offered' as const,
    rejectUnauthorized: true,
    connectMs: 30_000,
    greetingMs: 30_000,
    commandMs: 60_000,
  });

  it('resolves a profile’s domains to its MX hosts and answers as the profile, taking round trips of time', async () => {
    const clock = new VirtualClock(0);
    const network = createVirtualNetwork({
      profiles: DEFAULT_SANDBOX_PROFILES.profiles,
      seed: 1,
      clock,
      sendAsync: () => Promise.resolve(),
    });
    await expect(network.dns.resolveMx('gmail.test')).resolves.toEqual([
      { exchange: 'gmail-smtp-in.l.google.com', priority: 10, ttl: 3600 },
      { exchange: 'alt1.gmail-smtp-in.l.google.com', priority: 20, ttl: 3600 },
    ]);
    await expect(network.dns.resolveMx('nowhere.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    const opened = await drivenUntil(clock, network.open(options('gmail-smtp-in.l.google.com')));
    if (!opened.ok) throw new Error('not opened');
    expect(opened.session.secure).toBe(true);
    const at = clock.now();
    const result = await drivenUntil(
      clock,
      opened.session.sendMail(
        'news@sender.test',
        ['ada@gmail.test', 'unknown.x@gmail.test'],
        Buffer.from('Subject: hi\r\n\r\nHello\r\n'),
        {
          commandMs: 60_000,
          dataMs: 60_000,
        },
      ),
    );
    expect(result.accepted).toBe(true);
    expect(result.rcpts.map((r) => r?.code)).toEqual([250, 550]);
    expect(clock.now() - at).toBe(2 * RTT_MS);
  });

  it('refuses connections to a dead domain, and times out a tarpit slower than the relay’s patience', async () => {
    const clock = new VirtualClock(0);
    const tarpit = sandboxProfile({
      id: 'slow',
      name: 'slow',
      domains: ['slow.test'],
      greetingDelayMs: 60_000,
    });
    const network = createVirtualNetwork({
      profiles: [...DEFAULT_SANDBOX_PROFILES.profiles, tarpit],
      seed: 1,
      clock,
      sendAsync: () => Promise.resolve(),
    });
    const dead = await drivenUntil(clock, network.open(options('mx.dead.test')));
    expect(dead).toMatchObject({
      ok: false,
      failure: { answer: { stage: 'connect', silence: { kind: 'refused' } } },
    });
    const slow = await drivenUntil(clock, network.open(options('mx.slow.test')));
    expect(slow).toMatchObject({
      ok: false,
      failure: { answer: { stage: 'greeting', silence: { kind: 'timeout' } } },
    });
  });
});
