/**
 * The built-in sandbox: loopback SMTP servers, one per profile of `profiles.ts` (SPEC §8), that behave like
 * those receivers, so a demo delivery shows every status without touching the network, and a profile's hidden
 * limits (`limits.ts`) make it its own destination for the engine to learn. Not a relay: accepted mail is only
 * recorded.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { HostPort } from '../../../shared/contract';
import type { SandboxProfilesDocument } from '../../../shared/contract/simulation';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { Clock } from '../../clock';
import {
  behaviourFor,
  limitText,
  replyText,
  SANDBOX_PROFILES,
  type Behaviour,
  type LimitReply,
  type SandboxProfile,
} from './profiles';
import { LimitState, type LimitStats } from './limits';
import { buildAsyncReply, sendToMailbox, type AsyncReplyKind } from './async-mail';

export interface SandboxOptions {
  host?: string;
  /** Port of the first profile's listener (default 0: ephemeral); every other profile's is ephemeral. */
  port?: number;
  logger?: Logger;
  /** How long a greylisted recipient must wait before its retry is accepted (default 0). */
  greylistMinDelayMs?: number;
  /**
   * Source of time for greylisting, the hidden limits, the asynchronous mail's delay and the `at` of received
   * messages.
   */
  clock: Clock;
  /** Largest message accepted, in bytes (default 25 MB). */
  maxMessageBytes?: number;
  profiles?: readonly SandboxProfile[];
  /** Where asynchronous DSNs, complaints and auto-replies go (the inMail listener); null = not sent. */
  bounceMailbox?: () => HostPort | null;
  /** How long after accepting a message its asynchronous mail is sent (default 200 ms of the clock). */
  asyncDelayMs?: number;
}

/** One simulated receiver: the listener of one profile, serving that profile's domains only. */
export interface SandboxListener {
  profile: string;
  host: string;
  port: number;
  domains: string[];
}

export interface Sandbox {
  /** The first profile's listener (the demo's), which also answers for domains no profile serves. */
  host: string;
  port: number;
  domains: string[];
  /** One per profile (SPEC §8), in the profiles' order. */
  listeners: SandboxListener[];
  /** The listener a recipient domain is delivered to: its profile's, else the first (which refuses it). */
  addressFor(domain: string): HostPort;
  received(): ReceivedMessage[];
  /** Asynchronous mail sent back (or failed to send) so far. */
  asyncSent(): AsyncSent[];
  /** What each profile's hidden limits refused and accepted, with times (profiles without limits too). */
  stats(): LimitStats[];
  /** Serves these profiles from now on (listeners restarted; the address of each profile may change). */
  reload(profiles: SandboxProfilesDocument): Promise<void>;
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
  /** The profile whose listener accepted it. */
  profile: string;
}

const HEADER_SCAN_LIMIT = 64 * 1024;
/** What is kept of an accepted message for an asynchronous report that returns it (ARF). */
const ORIGINAL_KEEP_LIMIT = 256 * 1024;
const SERVER_NAME = 'sandbox.relaydeck.test';

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
  if (profiles.length === 0) throw new Error('sandbox: no profile to serve (options.profiles is empty)');
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

  function greylistPasses(address: string): boolean {
    const key = address.toLowerCase();
    const first = greylisted.get(key);
    if (first === undefined) {
      greylisted.set(key, clock.now());
      return false;
    }
    return clock.now() - first >= greylistMinDelayMs;
  }

  /** The listener of `profile`: its domains behave as the profile says, any other domain is unknown. */
  function createServer(profile: SandboxProfile, limits: LimitState): SMTPServer {
    const served = [profile];
    const rcptBehaviour = (address: string): Behaviour => behaviourFor(address, served);
    const refusal = (reply: LimitReply, session: SMTPServerSession) =>
      new SmtpReplyError(reply.code, limitText(reply, SERVER_NAME, session.remoteAddress));
    const refused = (reply: LimitReply, session: SMTPServerSession, command: string) => {
      log.debug('hidden limit: refused', { profile: profile.name, command, code: reply.code });
      return refusal(reply, session);
    };
    return new SMTPServer({
      name: SERVER_NAME,
      banner: 'Relaydeck sandbox ESMTP',
      authOptional: true,
      disabledCommands: ['AUTH'],
      size: maxMessageBytes,
      // STARTTLS is offered with smtp-server's built-in self-signed certificate (loopback only, tests TLS
      // paths); `logger: false` also silences its warning about that certificate.
      logger: false,
      onConnect(session, callback) {
        const verdict = limits.connect(session);
        if (verdict) return callback(refused(verdict, session, 'CONNECT'));
        callback();
      },
      onClose(session) {
        limits.close(session);
      },
      onMailFrom(_address, session, callback) {
        const verdict = limits.mail(session);
        if (verdict) return callback(refused(verdict, session, 'MAIL'));
        callback();
      },
      onRcptTo(address, session, callback) {
        const verdict = limits.rcpt(session);
        if (verdict) return callback(refused(verdict, session, 'RCPT'));
        const rcpt = address.address;
        const behaviour = rcptBehaviour(rcpt);
        switch (behaviour.kind) {
          case 'accept':
          case 'reject_data':
            limits.rcptAccepted();
            return callback();
          case 'reject_rcpt':
            log.debug('recipient refused', { rcpt, code: behaviour.code });
            return callback(new SmtpReplyError(behaviour.code, replyText(behaviour.text, rcpt)));
          case 'greylist':
            if (greylistPasses(rcpt)) {
              limits.rcptAccepted();
              return callback();
            }
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
          const verdict = limits.data(session);
          if (verdict) return callback(refused(verdict, session, 'DATA'));
          const to = session.envelope.rcptTo.map((r) => r.address);
          const refusal = to.map(rcptBehaviour).find((b) => b.kind === 'reject_data');
          if (refusal && refusal.kind === 'reject_data') {
            return callback(new SmtpReplyError(refusal.code, refusal.text));
          }
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const messageId = headerMessageId(head);
          received.push({ from, to, messageId, size, at: clock.now(), profile: profile.name });
          limits.messageAccepted();
          for (const rcpt of to) {
            const behaviour = rcptBehaviour(rcpt);
            if (behaviour.kind === 'accept' && behaviour.after)
              scheduleAsync(behaviour.after, from, rcpt, kept.slice(0, ORIGINAL_KEEP_LIMIT));
          }
          log.debug('message accepted', { from, to, messageId, size, profile: profile.name });
          callback(null, `2.0.0 Ok: queued as ${received.length}`);
        });
      },
    });
  }

  async function listen(server: SMTPServer, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => log.warn('sandbox server error', { err }));
    const address = server.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  const running: { listener: SandboxListener; server: SMTPServer; limits: LimitState }[] = [];
  const closeServers = () =>
    Promise.all(running.map((r) => new Promise<void>((resolve) => r.server.close(() => resolve()))));
  try {
    for (const [i, profile] of profiles.entries()) {
      const limits = new LimitState(profile.name, profile.limits ?? {}, clock);
      const server = createServer(profile, limits);
      const port = await listen(server, i === 0 ? (options.port ?? 0) : 0);
      const listener = { profile: profile.name, host, port, domains: [...profile.domains] };
      running.push({ listener, server, limits });
      log.info('sandbox listening', { profile: profile.name, host, port });
    }
  } catch (err) {
    await closeServers();
    throw err;
  }
  const first = running[0]!.listener;
  const byDomain = new Map<string, SandboxListener>();
  for (const { listener } of running) {
    for (const domain of listener.domains) if (!byDomain.has(domain)) byDomain.set(domain, listener);
  }

  return {
    host: first.host,
    port: first.port,
    domains: profiles.flatMap((p) => [...p.domains]),
    listeners: running.map((r) => ({ ...r.listener, domains: [...r.listener.domains] })),
    addressFor(domain) {
      const listener = byDomain.get(domain.toLowerCase()) ?? first;
      return { host: listener.host, port: listener.port };
    },
    received: () => [...received],
    asyncSent: () => [...asyncSent],
    stats: () => running.map((r) => r.limits.stats()),
    reload: async () => {},
    close: async () => {
      for (const cancel of pendingAsync) cancel();
      pendingAsync.clear();
      await Promise.allSettled([...inFlightAsync]);
      await closeServers();
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
export type { LimitEvent, LimitEventKind, LimitStats } from './limits';
