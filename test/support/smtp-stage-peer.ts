/**
 * A scripted SMTP peer on 127.0.0.1 port 0 for the relay's stage tests: a plain `net.createServer` speaking
 * just enough SMTP (EHLO/HELO, STARTTLS with smtp-server's bundled localhost certificate, PIPELINING when told,
 * MAIL, RCPT, DATA, RSET, QUIT), which asks `decide` what to answer at each stage: the normal reply, a 421
 * (then it closes, RFC 5321 §3.8), a 450 or a 550, a drop (close without a reply, once the replies written
 * before have left), silence (no reply, nothing read after it), close (the normal reply, then the connection
 * closed, as a receiver ending a session at its message budget without a word), or hold (the normal reply,
 * withheld until `release()`).
 */
import net from 'node:net';
import tls from 'node:tls';
import getTLSOptions from 'smtp-server/lib/tls-options';

export type PeerStage = 'greeting' | 'ehlo' | 'starttls' | 'mail' | 'rcpt' | 'data' | 'data-end';
export type PeerAnswer = 421 | 450 | 550 | 'drop' | 'silence' | 'close';

export interface PeerEvent {
  stage: PeerStage;
  /** 1-based number of this connection. */
  connection: number;
  /** 1-based number of the transaction (MAIL) over the whole peer, 0 before the first MAIL. */
  transaction: number;
  /** Transactions started on this connection (this one included). */
  onConnection: number;
  /** Connections open now, this one included. */
  open: number;
}

export interface StagePeerOptions {
  pipelining: boolean;
  starttls: boolean;
  /** The SIZE limit advertised (default 10485760). */
  size?: number;
  /** Advertise SMTPUTF8. */
  smtputf8?: boolean;
  decide?: (event: PeerEvent) => PeerAnswer | 'hold' | null;
}

export interface StagePeer {
  port: number;
  connections: number;
  /** Messages accepted (final dot answered 250): recipients and data. */
  received: { to: string[]; data: string }[];
  /** Every MAIL command received, as sent. */
  mailLines: string[];
  /** Replies withheld (`hold`) so far. */
  held: number;
  /** Resolves once `n` replies are withheld. */
  whenHeld(n: number): Promise<void>;
  /** Sends the withheld replies. */
  release(): void;
  close(): Promise<void>;
}

const TEXT: Record<421 | 450 | 550, string> = {
  421: '421 4.7.0 peer.test closing connection',
  450: '450 4.7.1 peer.test try again later',
  550: '550 5.7.1 peer.test refused',
};

export async function startStagePeer(options: StagePeerOptions): Promise<StagePeer> {
  const { key, cert } = getTLSOptions({}) as { key: string; cert: string };
  const secureContext = tls.createSecureContext({ key, cert });
  const sockets = new Set<net.Socket>();
  const heldReplies: (() => void)[] = [];
  const heldWaiters: { n: number; resolve: () => void }[] = [];
  let transactions = 0;
  let open = 0;
  const state: StagePeer = {
    port: 0,
    connections: 0,
    received: [],
    mailLines: [],
    held: 0,
    whenHeld: (n) =>
      n <= state.held ? Promise.resolve() : new Promise((resolve) => heldWaiters.push({ n, resolve })),
    release: () => {
      for (const send of heldReplies.splice(0)) send();
    },
    close: async () => undefined,
  };

  const server = net.createServer((raw) => {
    sockets.add(raw);
    open++;
    const connection = ++state.connections;
    let onConnection = 0;
    let socket: net.Socket = raw;
    let buffer = '';
    let dead = false;
    let secure = false;
    let from: string | null = null;
    let to: string[] = [];
    let data: string | null = null;
    raw.on('close', () => {
      sockets.delete(raw);
      open--;
    });
    raw.on('error', () => undefined);

    const event = (stage: PeerStage): PeerEvent => ({
      stage,
      connection,
      transaction: transactions,
      onConnection,
      open,
    });
    /** Sends `normal` unless the script says otherwise; false when the session is over. */
    const answer = (stage: PeerStage, normal: string): boolean => {
      const decision = options.decide?.(event(stage)) ?? null;
      if (decision === null) return write(normal);
      if (decision === 'hold') {
        heldReplies.push(() => write(normal));
        state.held++;
        for (const w of heldWaiters.filter((x) => x.n <= state.held)) {
          heldWaiters.splice(heldWaiters.indexOf(w), 1);
          w.resolve();
        }
        return true;
      }
      if (decision === 'drop') {
        // Closed without a reply, after the replies already written have left (a destroy would discard those
        // still queued, e.g. by TLS, and the drop would seem to come earlier).
        dead = true;
        socket.end();
        return false;
      }
      if (decision === 'silence') {
        dead = true;
        return false;
      }
      if (decision === 'close') {
        dead = true;
        socket.end(`${normal}\r\n`);
        return false;
      }
      if (decision === 421) {
        dead = true;
        socket.end(`${TEXT[421]}\r\n`);
        return false;
      }
      return write(TEXT[decision]) && false;
    };
    const write = (reply: string): boolean => {
      if (!dead) socket.write(`${reply}\r\n`);
      return true;
    };
    const ehlo = (): string =>
      [
        'peer.test',
        ...(options.pipelining ? ['PIPELINING'] : []),
        ...(options.starttls && !secure ? ['STARTTLS'] : []),
        '8BITMIME',
        ...(options.smtputf8 ? ['SMTPUTF8'] : []),
        `SIZE ${options.size ?? 10485760}`,
      ]
        .map((line, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${line}`)
        .join('\r\n');

    const onData = (chunk: Buffer): void => {
      if (dead) return;
      buffer += chunk.toString('latin1');
      for (;;) {
        if (dead) return;
        if (data !== null) {
          const end = buffer.startsWith('.\r\n') && data === '' ? 0 : buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          data += buffer.slice(0, end === 0 ? 0 : end + 2);
          buffer = buffer.slice(end === 0 ? 3 : end + 5);
          const message = { to, data };
          data = null;
          from = null;
          to = [];
          if (answer('data-end', '250 2.0.0 Ok: queued')) state.received.push(message);
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          answer('ehlo', ehlo());
        } else if (verb === 'HELO') {
          answer('ehlo', '250 peer.test');
        } else if (verb === 'STAR' && options.starttls && !secure) {
          if (answer('starttls', '220 2.0.0 Ready to start TLS')) {
            const tlsSocket = new tls.TLSSocket(socket, { isServer: true, secureContext });
            socket.off('data', onData);
            tlsSocket.on('error', () => undefined);
            tlsSocket.on('data', onData);
            socket = tlsSocket;
            secure = true;
            buffer = '';
            return;
          }
        } else if (verb === 'MAIL') {
          transactions++;
          onConnection++;
          state.mailLines.push(line);
          to = [];
          from = answer('mail', '250 2.1.0 Ok') ? line : null;
        } else if (verb === 'RCPT') {
          if (from === null) write('503 5.5.1 Error: need MAIL command');
          else if (answer('rcpt', '250 2.1.5 Ok')) to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
        } else if (verb === 'DATA') {
          if (from === null) write('503 5.5.1 Error: need MAIL command');
          else if (to.length === 0) write('554 5.5.1 Error: no valid recipients');
          else if (answer('data', '354 End data with <CR><LF>.<CR><LF>')) data = '';
        } else if (verb === 'RSET') {
          from = null;
          to = [];
          write('250 2.0.0 Ok');
        } else if (verb === 'QUIT') {
          dead = true;
          socket.end('221 2.0.0 Bye\r\n');
          return;
        } else {
          write('502 5.5.2 Error: command not recognized');
        }
      }
    };
    raw.on('data', onData);
    answer('greeting', '220 peer.test ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.port = typeof address === 'object' && address ? address.port : 0;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
