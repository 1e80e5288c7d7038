import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine/relay/smtp-relay';
import type { OutboundMessage, Relay } from '../../src/main/engine/types';
import { TEST_POLICY } from '../support/engine-fakes';
import {
  refusedPort,
  startRawServer,
  startScriptedServer,
  type RawServer,
  type ScriptedServer,
} from '../support/engine-smtp-servers';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function message(to: string, logId = 1): OutboundMessage {
  const raw = Buffer.from(
    `From: sender@sender.test\r\nTo: ${to}\r\nSubject: test\r\nMessage-ID: <${logId}@sender.test>\r\n\r\nHello\r\n`,
  );
  return { logId, envelope: { from: 'sender@sender.test', to }, raw };
}

async function scripted(options?: { starttls?: boolean }): Promise<ScriptedServer> {
  const server = await startScriptedServer(options);
  cleanups.push(() => server.close());
  return server;
}

async function raw(mode: 'silent' | 'drop-at-rcpt'): Promise<RawServer> {
  const server = await startRawServer(mode);
  cleanups.push(() => server.close());
  return server;
}

function relayTo(
  ports: number[],
  options: Partial<Parameters<typeof createSmtpRelayFactory>[0]> = {},
): Relay {
  const relay = createSmtpRelayFactory({ name: 'relaydeck.test', clock: systemClock, ...options })({
    key: `test:${ports.join(',')}`,
    hosts: ports.map((port) => ({ host: '127.0.0.1', port })),
  });
  cleanups.push(() => relay.close());
  return relay;
}

describe('SMTP relay against a scripted server', () => {
  it('reports 250 as accepted, with host, IP, TLS (opportunistic STARTTLS) and the DATA reply', async () => {
    const server = await scripted();
    const outcome = await relayTo([server.port]).send(message('ok@inbox.test'));
    expect(outcome).toMatchObject({
      kind: 'accepted',
      code: 250,
      enhanced: '2.0.0',
      command: 'DATA',
      mxHost: '127.0.0.1',
      ip: '127.0.0.1',
      tls: true,
    });
    expect(server.messages[0]?.raw).toContain('Message-ID: <1@sender.test>');
  });

  it('works without STARTTLS too', async () => {
    const server = await scripted({ starttls: false });
    expect(await relayTo([server.port]).send(message('ok@inbox.test'))).toMatchObject({
      kind: 'accepted',
      tls: false,
    });
  });

  it('reports 451 greylisting as deferred at RCPT, then accepts, reusing one connection', async () => {
    const server = await scripted();
    const relay = relayTo([server.port]);
    expect(await relay.send(message('grey@inbox.test'))).toMatchObject({
      kind: 'deferred',
      code: 451,
      enhanced: '4.7.1',
      command: 'RCPT',
    });
    expect(await relay.send(message('grey@inbox.test'))).toMatchObject({ kind: 'accepted', code: 250 });
    expect(server.connections).toBe(1);
  });

  it('reports 452 mailbox full as deferred and 550 user unknown as failed, and the session stays usable', async () => {
    const server = await scripted();
    const relay = relayTo([server.port]);
    const full = await relay.send(message('full@inbox.test'));
    expect(full).toMatchObject({ kind: 'deferred', code: 452, enhanced: '4.2.2', command: 'RCPT' });
    expect(full.text).toMatch(/Mailbox full/);
    const unknown = await relay.send(message('unknown@inbox.test'));
    expect(unknown).toMatchObject({ kind: 'failed', code: 550, enhanced: '5.1.1', command: 'RCPT' });
    expect(unknown.text).toMatch(/User unknown/);
    expect(await relay.send(message('ok@inbox.test'))).toMatchObject({ kind: 'accepted' });
    expect(server.connections).toBe(1);
  });

  it('reports 554 after DATA as failed on DATA', async () => {
    const server = await scripted();
    expect(await relayTo([server.port]).send(message('spam@inbox.test'))).toMatchObject({
      kind: 'failed',
      code: 554,
      enhanced: '5.7.1',
      command: 'DATA',
      text: 'Message rejected: spam content detected',
    });
  });

  it('opens a new connection after maxMessagesPerConnection', async () => {
    const server = await scripted();
    const relay = relayTo([server.port], { maxMessagesPerConnection: 2 });
    for (let i = 0; i < 4; i++)
      expect((await relay.send(message(`ok${i}@inbox.test`, i))).kind).toBe('accepted');
    expect(server.connections).toBe(2);
  });

  it('opens no more connections than the policy allows: the extra sends wait for a session', async () => {
    const server = await scripted();
    const relay = relayTo([server.port]);
    const policy = { ...TEST_POLICY, maxConnections: 2 };
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => relay.send({ ...message(`ok${i}@inbox.test`, i), policy })),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(Array(6).fill('accepted'));
    expect(server.connections).toBe(2);
    expect(server.messages).toHaveLength(6);
  });

  it('escapes the message data: dotted lines arrive whole, bare CR and LF arrive as CRLF, on one session', async () => {
    const server = await scripted();
    const relay = relayTo([server.port]);
    const head = 'From: sender@sender.test\r\nSubject: dots\r\n\r\n';
    const bodies = [
      '.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n',
      'bare LF\nthen .dot\n.dot after bare LF\n',
      'bare CR\r.dot after bare CR\rend',
      'no final line break',
    ];
    for (const [i, body] of bodies.entries()) {
      const outcome = await relay.send({
        logId: i,
        envelope: { from: 'sender@sender.test', to: `ok${i}@inbox.test` },
        raw: Buffer.from(head + body),
      });
      expect(outcome.kind).toBe('accepted');
    }
    expect(server.connections).toBe(1);
    // What the server received after removing the dot-stuffing: the data with every line break made CRLF.
    expect(server.messages.map((m) => m.raw.slice(head.length))).toEqual([
      '.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n',
      'bare LF\r\nthen .dot\r\n.dot after bare LF\r\n',
      'bare CR\r\n.dot after bare CR\r\nend\r\n',
      'no final line break\r\n',
    ]);
  });
});

describe('SMTP relay without a reply', () => {
  it('reports a dropped connection as deferred with no code', async () => {
    const server = await raw('drop-at-rcpt');
    const outcome = await relayTo([server.port]).send(message('ok@inbox.test'));
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, enhanced: null, mxHost: '127.0.0.1' });
    expect(outcome.text).toMatch(/dropped|closed/i);
  });

  it('reports a server that never answers as a deferred timeout on CONNECT', async () => {
    const server = await raw('silent');
    const outcome = await relayTo([server.port], { greetingTimeoutMs: 300, connectionTimeoutMs: 2000 }).send(
      message('ok@inbox.test'),
    );
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, command: 'CONNECT' });
    expect(outcome.text).toMatch(/timed out|greeting/i);
  });

  it('reports a refused connection as deferred, and moves on to the next host', async () => {
    const closed = await refusedPort();
    const alone = await relayTo([closed]).send(message('ok@inbox.test'));
    expect(alone).toMatchObject({ kind: 'deferred', code: null, command: 'CONNECT' });
    expect(alone.text).toMatch(/refused/);

    const server = await scripted();
    expect(await relayTo([closed, server.port]).send(message('ok@inbox.test'))).toMatchObject({
      kind: 'accepted',
    });
  });
});
