import net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/main/engine';
import { ManualClock, systemClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine/relay/smtp-relay';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { silentLogger, type LogFields, type Logger } from '../../src/main/logger';
import { saveRules } from '../../src/main/store/rules-repo';
import type { MessageTemplate } from '../../src/shared/contract';
import {
  attemptsOf,
  engineStorePorts,
  logByEmail,
  openTempDb,
  queueRow,
  recordingNotifier,
  relayedDelivery,
} from '../support/engine-fixtures';
import { TEST_POLICY } from '../support/engine-fakes';
import type { OutboundMessage, Relay, RelayPolicy } from '../../src/main/engine/types';
import { noDns } from '../support/dns-fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const POLICY = TEST_POLICY;

class Reply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Replies chosen by the recipient's local part `cNNN...` at RCPT; `slow*` accepted after a delay at DATA. */
const RCPT_REPLIES: Record<string, string> = {
  '421': '4.7.0 Too many connections, try again later',
  '450': '4.2.1 Mailbox temporarily unavailable',
  '451': '4.3.0 Local error in processing',
  '452': '4.2.2 Mailbox full',
  '550': '5.1.1 User unknown',
  '551': '5.1.6 User not local; please try <forward@example.org>',
  '552': '5.2.2 Mailbox full, quota exceeded',
  '553': '5.1.3 Mailbox name not allowed',
  '554': '5.7.1 Relay access denied',
};

interface Peer {
  port: number;
  received: { to: string[]; raw: string }[];
  maxConcurrent: number;
  mails: number;
  connections: number;
}

async function peer(
  options: { starttls?: boolean; slowMs?: number; pipelining?: boolean; brokenTls?: boolean } = {},
): Promise<Peer> {
  const state: Peer = { port: 0, received: [], maxConcurrent: 0, mails: 0, connections: 0 };
  let concurrent = 0;
  const server = new SMTPServer({
    // Offers STARTTLS but speaks only TLS 1.0, which Node's client refuses: every handshake fails.
    ...(options.brokenTls ? { minVersion: 'TLSv1', maxVersion: 'TLSv1' } : {}),
    authOptional: true,
    disabledCommands: options.starttls === false ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    hidePIPELINING: options.pipelining === false,
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      concurrent++;
      state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
      callback();
    },
    onClose() {
      concurrent--;
    },
    onMailFrom(_address, _session, callback) {
      state.mails++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const local = address.address.split('@')[0] ?? '';
      const code = /^c(\d{3})/.exec(local)?.[1];
      const text = code ? RCPT_REPLIES[code] : undefined;
      if (code && text) return callback(new Reply(Number(code), text));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const finish = () => {
          state.received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback(null, '2.0.0 Ok: queued');
        };
        if (options.slowMs) setTimeout(finish, options.slowMs);
        else finish();
      });
    },
  });
  // The broken handshakes are reported by the server as errors; they are expected here.
  if (options.brokenTls) server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}

/**
 * A raw peer that advertises PIPELINING and answers MAIL only once RCPT and DATA have arrived too: a client
 * that waits for each reply before the next command never gets past MAIL.
 */
async function strictPipeliningPeer(): Promise<{ port: number; batches: string[][] }> {
  const batches: string[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 pipe.test ESMTP\r\n');
    let buffer = '';
    let inData = false;
    let envelope: string[] = [];
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (inData) {
        const end = buffer.indexOf('\r\n.\r\n');
        if (end < 0) return;
        buffer = buffer.slice(end + 5);
        inData = false;
        socket.write('250 2.0.0 Ok: queued\r\n');
      }
      const lines = buffer.split('\r\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO')) socket.write('250-pipe.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (upper.startsWith('MAIL') || upper.startsWith('RCPT')) envelope.push(upper.slice(0, 4));
        else if (upper === 'DATA') {
          envelope.push('DATA');
          batches.push(envelope);
          // Replies for the whole batch, at once.
          socket.write(
            envelope.map((c) => (c === 'DATA' ? '354 go ahead\r\n' : '250 2.1.0 Ok\r\n')).join(''),
          );
          envelope = [];
          inData = true;
        } else if (upper === 'QUIT') socket.end('221 bye\r\n');
        else if (upper === 'RSET') socket.write('250 Ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: typeof address === 'object' && address ? address.port : 0, batches };
}

/**
 * A raw peer that offers STARTTLS, answers it 220 and then closes the connection (the handshake is cut);
 * without STARTTLS it takes the message in plaintext.
 */
async function cutHandshakePeer(): Promise<{ port: number; connections: number; delivered: string[] }> {
  const state = { port: 0, connections: 0, delivered: [] as string[] };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 cut.test ESMTP\r\n');
    let buffer = '';
    let data: string | null = null;
    let rcpt = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (data !== null) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buffer = buffer.slice(end + 5);
          data = null;
          state.delivered.push(rcpt);
          socket.write('250 2.0.0 Ok: queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO')) socket.write('250-cut.test\r\n250 STARTTLS\r\n');
        else if (upper === 'STARTTLS') {
          socket.write('220 2.0.0 Ready to start TLS\r\n');
          socket.destroy();
          return;
        } else if (upper.startsWith('MAIL')) socket.write('250 2.1.0 Ok\r\n');
        else if (upper.startsWith('RCPT')) {
          rcpt = /<([^>]*)>/.exec(line)?.[1] ?? '';
          socket.write('250 2.1.5 Ok\r\n');
        } else if (upper === 'DATA') {
          data = '';
          socket.write('354 go ahead\r\n');
        } else if (upper === 'QUIT') socket.end('221 bye\r\n');
        else if (upper === 'RSET') socket.write('250 Ok\r\n');
        else socket.write('502 5.5.2 not implemented\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return state;
}

/** Accepts the envelope and the data, then never answers the end of data. */
async function silentAfterDataPeer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 quiet.test ESMTP\r\n');
    let buffer = '';
    let inData = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      if (inData) return;
      const lines = buffer.split('\r\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO')) socket.write('250 quiet.test\r\n');
        else if (upper.startsWith('MAIL') || upper.startsWith('RCPT')) socket.write('250 Ok\r\n');
        else if (upper === 'DATA') {
          socket.write('354 go ahead\r\n');
          inData = true;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return typeof address === 'object' && address ? address.port : 0;
}

function relayTo(port: number): Relay {
  const relay = createSmtpRelayFactory({ name: 'relaydeck.test', clock: systemClock })({
    key: `test:${port}`,
    hosts: [{ host: '127.0.0.1', port }],
  });
  cleanups.push(() => relay.close());
  return relay;
}

function message(to: string, policy: RelayPolicy = POLICY, logId = 1): OutboundMessage {
  const raw = Buffer.from(
    `From: sender@sender.test\r\nTo: ${to}\r\nSubject: test\r\nMessage-ID: <${logId}@sender.test>\r\n\r\nHello\r\n`,
  );
  return { logId, envelope: { from: 'sender@sender.test', to }, raw, policy };
}

/** A logger keeping every line it is given. */
function recordingLogger(): Logger & { lines: { level: string; msg: string; fields?: LogFields }[] } {
  const lines: { level: string; msg: string; fields?: LogFields }[] = [];
  const make = (base: LogFields): Logger => {
    const write = (level: string) => (msg: string, fields?: LogFields) =>
      void lines.push({ level, msg, fields: { ...base, ...fields } });
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (more: LogFields) => make({ ...base, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}

describe('every reply class against a scripted smtp-server peer', () => {
  it.each([
    // A 421 ends the session whatever it answers; the outcome still names the command it answered.
    ['421', 'deferred', '4.7.0', 'RCPT'],
    ['450', 'deferred', '4.2.1', 'RCPT'],
    ['451', 'deferred', '4.3.0', 'RCPT'],
    ['452', 'deferred', '4.2.2', 'RCPT'],
    ['550', 'failed', '5.1.1', 'RCPT'],
    ['551', 'failed', '5.1.6', 'RCPT'],
    ['552', 'failed', '5.2.2', 'RCPT'],
    ['553', 'failed', '5.1.3', 'RCPT'],
    ['554', 'failed', '5.7.1', 'RCPT'],
  ])('%s at RCPT is %s with its enhanced code and text', async (code, kind, enhanced, command) => {
    const server = await peer();
    const outcome = await relayTo(server.port).send(message(`c${code}@example.com`));
    expect(outcome).toMatchObject({
      kind,
      code: Number(code),
      enhanced,
      command,
      mxHost: '127.0.0.1',
    });
    expect(outcome.text).toBe(RCPT_REPLIES[code]?.slice(6));
    expect(server.received).toHaveLength(0);
  });

  it('250: accepted, with the DATA reply', async () => {
    const server = await peer();
    expect(await relayTo(server.port).send(message('ok@example.com'))).toMatchObject({
      kind: 'accepted',
      code: 250,
      command: 'DATA',
      ip: '127.0.0.1',
    });
  });

  it('a slow server answering within the timeout: accepted', async () => {
    const server = await peer({ slowMs: 300 });
    const outcome = await relayTo(server.port).send(message('ok@example.com', { ...POLICY, dataMs: 3_000 }));
    expect(outcome).toMatchObject({ kind: 'accepted', code: 250 });
  });

  it('no reply to the end of data within dataMs: deferred without a code', async () => {
    const port = await silentAfterDataPeer();
    const outcome = await relayTo(port).send(
      message('ok@example.com', { ...POLICY, commandMs: 200, dataMs: 300 }),
    );
    expect(outcome).toMatchObject({ kind: 'deferred', code: null });
    expect(outcome.text).toMatch(/no reply|timed? ?out/i);
  });
});

describe('TLS policy from the MX rule', () => {
  it('required, server without STARTTLS: deferred with a clear reason, nothing sent', async () => {
    const server = await peer({ starttls: false });
    const outcome = await relayTo(server.port).send(
      message('ok@example.com', { ...POLICY, tls: 'required' }),
    );
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, command: 'STARTTLS', tls: false });
    expect(outcome.text).toMatch(/TLS required by MX rule "test-rule".*STARTTLS.*nothing was sent/);
    expect(server.mails).toBe(0);
  });

  it('required, server with STARTTLS: delivered over TLS', async () => {
    const server = await peer();
    expect(
      await relayTo(server.port).send(message('ok@example.com', { ...POLICY, tls: 'required' })),
    ).toMatchObject({ kind: 'accepted', tls: true });
  });

  it('disabled: no STARTTLS even when offered', async () => {
    const server = await peer();
    expect(
      await relayTo(server.port).send(message('ok@example.com', { ...POLICY, tls: 'disabled' })),
    ).toMatchObject({ kind: 'accepted', tls: false });
  });

  it('opportunistic, STARTTLS offered but the handshake fails: delivered in plaintext on a new connection, logged', async () => {
    const server = await peer({ brokenTls: true });
    const logger = recordingLogger();
    const relay = createSmtpRelayFactory({ name: 'relaydeck.test', clock: systemClock, logger })({
      key: `test:${server.port}`,
      hosts: [{ host: '127.0.0.1', port: server.port }],
    });
    cleanups.push(() => relay.close());
    const outcome = await relay.send(message('ok@example.com'));
    expect(outcome).toMatchObject({ kind: 'accepted', code: 250, tls: false });
    expect(server.connections).toBe(2);
    expect(server.received).toHaveLength(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: expect.stringMatching(/TLS handshake failed.*plaintext on a new connection/),
        fields: expect.objectContaining({ host: '127.0.0.1', rule: 'test-rule' }),
      }),
    );
  });

  it('opportunistic, the connection cut right after STARTTLS: delivered in plaintext on a new connection', async () => {
    const server = await cutHandshakePeer();
    const outcome = await relayTo(server.port).send(message('ok@example.com'));
    expect(outcome).toMatchObject({ kind: 'accepted', code: 250, tls: false });
    expect(server.connections).toBe(2);
    expect(server.delivered).toEqual(['ok@example.com']);
  });

  it('required, the connection cut right after STARTTLS: deferred with a TLS reason, nothing sent', async () => {
    const server = await cutHandshakePeer();
    const outcome = await relayTo(server.port).send(
      message('ok@example.com', { ...POLICY, tls: 'required' }),
    );
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, command: 'STARTTLS', tls: false });
    expect(outcome.text).toMatch(/TLS required by MX rule "test-rule".*nothing was sent/);
    expect(server.connections).toBe(1);
    expect(server.delivered).toEqual([]);
  });

  it('required, STARTTLS offered but the handshake fails: deferred with a TLS reason, never sent in plaintext', async () => {
    const server = await peer({ brokenTls: true });
    const outcome = await relayTo(server.port).send(
      message('ok@example.com', { ...POLICY, tls: 'required' }),
    );
    expect(outcome).toMatchObject({ kind: 'deferred', code: null, command: 'STARTTLS', tls: false });
    expect(outcome.text).toMatch(/TLS required by MX rule "test-rule".*nothing was sent/);
    expect(server.connections).toBe(1);
    expect(server.mails).toBe(0);
    expect(server.received).toHaveLength(0);
  });

  it('opportunistic: STARTTLS when offered, plain otherwise', async () => {
    const withTls = await peer();
    const without = await peer({ starttls: false });
    expect((await relayTo(withTls.port).send(message('ok@example.com'))).tls).toBe(true);
    expect((await relayTo(without.port).send(message('ok@example.com'))).tls).toBe(false);
  });
});

describe('PIPELINING and connection reuse', () => {
  it('sends MAIL, RCPT and DATA in one batch when the server advertises PIPELINING', async () => {
    const server = await strictPipeliningPeer();
    const relay = relayTo(server.port);
    const outcome = await relay.sendGroup({
      logIds: [1, 2],
      envelope: { from: 'sender@sender.test', to: ['a@example.com', 'b@example.com'] },
      raw: Buffer.from('Subject: x\r\n\r\nHello\r\n'),
      policy: { ...POLICY, tls: 'disabled' },
    });
    expect(outcome.map((o) => o.kind)).toEqual(['accepted', 'accepted']);
    expect(server.batches).toEqual([['MAIL', 'RCPT', 'RCPT', 'DATA']]);
  });

  it('reuses a connection up to the rule maxMessagesPerConnection, then opens a new one', async () => {
    const server = await peer();
    const relay = relayTo(server.port);
    for (let i = 0; i < 5; i++) {
      const outcome = await relay.send(
        message(`ok${i}@example.com`, { ...POLICY, maxMessagesPerConnection: 2 }, i),
      );
      expect(outcome.kind).toBe('accepted');
    }
    expect(server.connections).toBe(3);
    expect(server.received).toHaveLength(5);
  });
});

describe('one transaction for several recipients', () => {
  it('a recipient refused at RCPT fails alone; the DATA reply applies to the accepted ones', async () => {
    const server = await peer();
    const outcomes = await relayTo(server.port).sendGroup({
      logIds: [1, 2, 3],
      envelope: { from: 'sender@sender.test', to: ['a@example.com', 'c550@example.com', 'c452@example.com'] },
      raw: Buffer.from('Subject: x\r\nTo: undisclosed-recipients:;\r\n\r\nHello\r\n'),
      policy: POLICY,
    });
    expect(outcomes[0]).toMatchObject({ kind: 'accepted', command: 'DATA' });
    expect(outcomes[1]).toMatchObject({ kind: 'failed', code: 550, command: 'RCPT' });
    expect(outcomes[2]).toMatchObject({ kind: 'deferred', code: 452, command: 'RCPT' });
    expect(server.received).toEqual([{ to: ['a@example.com'], raw: expect.stringContaining('Hello') }]);
  });

  it('every recipient refused: each keeps its own reply, no DATA', async () => {
    const server = await peer();
    const outcomes = await relayTo(server.port).sendGroup({
      logIds: [1, 2],
      envelope: { from: 'sender@sender.test', to: ['c550@example.com', 'c451@example.com'] },
      raw: Buffer.from('Subject: x\r\n\r\nHello\r\n'),
      policy: POLICY,
    });
    expect(outcomes.map((o) => [o.kind, o.code])).toEqual([
      ['failed', 550],
      ['deferred', 451],
    ]);
    expect(server.received).toHaveLength(0);
  });
});

describe('the engine never opens more connections than the rule allows', () => {
  it('counts concurrent sessions on the server side', async () => {
    const server = await peer({ slowMs: 30 });
    const t = openTempDb();
    cleanups.push(async () => t.cleanup());
    const generic = DEFAULT_RULES.mxRules.at(-1)!;
    saveRules(
      t.db,
      {
        ...DEFAULT_RULES,
        mxRules: [
          { ...generic, id: 'two', match: { kind: 'mx', mask: '127.0.0.1' }, maxConnections: 2 },
          generic,
        ],
      },
      0,
    );
    const clock = new ManualClock();
    relayedDelivery(
      t.db,
      Array.from({ length: 12 }, (_, i) => `u${i}@example.com`),
      {
        now: clock.now(),
        routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
      },
    );
    const engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify: recordingNotifier(),
      defaultRoute: () => null,
      sandboxAddress: () => null,
      options: { feedbackFlushMs: 0, maxInFlight: 10 },
    });
    cleanups.push(() => engine.stop());
    engine.start();
    // The slow start opens the second connection a second (of the engine's clock) after the first attempt.
    const ticking = setInterval(() => clock.advance(250), 10);
    cleanups.push(async () => clearInterval(ticking));
    await engine.whenIdle();
    expect(server.received).toHaveLength(12);
    expect(server.maxConcurrent).toBe(2);
    expect(engine.destinations()[0]).toMatchObject({ ruleId: 'two', effective: { maxConnections: 2 } });
  });
});

describe('multi-recipient transactions through the engine', () => {
  async function run(template: MessageTemplate | undefined, perTransaction: number, rcpts: string[]) {
    const server = await peer();
    const t = openTempDb();
    cleanups.push(async () => t.cleanup());
    const clock = new ManualClock();
    const { deliveryId } = relayedDelivery(t.db, rcpts, {
      now: clock.now(),
      ...(template ? { template } : {}),
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
    });
    t.db
      .prepare('UPDATE deliveries SET recipients_per_transaction = ? WHERE id = ?')
      .run(perTransaction, deliveryId);
    const engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify: recordingNotifier(),
      defaultRoute: () => null,
      sandboxAddress: () => null,
      options: { feedbackFlushMs: 0, maxInFlight: 1 },
    });
    cleanups.push(() => engine.stop());
    engine.start();
    await engine.whenIdle();
    return { server, t, deliveryId };
  }

  const STATIC: MessageTemplate = {
    fromName: 'Relaydeck',
    fromAddress: 'news@sender.test',
    subject: 'Same for all',
    text: 'Hello all',
    html: '',
  };

  it('groups up to N recipients of one domain; RCPT refusals stay per recipient', async () => {
    const rcpts = ['a@example.com', 'c550@example.com', 'b@example.com', 'c@example.com', 'd@example.com'];
    const { server, t, deliveryId } = await run(STATIC, 3, rcpts);
    expect(server.mails).toBe(2); // 5 recipients, 3 per transaction
    expect(server.received.map((m) => m.to)).toEqual([
      ['a@example.com', 'b@example.com'],
      ['c@example.com', 'd@example.com'],
    ]);
    const first = server.received[0]!.raw;
    expect(first).toMatch(/^To: undisclosed-recipients:;\r$/m);
    expect(first).toContain(`Message-ID: ${logByEmail(t.db, deliveryId, 'a@example.com').message_id}`);
    expect(first).toMatch(new RegExp(`^X-Relaydeck-Id: ${deliveryId}\\r$`, 'im'));
    expect(logByEmail(t.db, deliveryId, 'c550@example.com')).toMatchObject({ status: 'failed', attempts: 1 });
    for (const ok of ['a', 'b', 'c', 'd'])
      expect(logByEmail(t.db, deliveryId, `${ok}@example.com`)).toMatchObject({
        status: 'sent',
        attempts: 1,
      });
  });

  it('a template with per-recipient fields keeps one transaction per recipient', async () => {
    const { server } = await run(undefined, 3, ['a@example.com', 'b@example.com', 'c@example.com']);
    expect(server.received.map((m) => m.to)).toEqual([
      ['a@example.com'],
      ['b@example.com'],
      ['c@example.com'],
    ]);
  });

  it('the default (1) keeps one transaction per recipient', async () => {
    const { server } = await run(STATIC, 1, ['a@example.com', 'b@example.com']);
    expect(server.mails).toBe(2);
  });
});

describe('message size cap', () => {
  it('a personalised message over 10 MiB fails at its first attempt as Message too large, nothing sent', async () => {
    const server = await peer();
    const t = openTempDb();
    cleanups.push(async () => t.cleanup());
    const clock = new ManualClock();
    const template: MessageTemplate = {
      fromName: 'Relaydeck',
      fromAddress: 'news@sender.test',
      subject: 'Your profile',
      text: Array.from({ length: 50 }, () => '{{bio}}').join('\n'),
      html: '',
    };
    const { deliveryId } = relayedDelivery(
      t.db,
      [
        { email: 'big@example.com', fields: { bio: 'x'.repeat(250_000) } },
        { email: 'small@example.com', fields: { bio: 'short' } },
      ],
      {
        now: clock.now(),
        template,
        routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
      },
    );
    const engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify: recordingNotifier(),
      defaultRoute: () => null,
      sandboxAddress: () => null,
      options: { feedbackFlushMs: 0, maxInFlight: 1 },
    });
    cleanups.push(() => engine.stop());
    engine.start();
    await engine.whenIdle();

    const big = logByEmail(t.db, deliveryId, 'big@example.com');
    expect(big).toMatchObject({ status: 'failed', reason: 'message_too_large', attempts: 1 });
    expect(attemptsOf(t.db, big.id)).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        enhanced: '5.3.4',
        text: expect.stringMatching(/^Message too large: /),
      }),
    ]);
    expect(queueRow(t.db, big.id)).toBeUndefined();
    expect(logByEmail(t.db, deliveryId, 'small@example.com')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(server.received.map((m) => m.to)).toEqual([['small@example.com']]);
  });
});
