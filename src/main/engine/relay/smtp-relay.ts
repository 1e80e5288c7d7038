/**
 * SMTP delivery over nodemailer's SMTPConnection, one Relay per destination. Connections are reused: a small
 * pool of open sessions per destination (RSET after a refused transaction, QUIT after the rule's
 * `maxMessagesPerConnection` or above its connection limit). STARTTLS follows the rule's TLS policy
 * (`opportunistic`: a failed handshake is followed by a plaintext session on a new connection, as Postfix's
 * `may` level does; `required`: never in plaintext);
 * certificates are only left unchecked for loopback hosts (sandbox, tests). PIPELINING: nodemailer sends
 * MAIL, every RCPT and DATA in one batch when the server advertises it (RFC 2920).
 * Every reply becomes an `SmtpOutcome` value naming the command it answered; connection failures are
 * `deferred` with `code: null` and move on to the destination's next host. Nothing here throws for an SMTP
 * reply. Runs in the delivery workers (engine/workers/) and, without them, on the main thread.
 */
import os from 'node:os';
import type { HostPort } from '../../../shared/contract';
import { parseSmtpReply, replyKind } from '../../../shared/domain/smtp-reply';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import type { Clock } from '../../clock';
import { RelaySmtpConnection } from './smtp-connection';
import type { Destination, OutboundGroup, Relay, RelayFactory, RelayPolicy, SmtpOutcome } from '../types';

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
}

/**
 * The size cap of an outgoing message: 10 MiB, the size limit most receivers apply (Postfix's default
 * `message_size_limit` is 10,240,000 bytes; Gmail and Microsoft take more). A message over it is a final
 * failure, Message too large (5.3.4), at its first attempt: a receiver would refuse it however often it is
 * retried.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

interface RelayConfig {
  name: string;
  onSessionsChanged: (destinationKey: string) => void;
  /** Used for messages sent without a policy (direct relay use, tests). */
  defaults: RelayPolicy;
  greetingTimeoutMs: number | null;
  maxMessageBytes: number;
  clock: Clock;
  logger: Logger;
}

type SmtpError = Error & {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
};

interface SendInfo {
  response?: string;
  rejected?: string[];
  rejectedErrors?: SmtpError[];
}

interface Session {
  conn: RelaySmtpConnection & NodemailerInternals;
  host: HostPort;
  ip: string | null;
  tlsPolicy: RelayPolicy['tls'];
  sent: number;
  ended: Promise<void>;
  /** The command the transaction waited for when the connection failed (see `awaitedCommand`). */
  awaited: string | null;
}

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
  };
  return (destination) => createSmtpRelay(destination, config);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith('.localhost');
}

/**
 * Timeouts: `connectMs` bounds connecting and the greeting (and STARTTLS); `commandMs` is the inactivity
 * allowed while waiting for any reply up to the 354 that invites the message data; `dataMs` applies from the
 * start of the message data to its final reply (nodemailer has one socket timeout: the connection's
 * `onDataStart` switches it).
 */
function createSmtpRelay(destination: Destination, config: RelayConfig): Relay {
  const idle: Session[] = [];
  const sessions = new Set<Session>();
  /** Sends waiting for a session (the relay is at its connection limit), first come first served. */
  const waiting: ((session: Session | null) => void)[] = [];
  /** Connections being opened, reserved by `acquire` (they count against the limit). */
  let opening = 0;
  const log = config.logger.child({ destination: destination.key });
  let closed = false;

  function usable(s: Session, policy: RelayPolicy): boolean {
    if (s.conn.destroyed) return false;
    // A session set up under another TLS policy (rules changed) is not reused.
    if (s.tlsPolicy !== policy.tls) {
      s.conn.quit();
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
   * connections is then reserved for it in `opening`, given back once it opened or failed). At the connection limit
   * the send waits for a session to be released (or to end), so the relay never holds more connections than
   * `policy.maxConnections` however many sends it is given.
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
  function open(
    host: HostPort,
    policy: RelayPolicy,
    plaintext = false,
  ): Promise<{ session: Session } | { failure: SmtpError }> {
    const conn = new RelaySmtpConnection({
      host: host.host,
      port: host.port,
      name: config.name,
      opportunisticTLS: !plaintext && policy.tls === 'opportunistic',
      requireTLS: policy.tls === 'required',
      ignoreTLS: plaintext || policy.tls === 'disabled',
      tls: { rejectUnauthorized: !isLoopbackHost(host.host) },
      connectionTimeout: policy.connectMs,
      greetingTimeout: config.greetingTimeoutMs ?? policy.connectMs,
      socketTimeout: policy.commandMs,
      logger: false,
    });
    const ended = new Promise<void>((resolve) => conn.once('end', () => resolve()));
    return new Promise((resolve) => {
      let settled = false;
      const settle = (value: { session: Session } | { failure: SmtpError }) => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      // Errors of a connection also reach the callback of the send in progress; this listener only keeps an
      // error of an idle session (server timeout, reset) from becoming an unhandled 'error' event.
      conn.on('error', (err: SmtpError) => settle({ failure: err }));
      conn.connect((err) => {
        if (err) return settle({ failure: err as SmtpError });
        const socket = conn._socket;
        const session: Session = {
          conn,
          host,
          ip: (socket && socket.remoteAddress) || null,
          tlsPolicy: policy.tls,
          sent: 0,
          ended,
          awaited: null,
        };
        conn.on('error', () => (session.awaited = awaitedCommand(session.conn)));
        sessions.add(session);
        config.onSessionsChanged(destination.key);
        void ended.then(() => {
          sessions.delete(session);
          const i = idle.indexOf(session);
          if (i >= 0) idle.splice(i, 1);
          config.onSessionsChanged(destination.key);
          wakeOne();
        });
        settle({ session });
      });
    });
  }

  function transact(
    session: Session,
    group: OutboundGroup,
    policy: RelayPolicy,
  ): Promise<{ ok: true; info: SendInfo } | { ok: false; err: SmtpError; dataStarted: boolean }> {
    let dataStarted = false;
    session.awaited = null;
    session.conn.onDataStart = () => {
      dataStarted = true;
      setSocketTimeout(session, policy.dataMs);
    };
    setSocketTimeout(session, policy.commandMs);
    return new Promise((resolve) => {
      session.conn.send(
        { from: group.envelope.from, to: group.envelope.to, size: group.raw.length },
        group.raw,
        (err, info) => {
          session.conn.onDataStart = null;
          session.sent++;
          if (!session.conn.destroyed) setSocketTimeout(session, policy.commandMs);
          if (err) resolve({ ok: false, err: err as SmtpError, dataStarted });
          else resolve({ ok: true, info: (info ?? {}) as SendInfo });
        },
      );
    });
  }

  /** After a transaction: keep the session for the next message, reset it first (RSET), or end it. */
  function recycle(session: Session, failed: boolean, policy: RelayPolicy): Promise<void> {
    const { conn } = session;
    if (conn.destroyed) return Promise.resolve();
    // Above the (possibly lowered) connection limit, or at the end of its message budget: QUIT.
    if (closed || session.sent >= policy.maxMessagesPerConnection || sessions.size > policy.maxConnections) {
      conn.quit();
      return Promise.resolve();
    }
    if (!failed) {
      release(session);
      return Promise.resolve();
    }
    const reset = new Promise<void>((resolve) =>
      conn.reset((err) => {
        if (err || closed) conn.close();
        else release(session);
        resolve();
      }),
    );
    // A session that dies during RSET never calls back: its end settles the wait instead.
    return Promise.race([reset, session.ended]);
  }

  async function sendOn(
    session: Session,
    group: OutboundGroup,
    policy: RelayPolicy,
    started: number,
    reused: boolean,
  ): Promise<SmtpOutcome[] | 'stale'> {
    const result = await transact(session, group, policy);
    const base = {
      mxHost: session.host.host,
      ip: session.ip,
      tls: session.conn.secure,
      durationMs: config.clock.now() - started,
    };
    if (result.ok) {
      void recycle(session, false, policy);
      return perRecipient(group, result.info, base);
    }
    const err = result.err;
    // A reused session the server had silently closed: not this message's fault, retry on a fresh one.
    if (reused && !err.responseCode) {
      session.conn.close();
      return 'stale';
    }
    const command = answeredCommand(err, session.conn, session.awaited, result.dataStarted);
    // The reply is known; the session is reset before the outcome is returned so the next message reuses it.
    await recycle(session, true, policy);
    // Every recipient refused at RCPT: each keeps its own reply.
    const envelope = session.conn._envelope;
    const rejected = err.rejectedErrors ?? (command === 'RCPT' && envelope ? envelope.rejectedErrors : null);
    if (rejected && rejected.length > 0) {
      const fallback = outcomeFromError(err, base, 'transaction', command);
      return group.envelope.to.map((to) => {
        const own = rejected.find((e) => e.recipient === to);
        return own ? outcomeFromError(own, base, 'transaction') : fallback;
      });
    }
    const outcome = outcomeFromError(err, base, 'transaction', command);
    return group.envelope.to.map(() => outcome);
  }

  async function sendGroup(group: OutboundGroup): Promise<SmtpOutcome[]> {
    const policy = group.policy ?? config.defaults;
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
          noReplyOutcome(
            closed
              ? 'relay closed before the message could be sent'
              : `destination ${destination.key} has no host`,
            null,
            started,
            config,
          ),
      );
    }
    const outcomes = await sendOn(opened.session, group, policy, started, false);
    return outcomes === 'stale'
      ? all(noReplyOutcome('connection lost', opened.session.host, started, config))
      : outcomes;
  }

  /** Connects to the destination's hosts in order: the first session, or the last host's failure. */
  async function openOnHosts(
    policy: RelayPolicy,
    started: number,
  ): Promise<{ session: Session } | { failure: SmtpOutcome | null }> {
    let failure: SmtpOutcome | null = null;
    for (const host of destination.hosts) {
      let opened = await open(host, policy);
      if ('failure' in opened && policy.tls === 'opportunistic' && isTlsFailure(opened.failure)) {
        // Opportunistic TLS (Postfix's `may`): a server offering STARTTLS whose handshake fails gets the
        // message in plaintext on a new connection. `required` never falls back (tlsRefusal below).
        log.info('TLS handshake failed; opportunistic TLS: retrying in plaintext on a new connection', {
          host: host.host,
          port: host.port,
          rule: policy.ruleId,
          error: opened.failure.message,
        });
        opened = await open(host, policy, true);
      }
      if ('session' in opened) return opened;
      const base = { mxHost: host.host, ip: null, tls: false, durationMs: config.clock.now() - started };
      failure = tlsRefusal(opened.failure, policy, base) ?? outcomeFromError(opened.failure, base, 'connect');
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
    async close() {
      closed = true;
      for (const next of waiting.splice(0)) next(null);
      const waits: Promise<void>[] = [];
      for (const session of sessions) {
        if (session.conn.destroyed) continue;
        if (idle.includes(session)) session.conn.quit();
        else session.conn.close();
        waits.push(session.ended);
      }
      idle.length = 0;
      await Promise.all(waits);
    },
  };
}

function setSocketTimeout(session: Session, ms: number): void {
  const socket = session.conn._socket;
  if (socket) socket.setTimeout(ms);
}

/** The parts of nodemailer's connection state that tell which command a reply (or a silence) answered. */
interface NodemailerInternals {
  _envelope?:
    | {
        pipelined?: boolean;
        rcptQueue?: string[];
        accepted?: string[];
        rejected?: string[];
        rejectedErrors?: SmtpError[];
      }
    | false;
  _recipientQueue?: string[];
  _responseActions?: unknown[];
}

/**
 * The envelope command a transaction is waiting a reply for: read when a connection error is emitted (a
 * timeout, a drop), before nodemailer clears its state.
 */
function awaitedCommand(conn: NodemailerInternals): string | null {
  const envelope = conn._envelope;
  if (!envelope) return null;
  const answered = (envelope.accepted?.length ?? 0) + (envelope.rejected?.length ?? 0);
  const waiting = conn._recipientQueue?.length ?? 0;
  const recipients = answered + waiting + (envelope.rcptQueue?.length ?? 0);
  if (envelope.pipelined) {
    // MAIL, each RCPT and DATA were sent at once: the first one without a reply is the one waited for.
    const replied = recipients + 2 - (conn._responseActions?.length ?? 0);
    return replied <= 0 ? 'MAIL' : replied <= recipients ? 'RCPT' : 'DATA';
  }
  if (waiting > 0) return 'RCPT';
  return answered >= recipients ? 'DATA' : 'MAIL';
}

/**
 * The command a failed transaction's last reply answered, or the one left without a reply. nodemailer names
 * its own errors' commands, but a 421 (which ends the session whatever it answers), a timeout and a drop come
 * as connection errors (`CONN`): a 421 answering RCPT was recorded by nodemailer as that recipient's
 * rejection first; the others are placed by the transaction's progress (`awaited`, read at the error).
 */
function answeredCommand(
  err: SmtpError,
  conn: NodemailerInternals,
  awaited: string | null,
  dataStarted: boolean,
): string | null {
  if (err.command && err.command !== 'CONN') return COMMANDS[err.command] ?? err.command;
  if (dataStarted) return 'DATA';
  const envelope = conn._envelope;
  if (err.response && envelope && envelope.rejectedErrors?.some((e) => e.response === err.response))
    return 'RCPT';
  return awaited ?? (err.command ? (COMMANDS[err.command] ?? err.command) : null);
}

/** Outcomes of a transaction that reached DATA: refused recipients keep their RCPT reply, the rest the DATA reply. */
function perRecipient(group: OutboundGroup, info: SendInfo, base: OutcomeBase): SmtpOutcome[] {
  const reply = parseSmtpReply(info.response ?? '250');
  const accepted: SmtpOutcome = {
    kind: 'accepted',
    code: reply.code ?? 250,
    enhanced: reply.enhanced,
    text: reply.text,
    command: 'DATA',
    ...base,
  };
  const refused = info.rejectedErrors ?? [];
  if (refused.length === 0) return group.envelope.to.map(() => accepted);
  return group.envelope.to.map((to) => {
    const own = refused.find((e) => e.recipient === to);
    return own ? outcomeFromError(own, base, 'transaction') : accepted;
  });
}

/**
 * `tls: required` and the server has no STARTTLS (or it failed): deferred, with a text naming the rule.
 * Nothing was sent in clear.
 */
function tlsRefusal(err: SmtpError, policy: RelayPolicy, base: OutcomeBase): SmtpOutcome | null {
  if (policy.tls !== 'required') return null;
  if (!isTlsFailure(err)) return null;
  const reply = err.response ? ` (reply: ${err.response.trim()})` : '';
  return {
    kind: 'deferred',
    code: null,
    enhanced: null,
    text: `TLS required by MX rule "${policy.ruleId}" but ${base.mxHost ?? 'the server'} does not offer a working STARTTLS${reply}; nothing was sent`,
    command: 'STARTTLS',
    ...base,
  };
}

/**
 * A failure of STARTTLS itself: refused, or the TLS handshake after it failed, timed out or was cut
 * (nodemailer reports a handshake refused by OpenSSL as a socket error whose original code is `ERR_SSL_*`,
 * and a connection closed during the handshake as ECONNRESET with Node's "before secure TLS connection"
 * message).
 */
function isTlsFailure(err: SmtpError): boolean {
  return (
    err.code === 'ETLS' ||
    err.command === 'STARTTLS' ||
    /^ERR_SSL_/.test(err.originalCode ?? '') ||
    // Node's message for a connection closed during the handshake (code ECONNRESET).
    /STARTTLS|TLS handshake|before secure TLS connection was established/i.test(err.message)
  );
}

type OutcomeBase = Pick<SmtpOutcome, 'mxHost' | 'ip' | 'tls' | 'durationMs'>;

const COMMANDS: Record<string, string> = {
  CONN: 'CONNECT',
  'MAIL FROM': 'MAIL',
  'RCPT TO': 'RCPT',
  EHLO: 'EHLO',
  HELO: 'EHLO',
  LHLO: 'EHLO',
  DATA: 'DATA',
  STARTTLS: 'STARTTLS',
  RSET: 'RSET',
};

/**
 * Maps a nodemailer error to an outcome: an SMTP reply when there was one, otherwise a described failure.
 * `answered` overrides the command nodemailer named (see `answeredCommand`).
 */
export function outcomeFromError(
  err: SmtpError,
  base: OutcomeBase,
  phase: 'connect' | 'transaction',
  answered?: string | null,
): SmtpOutcome {
  const command =
    answered !== undefined ? answered : err.command ? (COMMANDS[err.command] ?? err.command) : null;
  if (typeof err.response === 'string' && err.responseCode) {
    const reply = parseSmtpReply(err.response);
    const code = reply.code ?? err.responseCode;
    return { kind: replyKind(code), code, enhanced: reply.enhanced, text: reply.text, command, ...base };
  }
  const where = base.mxHost ? ` (${base.mxHost})` : '';
  const text = `${describeNoReply(err, phase)}${where}`;
  return {
    kind: 'deferred',
    code: null,
    enhanced: null,
    text,
    command: phase === 'connect' ? 'CONNECT' : command,
    ...base,
  };
}

function describeNoReply(err: SmtpError, phase: 'connect' | 'transaction'): string {
  const code = err.originalCode ?? err.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
      return phase === 'connect'
        ? `connection timed out: ${err.message}`
        : `no reply from the server: ${err.message}`;
    case 'ECONNECTION':
    case 'ECONNRESET':
    case 'EPIPE':
      return phase === 'connect'
        ? `connection closed before the session was set up: ${err.message}`
        : `connection dropped by the server: ${err.message}`;
    case 'EDNS':
    case 'ENOTFOUND':
      return `host name could not be resolved: ${err.message}`;
    case 'ETLS':
      return `TLS negotiation failed: ${err.message}`;
    default:
      return `${phase === 'connect' ? 'connection failed' : 'session failed'}: ${err.message}`;
  }
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
  };
}

function noReplyOutcome(
  text: string,
  host: HostPort | null,
  started: number,
  config: RelayConfig,
): SmtpOutcome {
  return {
    kind: 'deferred',
    code: null,
    enhanced: null,
    text,
    command: null,
    mxHost: host?.host ?? null,
    ip: null,
    tls: false,
    durationMs: config.clock.now() - started,
  };
}
