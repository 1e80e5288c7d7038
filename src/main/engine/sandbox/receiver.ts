/**
 * One simulated receiver: what a provider profile (SPEC §8, `SandboxProfile` of the contract) answers at each
 * step of an SMTP session, independent of the transport. The sandbox's SMTP listeners (`index.ts`, real sockets
 * on loopback) and the simulator's virtual sessions (`src/main/simulate/virtual-network.ts`, a virtual clock)
 * both ask it, so a profile behaves the same in a live demo and in a simulated campaign.
 *
 * Each step returns null (go on) or the reply that refuses it, texts filled in. A recipient's fate is drawn
 * from the seed and its address (`fateOf`): the same address meets the same fate in every run and scenario.
 * Accepted recipients whose fate is asynchronous (`async_dsn`, `complaint`, `auto_reply`) get their mail sent
 * back `asyncDelayMs` later through the transport's `sendAsync`.
 */
import type { Clock } from '../../clock';
import {
  RATED_OUTCOMES,
  type SandboxOutcome,
  type SandboxProfile,
  type SandboxReply,
} from '../../../shared/contract/simulation';
import { buildAsyncReply, type AsyncReplyKind } from './async-mail';
import { LimitState, type LimitStats } from './limits';

/** What the receiver needs to know of a session. */
export interface ReceiverSession {
  id: string;
  remoteAddress: string;
  secure: boolean;
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  messageId: string | null;
  size: number;
  at: number;
  /** The profile whose receiver accepted it. */
  profile: string;
}

export interface AsyncSent {
  kind: AsyncReplyKind;
  rcpt: string;
  to: string;
  at: number;
  error: string | null;
}

export interface ReceiverOptions {
  clock: Clock;
  /** Seed of the recipients' fates. */
  seed: number;
  /** The receiver's name in its replies (`<host>`). */
  serverName: string;
  /** Overrides the profile's greylisting delay (tests). */
  greylistDelayMs?: number;
  /** Overrides the profile's delay of asynchronous mail (tests). */
  asyncDelayMs?: number;
  /** Sends asynchronous mail back to the envelope sender; null when nobody listens (nothing is sent). */
  sendAsync: ((mailFrom: string, raw: string) => Promise<void>) | null;
  /** Keeps every accepted message's record (default true; the simulator counts instead). */
  keepReceived?: boolean;
}

const ASYNC_KIND: Partial<Record<SandboxOutcome, AsyncReplyKind>> = {
  async_dsn: 'dsn',
  complaint: 'complaint',
  auto_reply: 'auto_reply',
};

/** A 32-bit hash of a string (FNV-1a, then a murmur3 finaliser for the low bits' quality). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform draw in [0, 1) for `key` under `seed`: the same for the same pair, in any run. */
export function seededDraw(seed: number, key: string): number {
  return hash32(`${seed}:${key}`) / 2 ** 32;
}

/** The reply's text with `<addr>`, `<host>` and `<ip>` filled in. */
export function fillReply(reply: SandboxReply, vars: { addr?: string; host: string; ip: string }): string {
  return reply.text
    .replace(/<addr>/g, vars.addr === undefined ? '<>' : `<${vars.addr}>`)
    .replace(/<host>/g, vars.host)
    .replace(/<ip>/g, vars.ip);
}

export class Receiver {
  readonly limits: LimitState;
  private readonly rules: { pattern: RegExp; outcome: SandboxOutcome }[];
  private readonly greylisted = new Map<string, number>();
  private readonly received: ReceivedMessage[] = [];
  private readonly asyncSent: AsyncSent[] = [];
  private readonly pending = new Set<() => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private accepted = 0;
  private asyncSeq = 0;
  /** Transactions offered per address (the draw of a dropped connection is per attempt). */
  private readonly offered = new Map<string, number>();

  constructor(
    readonly profile: SandboxProfile,
    private readonly o: ReceiverOptions,
  ) {
    this.limits = new LimitState(profile.name, profile.limits, o.clock);
    this.rules = profile.rules.map((r) => ({ pattern: new RegExp(r.pattern, 'i'), outcome: r.outcome }));
  }

  /** What this receiver does with `address`: a local-part rule, else a draw against the profile's rates. */
  fateOf(address: string): SandboxOutcome {
    const at = address.lastIndexOf('@');
    const local = at >= 0 ? address.slice(0, at) : address;
    for (const rule of this.rules) if (rule.pattern.test(local)) return rule.outcome;
    let u = seededDraw(this.o.seed, address.toLowerCase());
    for (const outcome of RATED_OUTCOMES) {
      u -= this.profile.rates[outcome];
      if (u < 0) return outcome;
    }
    return 'accept';
  }

  /** A new session: null = greet it, else the refusal at the greeting (the session is then closed). */
  connect(s: ReceiverSession): { code: number; text: string } | null {
    return this.limitReply(this.limits.connect(s), s);
  }

  close(s: ReceiverSession): void {
    this.limits.close(s);
  }

  mail(s: ReceiverSession): { code: number; text: string } | null {
    if (this.profile.tls === 'required' && !s.secure)
      return { code: 530, text: '5.7.0 Must issue a STARTTLS command first' };
    return this.limitReply(this.limits.mail(s), s);
  }

  rcpt(s: ReceiverSession, address: string): { code: number; text: string } | null {
    const verdict = this.limits.rcpt(s);
    if (verdict) return this.limitReply(verdict, s);
    const fate = this.fateOf(address);
    const vars = { addr: address, host: this.o.serverName, ip: s.remoteAddress };
    switch (fate) {
      case 'unknown_user':
      case 'mailbox_full': {
        const reply = this.profile.replies[fate];
        return { code: reply.code, text: fillReply(reply, vars) };
      }
      case 'greylist': {
        if (this.greylistPasses(address)) break;
        const reply = this.profile.replies.greylist;
        return { code: reply.code, text: fillReply(reply, vars) };
      }
      default:
        break;
    }
    this.limits.rcptAccepted();
    return null;
  }

  /**
   * Whether the receiver drops this transaction after its data, without a reply (the profile's
   * `disconnectRate`, drawn per first recipient and attempt). Asked before `data`.
   */
  dropsAfterData(to: readonly string[]): boolean {
    if (this.profile.disconnectRate <= 0 || to.length === 0) return false;
    const key = to[0]!.toLowerCase();
    const n = (this.offered.get(key) ?? 0) + 1;
    this.offered.set(key, n);
    return seededDraw(this.o.seed, `${key}#drop${n}`) < this.profile.disconnectRate;
  }

  /**
   * The end of the data: null when accepted (the message is recorded and its asynchronous mail scheduled),
   * else the refusal. `original` is what an ARF complaint returns of the message.
   */
  data(
    s: ReceiverSession,
    m: {
      from: string;
      to: readonly string[];
      size: number;
      messageId: string | null;
      original: () => string;
    },
  ): { code: number; text: string } | null {
    const verdict = this.limits.data(s);
    if (verdict) return this.limitReply(verdict, s);
    const spam = m.to.find((rcpt) => this.fateOf(rcpt) === 'spam_reject');
    if (spam !== undefined) {
      const reply = this.profile.replies.spam_reject;
      return {
        code: reply.code,
        text: fillReply(reply, { addr: spam, host: this.o.serverName, ip: s.remoteAddress }),
      };
    }
    const at = this.o.clock.now();
    this.accepted++;
    if (this.o.keepReceived ?? true)
      this.received.push({
        from: m.from,
        to: [...m.to],
        messageId: m.messageId,
        size: m.size,
        at,
        profile: this.profile.name,
      });
    this.limits.messageAccepted();
    for (const rcpt of m.to) {
      const kind = ASYNC_KIND[this.fateOf(rcpt)];
      if (kind) this.scheduleAsync(kind, m.from, rcpt, m.messageId, m.original());
    }
    return null;
  }

  acceptedCount(): number {
    return this.accepted;
  }

  receivedMessages(): ReceivedMessage[] {
    return [...this.received];
  }

  asyncMail(): AsyncSent[] {
    return [...this.asyncSent];
  }

  /** Asynchronous mail scheduled and not sent yet, plus sends in flight. */
  asyncPending(): number {
    return this.pending.size + this.inFlight.size;
  }

  stats(): LimitStats {
    return this.limits.stats();
  }

  /** Cancels the asynchronous mail not sent yet and waits for the sends in flight. */
  async shutdown(): Promise<void> {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** A limit's refusal as sent to the session (text filled in), or null. */
  private limitReply(verdict: SandboxReply | null, s: ReceiverSession): SandboxReply | null {
    return verdict
      ? { code: verdict.code, text: fillReply(verdict, { host: this.o.serverName, ip: s.remoteAddress }) }
      : null;
  }

  private greylistPasses(address: string): boolean {
    const key = address.toLowerCase();
    const now = this.o.clock.now();
    const first = this.greylisted.get(key);
    if (first === undefined) {
      this.greylisted.set(key, now);
      return false;
    }
    return now - first >= (this.o.greylistDelayMs ?? this.profile.greylistDelayMs);
  }

  /** Sends the asynchronous mail of an accepted recipient later (never for the null sender). */
  private scheduleAsync(
    kind: AsyncReplyKind,
    mailFrom: string,
    rcpt: string,
    messageId: string | null,
    original: string,
  ): void {
    const send = this.o.sendAsync;
    if (!mailFrom || !send) return;
    const { clock } = this.o;
    const at = clock.now();
    const seq = ++this.asyncSeq;
    const cancel = clock.at(at + (this.o.asyncDelayMs ?? this.profile.asyncDelayMs), () => {
      this.pending.delete(cancel);
      const raw = buildAsyncReply(kind, { mailFrom, rcpt, original, messageId, at }, seq);
      const sending = send(mailFrom, raw).then(
        () => {
          this.asyncSent.push({ kind, rcpt, to: mailFrom, at: clock.now(), error: null });
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          this.asyncSent.push({ kind, rcpt, to: mailFrom, at: clock.now(), error });
        },
      );
      this.inFlight.add(sending);
      void sending.finally(() => this.inFlight.delete(sending));
    });
    this.pending.add(cancel);
  }
}
