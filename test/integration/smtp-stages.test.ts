/**
 * The relay's stage model (smtp-client.ts, smtp-relay.ts): every outcome names the exact stage that answered,
 * with the right kind and code, the session's fate after it, and the session facts the shaper learns from;
 * against a scripted peer on 127.0.0.1 (test/support/smtp-stage-peer.ts) and against Debian postfix's
 * smtp-sink.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine/relay/smtp-relay';
import { openSmtpSession } from '../../src/main/engine/relay/smtp-client';
import type { OutboundGroup, Relay, RelayPolicy, SmtpOutcome } from '../../src/main/engine/types';
import {
  startStagePeer,
  type PeerAnswer,
  type PeerStage,
  type StagePeer,
  type StagePeerOptions,
} from '../support/smtp-stage-peer';
import { SMTP_SINK_PATH, startSmtpSink } from '../support/smtp-sink';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Small timeouts: a silence is a timeout within a few hundred ms. */
const POLICY: RelayPolicy = {
  tls: 'opportunistic',
  connectMs: 500,
  commandMs: 500,
  dataMs: 500,
  maxMessagesPerConnection: 100,
  maxConnections: 10,
  ruleId: 'stage-test',
};

async function peer(options: StagePeerOptions): Promise<StagePeer> {
  const p = await startStagePeer(options);
  cleanups.push(() => p.close());
  return p;
}

function relayTo(port: number): Relay {
  const relay = createSmtpRelayFactory({ name: 'relaydeck.test', clock: systemClock })({
    key: `stage:${port}`,
    hosts: [{ host: '127.0.0.1', port }],
  });
  cleanups.push(() => relay.close());
  return relay;
}

function group(to: string[], policy: RelayPolicy = POLICY, n = 1): OutboundGroup {
  return {
    logIds: to.map((_, i) => n * 10 + i),
    envelope: { from: 'sender@sender.test', to },
    raw: Buffer.from(`From: sender@sender.test\r\nSubject: message ${n}\r\n\r\nHello\r\n`),
    policy,
  };
}

const STAGES: PeerStage[] = ['greeting', 'ehlo', 'starttls', 'mail', 'rcpt', 'data', 'data-end'];
const ANSWERS: PeerAnswer[] = [421, 450, 550, 'drop', 'silence'];
const SET_UP: PeerStage[] = ['greeting', 'ehlo', 'starttls'];

describe('every stage × every answer against a scripted peer', () => {
  it('names the exact stage, kind and code, and ends or keeps the session as RFC 5321 says', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STAGES),
        fc.constantFrom(...ANSWERS),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        async (stage, answer, pipelining, starttlsOffered, recipients) => {
          const starttls = starttlsOffered || stage === 'starttls';
          // The scripted answer is given once: on the first connection while it is set up, or during the
          // first transaction; everything else is answered normally.
          const server = await startStagePeer({
            pipelining,
            starttls,
            decide: (e) =>
              e.stage === stage && (SET_UP.includes(stage) ? e.connection === 1 : e.transaction === 1)
                ? answer
                : null,
          });
          const relay = relayTo(server.port);
          try {
            const to = Array.from({ length: recipients }, (_, i) => `r${i}@inbox.test`);
            const outcomes = await relay.sendGroup(group(to));
            expect(outcomes).toHaveLength(recipients);
            // A refused STARTTLS (not 421) is not the end under opportunistic TLS: plaintext, same session.
            const plaintextGoesOn = stage === 'starttls' && (answer === 450 || answer === 550);
            for (const o of outcomes) {
              if (plaintextGoesOn) {
                expect(o).toMatchObject({ kind: 'accepted', stage: 'data-end', tls: false });
                continue;
              }
              expect(o.stage).toBe(stage);
              expect(o.session).toEqual({ completed: 0, concurrent: 0 });
              if (typeof answer === 'number') {
                expect(o).toMatchObject({ code: answer, kind: answer === 550 ? 'failed' : 'deferred' });
              } else {
                expect(o).toMatchObject({ code: null, kind: 'deferred' });
                expect(o.text).toMatch(answer === 'drop' ? /closed|dropped/ : /timed out|no reply/);
              }
            }
            // The session's fate, seen by a second message: a refusal at MAIL, RCPT or the data keeps it
            // (RSET), a 421, a drop or a silence ends it, and so does a refusal while it was set up.
            const second = await relay.sendGroup(group(['again@inbox.test'], POLICY, 2));
            expect(second[0]).toMatchObject({ kind: 'accepted', stage: 'data-end' });
            const kept =
              plaintextGoesOn || (typeof answer === 'number' && answer !== 421 && !SET_UP.includes(stage));
            expect(server.connections).toBe(kept ? 1 : 2);
            expect(second[0]!.session).toEqual({ completed: kept ? 1 : 0, concurrent: 0 });
          } finally {
            await relay.close();
            await server.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('keeps each recipient its own RCPT reply in a pipelined transaction', async () => {
    let rcptSeen = 0;
    const server = await peer({
      pipelining: true,
      starttls: false,
      decide: (e) =>
        e.stage === 'rcpt' && e.transaction === 1 ? ([null, 550, 450] as const)[rcptSeen++ % 3]! : null,
    });
    const outcomes = await relayTo(server.port).sendGroup(group(['a@x.test', 'b@x.test', 'c@x.test']));
    expect(outcomes.map((o) => [o.stage, o.kind, o.code])).toEqual([
      ['data-end', 'accepted', 250],
      ['rcpt', 'failed', 550],
      ['rcpt', 'deferred', 450],
    ]);
    expect(server.received.map((m) => m.to)).toEqual([['a@x.test']]);
  });
});

describe('session facts', () => {
  it('a 421 at MAIL after 3 messages on a session: completed = 3, stage mail, and the next one opens anew', async () => {
    const server = await peer({
      pipelining: true,
      starttls: false,
      decide: (e) => (e.stage === 'mail' && e.onConnection === 4 ? 421 : null),
    });
    const relay = relayTo(server.port);
    const outcomes: SmtpOutcome[] = [];
    for (let n = 1; n <= 5; n++)
      outcomes.push(...(await relay.sendGroup(group([`u${n}@x.test`], POLICY, n))));
    expect(outcomes.map((o) => [o.stage, o.code, o.session?.completed])).toEqual([
      ['data-end', 250, 0],
      ['data-end', 250, 1],
      ['data-end', 250, 2],
      ['mail', 421, 3],
      ['data-end', 250, 0],
    ]);
    expect(outcomes[3]).toMatchObject({ kind: 'deferred', command: 'MAIL' });
    expect(server.connections).toBe(2);
  });

  it('a greeting refused to a 3rd concurrent connection: concurrent = 2 (the sessions the receiver holds)', async () => {
    const server = await peer({
      pipelining: true,
      starttls: false,
      decide: (e) =>
        e.stage === 'greeting' && e.open >= 3
          ? 421
          : e.stage === 'data-end' && e.connection <= 2
            ? 'hold'
            : null,
    });
    const relay = relayTo(server.port);
    const policy = { ...POLICY, dataMs: 10_000, maxConnections: 3 };
    const first = Promise.all([
      relay.sendGroup(group(['a@x.test'], policy, 1)),
      relay.sendGroup(group(['b@x.test'], policy, 2)),
    ]);
    await server.whenHeld(2);
    const [refused] = await relay.sendGroup(group(['c@x.test'], policy, 3));
    expect(refused).toMatchObject({
      stage: 'greeting',
      command: 'CONNECT',
      kind: 'deferred',
      code: 421,
      session: { completed: 0, concurrent: 2 },
    });
    server.release();
    const held = (await first).flat();
    expect(held.map((o) => [o.stage, o.kind, o.session?.concurrent])).toEqual([
      ['data-end', 'accepted', 1],
      ['data-end', 'accepted', 1],
    ]);
  });
});

describe('a message budget learnt while a session is idle', () => {
  it('a session that has carried as many messages as the policy now allows is not reused: a new one opens', async () => {
    const server = await peer({ pipelining: true, starttls: false });
    const relay = relayTo(server.port);
    for (let i = 1; i <= 3; i++) await relay.sendGroup(group([`u${i}@x.test`], POLICY, i));
    expect(server.connections).toBe(1);
    // The shaper learnt 3 messages per connection meanwhile: the idle session is at its budget.
    const [next] = await relay.sendGroup(group(['u4@x.test'], { ...POLICY, maxMessagesPerConnection: 3 }, 4));
    expect(next).toMatchObject({ kind: 'accepted', session: { completed: 0 } });
    expect(server.connections).toBe(2);
  });
});

describe('a session the receiver closes without a reply at its message budget', () => {
  it('closed at the next MAIL: the message goes on a new session, whose outcome reports the budget', async () => {
    const server = await peer({
      pipelining: true,
      starttls: false,
      decide: (e) => (e.stage === 'mail' && e.onConnection === 4 ? 'drop' : null),
    });
    const relay = relayTo(server.port);
    const outcomes: SmtpOutcome[] = [];
    for (let i = 1; i <= 5; i++)
      outcomes.push(...(await relay.sendGroup(group([`u${i}@x.test`], POLICY, i))));
    expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(outcomes[3]?.session).toMatchObject({ completed: 0, cutAfter: 3 });
    // Reported once.
    expect(outcomes[4]?.session?.cutAfter).toBeUndefined();
    expect(server.connections).toBe(2);
    await relay.close();
  });

  it("closed right after the last message's reply, while idle: the next outcome reports the budget", async () => {
    const server = await peer({
      pipelining: true,
      starttls: false,
      decide: (e) => (e.stage === 'data-end' && e.onConnection === 3 ? 'close' : null),
    });
    const relay = relayTo(server.port);
    for (let i = 1; i <= 3; i++) await relay.sendGroup(group([`u${i}@x.test`], POLICY, i));
    await vi.waitFor(() => expect(relay.openConnections()).toBe(0));
    const [next] = await relay.sendGroup(group(['u4@x.test'], POLICY, 4));
    expect(next).toMatchObject({ kind: 'accepted', session: { completed: 0, cutAfter: 3 } });
    expect(server.connections).toBe(2);
    await relay.close();
  });
});

describe('a burst of sessions against a connection limit', () => {
  it('refusals report the sessions the receiver greeted, not the connections still waiting for a greeting', async () => {
    const server = await peer({
      pipelining: true,
      starttls: false,
      decide: (e) =>
        e.stage === 'greeting' && e.open >= 3
          ? 421
          : e.stage === 'data-end' && e.connection <= 2
            ? 'hold'
            : null,
    });
    const relay = relayTo(server.port);
    const policy = { ...POLICY, dataMs: 10_000, maxConnections: 8 };
    const sends = Array.from({ length: 8 }, (_, i) =>
      relay.sendGroup(group([`u${i}@x.test`], policy, i + 1)),
    );
    await server.whenHeld(2);
    const refused = (await Promise.all(sends.slice(2))).flat();
    server.release();
    await Promise.all(sends);
    // Six connections were set up at once; the receiver greeted two and refused the others.
    expect(refused.every((o) => o.stage === 'greeting' && o.code === 421)).toBe(true);
    for (const o of refused) expect(o.session?.concurrent).toBeLessThanOrEqual(2);
    await relay.close();
    await server.close();
  });
});

describe('the client session', () => {
  it('falls back to HELO after a 5xx to EHLO, and then uses no extension', async () => {
    let ehloSeen = 0;
    const server = await peer({
      pipelining: true,
      starttls: true,
      decide: (e) => (e.stage === 'ehlo' && e.connection === 1 && ehloSeen++ === 0 ? 550 : null),
    });
    const outcomes = await relayTo(server.port).sendGroup(group(['a@x.test']));
    expect(outcomes[0]).toMatchObject({ kind: 'accepted', stage: 'data-end', tls: false });
  });

  it('says nothing for a message over the SIZE the server advertised or a bad address; the session stays', async () => {
    const server = await peer({ pipelining: true, starttls: false, size: 100 });
    const relay = relayTo(server.port);
    const big = { ...group(['a@x.test']), raw: Buffer.alloc(200, 'x') };
    expect((await relay.sendGroup(big))[0]).toMatchObject({
      kind: 'failed',
      code: null,
      enhanced: '5.3.4',
      stage: 'none',
      command: null,
    });
    const [smuggled] = await relay.sendGroup(group(['a@x.test>\r\nRCPT TO:<b@x.test']));
    expect(smuggled).toMatchObject({ kind: 'failed', code: null, stage: 'none' });
    expect(smuggled!.text).toMatch(/invalid address/);
    expect((await relay.sendGroup(group(['c@x.test'])))[0]).toMatchObject({ kind: 'accepted' });
    expect(server.received.map((m) => m.to)).toEqual([['c@x.test']]);
    expect(server.connections).toBe(1);
  });

  it('MAIL carries SIZE, BODY=8BITMIME for 8-bit data and SMTPUTF8 for an address that needs it', async () => {
    const server = await peer({ pipelining: true, starttls: false, smtputf8: true });
    const relay = relayTo(server.port);
    const ascii = group(['a@x.test']);
    const eightBit = { ...group(['b@x.test']), raw: Buffer.from('Subject: x\r\n\r\nCafé\r\n') };
    const utf8 = group(['jürgen@x.test']);
    for (const g of [ascii, eightBit, utf8])
      expect((await relay.sendGroup(g))[0]).toMatchObject({ kind: 'accepted' });
    expect(server.mailLines).toEqual([
      `MAIL FROM:<sender@sender.test> SIZE=${ascii.raw.length}`,
      `MAIL FROM:<sender@sender.test> SIZE=${eightBit.raw.length} BODY=8BITMIME`,
      `MAIL FROM:<sender@sender.test> SIZE=${utf8.raw.length} SMTPUTF8`,
    ]);
  });

  it('a reply line over the bound is a protocol error at its stage, not a growing buffer', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(`220-${'x'.repeat(20_000)}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as net.AddressInfo).port;
    const opened = await openSmtpSession({
      host: '127.0.0.1',
      port,
      name: 'relaydeck.test',
      starttls: 'never',
      rejectUnauthorized: false,
      connectMs: 2_000,
      greetingMs: 2_000,
      commandMs: 2_000,
    });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.failure.answer).toMatchObject({
      stage: 'greeting',
      reply: null,
      silence: { kind: 'protocol' },
    });
  });

  it('reads a multi-line reply as one, with every line kept', async () => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      // The greeting in three pieces, cut inside its lines.
      socket.write('220-peer.test ESMTP\r\n22');
      socket.write('0-second line\r');
      socket.write('\n220 third line\r\n');
      socket.on('data', () => socket.end('554 5.7.1 no EHLO for you\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as net.AddressInfo).port;
    const outcome = await relayTo(port).send({
      logId: 1,
      envelope: { from: 'a@x.test', to: 'b@x.test' },
      raw: Buffer.from('Subject: x\r\n\r\nHi\r\n'),
      policy: POLICY,
    });
    // EHLO refused (5xx), then HELO finds the connection closed.
    expect(outcome).toMatchObject({ stage: 'ehlo', command: 'EHLO', kind: 'deferred', code: null });
  });
});

const SINK_TITLE = SMTP_SINK_PATH
  ? 'against Debian postfix smtp-sink on loopback'
  : 'against Debian postfix smtp-sink on loopback: SKIPPED, /usr/sbin/smtp-sink is not installed (apt-get install postfix)';

describe.skipIf(!SMTP_SINK_PATH)(SINK_TITLE, () => {
  async function sink(args: string[]): Promise<number> {
    const s = await startSmtpSink(args);
    cleanups.push(() => s.close());
    return s.port;
  }

  it.each([
    [['-r', 'RCPT'], 'rcpt', 'deferred', 450],
    [['-f', 'RCPT'], 'rcpt', 'failed', 500],
    [['-r', 'MAIL'], 'mail', 'deferred', 450],
    [['-f', 'DATA'], 'data', 'failed', 500],
    [['-f', '.'], 'data-end', 'failed', 500],
    [['-Q', 'RCPT'], 'rcpt', 'deferred', 421],
    [['-Q', 'MAIL'], 'mail', 'deferred', 421],
    [['-Q', '.'], 'data-end', 'deferred', 421],
    [['-q', 'RCPT'], 'rcpt', 'deferred', null],
    [['-q', 'DATA'], 'data', 'deferred', null],
    [['-q', 'EHLO'], 'ehlo', 'deferred', null],
    [['-r', 'CONNECT'], 'greeting', 'deferred', 450],
    [['-f', 'CONNECT'], 'greeting', 'failed', 500],
  ] as const)('%j: stage %s, %s %s', async (args, stage, kind, code) => {
    const port = await sink([...args]);
    const relay = relayTo(port);
    const [outcome] = await relay.sendGroup(
      group(['a@x.test'], { ...POLICY, commandMs: 5_000, dataMs: 5_000 }),
    );
    expect(outcome).toMatchObject({ stage, kind, code, session: { completed: 0, concurrent: 0 } });
  });

  it('delivers 20 messages over one pipelined session, PIPELINING and non-pipelining alike', async () => {
    for (const args of [[], ['-p']]) {
      const relay = relayTo(await sink(args));
      for (let n = 0; n < 20; n++) {
        const [outcome] = await relay.sendGroup(group(['a@x.test', 'b@x.test'], POLICY, n));
        expect(outcome).toMatchObject({ kind: 'accepted', stage: 'data-end', session: { completed: n } });
      }
      expect(relay.openConnections()).toBe(1);
    }
  });
});
