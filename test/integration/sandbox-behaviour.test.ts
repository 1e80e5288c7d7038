import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine/relay/smtp-relay';
import { headerMessageId, startSandbox, type Sandbox } from '../../src/main/engine/sandbox';
import type { Relay } from '../../src/main/engine/types';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandboxWithRelay(
  options: Partial<Parameters<typeof startSandbox>[0]> = {},
): Promise<{ sandbox: Sandbox; relay: Relay }> {
  const sandbox = await startSandbox({ clock: systemClock, ...options });
  cleanups.push(() => sandbox.close());
  const relay = createSmtpRelayFactory({ name: 'relaydeck.test', clock: systemClock })({
    key: 'sandbox',
    hosts: [{ host: sandbox.host, port: sandbox.port }],
  });
  cleanups.push(() => relay.close());
  return { sandbox, relay };
}

const send = (relay: Relay, to: string, id = `<${to}>`) =>
  relay.send({
    logId: 1,
    envelope: { from: 'news@sender.test', to },
    raw: Buffer.from(
      `From: news@sender.test\r\nTo: ${to}\r\nMessage-ID: ${id}\r\nSubject: hi\r\n\r\nHello\r\n`,
    ),
  });

describe('sandbox demo behaviour through the real relay', () => {
  it('listens on an ephemeral loopback port and lists its domains (the demo profile first)', async () => {
    const { sandbox } = await sandboxWithRelay();
    expect(sandbox.host).toBe('127.0.0.1');
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.domains.slice(0, 5)).toEqual([
      'inbox.test',
      'mail.test',
      'corp.test',
      'shop.test',
      'throttled.test',
    ]);
    expect(sandbox.domains).toEqual(
      expect.arrayContaining(['gmail.test', 'yahoo.test', 'outlook.test', 'dead.test']),
    );
  });

  it('accepts ordinary recipients and records them with their Message-ID', async () => {
    const { sandbox, relay } = await sandboxWithRelay();
    expect(await send(relay, 'alice@inbox.test', '<m1@sender.test>')).toMatchObject({
      kind: 'accepted',
      code: 250,
      tls: true,
    });
    expect(sandbox.received()).toEqual([
      expect.objectContaining({
        from: 'news@sender.test',
        to: ['alice@inbox.test'],
        messageId: '<m1@sender.test>',
      }),
    ]);
  });

  it.each([
    ['unknown1@corp.test', 'failed', 550, '5.1.1', 'RCPT', /User unknown in virtual mailbox table/],
    ['nobody@mail.test', 'failed', 550, '5.1.1', 'RCPT', /User unknown/],
    ['full.box@shop.test', 'deferred', 452, '4.2.2', 'RCPT', /Mailbox full, try again later/],
    ['spammy@inbox.test', 'failed', 554, '5.7.1', 'DATA', /spam content detected/],
    ['someone@elsewhere.example', 'failed', 550, '5.1.2', 'RCPT', /Domain not found/],
  ])('%s -> %s %d %s at %s', async (to, kind, code, enhanced, command, text) => {
    const { sandbox, relay } = await sandboxWithRelay();
    const outcome = await send(relay, to);
    expect(outcome).toMatchObject({ kind, code, enhanced, command });
    expect(outcome.text).toMatch(text);
    expect(sandbox.received()).toEqual([]);
  });

  it('greylists a recipient the first time, then accepts it once the minimum delay has passed', async () => {
    const clock = new ManualClock();
    const { sandbox, relay } = await sandboxWithRelay({ clock, greylistMinDelayMs: 60_000 });
    expect(await send(relay, 'grey@inbox.test')).toMatchObject({
      kind: 'deferred',
      code: 451,
      enhanced: '4.7.1',
    });
    expect(await send(relay, 'grey@inbox.test')).toMatchObject({ kind: 'deferred', code: 451 });
    clock.advance(60_000);
    expect(await send(relay, 'grey@inbox.test')).toMatchObject({ kind: 'accepted' });
    expect(await send(relay, 'full@inbox.test')).toMatchObject({ kind: 'deferred', code: 452 });
    expect(await send(relay, 'full@inbox.test')).toMatchObject({ kind: 'deferred', code: 452 });
    expect(sandbox.received()).toHaveLength(1);
  });
});

describe('headerMessageId', () => {
  it('reads a folded Message-ID from the header block only', () => {
    expect(headerMessageId('Subject: x\r\nMessage-ID:\r\n <a@b>\r\n\r\nMessage-ID: <body@b>')).toBe('<a@b>');
    expect(headerMessageId('Subject: x\r\n\r\nMessage-ID: <body@b>')).toBeNull();
  });
});
