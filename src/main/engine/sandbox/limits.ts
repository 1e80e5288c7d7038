/**
 * The hidden limits of one sandbox receiver (SPEC §8, `HiddenLimits` in profiles.ts): concurrent sessions,
 * messages per session, a recipient rate and a penalty box, per client address, on the sandbox's clock. The
 * SMTP listener asks before each step (connection, MAIL, RCPT, end of data) and gets either null (go on) or the
 * reply that refuses it; everything refused and accepted is counted with its time.
 */
import type { Clock } from '../../clock';
import type { HiddenLimits, LimitReply } from './profiles';

export type LimitEventKind =
  /** A connection beyond `maxConnections`, refused at the greeting. */
  | 'connection_refused'
  /** A MAIL beyond `messagesPerConnection`. */
  | 'messages_per_connection'
  /** A MAIL or RCPT refused by the recipient rate. */
  | 'rate'
  /** A connection refused at the greeting while the client is in the penalty box. */
  | 'penalty_greeting'
  /** A command of an open session refused while the client is in the penalty box. */
  | 'penalty_command'
  /** The client was put in the penalty box (or its stay was extended). */
  | 'penalty_boxed';

export interface LimitEvent {
  at: number;
  kind: LimitEventKind;
  /** The reply code sent (null for `penalty_boxed`, which is not a reply). */
  code: number | null;
  /** The command refused: CONNECT (greeting), MAIL, RCPT or DATA. */
  command: string | null;
}

export interface LimitStats {
  profile: string;
  /** Sessions open now, and the most that were open at once. */
  openConnections: number;
  peakConnections: number;
  connectionsAccepted: number;
  /** Refused at the greeting by `maxConnections`. */
  connectionsRefused: number;
  /** MAIL refused by `messagesPerConnection` or by the rate (`at: 'mail'`). */
  mailDeferred: number;
  /** RCPT refused by the rate. */
  rcptDeferred: number;
  /** Connections and commands refused because the client was in the penalty box. */
  penaltyRefusals: number;
  /** Times a client was put in the penalty box or had its stay extended. */
  penaltyBoxed: number;
  /** Messages accepted (end of data answered 250). */
  messagesAccepted: number;
  firstAcceptedAt: number | null;
  lastAcceptedAt: number | null;
  /** Every refusal and box entry, in order. */
  events: LimitEvent[];
}

/** What a limit check answers: null to go on, or the reply that refuses the step. */
export type LimitVerdict = LimitReply | null;

interface SessionRef {
  id: string;
  remoteAddress: string;
}

export class LimitState {
  private readonly open = new Map<string, number>();
  private readonly sessions = new Map<string, { ip: string; mails: number }>();
  private readonly violations = new Map<string, number[]>();
  private readonly boxedUntil = new Map<string, number>();
  private tokens: number;
  private refilledAt: number;
  private readonly counts: Omit<LimitStats, 'profile' | 'events' | 'openConnections'> = {
    peakConnections: 0,
    connectionsAccepted: 0,
    connectionsRefused: 0,
    mailDeferred: 0,
    rcptDeferred: 0,
    penaltyRefusals: 0,
    penaltyBoxed: 0,
    messagesAccepted: 0,
    firstAcceptedAt: null,
    lastAcceptedAt: null,
  };
  private readonly events: LimitEvent[] = [];

  constructor(
    private readonly profile: string,
    private readonly limits: HiddenLimits,
    private readonly clock: Clock,
  ) {
    this.tokens = limits.recipientsPerSecond?.rate ?? 0;
    this.refilledAt = clock.now();
  }

  /** A new connection: null = greet it (and count it as open until `close`). */
  connect(session: SessionRef): LimitVerdict {
    const ip = session.remoteAddress;
    const boxed = this.boxedReply(ip, 'greeting', 'CONNECT');
    if (boxed) return boxed;
    const limit = this.limits.maxConnections;
    const open = this.open.get(ip) ?? 0;
    if (limit && open >= limit.max) {
      this.counts.connectionsRefused++;
      return this.refuse(ip, 'connection_refused', 'CONNECT', limit.reply);
    }
    this.open.set(ip, open + 1);
    this.sessions.set(session.id, { ip, mails: 0 });
    this.counts.connectionsAccepted++;
    this.counts.peakConnections = Math.max(this.counts.peakConnections, this.sessions.size);
    return null;
  }

  close(session: { id: string }): void {
    const s = this.sessions.get(session.id);
    if (!s) return; // refused at the greeting: never counted as open
    this.sessions.delete(session.id);
    const open = (this.open.get(s.ip) ?? 1) - 1;
    if (open > 0) this.open.set(s.ip, open);
    else this.open.delete(s.ip);
  }

  mail(session: SessionRef): LimitVerdict {
    const ip = session.remoteAddress;
    const boxed = this.boxedReply(ip, 'command', 'MAIL');
    if (boxed) return boxed;
    const s = this.sessions.get(session.id);
    const perConnection = this.limits.messagesPerConnection;
    if (perConnection && s && s.mails >= perConnection.max) {
      this.counts.mailDeferred++;
      return this.refuse(ip, 'messages_per_connection', 'MAIL', perConnection.reply);
    }
    const rate = this.limits.recipientsPerSecond;
    if (rate && rate.at === 'mail' && this.available() < 1) {
      this.counts.mailDeferred++;
      return this.refuse(ip, 'rate', 'MAIL', rate.reply);
    }
    if (s) s.mails++;
    return null;
  }

  /** Before the recipient's own behaviour is looked at: the rate (at RCPT) and the penalty box. */
  rcpt(session: SessionRef): LimitVerdict {
    const ip = session.remoteAddress;
    const boxed = this.boxedReply(ip, 'command', 'RCPT');
    if (boxed) return boxed;
    const rate = this.limits.recipientsPerSecond;
    if (rate && rate.at === 'rcpt' && this.available() < 1) {
      this.counts.rcptDeferred++;
      return this.refuse(ip, 'rate', 'RCPT', rate.reply);
    }
    return null;
  }

  /** A recipient was accepted: it spends a token (with the rate checked at MAIL the bucket may go below 0). */
  rcptAccepted(): void {
    if (!this.limits.recipientsPerSecond) return;
    this.available();
    this.tokens -= 1;
  }

  /** At the end of data: refused while boxed. */
  data(session: SessionRef): LimitVerdict {
    return this.boxedReply(session.remoteAddress, 'command', 'DATA');
  }

  messageAccepted(): void {
    const now = this.clock.now();
    this.counts.messagesAccepted++;
    this.counts.firstAcceptedAt ??= now;
    this.counts.lastAcceptedAt = now;
  }

  stats(): LimitStats {
    return {
      profile: this.profile,
      openConnections: this.sessions.size,
      ...this.counts,
      events: [...this.events],
    };
  }

  /** Refills the bucket (capacity: one second's worth) and returns the tokens now available. */
  private available(): number {
    const rate = this.limits.recipientsPerSecond;
    if (!rate) return Infinity;
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    this.tokens = Math.min(rate.rate, this.tokens + (elapsed * rate.rate) / 1000);
    return this.tokens;
  }

  private boxedReply(ip: string, at: 'greeting' | 'command', command: string): LimitVerdict {
    const box = this.limits.penaltyBox;
    if (!box) return null;
    const until = this.boxedUntil.get(ip);
    if (until === undefined) return null;
    if (this.clock.now() >= until) {
      this.boxedUntil.delete(ip);
      return null;
    }
    this.counts.penaltyRefusals++;
    const reply = at === 'greeting' ? box.greeting : box.command;
    return this.refuse(ip, at === 'greeting' ? 'penalty_greeting' : 'penalty_command', command, reply);
  }

  /** Records a refusal and counts it as a violation towards the penalty box. */
  private refuse(ip: string, kind: LimitEventKind, command: string, reply: LimitReply): LimitReply {
    const now = this.clock.now();
    this.events.push({ at: now, kind, code: reply.code, command });
    const box = this.limits.penaltyBox;
    if (box) {
      const recent = (this.violations.get(ip) ?? []).filter((t) => t > now - box.windowMs);
      recent.push(now);
      if (recent.length >= box.violations) {
        this.boxedUntil.set(ip, Math.max(this.boxedUntil.get(ip) ?? 0, now + box.durationMs));
        this.violations.delete(ip);
        this.counts.penaltyBoxed++;
        this.events.push({ at: now, kind: 'penalty_boxed', code: null, command: null });
      } else this.violations.set(ip, recent);
    }
    return reply;
  }
}
