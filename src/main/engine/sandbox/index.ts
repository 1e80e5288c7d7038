/**
 * The built-in sandbox: a loopback SMTP server that behaves like the receivers of `profiles.ts`, so a demo
 * delivery shows every status without touching the network. Not a relay: accepted mail is only recorded.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { HostPort } from '../../../shared/contract';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { Clock } from '../../clock';
import { behaviourFor, replyText, SANDBOX_PROFILES, type Behaviour, type SandboxProfile } from './profiles';
import { buildAsyncReply, sendToMailbox, type AsyncReplyKind } from './async-mail';

export interface SandboxOptions {
  host?: string;
  port?: number;
  logger?: Logger;
  /** How long a greylisted recipient must wait before its retry is accepted (default 0). */
  greylistMinDelayMs?: number;
  /** Source of time for greylisting, the asynchronous mail's delay and the `at` of received messages. */
  clock: Clock;
  /** Largest message accepted, in bytes (default 25 MB). */
  maxMessageBytes?: number;
  profiles?: readonly SandboxProfile[];
  /** Where asynchronous DSNs, complaints and auto-replies go (the inMail listener); null = not sent. */
  bounceMailbox?: () => HostPort | null;
  /** How long after accepting a message its asynchronous mail is sent (default 200 ms of the clock). */
  asyncDelayMs?: number;
}

export interface Sandbox {
  host: string;
  port: number;
  domains: string[];
  received(): ReceivedMessage[];
  /** Asynchronous mail sent back (or failed to send) so far. */
  asyncSent(): AsyncSent[];
  close(): Promise<void>;
}

export interface AsyncSent {
  kind: AsyncReplyKind;
  rcpt: string;
  to: string;
  at: number;
  error: string | null;
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  messageId: string | null;
  size: number;
  at: number;
}

const HEADER_SCAN_LIMIT = 64 * 1024;
/** What is kept of an accepted message for an asynchronous report that returns it (ARF). */
const ORIGINAL_KEEP_LIMIT = 256 * 1024;

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const { clock } = options;
  const log = (options.logger ?? silentLogger).child({ component: 'sandbox' });
  const profiles = options.profiles ?? SANDBOX_PROFILES;
  const greylistMinDelayMs = options.greylistMinDelayMs ?? 0;
  const maxMessageBytes = options.maxMessageBytes ?? 25 * 1024 * 1024;
  const greylisted = new Map<string, number>();
  const received: ReceivedMessage[] = [];
  const asyncSent: AsyncSent[] = [];
  const pendingAsync = new Set<() => void>();
  const inFlightAsync = new Set<Promise<void>>();
  const asyncDelayMs = options.asyncDelayMs ?? 200;

  /** Sends the asynchronous mail of an accepted recipient a moment later (never for the null sender). */
  function scheduleAsync(kind: AsyncReplyKind, mailFrom: string, rcpt: string, original: string): void {
    if (!mailFrom || !options.bounceMailbox) return;
    const at = clock.now();
    const seq = asyncSent.length + pendingAsync.size + 1;
    const cancel = clock.at(at + asyncDelayMs, () => {
      pendingAsync.delete(cancel);
      const mailbox = options.bounceMailbox?.() ?? null;
      if (!mailbox) return;
      const raw = buildAsyncReply(
        kind,
        { mailFrom, rcpt, original, messageId: headerMessageId(original), at },
        seq,
      );
      const sending = sendToMailbox(mailbox, mailFrom, raw).then(
        () => {
          asyncSent.push({ kind, rcpt, to: mailFrom, at: clock.now(), error: null });
          log.debug('asynchronous mail sent', { kind, rcpt, to: mailFrom });
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          asyncSent.push({ kind, rcpt, to: mailFrom, at: clock.now(), error });
          log.warn('asynchronous mail could not be sent', { kind, rcpt, to: mailFrom, err });
        },
      );
      inFlightAsync.add(sending);
      void sending.finally(() => inFlightAsync.delete(sending));
    });
    pendingAsync.add(cancel);
  }

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
      let kept = '';
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (head.length < HEADER_SCAN_LIMIT && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
        if (kept.length < ORIGINAL_KEEP_LIMIT) kept += chunk.toString('latin1');
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
        for (const rcpt of to) {
          const behaviour = rcptBehaviour(rcpt);
          if (behaviour.kind === 'accept' && behaviour.after)
            scheduleAsync(behaviour.after, from, rcpt, kept.slice(0, ORIGINAL_KEEP_LIMIT));
        }
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
    asyncSent: () => [...asyncSent],
    close: async () => {
      for (const cancel of pendingAsync) cancel();
      pendingAsync.clear();
      await Promise.allSettled([...inFlightAsync]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Message-ID of a header block (unfolded), or null. */
export function headerMessageId(head: string): string | null {
  const end = head.indexOf('\r\n\r\n');
  const headers = (end >= 0 ? head.slice(0, end) : head).replace(/\r\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(.+?)\s*$/im.exec(headers);
  return m?.[1] ?? null;
}
