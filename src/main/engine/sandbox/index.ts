/**
 * The built-in sandbox: loopback SMTP servers, one per provider profile (SPEC §8, profiles as data in
 * `src/main/defaults/sandbox-profiles.ts`), that behave like those receivers, so a demo delivery shows every
 * status without touching the network, and a profile's hidden limits make it its own destination for the engine
 * to learn. What each profile answers is decided by its `Receiver` (`receiver.ts`), which the simulator's
 * virtual sessions ask too; this module is the SMTP transport around it. A profile whose connections are
 * refused (a dead domain) gets no listener: its address is a closed port. Not a relay: accepted mail is only
 * recorded.
 */
import net from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { HostPort } from '../../../shared/contract';
import type { SandboxProfilesDocument } from '../../../shared/contract/simulation';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { Clock } from '../../clock';
import { maskMatches, mostSpecific } from '../../../shared/domain/domain-mask';
import { DEFAULT_SANDBOX_SEED } from '../../defaults/sandbox-profiles';
import { SANDBOX_PROFILES, type SandboxProfile } from './profiles';
import type { LimitStats } from './limits';
import { sendToMailbox } from './async-mail';
import { Receiver, type AsyncSent, type ReceivedMessage, type ReceiverSession } from './receiver';

export type { AsyncSent, ReceivedMessage } from './receiver';

export interface SandboxOptions {
  host?: string;
  /** Port of the first profile's listener (default 0: ephemeral); every other profile's is ephemeral. */
  port?: number;
  logger?: Logger;
  /** Overrides every profile's greylisting delay (tests). */
  greylistMinDelayMs?: number;
  /**
   * Source of time for greylisting, the hidden limits, the delays, the asynchronous mail and the `at` of
   * received messages.
   */
  clock: Clock;
  /** Largest message accepted, in bytes (default 25 MB). */
  maxMessageBytes?: number;
  /** The profiles served (default the shipped ones). */
  profiles?: readonly SandboxProfile[];
  /** Seed of the recipients' fates (default the shipped profiles' seed). */
  seed?: number;
  /** Where asynchronous DSNs, complaints and auto-replies go (the inMail listener); null = not sent. */
  bounceMailbox?: () => HostPort | null;
  /** Overrides every profile's delay of asynchronous mail (tests). */
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

/** The reply to a recipient of a domain no profile serves. */
const UNKNOWN_DOMAIN = { code: 550, text: '5.1.2 <addr>: Recipient address rejected: Domain not found' };

interface Running {
  listener: SandboxListener;
  server: SMTPServer | null;
  receiver: Receiver;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const { clock } = options;
  const log = (options.logger ?? silentLogger).child({ component: 'sandbox' });
  const maxMessageBytes = options.maxMessageBytes ?? 25 * 1024 * 1024;
  const sendAsync = options.bounceMailbox
    ? (mailFrom: string, raw: string) => {
        const mailbox = options.bounceMailbox?.() ?? null;
        if (!mailbox) return Promise.reject(new Error('no bounce mailbox is listening'));
        return sendToMailbox(mailbox, mailFrom, raw);
      }
    : null;

  /** Calls `fn` after `ms` of the clock (a tarpit's delay), at once when 0. */
  const later = (ms: number, fn: () => void) => (ms > 0 ? void clock.at(clock.now() + ms, fn) : fn());

  /** The listener of `profile`: its domains behave as the profile says, any other domain is unknown. */
  function createServer(profile: SandboxProfile, receiver: Receiver): SMTPServer {
    const serves = (address: string) => {
      const domain = address.slice(address.lastIndexOf('@') + 1);
      return profile.domains.some((mask) => maskMatches(mask, domain));
    };
    const ref = (session: SMTPServerSession): ReceiverSession => ({
      id: session.id,
      remoteAddress: session.remoteAddress,
      secure: session.secure,
    });
    const refused = (reply: { code: number; text: string }, command: string) => {
      log.debug('refused', { profile: profile.name, command, code: reply.code });
      return new SmtpReplyError(reply.code, reply.text);
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
        const verdict = receiver.connect(ref(session));
        later(profile.greetingDelayMs, () => (verdict ? callback(refused(verdict, 'CONNECT')) : callback()));
      },
      onClose(session) {
        receiver.close(ref(session));
      },
      onMailFrom(_address, session, callback) {
        const verdict = receiver.mail(ref(session));
        later(profile.replyDelayMs, () => (verdict ? callback(refused(verdict, 'MAIL')) : callback()));
      },
      onRcptTo(address, session, callback) {
        const rcpt = address.address;
        const verdict = serves(rcpt)
          ? receiver.rcpt(ref(session), rcpt)
          : { code: UNKNOWN_DOMAIN.code, text: UNKNOWN_DOMAIN.text.replace('<addr>', `<${rcpt}>`) };
        later(profile.replyDelayMs, () => (verdict ? callback(refused(verdict, 'RCPT')) : callback()));
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
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const to = session.envelope.rcptTo.map((r) => r.address);
          // A dropped connection: smtp-server cannot close a session without a reply, so the live sandbox
          // answers 421 and closes (the virtual network drops it silently).
          if (receiver.dropsAfterData(to))
            return later(profile.replyDelayMs, () =>
              callback(
                refused({ code: 421, text: `4.4.2 ${SERVER_NAME} Error: connection dropped` }, 'DATA'),
              ),
            );
          const verdict = receiver.data(ref(session), {
            from,
            to,
            size,
            messageId: headerMessageId(head),
            original: () => kept.slice(0, ORIGINAL_KEEP_LIMIT),
          });
          later(profile.replyDelayMs, () => {
            if (verdict) return callback(refused(verdict, 'DATA'));
            log.debug('message accepted', { from, to, size, profile: profile.name });
            callback(null, `2.0.0 Ok: queued as ${receiver.acceptedCount()}`);
          });
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

  /** A port nothing listens on (a dead domain's address): bound, then closed at once. */
  async function closedPort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, host, resolve);
    });
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return typeof address === 'object' && address ? address.port : 0;
  }

  let running: Running[] = [];
  /** Each domain or mask of a profile with its listener (the most specific mask answers). */
  let served: { mask: string; listener: SandboxListener }[] = [];

  const closeAll = async (list: Running[]) => {
    await Promise.all(list.map((r) => r.receiver.shutdown()));
    await Promise.all(
      list.map(
        (r) => new Promise<void>((resolve) => (r.server ? r.server.close(() => resolve()) : resolve())),
      ),
    );
  };

  async function serve(profiles: readonly SandboxProfile[], seed: number, firstPort: number): Promise<void> {
    if (profiles.length === 0) throw new Error('sandbox: no profile to serve (options.profiles is empty)');
    // The listeners being replaced close first: the first profile's port is taken again.
    const old = running;
    running = [];
    await closeAll(old);
    const started: Running[] = [];
    try {
      for (const [i, profile] of profiles.entries()) {
        const receiver = new Receiver(profile, {
          clock,
          seed,
          serverName: SERVER_NAME,
          sendAsync,
          ...(options.greylistMinDelayMs !== undefined
            ? { greylistDelayMs: options.greylistMinDelayMs }
            : {}),
          ...(options.asyncDelayMs !== undefined ? { asyncDelayMs: options.asyncDelayMs } : {}),
        });
        const dead = profile.connection === 'refuse';
        const server = dead ? null : createServer(profile, receiver);
        const port = server ? await listen(server, i === 0 ? firstPort : 0) : await closedPort();
        const listener = { profile: profile.name, host, port, domains: [...profile.domains] };
        started.push({ listener, server, receiver });
        log.info(dead ? 'sandbox profile refuses connections' : 'sandbox listening', {
          profile: profile.name,
          host,
          port,
        });
      }
    } catch (err) {
      await closeAll(started);
      throw err;
    }
    running = started;
    served = running.flatMap(({ listener }) => listener.domains.map((mask) => ({ mask, listener })));
  }

  await serve(options.profiles ?? SANDBOX_PROFILES, options.seed ?? DEFAULT_SANDBOX_SEED, options.port ?? 0);
  let firstPort = running[0]!.listener.port;
  // While a reload replaces the listeners, the last first listener answers for `first()` (its port is the
  // one the reload takes again).
  let lastFirst = running[0]!.listener;
  const first = () => {
    const listener = running[0]?.listener;
    if (listener) lastFirst = listener;
    return lastFirst;
  };
  const sandbox: Sandbox = {
    get host() {
      return first().host;
    },
    get port() {
      return first().port;
    },
    get domains() {
      return running.flatMap((r) => r.listener.domains);
    },
    get listeners() {
      return running.map((r) => ({ ...r.listener, domains: [...r.listener.domains] }));
    },
    addressFor(domain) {
      const listener = mostSpecific(served, domain)?.listener ?? first();
      return { host: listener.host, port: listener.port };
    },
    received: () => running.flatMap((r) => r.receiver.receivedMessages()).sort((a, b) => a.at - b.at),
    asyncSent: () => running.flatMap((r) => r.receiver.asyncMail()).sort((a, b) => a.at - b.at),
    stats: () => running.map((r) => r.receiver.stats()),
    reload: async (document) => {
      try {
        await serve(document.profiles, document.seed, firstPort);
      } catch (err) {
        // The port was taken meanwhile: any port will do (the app's routes ask `addressFor`).
        log.warn('sandbox: the first profile’s port could not be taken again; listening on another', { err });
        await serve(document.profiles, document.seed, 0);
      }
      firstPort = first().port;
    },
    close: () => closeAll(running),
  };
  return sandbox;
}

/** The Message-ID of a header block (unfolded), or null. */
export function headerMessageId(head: string): string | null {
  const end = head.indexOf('\r\n\r\n');
  const headers = (end >= 0 ? head.slice(0, end) : head).replace(/\r\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(.+?)\s*$/im.exec(headers);
  return m?.[1] ?? null;
}
export type { LimitEvent, LimitEventKind, LimitStats } from './limits';
