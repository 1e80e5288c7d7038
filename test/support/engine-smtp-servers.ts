/**
 * Receiving servers for engine integration tests, all on 127.0.0.1 port 0: a scripted smtp-server (reply by
 * recipient local part) and raw TCP servers for what smtp-server cannot do (drop mid-session, never answer).
 */
import net from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ScriptedServer {
  port: number;
  connections: number;
  /** Each message received: its envelope (MAIL FROM, RCPT TO) and bytes. */
  messages: { from: string; to: string[]; raw: string }[];
  close(): Promise<void>;
}

class Reply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * By local part: ok* -> 250; grey* -> 451 4.7.1 the first time, then 250; full* -> 452 4.2.2; unknown* -> 550 5.1.1;
 * blocked* -> 554 5.7.1 (a Spamhaus block of the sender's IP); odd* -> 550 with a text nothing recognises;
 * spam* -> 554 5.7.1 after DATA; anything else -> 250.
 */
export async function startScriptedServer(options: { starttls?: boolean } = {}): Promise<ScriptedServer> {
  const seen = new Set<string>();
  const state: ScriptedServer = { port: 0, connections: 0, messages: [], close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.starttls === false ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    logger: false,
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const rcpt = address.address;
      const local = rcpt.split('@')[0] ?? '';
      if (local.startsWith('unknown'))
        return callback(new Reply(550, `5.1.1 <${rcpt}>: Recipient address rejected: User unknown`));
      if (local.startsWith('blocked'))
        return callback(
          new Reply(
            554,
            '5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1',
          ),
        );
      if (local.startsWith('odd')) return callback(new Reply(550, 'Requested action not taken'));
      if (local.startsWith('full'))
        return callback(new Reply(452, `4.2.2 <${rcpt}>: Mailbox full, try again later`));
      if (local.startsWith('grey') && !seen.has(rcpt)) {
        seen.add(rcpt);
        return callback(
          new Reply(451, `4.7.1 <${rcpt}>: Recipient address rejected: Greylisted, please try again later`),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.some((a) => a.startsWith('spam')))
          return callback(new Reply(554, '5.7.1 Message rejected: spam content detected'));
        const mailFrom = session.envelope.mailFrom;
        const from = mailFrom ? mailFrom.address : '';
        state.messages.push({ from, to, raw: Buffer.concat(chunks).toString('utf8') });
        callback(null, '2.0.0 Ok: queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

export interface RawServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A minimal line-based SMTP peer: `mode: 'silent'` accepts the TCP connection and never says a word;
 * `mode: 'drop-at-rcpt'` greets, answers EHLO and MAIL, then closes the connection on RCPT.
 */
export async function startRawServer(mode: 'silent' | 'drop-at-rcpt'): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (mode === 'silent') return;
    socket.write('220 raw.test ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i).toUpperCase();
        buffer = buffer.slice(i + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 raw.test\r\n');
        else if (line.startsWith('MAIL')) socket.write('250 2.1.0 Ok\r\n');
        else if (line.startsWith('RCPT')) socket.destroy();
        else if (line.startsWith('QUIT')) socket.end('221 Bye\r\n');
        else socket.write('502 5.5.2 Not implemented\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released): connections to it are refused. */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
