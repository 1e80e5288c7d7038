/**
 * The built-in sandbox: a loopback SMTP server that behaves like the receivers of `profiles.ts`, so a demo
 * delivery shows every status without touching the network. Not a relay: accepted mail is only recorded.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import { systemClock, type Clock } from '../clock';
import { behaviourFor, replyText, SANDBOX_PROFILES, type Behaviour, type SandboxProfile } from './profiles';

export interface SandboxOptions {
  host?: string;
  port?: number;
  logger?: Logger;
  /** How long a greylisted recipient must wait before its retry is accepted (default 0). */
  greylistMinDelayMs?: number;
  /** Source of time for greylisting and the `at` of received messages (default the system clock). */
  clock?: Clock;
  /** Largest message accepted, in bytes (default 25 MB). */
  maxMessageBytes?: number;
  profiles?: readonly SandboxProfile[];
}

export interface Sandbox {
  host: string;
  port: number;
  domains: string[];
  received(): ReceivedMessage[];
  close(): Promise<void>;
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  messageId: string | null;
  size: number;
  at: number;
}

const HEADER_SCAN_LIMIT = 64 * 1024;

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? silentLogger).child({ component: 'sandbox' });
  const profiles = options.profiles ?? SANDBOX_PROFILES;
  const greylistMinDelayMs = options.greylistMinDelayMs ?? 0;
  const maxMessageBytes = options.maxMessageBytes ?? 25 * 1024 * 1024;
  const greylisted = new Map<string, number>();
  const received: ReceivedMessage[] = [];

  function rcptBehaviour(address: string): Behaviour {
    return behaviourFor(address, profiles);
  }

  function greylistPasses(address: string): boolean {
    const key = address.toLowerCase();
    const first = greylisted.get(key);
    if (first === undefined) {
      greylisted.set(key, clock.now());
      return false;
    }
    return clock.now() - first >= greylistMinDelayMs;
  }

  const server = new SMTPServer({
    name: 'sandbox.relaydeck.test',
    banner: 'Relaydeck sandbox ESMTP',
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: maxMessageBytes,
    // STARTTLS is offered with smtp-server's built-in self-signed certificate (loopback only, tests TLS paths);
    // `logger: false` also silences its warning about that certificate.
    logger: false,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address;
      const behaviour = rcptBehaviour(rcpt);
      switch (behaviour.kind) {
        case 'accept':
        case 'reject_data':
          return callback();
        case 'reject_rcpt':
          log.debug('recipient refused', { rcpt, code: behaviour.code });
          return callback(new SmtpReplyError(behaviour.code, replyText(behaviour.text, rcpt)));
        case 'greylist':
          if (greylistPasses(rcpt)) return callback();
          log.debug('recipient greylisted', { rcpt });
          return callback(new SmtpReplyError(behaviour.code, replyText(behaviour.text, rcpt)));
      }
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      let size = 0;
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (head.length < HEADER_SCAN_LIMIT && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          return callback(
            new SmtpReplyError(552, `5.2.3 Message exceeds the size limit of ${maxMessageBytes} bytes`),
          );
        }
        const to = session.envelope.rcptTo.map((r) => r.address);
        const refusal = to.map(rcptBehaviour).find((b) => b.kind === 'reject_data');
        if (refusal && refusal.kind === 'reject_data') {
          return callback(new SmtpReplyError(refusal.code, refusal.text));
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const messageId = headerMessageId(head);
        received.push({ from, to, messageId, size, at: clock.now() });
        log.debug('message accepted', { from, to, messageId, size });
        callback(null, `2.0.0 Ok: queued as ${received.length}`);
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log.warn('sandbox server error', { err }));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  log.info('sandbox listening', { host, port });

  return {
    host,
    port,
    domains: profiles.flatMap((p) => [...p.domains]),
    received: () => [...received],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Message-ID of a header block (unfolded), or null. */
export function headerMessageId(head: string): string | null {
  const end = head.indexOf('\r\n\r\n');
  const headers = (end >= 0 ? head.slice(0, end) : head).replace(/\r\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(.+?)\s*$/im.exec(headers);
  return m?.[1] ?? null;
}
