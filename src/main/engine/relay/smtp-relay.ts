/**
 * SMTP delivery over nodemailer's SMTPConnection, one Relay per destination. Connections are reused: a small
 * pool of open sessions per destination (RSET after a refused transaction, QUIT after `maxMessagesPerConnection`).
 * STARTTLS is opportunistic; certificates are only left unchecked for loopback hosts (sandbox, tests).
 * Every reply becomes an `SmtpOutcome` value; connection failures are `deferred` with `code: null` and move
 * on to the destination's next host. Nothing here throws for an SMTP reply.
 */
import os from 'node:os';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { HostPort } from '../../../shared/contract';
import { parseSmtpReply, replyKind } from '../../../shared/domain/smtp-reply';
import type { Logger } from '../../logger';
import { silentLogger } from '../../logger';
import { systemClock, type Clock } from '../clock';
import type { Destination, OutboundMessage, Relay, RelayFactory, SmtpOutcome } from '../types';

export interface SmtpRelayOptions {
  /** EHLO name; default the machine's hostname. */
  name?: string;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  /** Inactivity allowed while waiting for a reply (covers a server that stops answering mid-session). */
  socketTimeoutMs?: number;
  maxMessagesPerConnection?: number;
  /** Used for attempt durations only. */
  clock?: Clock;
  logger?: Logger;
}

interface RelayConfig {
  name: string;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  maxMessagesPerConnection: number;
  clock: Clock;
  logger: Logger;
}

type SmtpError = Error & {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
};

interface Session {
  conn: SMTPConnection;
  host: HostPort;
  ip: string | null;
  sent: number;
  ended: Promise<void>;
}

export function createSmtpRelayFactory(options: SmtpRelayOptions = {}): RelayFactory {
  const config: RelayConfig = {
    name: options.name ?? os.hostname(),
    connectionTimeoutMs: options.connectionTimeoutMs ?? 30_000,
    greetingTimeoutMs: options.greetingTimeoutMs ?? 30_000,
    socketTimeoutMs: options.socketTimeoutMs ?? 5 * 60_000,
    maxMessagesPerConnection: options.maxMessagesPerConnection ?? 100,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
  };
  return (destination) => createSmtpRelay(destination, config);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h.endsWith('.localhost');
}

function createSmtpRelay(destination: Destination, config: RelayConfig): Relay {
  const idle: Session[] = [];
  const sessions = new Set<Session>();
  const log = config.logger.child({ destination: destination.key });
  let closed = false;

  function takeIdle(): Session | undefined {
    for (let s = idle.pop(); s; s = idle.pop()) {
      if (!s.conn.destroyed) return s;
    }
    return undefined;
  }

  function open(host: HostPort): Promise<{ session: Session } | { failure: SmtpError }> {
    const conn = new SMTPConnection({
      host: host.host,
      port: host.port,
      name: config.name,
      opportunisticTLS: true,
      tls: { rejectUnauthorized: !isLoopbackHost(host.host) },
      connectionTimeout: config.connectionTimeoutMs,
      greetingTimeout: config.greetingTimeoutMs,
      socketTimeout: config.socketTimeoutMs,
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
        const session: Session = { conn, host, ip: (socket && socket.remoteAddress) || null, sent: 0, ended };
        sessions.add(session);
        void ended.then(() => {
          sessions.delete(session);
          const i = idle.indexOf(session);
          if (i >= 0) idle.splice(i, 1);
        });
        settle({ session });
      });
    });
  }

  function transact(
    session: Session,
    message: OutboundMessage,
  ): Promise<{ ok: true; response: string } | { ok: false; err: SmtpError }> {
    return new Promise((resolve) => {
      session.conn.send(
        { from: message.envelope.from, to: [message.envelope.to], size: message.raw.length },
        message.raw,
        (err, info) => {
          session.sent++;
          if (err) resolve({ ok: false, err: err as SmtpError });
          else resolve({ ok: true, response: info?.response ?? '250' });
        },
      );
    });
  }

  /** After a transaction: keep the session for the next message, reset it first (RSET), or end it. */
  function recycle(session: Session, failed: boolean): Promise<void> {
    const { conn } = session;
    if (conn.destroyed) return Promise.resolve();
    if (closed || session.sent >= config.maxMessagesPerConnection) {
      conn.quit();
      return Promise.resolve();
    }
    if (!failed) {
      idle.push(session);
      return Promise.resolve();
    }
    const reset = new Promise<void>((resolve) =>
      conn.reset((err) => {
        if (err || closed) conn.close();
        else idle.push(session);
        resolve();
      }),
    );
    // A session that dies during RSET never calls back: its end settles the wait instead.
    return Promise.race([reset, session.ended]);
  }

  async function sendOn(
    session: Session,
    message: OutboundMessage,
    started: number,
    reused: boolean,
  ): Promise<SmtpOutcome | 'stale'> {
    const result = await transact(session, message);
    const base = {
      mxHost: session.host.host,
      ip: session.ip,
      tls: session.conn.secure,
      durationMs: config.clock.now() - started,
    };
    if (result.ok) {
      void recycle(session, false);
      const reply = parseSmtpReply(result.response);
      return {
        kind: 'accepted',
        code: reply.code ?? 250,
        enhanced: reply.enhanced,
        text: reply.text,
        command: 'DATA',
        ...base,
      };
    }
    const err = result.err;
    // A reused session the server had silently closed: not this message's fault, retry on a fresh one.
    if (reused && !err.responseCode) {
      session.conn.close();
      return 'stale';
    }
    // The reply is known; the session is reset before the outcome is returned so the next message reuses it.
    await recycle(session, true);
    return outcomeFromError(err, base, 'transaction');
  }

  return {
    async send(message) {
      const started = config.clock.now();
      if (closed) {
        return noReplyOutcome('relay closed before the message could be sent', null, started, config);
      }
      const reusable = takeIdle();
      if (reusable) {
        const outcome = await sendOn(reusable, message, started, true);
        if (outcome !== 'stale') return outcome;
        log.debug('reused session was closed by the server; opening a new one', { host: reusable.host.host });
      }
      let lastFailure: SmtpOutcome | null = null;
      for (const host of destination.hosts) {
        const opened = await open(host);
        if ('session' in opened) {
          const outcome = await sendOn(opened.session, message, started, false);
          return outcome === 'stale' ? noReplyOutcome('connection lost', host, started, config) : outcome;
        }
        lastFailure = outcomeFromError(
          opened.failure,
          { mxHost: host.host, ip: null, tls: false, durationMs: config.clock.now() - started },
          'connect',
        );
        log.info('connection failed, trying the next host', {
          host: host.host,
          port: host.port,
          reply: lastFailure.text,
        });
      }
      return (
        lastFailure ?? noReplyOutcome(`destination ${destination.key} has no host`, null, started, config)
      );
    },
    async close() {
      closed = true;
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

/** Maps a nodemailer error to an outcome: an SMTP reply when there was one, otherwise a described failure. */
export function outcomeFromError(
  err: SmtpError,
  base: OutcomeBase,
  phase: 'connect' | 'transaction',
): SmtpOutcome {
  const command = err.command ? (COMMANDS[err.command] ?? err.command) : null;
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
