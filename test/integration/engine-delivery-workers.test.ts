/**
 * The delivery workers (engine/workers/): real worker threads composing, signing and sending over SMTP to
 * real peers on 127.0.0.1, and the SMTP relay's command attribution and timeouts against scripted peers.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../src/main/engine';
import { ManualClock, systemClock } from '../../src/main/clock';
import { createDkimKeyring } from '../../src/main/engine/dkim';
import { generateDkimKey } from '../../src/main/engine/dkim/key-admin';
import { ComposeError } from '../../src/main/engine/relay/compose';
import { createSmtpRelayFactory } from '../../src/main/engine/relay/smtp-relay';
import type { RelayPolicy, TransmitRequest } from '../../src/main/engine/types';
import {
  createDeliveryWorkers,
  DeliveryWorkerError,
  type DeliveryWorkers,
} from '../../src/main/engine/workers/pool';
import { deliveryWorkerScript } from '../../src/main/engine/workers/script';
import { silentLogger } from '../../src/main/logger';
import { createRevisionWatcher } from '../../src/main/store/revision-watcher';
import { TEST_POLICY } from '../support/engine-fakes';
import { captureLogger } from '../support/api-test-logger';
import { verifyDkim } from '../support/dkim-fixtures';
import {
  logByEmail,
  openTempDb,
  queueRow,
  recordingNotifier,
  relayedDelivery,
  engineStorePorts,
} from '../support/engine-fixtures';
import { startRawServer, startScriptedServer } from '../support/engine-smtp-servers';
import { noDns } from '../support/dns-fixtures';

const T0 = Date.UTC(2026, 0, 1);
const TEMPLATE = JSON.stringify({
  fromName: 'Relaydeck',
  fromAddress: 'news@sender.test',
  subject: 'Hello {{first}}',
  text: 'Dear {{first}}, this is for you.',
  html: '',
});
const POLICY = TEST_POLICY;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function later<T>(cleanup: () => Promise<void> | void, value: T): T {
  cleanups.push(cleanup);
  return value;
}

/** Worker threads counted per thread: how many transmissions each one answered. */
function workers(
  o: { size?: number; spawn?: () => Worker } = {},
): DeliveryWorkers & { answered: Map<number, number> } {
  const answered = new Map<number, number>();
  const spawn =
    o.spawn ??
    (() => {
      const w = new Worker(deliveryWorkerScript());
      w.on('message', (batch: { kind: string }[]) => {
        const n = batch.filter((m) => m.kind === 'transmitted').length;
        answered.set(w.threadId, (answered.get(w.threadId) ?? 0) + n);
      });
      return w;
    });
  const pool = createDeliveryWorkers({
    size: o.size ?? 2,
    spawn,
    logger: captureLogger(),
    clock: systemClock,
  });
  return later(() => pool.close(), Object.assign(pool, { answered }));
}

let seq = 0;
function request(
  port: number,
  to: string | string[],
  over: Partial<TransmitRequest> & { fieldsJson?: string } = {},
): TransmitRequest {
  const recipients = Array.isArray(to) ? to : [to];
  const n = ++seq;
  const { fieldsJson, ...rest } = over;
  return {
    templateJson: TEMPLATE,
    compose: {
      kind: 'one',
      job: {
        deliveryId: 1,
        logId: n,
        email: recipients[0] ?? '',
        messageId: `<${n}@sender.test>`,
        fieldsJson: fieldsJson ?? JSON.stringify({ first: `U${n}` }),
        date: T0,
      },
    },
    domain: null,
    signTime: T0,
    logIds: recipients.map((_, i) => n * 100 + i),
    envelope: { from: 'bounces@sender.test', to: recipients },
    destination: { key: `smtp:127.0.0.1:${port}`, hosts: [{ host: '127.0.0.1', port }] },
    policy: POLICY,
    ...rest,
  };
}

interface Peer {
  port: number;
  connections: number;
  active: number;
  maxActive: number;
  messages: string[];
}

/** An smtp-server peer answering MAIL, RCPT and the data with the replies given (default 250). */
async function peer(
  replies: { mail?: string; rcpt?: (to: string) => string | null; data?: string } = {},
): Promise<Peer> {
  const state: Peer = { port: 0, connections: 0, active: 0, maxActive: 0, messages: [] };
  const refusal = (reply: string) =>
    Object.assign(new Error(reply.slice(4)), { responseCode: Number(reply.slice(0, 3)) });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onConnect(_s, cb) {
      state.connections++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      cb();
    },
    onClose() {
      state.active--;
    },
    onMailFrom(_a, _s, cb) {
      cb(replies.mail ? refusal(replies.mail) : undefined);
    },
    onRcptTo(address, _s, cb) {
      const reply = replies.rcpt?.(address.address) ?? null;
      cb(reply ? refusal(reply) : undefined);
    },
    onData(stream, _s, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (replies.data) return cb(refusal(replies.data));
        state.messages.push(Buffer.concat(chunks).toString('latin1'));
        cb(null, '2.0.0 Ok: queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  return later(() => new Promise<void>((resolve) => server.close(() => resolve())), state);
}

/**
 * A line-based peer without PIPELINING that waits before some replies: `rcptMs` before the RCPT reply,
 * `dataMs` before the 354, `finalMs` before the reply to the message data. Counts QUITs.
 */
async function slowPeer(delays: { rcptMs?: number; dataMs?: number; finalMs?: number }) {
  const state = { port: 0, messages: 0, quits: 0 };
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const after = (ms: number | undefined, fn: () => void) => {
    if (!ms) return fn();
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 slow.test ESMTP\r\n');
    let buffer = '';
    let inData = false;
    const say = (line: string) => !socket.destroyed && socket.write(`${line}\r\n`);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          inData = false;
          state.messages++;
          after(delays.finalMs, () => say('250 2.0.0 Ok: queued'));
          continue;
        }
        const i = buffer.indexOf('\r\n');
        if (i < 0) return;
        const line = buffer.slice(0, i).toUpperCase();
        buffer = buffer.slice(i + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) say('250 slow.test');
        else if (line.startsWith('MAIL')) say('250 2.1.0 Ok');
        else if (line.startsWith('RCPT')) after(delays.rcptMs, () => say('250 2.1.5 Ok'));
        else if (line === 'DATA') {
          inData = true;
          after(delays.dataMs, () => say('354 End data with <CR><LF>.<CR><LF>'));
        } else if (line.startsWith('RSET')) say('250 2.0.0 Ok');
        else if (line.startsWith('QUIT')) {
          state.quits++;
          socket.end('221 2.0.0 Bye\r\n');
        } else say('502 5.5.2 Not implemented');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  return later(
    () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    state,
  );
}

describe('delivery workers: compose, sign and send in a worker thread', () => {
  it('sends a composed message and answers only its outcome; one session is reused and counted', async () => {
    const server = await startScriptedServer();
    later(() => server.close(), null);
    const pool = workers();
    for (let i = 0; i < 3; i++) {
      const result = await pool.transmit(request(server.port, `ok${i}@inbox.test`));
      expect(result).toMatchObject({ dkimDomain: null });
      expect(result.outcomes).toEqual([
        expect.objectContaining({ kind: 'accepted', code: 250, command: 'DATA', ip: '127.0.0.1', tls: true }),
      ]);
    }
    expect(server.messages).toHaveLength(3);
    expect(server.messages[0]?.raw).toMatch(/^Subject: Hello U\d+\r$/m);
    expect(server.messages[0]?.raw).toContain('To: ok0@inbox.test');
    expect(server.connections).toBe(1);
    expect(pool.openConnections(`smtp:127.0.0.1:${server.port}`)).toBe(1);
  });

  it('reports each reply class at the command it answered', async () => {
    const server = await startScriptedServer();
    later(() => server.close(), null);
    const mail = await peer({ mail: '553 5.7.1 Sender refused' });
    const pool = workers();
    const one = async (to: string) => (await pool.transmit(request(server.port, to))).outcomes[0];
    expect(await one('grey@inbox.test')).toMatchObject({ kind: 'deferred', code: 451, command: 'RCPT' });
    expect(await one('full@inbox.test')).toMatchObject({ kind: 'deferred', code: 452, command: 'RCPT' });
    expect(await one('unknown@inbox.test')).toMatchObject({ kind: 'failed', code: 550, command: 'RCPT' });
    expect(await one('spam@inbox.test')).toMatchObject({ kind: 'failed', code: 554, command: 'DATA' });
    expect((await pool.transmit(request(mail.port, 'ok@inbox.test'))).outcomes[0]).toMatchObject({
      kind: 'failed',
      code: 553,
      command: 'MAIL',
    });
  });

  it('answers one outcome per recipient of a group transaction', async () => {
    const server = await startScriptedServer();
    later(() => server.close(), null);
    const pool = workers();
    const result = await pool.transmit(
      request(server.port, ['a@inbox.test', 'unknown@inbox.test', 'b@inbox.test'], {
        compose: { kind: 'shared', deliveryId: 1, messageId: '<group@sender.test>', date: T0 },
      }),
    );
    expect(result.outcomes.map((o) => [o.kind, o.command])).toEqual([
      ['accepted', 'DATA'],
      ['failed', 'RCPT'],
      ['accepted', 'DATA'],
    ]);
    expect(server.messages[0]?.to).toEqual(['a@inbox.test', 'b@inbox.test']);
    expect(server.messages[0]?.raw).toContain('To: undisclosed-recipients:;');
  });

  it('reports a dropped connection as deferred without a code, at the command left unanswered', async () => {
    const server = await startRawServer('drop-at-rcpt');
    later(() => server.close(), null);
    const outcome = (await workers().transmit(request(server.port, 'ok@inbox.test'))).outcomes[0];
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, command: 'RCPT' });
    expect(outcome?.text).toMatch(/dropped|closed/i);
  });

  it('TLS required: deferred with nothing sent when the server has no STARTTLS, sent over TLS when it has', async () => {
    const plain = await startScriptedServer({ starttls: false });
    const tls = await startScriptedServer();
    later(() => Promise.all([plain.close(), tls.close()]).then(() => undefined), null);
    const pool = workers();
    const required = { ...POLICY, tls: 'required' as const };
    const refused = (await pool.transmit(request(plain.port, 'ok@inbox.test', { policy: required })))
      .outcomes[0];
    expect(refused).toMatchObject({ kind: 'deferred', code: null, command: 'STARTTLS' });
    expect(refused?.text).toMatch(/TLS required by MX rule "test-rule"/);
    expect(plain.messages).toHaveLength(0);
    const sent = (await pool.transmit(request(tls.port, 'ok@inbox.test', { policy: required }))).outcomes[0];
    expect(sent).toMatchObject({ kind: 'accepted', tls: true });
    // The policy travels to a worker once per change: the plain server's destination, now without a TLS
    // requirement, takes the message.
    const relaxed = (await pool.transmit(request(plain.port, 'ok@inbox.test'))).outcomes[0];
    expect(relaxed).toMatchObject({ kind: 'accepted', tls: false });
    expect(plain.messages).toHaveLength(1);
  });

  it('spreads one destination over every worker, then reuses the open sessions instead of opening more', async () => {
    const server = await peer();
    const pool = workers({ size: 2 });
    const round = () =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) => pool.transmit(request(server.port, `u${i}@inbox.test`))),
      );
    for (const r of await round()) expect(r.outcomes[0]?.kind).toBe('accepted');
    expect(server.maxActive).toBeLessThanOrEqual(8);
    expect(pool.answered.size).toBe(2);
    for (const n of pool.answered.values()) expect(n).toBeGreaterThan(0);
    const opened = server.connections;
    for (const r of await round()) expect(r.outcomes[0]?.kind).toBe('accepted');
    expect(server.connections).toBe(opened);
    expect(pool.openConnections(`smtp:127.0.0.1:${server.port}`)).toBe(opened);
    expect(server.messages).toHaveLength(16);
  });

  it('never holds more sessions than the connection limit over all workers: the extra messages wait for one', async () => {
    const server = await peer();
    const pool = workers({ size: 2 });
    const policy = { ...POLICY, maxConnections: 3 };
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        pool.transmit(request(server.port, `u${i}@inbox.test`, { policy })),
      ),
    );
    for (const r of results) expect(r.outcomes[0]?.kind).toBe('accepted');
    expect(server.messages).toHaveLength(24);
    expect(server.maxActive).toBe(3);
    expect(server.connections).toBe(3);
    // Both workers sent (shares 2 and 1 of the limit).
    expect(pool.answered.size).toBe(2);
  });

  it('a lowered connection limit closes the idle sessions of a worker left without a share of it', async () => {
    const server = await peer();
    const pool = workers({ size: 2 });
    const two = { ...POLICY, maxConnections: 2 };
    const first = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pool.transmit(request(server.port, `u${i}@inbox.test`, { policy: two })),
      ),
    );
    for (const r of first) expect(r.outcomes[0]?.kind).toBe('accepted');
    // One session per worker, both idle and kept.
    expect(pool.answered.size).toBe(2);
    await vi.waitFor(() => expect(server.active).toBe(2));
    // The limit is now 1 (a receiver refused a second session): every message goes to the first worker, and the
    // second one's idle session QUITs rather than holding a connection the receiver counts.
    const one = { ...POLICY, maxConnections: 1 };
    const next = await pool.transmit(request(server.port, 'last@inbox.test', { policy: one }));
    expect(next.outcomes[0]?.kind).toBe('accepted');
    await vi.waitFor(() => expect(server.active).toBe(1));
    expect(server.connections).toBe(2);
  });

  it('rejects a message that cannot be composed with a ComposeError, and sends the next one', async () => {
    const server = await peer();
    const pool = workers({ size: 1 });
    await expect(
      pool.transmit(request(server.port, 'ok@inbox.test', { fieldsJson: '{not json' })),
    ).rejects.toBeInstanceOf(ComposeError);
    expect(server.connections).toBe(0);
    expect((await pool.transmit(request(server.port, 'ok@inbox.test'))).outcomes[0]?.kind).toBe('accepted');
  });

  it('signs with the keys the keyring pushed; the received message verifies with mailauth', async () => {
    const t = openTempDb();
    later(() => t.cleanup(), null);
    const key = await generateDkimKey(
      { db: t.db, dataDir: t.dir, now: T0 },
      { domain: 'sender.test', selector: 's1', algorithm: 'rsa-sha256', bits: 1024 },
    );
    const server = await peer();
    const pool = workers();
    const revisions = createRevisionWatcher({ db: t.db, clock: new ManualClock(T0) });
    const keyring = createDkimKeyring({ db: t.db, logger: silentLogger, revisions });
    later(() => keyring.close(), null);
    keyring.attach(pool);
    const domain = keyring.signingDomain('sender.test');
    const result = await pool.transmit(request(server.port, 'ok@inbox.test', { domain }));
    expect(result).toMatchObject({ dkimDomain: 'sender.test', outcomes: [{ kind: 'accepted' }] });
    const raw = Buffer.from(server.messages[0] ?? '', 'latin1');
    expect(await verifyDkim(raw, [key])).toEqual([
      expect.objectContaining({ result: 'pass', domain: 'sender.test' }),
    ]);
  });

  it('rejects what a crashed worker held, replaces it, and the engine retries the message', async () => {
    const crashing = () =>
      new Worker(
        `require('node:worker_threads').parentPort.on('message', (batch) => { if (batch.some((m) => m.kind === 'transmit')) process.exit(3); });`,
        { eval: true },
      );
    let spawned = 0;
    const server = await peer();
    const pool = workers({
      size: 1,
      spawn: () => (++spawned === 1 ? crashing() : new Worker(deliveryWorkerScript())),
    });
    const held = await Promise.allSettled([
      pool.transmit(request(server.port, 'a@inbox.test')),
      pool.transmit(request(server.port, 'b@inbox.test')),
    ]);
    for (const r of held) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DeliveryWorkerError);
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/exit code 3/);
    }

    // Through the engine: a message whose worker dies goes back to the queue and is sent later.
    spawned = 0;
    const t = openTempDb();
    later(() => t.cleanup(), null);
    const clock = new ManualClock(T0);
    const enginePool = workers({
      size: 1,
      spawn: () => (++spawned === 1 ? crashing() : new Worker(deliveryWorkerScript())),
    });
    relayedDelivery(t.db, ['ok@inbox.test'], { now: T0 });
    const engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      sender: enginePool,
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify: recordingNotifier(),
      defaultRoute: () => ({ kind: 'smtp', host: '127.0.0.1', port: server.port }),
      sandboxAddress: () => null,
      options: { feedbackFlushMs: 0, internalErrorRetryMs: 60_000 },
    });
    later(() => engine.stop(), null);
    engine.start();
    // The message is given back for a retry at +60 s of the clock before the clock moves (on a loaded machine
    // the replacement worker can be up before the engine has handled the rejection).
    const logId = logByEmail(t.db, 1, 'ok@inbox.test').id;
    await vi.waitFor(() => expect(queueRow(t.db, logId)?.due_at).toBe(T0 + 60_000), { timeout: 15_000 });
    expect(spawned).toBe(2);
    expect(logByEmail(t.db, 1, 'ok@inbox.test').status).not.toBe('sent');
    clock.advance(60_000);
    await vi.waitFor(() => expect(logByEmail(t.db, 1, 'ok@inbox.test').status).toBe('sent'), {
      timeout: 15_000,
    });
    expect(server.messages.filter((m) => m.includes('To: ok@inbox.test'))).toHaveLength(1);
  });

  it('close waits for the sends in flight, then QUITs the idle sessions', async () => {
    const server = await slowPeer({ finalMs: 300 });
    const pool = workers({ size: 1 });
    const sending = pool.transmit(request(server.port, 'ok@inbox.test'));
    await vi.waitFor(() => expect(server.messages).toBe(1), { timeout: 15_000 });
    const closing = pool.close();
    expect((await sending).outcomes[0]).toMatchObject({ kind: 'accepted', code: 250 });
    await closing;
    expect(server.quits).toBe(1);
    await expect(pool.transmit(request(server.port, 'ok@inbox.test'))).rejects.toBeInstanceOf(
      DeliveryWorkerError,
    );
  });
});

describe('SMTP relay: the command each reply answered, and its timeouts', () => {
  const relayTo = (port: number) => {
    const relay = createSmtpRelayFactory({ name: 'relaydeck.test', clock: systemClock })({
      key: `test:${port}`,
      hosts: [{ host: '127.0.0.1', port }],
    });
    return later(() => relay.close(), relay);
  };
  const message = (to: string, policy: RelayPolicy = POLICY) => ({
    logId: 1,
    envelope: { from: 'sender@sender.test', to },
    raw: Buffer.from(`From: sender@sender.test\r\nTo: ${to}\r\nSubject: t\r\n\r\nHello\r\n`),
    policy,
  });

  it('records a 421 at MAIL, RCPT and DATA with the command it answered', async () => {
    const at = {
      MAIL: await peer({ mail: '421 4.7.0 Try again later, closing connection' }),
      RCPT: await peer({ rcpt: () => '421 4.7.0 Too many connections, closing' }),
      DATA: await peer({ data: '421 4.3.2 System shutting down' }),
    };
    for (const [command, server] of Object.entries(at)) {
      const outcome = await relayTo(server.port).send(message('ok@inbox.test'));
      expect(outcome).toMatchObject({ kind: 'deferred', code: 421, command });
    }
    // The same in a worker, for a group: every recipient gets the RCPT's 421, with its stage and the session's
    // facts carried across the worker boundary.
    const group = await workers({ size: 1 }).transmit(
      request(at.RCPT.port, ['a@inbox.test', 'b@inbox.test'], {
        compose: { kind: 'shared', deliveryId: 1, messageId: null, date: T0 },
      }),
    );
    expect(group.outcomes.map((o) => [o.code, o.command, o.stage, o.session])).toEqual([
      [421, 'RCPT', 'rcpt', { completed: 0, concurrent: 0 }],
      [421, 'RCPT', 'rcpt', { completed: 0, concurrent: 0 }],
    ]);
  });

  it('waits commandMs for the replies up to the 354, whatever dataMs allows', async () => {
    const policy = { ...POLICY, commandMs: 200, dataMs: 5_000 };
    const rcpt = await slowPeer({ rcptMs: 1_000 });
    const atRcpt = await relayTo(rcpt.port).send(message('ok@inbox.test', policy));
    expect(atRcpt).toMatchObject({ kind: 'deferred', code: null, command: 'RCPT' });
    expect(atRcpt.text).toMatch(/no reply/);
    const data = await slowPeer({ dataMs: 1_000 });
    const at354 = await relayTo(data.port).send(message('ok@inbox.test', policy));
    expect(at354).toMatchObject({ kind: 'deferred', code: null, command: 'DATA' });
    expect(data.messages).toBe(0);
  });

  it('waits dataMs from the message data to its final reply, whatever commandMs allows', async () => {
    const slowFinal = await slowPeer({ finalMs: 600 });
    expect(
      await relayTo(slowFinal.port).send(
        message('ok@inbox.test', { ...POLICY, commandMs: 200, dataMs: 3_000 }),
      ),
    ).toMatchObject({ kind: 'accepted', code: 250, command: 'DATA' });
    const tooSlow = await slowPeer({ finalMs: 1_000 });
    const outcome = await relayTo(tooSlow.port).send(
      message('ok@inbox.test', { ...POLICY, commandMs: 5_000, dataMs: 200 }),
    );
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, command: 'DATA' });
    expect(outcome.text).toMatch(/no reply/);
    expect(tooSlow.messages).toBe(1);
  });
});
