/**
 * The simulator's network: DNS and SMTP sessions answered by the sandbox's provider profiles on the virtual
 * clock, in place of sockets. The engine runs unchanged on top of it: it resolves each recipient domain's MX
 * hosts (`dns`), opens sessions through the relay's `SessionOpener` (`open`), and learns from the replies as it
 * would from real receivers. Only the network is simulated: routing, MX rules, shaping, retries, the classifier,
 * the feedback and the quarantine are the product's own code.
 *
 * A session costs time as a real one does: `RTT_MS` per round trip (the greeting, EHLO, STARTTLS, the pipelined
 * envelope, the end of data, RSET, QUIT) plus the profile's delays (a tarpit). A reply later than the relay's
 * timeout is a timeout. A 421 ends the session, as the server closes it.
 */
import type { Clock } from '../clock';
import { Receiver, type ReceiverSession } from '../engine/sandbox/receiver';
import type { LimitStats } from '../engine/sandbox/limits';
import type { DnsResolver } from '../engine/types';
import type {
  Answer,
  OpenResult,
  SessionOpener,
  SmtpConnection,
  SmtpOpenOptions,
  SmtpReply,
  TransactionResult,
  TransactionTimeouts,
} from '../engine/relay/smtp-client';
import type { SandboxProfile } from '../../shared/contract/simulation';
import { headerMessageId } from '../engine/sandbox';
import { mostSpecific } from '../../shared/domain/domain-mask';

/** One network round trip between the relay and a receiver. */
export const RTT_MS = 40;
/** TTL of the simulated DNS answers, in seconds. */
const DNS_TTL_S = 3600;
/** The address the receivers see the relay connect from. */
export const CLIENT_IP = '198.51.100.25';
const SERVER_NAME_SUFFIX = 'sim.relaydeck.test';
const HEAD_LIMIT = 64 * 1024;
const ORIGINAL_KEEP_LIMIT = 256 * 1024;

export interface VirtualNetworkOptions {
  profiles: readonly SandboxProfile[];
  seed: number;
  clock: Clock;
  /** Delivers a receiver's asynchronous mail (DSN, complaint, auto-reply) to the bounce mailbox. */
  sendAsync: (mailFrom: string, raw: string) => Promise<void>;
}

export interface VirtualNetwork {
  dns: DnsResolver;
  open: SessionOpener;
  /** Per profile: what its receiver accepted and refused. */
  stats(): { profile: SandboxProfile; limits: LimitStats; accepted: number; asyncSent: number }[];
  /** Asynchronous mail scheduled or in flight (the figures are final only once none is left). */
  asyncPending(): number;
  /** Sessions open now. */
  openSessions(): number;
  close(): Promise<void>;
}

interface Host {
  profile: SandboxProfile;
  receiver: Receiver;
  ip: string;
}

export function createVirtualNetwork(o: VirtualNetworkOptions): VirtualNetwork {
  const { clock } = o;
  const receivers = new Map<string, Receiver>();
  const hosts = new Map<string, Host>();
  /** Each domain or mask of a profile with the profile's MX hosts (the most specific mask answers). */
  const served: { mask: string; mx: string[] }[] = [];
  let sessionSeq = 0;
  let open = 0;

  o.profiles.forEach((profile, p) => {
    const receiver = new Receiver(profile, {
      clock,
      seed: o.seed,
      serverName: `${profile.id}.${SERVER_NAME_SUFFIX}`,
      sendAsync: o.sendAsync,
      keepReceived: false,
    });
    receivers.set(profile.id, receiver);
    const first = profile.domains.find((d) => !d.startsWith('*.')) ?? profile.domains[0]!.slice(2);
    const mx = profile.mxHosts.length > 0 ? profile.mxHosts : [`mx.${first}`];
    mx.forEach((host, h) =>
      hosts.set(host, { profile, receiver, ip: `203.0.113.${(p * 10 + h + 1) % 255}` }),
    );
    for (const mask of profile.domains) served.push({ mask, mx });
  });

  const sleep = (ms: number) =>
    ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => clock.at(clock.now() + ms, resolve));

  function dnsError(code: string, name: string): Error {
    return Object.assign(new Error(`query ${code} ${name}`), { code, ttl: DNS_TTL_S });
  }

  const dns: DnsResolver = {
    resolveMx(domain) {
      const mx = mostSpecific(served, domain)?.mx;
      if (!mx) return Promise.reject(dnsError('ENOTFOUND', domain));
      return Promise.resolve(mx.map((exchange, i) => ({ exchange, priority: 10 * (i + 1), ttl: DNS_TTL_S })));
    },
    resolve4(host) {
      const known = hosts.get(host.toLowerCase());
      if (!known) return Promise.reject(dnsError('ENOTFOUND', host));
      return Promise.resolve([{ address: known.ip, ttl: DNS_TTL_S }]);
    },
    resolve6(host) {
      return Promise.reject(dnsError('ENODATA', host));
    },
  };

  async function openSession(options: SmtpOpenOptions): Promise<OpenResult> {
    const host = hosts.get(options.host.toLowerCase());
    const session = new VirtualSession(host ?? null, `s${++sessionSeq}`, clock, sleep, () => open--);
    if (!host || host.profile.connection === 'refuse') {
      await sleep(RTT_MS);
      session.end(false);
      const message = host
        ? `connect ECONNREFUSED ${host.ip}:${options.port}`
        : `getaddrinfo ENOTFOUND ${options.host}`;
      return {
        ok: false,
        failure: { answer: silence('connect', 'refused', message), tls: null, session },
      };
    }
    open++;
    session.connected();
    const { profile, receiver } = host;
    // The greeting, after the profile's delay (a tarpit) unless the relay gave up first.
    const greetingDelay = RTT_MS + profile.greetingDelayMs;
    if (greetingDelay > options.greetingMs) {
      await sleep(options.greetingMs);
      session.end(false);
      return {
        ok: false,
        failure: {
          answer: silence('greeting', 'timeout', `no greeting within ${options.greetingMs} ms`),
          tls: null,
          session,
        },
      };
    }
    await sleep(greetingDelay);
    const refusal = receiver.connect(session.ref);
    if (refusal !== null) {
      session.end(true);
      return {
        ok: false,
        failure: { answer: replied('greeting', refusal.code, refusal.text), tls: null, session },
      };
    }
    options.onGreeted?.(session);
    // EHLO, then STARTTLS and EHLO again when the relay asks for it (every profile offers STARTTLS): one wait
    // for the round trips of the set-up.
    const tls = options.starttls !== 'never';
    await sleep((tls ? 3 : 1) * (RTT_MS + profile.replyDelayMs));
    if (session.closed)
      return {
        ok: false,
        failure: { answer: silence('ehlo', 'closed', 'connection closed'), tls: null, session },
      };
    session.secure = tls;
    return { ok: true, session };
  }

  return {
    dns,
    open: openSession,
    stats: () =>
      o.profiles.map((profile) => {
        const receiver = receivers.get(profile.id)!;
        return {
          profile,
          limits: receiver.stats(),
          accepted: receiver.acceptedCount(),
          asyncSent: receiver.asyncMail().length,
        };
      }),
    asyncPending: () => [...receivers.values()].reduce((n, r) => n + r.asyncPending(), 0),
    openSessions: () => open,
    close: async () => {
      await Promise.all([...receivers.values()].map((r) => r.shutdown()));
    },
  };
}

function replied(stage: Answer['stage'], code: number, text: string): Answer {
  return { stage, reply: { code, raw: `${code} ${text}` }, silence: null };
}

function silence(stage: Answer['stage'], kind: 'refused' | 'timeout' | 'closed', message: string): Answer {
  return { stage, reply: null, silence: { kind, message } };
}

/** One simulated SMTP session with a profile's receiver. */
class VirtualSession implements SmtpConnection {
  completed = 0;
  secure = false;
  remoteAddress: string | null;
  closed = false;
  serverClosed: { idleMs: number } | null = null;
  readonly ended: Promise<void>;
  readonly ref: ReceiverSession;
  private busy = false;
  private counted = false;
  private resolveEnded!: () => void;

  constructor(
    private readonly host: Host | null,
    id: string,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly onClosed: () => void,
  ) {
    this.remoteAddress = host?.ip ?? null;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    const isSecure = () => this.secure;
    this.ref = {
      id,
      remoteAddress: CLIENT_IP,
      get secure() {
        return isSecure();
      },
    };
  }

  get usable(): boolean {
    return !this.closed && !this.busy;
  }

  connected(): void {
    this.counted = true;
  }

  /** Ends the session: `byServer` when the receiver closed it (a 421). */
  end(byServer: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (byServer) this.serverClosed = { idleMs: 0 };
    this.host?.receiver.close(this.ref);
    if (this.counted) this.onClosed();
    this.resolveEnded();
  }

  private get delay(): number {
    return RTT_MS + (this.host?.profile.replyDelayMs ?? 0);
  }

  /** Waits one reply's time; false (the session timed out and is closed) when it exceeds `timeoutMs`. */
  private async reply(timeoutMs: number): Promise<boolean> {
    if (this.delay > timeoutMs) {
      await this.sleep(timeoutMs);
      this.end(false);
      return false;
    }
    await this.sleep(this.delay);
    return !this.closed;
  }

  async sendMail(
    from: string,
    to: readonly string[],
    raw: Buffer,
    timeouts: TransactionTimeouts,
  ): Promise<TransactionResult> {
    const rcpts: (SmtpReply | null)[] = to.map(() => null);
    const host = this.host;
    if (!host || this.closed)
      return {
        rcpts,
        end: silence('mail', 'closed', 'the session was already closed'),
        accepted: false,
        answered: false,
      };
    this.busy = true;
    try {
      this.completed++;
      const { receiver } = host;
      // MAIL, every RCPT and DATA pipelined (RFC 2920): one round trip for the envelope.
      if (!(await this.reply(timeouts.commandMs)))
        return {
          rcpts,
          end: silence('mail', 'timeout', 'no reply to MAIL'),
          accepted: false,
          answered: false,
        };
      const mail = receiver.mail(this.ref);
      if (mail) {
        if (mail.code === 421) this.end(true);
        return { rcpts, end: replied('mail', mail.code, mail.text), accepted: false, answered: true };
      }
      let accepted = 0;
      let last: Answer | null = null;
      for (const [i, rcpt] of to.entries()) {
        const refusal = receiver.rcpt(this.ref, rcpt);
        if (refusal) {
          rcpts[i] = { code: refusal.code, raw: `${refusal.code} ${refusal.text}` };
          last = replied('rcpt', refusal.code, refusal.text);
          if (refusal.code === 421) {
            this.end(true);
            return { rcpts, end: last, accepted: false, answered: true };
          }
        } else {
          rcpts[i] = { code: 250, raw: '250 2.1.5 Ok' };
          accepted++;
        }
      }
      if (accepted === 0 && last) return { rcpts, end: last, accepted: false, answered: true };
      // The data and its final reply: one more round trip.
      if (!(await this.reply(timeouts.dataMs)))
        return {
          rcpts,
          end: silence('data-end', 'timeout', 'no reply to the end of data'),
          accepted: false,
          answered: true,
        };
      const okTo = to.filter((_, i) => rcpts[i]?.code === 250);
      if (receiver.dropsAfterData(okTo)) {
        this.end(true);
        return {
          rcpts,
          end: silence('data-end', 'closed', 'connection closed by the server'),
          accepted: false,
          answered: true,
        };
      }
      const head = raw.subarray(0, HEAD_LIMIT).toString('latin1');
      const verdict = receiver.data(this.ref, {
        from,
        to: okTo,
        size: raw.length,
        messageId: headerMessageId(head),
        original: () => raw.subarray(0, ORIGINAL_KEEP_LIMIT).toString('latin1'),
      });
      if (verdict) {
        if (verdict.code === 421) this.end(true);
        return {
          rcpts,
          end: replied('data-end', verdict.code, verdict.text),
          accepted: false,
          answered: true,
        };
      }
      return {
        rcpts,
        end: replied('data-end', 250, `2.0.0 Ok: queued as ${receiver.acceptedCount()}`),
        accepted: true,
        answered: true,
      };
    } finally {
      this.busy = false;
    }
  }

  async reset(commandMs: number): Promise<boolean> {
    if (!this.usable) return false;
    this.busy = true;
    const ok = await this.reply(commandMs);
    this.busy = false;
    return ok;
  }

  quit(): void {
    if (this.closed) return;
    // The QUIT's reply is not waited for: the session ends one round trip later.
    this.busy = true;
    void this.sleep(this.delay).then(() => this.end(false));
  }

  close(): void {
    this.end(false);
  }

  /** The clock this session runs on (for tests). */
  now(): number {
    return this.clock.now();
  }
}
