/**
 * SMTP delivery over the project's own client session (smtp-client.ts), one Relay per destination.
 * Connections are reused: a small pool of open sessions per destination (RSET after a refused transaction,
 * QUIT after the rule's `maxMessagesPerConnection` or above its connection limit). STARTTLS follows the rule's
 * TLS policy (`opportunistic`: a failed handshake is followed by a plaintext session on a new connection, as
 * Postfix's `may` level does; `required`: never in plaintext); certificates are only left unchecked for
 * loopback hosts (sandbox, tests). PIPELINING: MAIL, every RCPT and DATA in one write when the server
 * advertises it (RFC 2920).
 * Every reply, and every silence (timeout, drop, reset, TLS failure), becomes an `SmtpOutcome` value naming the
 * stage it answered (`stage`, and `command` for the bounce classifier) and the session's facts at that moment
 * (`session`: transactions it completed before, other sessions open to the destination); connection failures
 * are `deferred` with `code: null` and move on to the destination's next host. Nothing here throws for an SMTP
 * reply. Runs in the delivery workers (engine/workers/) and, without them, on the main thread.
 */
import os from 'node:os';
import type { HostPort } from '../../../shared/contract';
import { parseSmtpReply, replyKind } from '../../../shared/domain/smtp-reply';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { Clock } from '../../clock';
import {
  openSmtpSession,
  type Answer,
  type OpenFailure,
  type SessionOpener,
  type SmtpConnection,
} from './smtp-client';
import type {
  Destination,
  OutboundGroup,
  Relay,
  RelayFactory,
  RelayPolicy,
  SessionFacts,
  SmtpOutcome,
  SmtpStage,
} from '../types';

export interface SmtpRelayOptions {
  /** EHLO name; default the machine's hostname. */
  name?: string;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  /** Inactivity allowed while waiting for a reply (covers a server that stops answering mid-session). */
  socketTimeoutMs?: number;
  maxMessagesPerConnection?: number;
  /** Used for attempt durations only. */
  clock: Clock;
  logger?: Logger;
  /** Called when the number of sessions open to a destination changed (a session opened or ended). */
  onSessionsChanged?: (destinationKey: string) => void;
  /** The largest message sent, in bytes (default `MAX_MESSAGE_BYTES`); a larger one fails without a send. */
  maxMessageBytes?: number;
  /** Opens a session (default `openSmtpSession`, over the network; the simulator's virtual network). */
  openSession?: SessionOpener;
}

/**
 * The size cap of an outgoing message: 10 MiB, the size limit most receivers apply (Postfix's default
 * `message_size_limit` is 10,240,000 bytes; Gmail and Microsoft take more). A message over it is a final
 * failure, Message too large (5.3.4), at its first attempt: a receiver would refuse it however often it is
 * retried.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * A server that closes a session without a word this soon after its last reply is ending it at its message
 * budget; later, it is an idle timeout (Postfix's `smtpd_timeout` is 300 s), which says nothing of a limit.
 */
const BUDGET_CLOSE_MS = 1_000;

interface RelayConfig {
  name: string;
  onSessionsChanged: (destinationKey: string) => void;
  /** Used for messages sent without a policy (direct relay use, tests). */
  defaults: RelayPolicy;
  greetingTimeoutMs: number | null;
  maxMessageBytes: number;
  clock: Clock;
  logger: Logger;
  openSession: SessionOpener;
}

interface Session {
  client: SmtpConnection;
  host: HostPort;
  tlsPolicy: RelayPolicy['tls'];
}

type OutcomeBase = Pick<SmtpOutcome, 'mxHost' | 'ip' | 'tls' | 'durationMs'>;

export function createSmtpRelayFactory(options: SmtpRelayOptions): RelayFactory {
  const socketTimeoutMs = options.socketTimeoutMs ?? 5 * 60_000;
  const config: RelayConfig = {
    name: options.name ?? os.hostname(),
    defaults: {
      tls: 'opportunistic',
      connectMs: options.connectionTimeoutMs ?? 30_000,
      commandMs: socketTimeoutMs,
      dataMs: socketTimeoutMs,
      maxMessagesPerConnection: options.maxMessagesPerConnection ?? 100,
      maxConnections: 10,
      ruleId: 'relay-defaults',
    },
    greetingTimeoutMs: options.greetingTimeoutMs ?? null,
    maxMessageBytes: options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    clock: options.clock,
    logger: options.logger ?? silentLogger,
    onSessionsChanged: options.onSessionsChanged ?? (() => undefined),
    openSession: options.openSession ?? openSmtpSession,
  };
  return (destination) => createSmtpRelay(destination, config);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith('.localhost');
}

/**
 * Timeouts: `connectMs` bounds connecting, the greeting (unless the factory's `greetingTimeoutMs` is set) and
 * STARTTLS with its handshake; `commandMs` each command's reply; `dataMs` from the start of the message data to
 * its final reply.
 */
function createSmtpRelay(destination: Destination, config: RelayConfig): Relay {
  const idle: Session[] = [];
  const sessions = new Set<Session>();
  /**
   * Connections of this relay the receiver greeted (2xx) and that are not closed yet: the sessions it holds for
   * us, which a refusal at the greeting reports as `concurrent` (a connection still waiting for its greeting
   * may yet be refused, so it does not count).
   */
  const live = new Set<SmtpConnection>();
  /** Sends waiting for a session (the relay is at its connection limit), first come first served. */
  const waiting: ((session: Session | null) => void)[] = [];
  /** Connections being opened, reserved by `acquire` (they count against the limit). */
  let opening = 0;
  /** A session the receiver closed without a reply at its message budget: reported with the next outcome. */
  let cutAfter: number | null = null;
  /** The most sessions this relay may keep (`trim`; each send's policy sets it again). */
  let cap = Infinity;
  const log = config.logger.child({ destination: destination.key });
  let closed = false;

  /** Notes that the receiver closed a session after `completed` messages, unless it was an idle timeout. */
  function noteCut(client: SmtpConnection, completed: number): void {
    const cut = client.serverClosed;
    if (cut && completed > 0 && cut.idleMs <= BUDGET_CLOSE_MS) cutAfter = completed;
  }

  /** The session facts of an outcome (with the last budget cut, reported once). */
  function factsOf(client: SmtpConnection, completed: number): SessionFacts {
    const facts: SessionFacts = { completed, concurrent: others(client) };
    if (cutAfter !== null) {
      facts.cutAfter = cutAfter;
      cutAfter = null;
    }
    return facts;
  }

  /** The other greeted connections of this relay open now. */
  function others(client: SmtpConnection): number {
    return live.size - (live.has(client) ? 1 : 0);
  }

  function usable(s: Session, policy: RelayPolicy): boolean {
    if (!s.client.usable) return false;
    // A session set up under another TLS policy (rules changed) is not reused, nor one that has carried as
    // many messages as the policy now allows (a limit learnt since its last transaction).
    if (s.tlsPolicy !== policy.tls || s.client.completed >= policy.maxMessagesPerConnection) {
      s.client.quit();
      return false;
    }
    return true;
  }

  function takeIdle(policy: RelayPolicy): Session | undefined {
    for (let s = idle.pop(); s; s = idle.pop()) if (usable(s, policy)) return s;
    return undefined;
  }

  /** A free session goes to the first waiting send, else to the idle list. */
  function release(session: Session): void {
    const next = waiting.shift();
    if (next) next(session);
    else idle.push(session);
  }

  /** A connection ended or could not be opened: the first waiting send may open one in its place. */
  function wakeOne(): void {
    waiting.shift()?.(null);
  }

  /**
   * An idle session for the next transaction, or null when the caller is to open one (a place among the
   * connections is then reserved for it in `opening`, given back once it opened or failed). At the connection
   * limit the send waits for a session to be released (or to end), so the relay never holds more connections
   * than `policy.maxConnections` however many sends it is given.
   */
  async function acquire(policy: RelayPolicy): Promise<Session | null> {
    for (;;) {
      const free = takeIdle(policy);
      if (free) return free;
      if (closed || sessions.size + opening < policy.maxConnections) {
        opening++;
        return null;
      }
      const handed = await new Promise<Session | null>((resolve) => waiting.push(resolve));
      if (handed && usable(handed, policy)) return handed;
    }
  }

  /**
   * Opens a session to `host` under `policy`; `plaintext` (the opportunistic fallback after a failed TLS
   * handshake) opens it without STARTTLS. The session keeps the policy's TLS level for reuse.
   */
  async function open(
    host: HostPort,
    policy: RelayPolicy,
    plaintext = false,
  ): Promise<{ session: Session } | { failure: OpenFailure; concurrent: number }> {
    const opened = await config.openSession({
      host: host.host,
      port: host.port,
      name: config.name,
      starttls:
        plaintext || policy.tls === 'disabled' ? 'never' : policy.tls === 'required' ? 'required' : 'offered',
      rejectUnauthorized: !isLoopbackHost(host.host),
      connectMs: policy.connectMs,
      greetingMs: config.greetingTimeoutMs ?? policy.connectMs,
      commandMs: policy.commandMs,
      onGreeted: (client) => {
        live.add(client);
        void client.ended.then(() => live.delete(client));
      },
    });
    if (!opened.ok) return { failure: opened.failure, concurrent: others(opened.failure.session) };
    const session: Session = { client: opened.session, host, tlsPolicy: policy.tls };
    sessions.add(session);
    config.onSessionsChanged(destination.key);
    void session.client.ended.then(() => {
      sessions.delete(session);
      const i = idle.indexOf(session);
      if (i >= 0) {
        // Closed by the receiver while idle, right after its last message: that message was its budget.
        noteCut(session.client, session.client.completed);
        idle.splice(i, 1);
      }
      config.onSessionsChanged(destination.key);
      wakeOne();
    });
    return { session };
  }

  /** After a transaction: keep the session for the next message, reset it first (RSET), or end it. */
  async function recycle(session: Session, failed: boolean, policy: RelayPolicy): Promise<void> {
    const { client } = session;
    if (client.closed) return;
    // Above the (possibly lowered) connection limit, or at the end of its message budget: QUIT.
    if (
      closed ||
      client.completed >= policy.maxMessagesPerConnection ||
      sessions.size > Math.min(policy.maxConnections, cap)
    ) {
      client.quit();
      return;
    }
    if (!failed) return release(session);
    if ((await client.reset(policy.commandMs)) && !closed) release(session);
    else client.close();
  }

  async function sendOn(
    session: Session,
    group: OutboundGroup,
    policy: RelayPolicy,
    started: number,
    reused: boolean,
  ): Promise<SmtpOutcome[] | 'stale'> {
    const { client } = session;
    const completed = client.completed;
    const result = await client.sendMail(group.envelope.from, group.envelope.to, group.raw, policy);
    const end = result.end;
    // A reused session the server had closed before answering anything of this transaction: not this
    // message's fault, retried once on a fresh connection; the session's message count was its budget.
    if (reused && !result.answered && end.silence && end.silence.kind !== 'timeout' && end.stage !== 'none') {
      noteCut(client, completed);
      client.close();
      return 'stale';
    }
    const facts = factsOf(client, completed);
    const base: OutcomeBase = {
      mxHost: session.host.host,
      ip: client.remoteAddress,
      tls: client.secure,
      durationMs: config.clock.now() - started,
    };
    // A session whose MAIL the receiver deferred after it had carried messages is not reused (a receiver
    // counting per session would defer every next one on it): QUIT, the next message opens a new one.
    const code = end.reply?.code ?? 0;
    if (end.stage === 'mail' && code >= 400 && code < 500 && completed > 0) client.quit();
    // The session is reset (after a refusal) before the outcome is returned so the next message reuses it.
    else await recycle(session, !result.accepted && end.stage !== 'none', policy);
    const outcome = outcomeOf(end, base, facts);
    return group.envelope.to.map((_, i) => {
      // A recipient refused at RCPT keeps its own reply; the others share the transaction's end.
      const own = result.rcpts[i];
      if (own && (own.code < 200 || own.code >= 400))
        return outcomeOf({ stage: 'rcpt', reply: own, silence: null }, base, facts);
      return outcome;
    });
  }

  async function sendGroup(group: OutboundGroup): Promise<SmtpOutcome[]> {
    const policy = group.policy ?? config.defaults;
    cap = policy.maxConnections;
    const all = (outcome: SmtpOutcome) => group.envelope.to.map(() => outcome);
    if (group.raw.length > config.maxMessageBytes) return all(tooLarge(group.raw.length, config));
    const reusable = await acquire(policy);
    // The attempt's duration starts once it has a session (not while it waited for one).
    const started = config.clock.now();
    if (reusable && !closed) {
      const outcomes = await sendOn(reusable, group, policy, started, true);
      if (outcomes !== 'stale') return outcomes;
      log.debug('reused session was closed by the server; opening a new one', { host: reusable.host.host });
    }
    // A new connection, in place of the one acquire() reserved or of the stale session.
    if (reusable) opening++;
    const opened = closed ? null : await openOnHosts(policy, started);
    opening--;
    if (!opened || !('session' in opened)) {
      wakeOne();
      return all(
        opened?.failure ??
          nothingSpoken(
            closed
              ? 'relay closed before the message could be sent'
              : `destination ${destination.key} has no host`,
            started,
            config,
          ),
      );
    }
    const outcomes = await sendOn(opened.session, group, policy, started, false);
    // Not reached (a new session is never stale); kept for the type.
    return outcomes === 'stale' ? all(nothingSpoken('connection lost', started, config)) : outcomes;
  }

  /** Connects to the destination's hosts in order: the first session, or the last host's failure. */
  async function openOnHosts(
    policy: RelayPolicy,
    started: number,
  ): Promise<{ session: Session } | { failure: SmtpOutcome | null }> {
    let failure: SmtpOutcome | null = null;
    for (const host of destination.hosts) {
      let opened = await open(host, policy);
      if ('failure' in opened && policy.tls === 'opportunistic' && opened.failure.tls === 'handshake') {
        // Opportunistic TLS (Postfix's `may`): a server offering STARTTLS whose handshake fails gets the
        // message in plaintext on a new connection. `required` never falls back (tlsRefusal below).
        log.info('TLS handshake failed; opportunistic TLS: retrying in plaintext on a new connection', {
          host: host.host,
          port: host.port,
          rule: policy.ruleId,
          error: opened.failure.answer.silence?.message ?? '',
        });
        opened = await open(host, policy, true);
      }
      if ('session' in opened) return opened;
      const { answer, session } = opened.failure;
      const base: OutcomeBase = {
        mxHost: host.host,
        ip: session.remoteAddress,
        tls: false,
        durationMs: config.clock.now() - started,
      };
      // A refusal while the session was set up: it completed nothing.
      const facts: SessionFacts = { completed: 0, concurrent: opened.concurrent };
      failure = tlsRefusal(opened.failure, policy, base, facts) ?? outcomeOf(answer, base, facts);
      log.info('connection failed, trying the next host', {
        host: host.host,
        port: host.port,
        reply: failure.text,
      });
    }
    return { failure };
  }

  return {
    async send(message) {
      const [outcome] = await sendGroup({
        logIds: [message.logId],
        envelope: { from: message.envelope.from, to: [message.envelope.to] },
        raw: message.raw,
        ...(message.policy ? { policy: message.policy } : {}),
      });
      if (!outcome) throw new Error('the relay returned no outcome for a one-recipient transaction');
      return outcome;
    },
    sendGroup,
    openConnections: () => sessions.size,
    trim(maxConnections) {
      cap = maxConnections;
      // Idle sessions beyond the limit QUIT now; busy ones when their transaction is over (`recycle`).
      for (let excess = sessions.size - maxConnections; excess > 0 && idle.length > 0; excess--)
        idle.pop()?.client.quit();
    },
    async close() {
      closed = true;
      for (const next of waiting.splice(0)) next(null);
      const waits: Promise<void>[] = [];
      for (const session of sessions) {
        if (session.client.closed) continue;
        if (idle.includes(session)) session.client.quit();
        else session.client.close();
        waits.push(session.client.ended);
      }
      idle.length = 0;
      await Promise.all(waits);
    },
  };
}

/** The command an outcome's stage answered, as the bounce classifier knows it. */
export function commandOf(stage: SmtpStage): string | null {
  switch (stage) {
    case 'connect':
    case 'greeting':
      return 'CONNECT';
    case 'ehlo':
      return 'EHLO';
    case 'starttls':
      return 'STARTTLS';
    case 'mail':
      return 'MAIL';
    case 'rcpt':
      return 'RCPT';
    case 'data':
    case 'data-end':
      return 'DATA';
    case 'none':
      return null;
  }
}

/** An answer as an outcome: the reply when there was one, otherwise the silence described. */
function outcomeOf(answer: Answer, base: OutcomeBase, session: SessionFacts): SmtpOutcome {
  const { stage, reply, silence } = answer;
  const command = commandOf(stage);
  if (reply) {
    const parsed = parseSmtpReply(reply.raw);
    const code = parsed.code ?? reply.code;
    return {
      kind: replyKind(code),
      code,
      enhanced: parsed.enhanced,
      text: parsed.text,
      command,
      ...base,
      stage,
      session,
    };
  }
  const where = base.mxHost ? ` (${base.mxHost})` : '';
  const local = stage === 'none' && silence?.kind === 'error';
  return {
    // Bad input of this message (an address that could smuggle a command, over the server's SIZE): final.
    kind: local ? 'failed' : 'deferred',
    code: null,
    enhanced: local && /SIZE/.test(silence.message) ? '5.3.4' : null,
    text: `${describeSilence(answer)}${where}`,
    command,
    ...base,
    stage,
    session,
  };
}

function describeSilence({ stage, silence }: Answer): string {
  const message = silence?.message ?? 'no reply';
  const setUp = stage === 'connect' || stage === 'greeting' || stage === 'ehlo' || stage === 'starttls';
  const command = commandOf(stage) ?? 'the session';
  switch (silence?.kind) {
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return stage === 'connect'
        ? `connection timed out: ${message}`
        : stage === 'greeting'
          ? `connection timed out waiting for the greeting: ${message}`
          : `no reply from the server to ${stage === 'data-end' ? 'the end of data' : command}: ${message}`;
    case 'closed':
    case 'reset':
      return setUp
        ? `connection closed before the session was set up (at ${command}): ${message}`
        : `connection dropped by the server at ${stage === 'data-end' ? 'the end of data' : command}: ${message}`;
    case 'tls':
      return `TLS negotiation failed: ${message}`;
    case 'protocol':
      return `SMTP protocol error at ${command}: ${message}`;
    case 'error':
      return stage === 'none'
        ? `not sent: ${message}`
        : `${setUp ? 'connection failed' : 'session failed'}: ${message}`;
    case undefined:
      return message;
  }
}

/**
 * `tls: required` and the server has no STARTTLS, refused it or its handshake failed: deferred, with a text
 * naming the rule. Nothing was sent in clear.
 */
function tlsRefusal(
  failure: OpenFailure,
  policy: RelayPolicy,
  base: OutcomeBase,
  session: SessionFacts,
): SmtpOutcome | null {
  if (policy.tls !== 'required' || failure.tls === null) return null;
  const { reply, silence } = failure.answer;
  const detail = reply ? ` (reply: ${reply.raw.trim()})` : silence ? ` (${silence.message})` : '';
  return {
    kind: 'deferred',
    code: null,
    enhanced: null,
    text: `TLS required by MX rule "${policy.ruleId}" but ${base.mxHost ?? 'the server'} does not offer a working STARTTLS${detail}; nothing was sent`,
    command: 'STARTTLS',
    ...base,
    stage: 'starttls',
    session,
  };
}

/** A message over the size cap: failed before any connection, reason Message too large (5.3.4). */
function tooLarge(size: number, config: RelayConfig): SmtpOutcome {
  const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return {
    kind: 'failed',
    code: null,
    enhanced: '5.3.4',
    text: `Message too large: ${mib(size)} (${size} bytes) composed, over the ${mib(config.maxMessageBytes)} limit; not sent`,
    command: null,
    mxHost: null,
    ip: null,
    tls: false,
    durationMs: 0,
    stage: 'none',
    session: null,
  };
}

/** No session could be had and nothing was spoken (relay closed, no host). */
function nothingSpoken(text: string, started: number, config: RelayConfig): SmtpOutcome {
  return {
    kind: 'deferred',
    code: null,
    enhanced: null,
    text,
    command: null,
    mxHost: null,
    ip: null,
    tls: false,
    durationMs: config.clock.now() - started,
    stage: 'none',
    session: null,
  };
}
