/**
 * The project's own SMTP client session (RFC 5321) over node:net and node:tls, built so that every reply and
 * every silence of a session is a value naming the stage it answered (`SmtpStage`): the shaper learns a
 * receiver's limits from which stage answered (a refusal at the greeting, a 421 after N messages, a rate
 * reply), and no SMTP library tells that for a pipelined batch without reading its private state.
 *
 * One `SmtpSession` is one connection: `openSmtpSession` connects, reads the greeting, says EHLO (HELO after a
 * 5xx to EHLO, RFC 5321 §4.1.4), STARTTLS per the policy (RFC 3207, then EHLO again); `sendMail` sends one
 * message (MAIL, every RCPT and DATA in one write when PIPELINING is advertised, RFC 2920, the replies matched
 * in order; SIZE when advertised; BODY=8BITMIME when advertised and the message has 8-bit bytes; SMTPUTF8 when
 * an address needs it and it is advertised), the data dot-stuffed (dot-stuffing.ts) and written with its final
 * dot in one write; `reset` (RSET) and `quit` (QUIT).
 *
 * Timeouts are inactivity timeouts of the socket (`socket.setTimeout`): `connectMs` while connecting, waiting
 * for the greeting and the STARTTLS reply and handshake, `commandMs` for each command's reply, `dataMs` from the
 * start of the data to its final reply. A 421 at any stage ends the session (RFC 5321 §3.8). Nothing here
 * throws for an SMTP reply or a failed connection: they come back as `Answer` values.
 */
import net from 'node:net';
import tls from 'node:tls';
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import type { SmtpStage } from '../types';
import { stuffMessage } from './dot-stuffing';

/** One complete SMTP reply: its code and its lines as received (CRLF between lines, none at the end). */
export interface SmtpReply {
  code: number;
  raw: string;
}

/** Why nothing answered a stage. */
export type SilenceKind = 'refused' | 'timeout' | 'closed' | 'reset' | 'tls' | 'protocol' | 'error';

export interface Silence {
  kind: SilenceKind;
  message: string;
}

/**
 * What answered a stage: a reply, or a silence (timeout, drop, reset, TLS failure, protocol error). Both null
 * only for a step that has no reply of its own and succeeded (the TCP connection, the TLS handshake).
 */
export interface Answer {
  stage: SmtpStage;
  reply: SmtpReply | null;
  silence: Silence | null;
}

/** A reply line longer than this is a protocol error (RFC 5321 §4.5.3.1.5 allows 512 octets). */
export const MAX_REPLY_LINE = 8 * 1024;
/** A whole (multi-line) reply longer than this is a protocol error. */
export const MAX_REPLY = 64 * 1024;

export interface SmtpOpenOptions {
  host: string;
  port: number;
  /** EHLO name. */
  name: string;
  /** `offered`: STARTTLS when the server offers it; `required`: no session without it; `never`. */
  starttls: 'offered' | 'required' | 'never';
  rejectUnauthorized: boolean;
  connectMs: number;
  greetingMs: number;
  commandMs: number;
  /**
   * Called once the receiver greeted the session with a 2xx: from then on it holds the session for us (what a
   * connection limit counts; a session still waiting for its greeting may yet be refused).
   */
  onGreeted?: (session: SmtpConnection) => void;
}

/**
 * A session that could not be set up: the answer that stopped it, and whether TLS was the cause (`tls`:
 * STARTTLS `not-offered` under `required`, `refused` (a non-421 reply to STARTTLS under `required`), or the
 * `handshake` after the server accepted STARTTLS failed, timed out or was cut).
 */
export interface OpenFailure {
  answer: Answer;
  tls: 'not-offered' | 'refused' | 'handshake' | null;
  /** The connection, closed (remote address, whether it was connected). */
  session: SmtpConnection;
}

export type OpenResult = { ok: true; session: SmtpConnection } | { ok: false; failure: OpenFailure };

/**
 * One SMTP session as the relay uses it: `SmtpSession` over a socket, or the simulator's virtual session
 * (`src/main/simulate/virtual-network.ts`), which answers as a profile of the sandbox on a virtual clock.
 */
export interface SmtpConnection {
  /** Transactions this session has started (each one is over when the next can start); bad input aside. */
  readonly completed: number;
  readonly secure: boolean;
  readonly remoteAddress: string | null;
  readonly closed: boolean;
  /** Whether a transaction can start on this session. */
  readonly usable: boolean;
  /** Resolves once the connection closed. */
  readonly ended: Promise<void>;
  /** Set when the server closed the connection itself: how long after its last reply, in ms. */
  readonly serverClosed: { idleMs: number } | null;
  sendMail(
    from: string,
    to: readonly string[],
    raw: Buffer,
    timeouts: TransactionTimeouts,
  ): Promise<TransactionResult>;
  /** RSET after a refused transaction: true when the session is ready for another one. */
  reset(commandMs: number): Promise<boolean>;
  /** QUIT, then the connection is closed. */
  quit(): void;
  /** Closes the connection at once. */
  close(): void;
}

/** How the relay opens a session: `openSmtpSession` over the network, or the simulator's. */
export type SessionOpener = (options: SmtpOpenOptions) => Promise<OpenResult>;

export interface TransactionTimeouts {
  commandMs: number;
  dataMs: number;
}

export interface TransactionResult {
  /** Each recipient's RCPT reply, in order (null: its RCPT was never answered). */
  rcpts: (SmtpReply | null)[];
  /**
   * What ended the transaction: the 2xx reply to the end of data (`accepted`), else the refusal or silence
   * that stopped it (every recipient refused: the last RCPT refusal).
   */
  end: Answer;
  accepted: boolean;
  /** Whether any reply of this transaction came (a reused session closed before one is stale, not refused). */
  answered: boolean;
}

interface Waiter {
  stage: SmtpStage;
  resolve: (answer: Answer) => void;
}

interface Extensions {
  pipelining: boolean;
  starttls: boolean;
  /** SIZE advertised (its limit: 0 when none was given). */
  size: number | null;
  eightBitMime: boolean;
  smtputf8: boolean;
}

const NO_EXTENSIONS: Extensions = {
  pipelining: false,
  starttls: false,
  size: null,
  eightBitMime: false,
  smtputf8: false,
};

const DONE = (stage: SmtpStage): Answer => ({ stage, reply: null, silence: null });

/** An address that could smuggle a command into the session. */
const UNSAFE_ADDRESS = /[\r\n<>]/;
const NON_ASCII = /[\u0080-\uffff]/;

export class SmtpSession implements SmtpConnection {
  /** Transactions this session has started (each one is over when the next can start); bad input aside. */
  completed = 0;
  secure = false;
  remoteAddress: string | null = null;
  connected = false;
  closed = false;
  /** Resolves once the socket closed. */
  readonly ended: Promise<void>;
  /**
   * Set when the server closed the connection itself (not after a 421, not the client): how long after its
   * last reply, in ms (0 when a command was waiting for one).
   */
  serverClosed: { idleMs: number } | null = null;
  private ext: Extensions = NO_EXTENSIONS;
  private socket: net.Socket;
  private decoder = new StringDecoder('utf8');
  private buffer = '';
  private waiters: Waiter[] = [];
  private answered = false;
  private timeoutMs = 0;
  private lastReplyAt = performance.now();
  private resolveEnded!: () => void;

  /** Opens the TCP connection (use `openSmtpSession`). */
  constructor(private readonly options: SmtpOpenOptions) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    // Waiters for the TCP connection and for the greeting, which comes unasked.
    this.waiters.push({ stage: 'connect', resolve: noop }, { stage: 'greeting', resolve: noop });
    this.socket = net.connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.setTimeout(options.connectMs);
    this.attach(this.socket);
    this.socket.once('connect', () => {
      this.connected = true;
      this.remoteAddress = this.socket.remoteAddress ?? null;
      this.setTimeout(options.greetingMs);
      const waiter = this.waiters.shift();
      waiter?.resolve(DONE('connect'));
    });
  }

  /** Whether a transaction can start on this session. */
  get usable(): boolean {
    return !this.closed && this.waiters.length === 0;
  }

  /** The TCP connection and the greeting; set by `openSmtpSession` before anything else is awaited. */
  waitConnected(): Promise<[Answer, Answer]> {
    const connect = new Promise<Answer>((resolve) => (this.waiters[0]!.resolve = resolve));
    const greeting = new Promise<Answer>((resolve) => (this.waiters[1]!.resolve = resolve));
    return Promise.all([connect, greeting]);
  }

  /**
   * One transaction. The session must be `usable`. After a refusal (the session still open) the caller
   * resets it (`reset`) before the next one.
   */
  async sendMail(
    from: string,
    to: readonly string[],
    raw: Buffer,
    timeouts: TransactionTimeouts,
  ): Promise<TransactionResult> {
    this.answered = false;
    const rcpts: (SmtpReply | null)[] = to.map(() => null);
    const unsafe = UNSAFE_ADDRESS.test(from) ? from : to.find((a) => UNSAFE_ADDRESS.test(a));
    if (unsafe !== undefined || to.length === 0)
      return this.local(rcpts, {
        kind: 'error',
        message:
          to.length === 0
            ? 'no recipient'
            : `invalid address ${JSON.stringify(unsafe)} (CR, LF, < or > in an address)`,
      });
    if (this.ext.size && raw.length > this.ext.size)
      return this.local(rcpts, {
        kind: 'error',
        message: `message of ${raw.length} bytes over the server's SIZE limit of ${this.ext.size} bytes`,
      });
    this.completed++;
    const mailLine = `MAIL FROM:<${from}>${this.mailParameters(from, to, raw)}\r\n`;
    this.setTimeout(timeouts.commandMs);
    if (this.ext.pipelining) {
      // RFC 2920: MAIL, every RCPT and DATA in one write; the replies come back in order.
      let batch = mailLine;
      for (const rcpt of to) batch += `RCPT TO:<${rcpt}>\r\n`;
      batch += 'DATA\r\n';
      const mailP = this.expect('mail');
      const rcptPs = to.map(() => this.expect('rcpt'));
      const dataP = this.expect('data');
      this.socket.write(batch);
      const mail = await mailP;
      const rcptAnswers: Answer[] = [];
      for (const p of rcptPs) rcptAnswers.push(await p);
      const data = await dataP;
      const stop = this.envelopeEnd(mail, rcptAnswers, rcpts);
      if (stop) {
        // A server that invited the data anyway gets an empty message's end, whose reply is not the outcome.
        if (data.reply?.code === 354) await this.abortData(timeouts);
        return { rcpts, end: stop, accepted: false, answered: this.answered };
      }
      return this.sendData(data, raw, rcpts, timeouts);
    }
    const mail = await this.command(mailLine, 'mail', timeouts.commandMs);
    if (!isPositive(mail)) return { rcpts, end: mail, accepted: false, answered: this.answered };
    const rcptAnswers: Answer[] = [];
    for (const rcpt of to) {
      const answer = await this.command(`RCPT TO:<${rcpt}>\r\n`, 'rcpt', timeouts.commandMs);
      rcptAnswers.push(answer);
      if (answer.silence || answer.reply?.code === 421) break;
    }
    const stop = this.envelopeEnd(mail, rcptAnswers, rcpts);
    if (stop) return { rcpts, end: stop, accepted: false, answered: this.answered };
    const data = await this.command('DATA\r\n', 'data', timeouts.commandMs);
    return this.sendData(data, raw, rcpts, timeouts);
  }

  /** RSET after a refused transaction: true when the session is ready for another one. */
  async reset(commandMs: number): Promise<boolean> {
    if (!this.usable) return false;
    const answer = await this.command('RSET\r\n', 'none', commandMs);
    if (answer.reply && answer.reply.code >= 200 && answer.reply.code < 300) return true;
    this.close();
    return false;
  }

  /** QUIT, then the connection is closed (the reply is not waited for beyond `commandMs`). */
  quit(): void {
    if (this.closed) return;
    if (!this.connected || this.waiters.length > 0) return this.close();
    void this.command('QUIT\r\n', 'none', this.timeoutMs || 5_000).then(() => this.close());
  }

  /** Closes the connection at once. */
  close(): void {
    this.terminate({ kind: 'closed', message: 'connection closed by the client' });
  }

  /** The connection's set-up after the TCP connection and the greeting: EHLO, STARTTLS, EHLO. */
  async handshake(): Promise<OpenResult> {
    const { options } = this;
    const fail = (answer: Answer, tlsCause: OpenFailure['tls'] = null): OpenResult => {
      this.quitOrClose(answer);
      return { ok: false, failure: { answer, tls: tlsCause, session: this } };
    };
    let hello = await this.hello();
    if (!isPositive(hello)) return fail(hello);
    if (options.starttls === 'never' || (!this.ext.starttls && options.starttls === 'offered'))
      return { ok: true, session: this };
    if (!this.ext.starttls) return fail(DONE('starttls'), 'not-offered');
    this.setTimeout(options.connectMs);
    const answer = await this.command('STARTTLS\r\n', 'starttls', options.connectMs);
    if (answer.silence || answer.reply?.code === 421) return fail(answer);
    if (!isPositive(answer)) {
      // Refused: `offered` goes on in plaintext on this connection (RFC 3207 §4.1), `required` stops.
      if (options.starttls === 'required') return fail(answer, 'refused');
      return { ok: true, session: this };
    }
    const secured = await this.upgrade();
    if (secured.silence) return fail(secured, 'handshake');
    this.ext = NO_EXTENSIONS;
    hello = await this.hello();
    if (!isPositive(hello)) return fail(hello);
    return { ok: true, session: this };
  }

  private async hello(): Promise<Answer> {
    const { commandMs, name } = this.options;
    let answer = await this.command(`EHLO ${name}\r\n`, 'ehlo', commandMs);
    if (answer.reply && answer.reply.code >= 500) {
      // RFC 5321 §4.1.4: a server that does not know EHLO gets HELO (no extensions then).
      answer = await this.command(`HELO ${name}\r\n`, 'ehlo', commandMs);
      this.ext = NO_EXTENSIONS;
      return answer;
    }
    if (answer.reply && isPositive(answer)) this.ext = parseExtensions(answer.reply.raw);
    return answer;
  }

  private mailParameters(from: string, to: readonly string[], raw: Buffer): string {
    let params = '';
    if (this.ext.size !== null) params += ` SIZE=${raw.length}`;
    if (this.ext.eightBitMime && !isAscii(raw)) params += ' BODY=8BITMIME';
    if (this.ext.smtputf8 && (NON_ASCII.test(from) || to.some((a) => NON_ASCII.test(a))))
      params += ' SMTPUTF8';
    return params;
  }

  /**
   * The envelope's verdict: the answer that stops the transaction before the data (a MAIL refusal, a silence
   * or a 421 at RCPT, every recipient refused), or null when at least one recipient was accepted. Fills
   * `rcpts` with each recipient's reply.
   */
  private envelopeEnd(mail: Answer, rcptAnswers: Answer[], rcpts: (SmtpReply | null)[]): Answer | null {
    if (!isPositive(mail)) return mail;
    let accepted = 0;
    let lastRefusal: Answer | null = null;
    for (let i = 0; i < rcptAnswers.length; i++) {
      const answer = rcptAnswers[i]!;
      if (answer.silence || answer.reply?.code === 421) return answer;
      rcpts[i] = answer.reply;
      if (isPositive(answer)) accepted++;
      else lastRefusal = answer;
    }
    return accepted === 0 ? lastRefusal : null;
  }

  private async sendData(
    data: Answer,
    raw: Buffer,
    rcpts: (SmtpReply | null)[],
    timeouts: TransactionTimeouts,
  ): Promise<TransactionResult> {
    if (data.reply?.code !== 354) return { rcpts, end: data, accepted: false, answered: this.answered };
    const [body, end] = stuffMessage(raw);
    const final = this.expect('data-end');
    this.setTimeout(timeouts.dataMs);
    // The data and its final dot in one write.
    this.socket.cork();
    this.socket.write(body);
    this.socket.write(end);
    this.socket.uncork();
    const answer = await final;
    // Idle until the next command, a session is kept for as long as a command's reply may take.
    if (!this.closed) this.setTimeout(timeouts.commandMs);
    return { rcpts, end: answer, accepted: isPositive(answer), answered: this.answered };
  }

  private async abortData(timeouts: TransactionTimeouts): Promise<void> {
    if (this.closed) return;
    await this.command('.\r\n', 'data-end', timeouts.dataMs);
  }

  /** A transaction stopped before anything was sent (bad input): the session stays as it was. */
  private local(rcpts: (SmtpReply | null)[], silence: Silence): TransactionResult {
    return { rcpts, end: { stage: 'none', reply: null, silence }, accepted: false, answered: false };
  }

  private command(line: string, stage: SmtpStage, ms: number): Promise<Answer> {
    if (this.closed) return Promise.resolve(closedAnswer(stage));
    this.setTimeout(ms);
    const answer = this.expect(stage);
    this.socket.write(line);
    return answer;
  }

  private expect(stage: SmtpStage): Promise<Answer> {
    if (this.closed) return Promise.resolve(closedAnswer(stage));
    return new Promise((resolve) => this.waiters.push({ stage, resolve }));
  }

  private setTimeout(ms: number): void {
    if (ms === this.timeoutMs) return;
    this.timeoutMs = ms;
    this.socket.setTimeout(ms);
  }

  /** After a failed set-up: QUIT when the server is still there (it said no, or lacks STARTTLS), else close. */
  private quitOrClose(answer: Answer): void {
    if (answer.silence || answer.reply?.code === 421) this.close();
    else this.quit();
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('timeout', this.onTimeout);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  /** STARTTLS accepted: the TLS handshake on the same connection (stage `starttls`). */
  private upgrade(): Promise<Answer> {
    const plain = this.socket;
    this.detach(plain);
    plain.setTimeout(0);
    // The plain socket's errors surface on the TLS socket; this keeps one from being unhandled.
    plain.on('error', noop);
    this.buffer = '';
    this.decoder = new StringDecoder('utf8');
    const { host, rejectUnauthorized, connectMs } = this.options;
    const secure = tls.connect({
      socket: plain,
      rejectUnauthorized,
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
    });
    this.socket = secure;
    this.timeoutMs = 0;
    this.setTimeout(connectMs);
    this.attach(secure);
    const done = this.expect('starttls');
    secure.once('secureConnect', () => {
      this.secure = true;
      this.waiters.shift()?.resolve(DONE('starttls'));
    });
    return done;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.answered = true;
    let buf = this.buffer + this.decoder.write(chunk);
    let start = 0;
    let pos = 0;
    for (let eol = buf.indexOf('\n', pos); eol >= 0; eol = buf.indexOf('\n', pos)) {
      const end = eol > pos && buf.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      if (end - pos > MAX_REPLY_LINE) return this.protocolError(`reply line over ${MAX_REPLY_LINE} bytes`);
      if (end - pos >= 4 && buf.charCodeAt(pos + 3) === 45 /* - */) {
        pos = eol + 1;
        if (pos - start > MAX_REPLY) return this.protocolError(`reply over ${MAX_REPLY} bytes`);
        continue;
      }
      const code = replyCode(buf, pos, end);
      if (code === null)
        return this.protocolError(`not an SMTP reply: ${JSON.stringify(buf.slice(pos, end))}`);
      const reply = { code, raw: buf.slice(start, end) };
      pos = eol + 1;
      start = pos;
      this.dispatch(reply);
      if (this.closed) return;
    }
    buf = start === 0 ? buf : buf.slice(start);
    if (buf.length - (pos - start) > MAX_REPLY_LINE || buf.length > MAX_REPLY)
      return this.protocolError(`reply line over ${MAX_REPLY_LINE} bytes`);
    this.buffer = buf;
  };

  private dispatch(reply: SmtpReply): void {
    this.lastReplyAt = performance.now();
    const waiter = this.waiters.shift();
    if (!waiter || waiter.stage === 'connect') {
      // A reply nobody asked for: a 421 on an idle session (the server is closing it), or a broken peer.
      if (waiter) this.waiters.unshift(waiter);
      return this.terminate(
        reply.code === 421
          ? { kind: 'closed', message: `the server ended the session: ${reply.raw}` }
          : { kind: 'protocol', message: `unexpected reply: ${reply.raw}` },
      );
    }
    waiter.resolve({ stage: waiter.stage, reply, silence: null });
    // RFC 5321 §3.8: a 421 ends the session, whatever it answered.
    if (reply.code === 421) this.terminate({ kind: 'closed', message: `the server ended the session (421)` });
  }

  private protocolError(message: string): void {
    this.terminate({ kind: 'protocol', message });
  }

  private readonly onTimeout = (): void => {
    this.terminate({ kind: 'timeout', message: `no reply within ${this.timeoutMs} ms` });
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    const kind: SilenceKind =
      err.code === 'ECONNREFUSED'
        ? 'refused'
        : err.code === 'ECONNRESET' || err.code === 'EPIPE'
          ? 'reset'
          : err.code?.startsWith('ERR_SSL_') || err.code?.startsWith('ERR_TLS_') || isCertError(err)
            ? 'tls'
            : 'error';
    // OpenSSL's messages span lines; its short reason (e.g. "tlsv1 alert protocol version") says it all.
    const text = ((err as { reason?: unknown }).reason as string | undefined) ?? err.message;
    const message = text.replace(/\s+/g, ' ').trim();
    if (kind === 'reset') this.noteServerClose();
    this.terminate({ kind, message: err.code ? `${message} (${err.code})` : message });
  };

  private readonly onClose = (): void => {
    this.noteServerClose();
    this.terminate({ kind: 'closed', message: 'connection closed by the server' });
    this.resolveEnded();
  };

  /** The server closed (or reset) the connection, unless the client already had. */
  private noteServerClose(): void {
    if (this.closed) return;
    this.serverClosed = {
      idleMs: this.waiters.length > 0 ? 0 : Math.round(performance.now() - this.lastReplyAt),
    };
  }

  /** The session is over: every waiting stage gets the silence, the socket is destroyed. */
  private terminate(silence: Silence): void {
    if (!this.closed) {
      this.closed = true;
      this.socket.destroy();
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve({ stage: w.stage, reply: null, silence });
  }
}

/**
 * Connects and sets the session up (greeting, EHLO, STARTTLS per `starttls`). A failure names the stage that
 * answered; the session is then closed.
 */
export async function openSmtpSession(options: SmtpOpenOptions): Promise<OpenResult> {
  const session = new SmtpSession(options);
  const [connect, greeting] = await session.waitConnected();
  if (connect.silence) return { ok: false, failure: { answer: connect, tls: null, session } };
  if (!isPositive(greeting)) {
    if (greeting.reply && greeting.reply.code !== 421) session.quit();
    else session.close();
    return { ok: false, failure: { answer: greeting, tls: null, session } };
  }
  options.onGreeted?.(session);
  return session.handshake();
}

function isPositive(answer: Answer): boolean {
  const code = answer.reply?.code;
  return code !== undefined && code >= 200 && code < 400;
}

function closedAnswer(stage: SmtpStage): Answer {
  return { stage, reply: null, silence: { kind: 'closed', message: 'the session was already closed' } };
}

/** The reply code at the start of a final reply line (`250 ...`, `250`), or null when it is not one. */
function replyCode(buf: string, pos: number, end: number): number | null {
  if (end - pos < 3) return null;
  const a = buf.charCodeAt(pos) - 48;
  const b = buf.charCodeAt(pos + 1) - 48;
  const c = buf.charCodeAt(pos + 2) - 48;
  if (a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return null;
  if (end - pos > 3 && buf.charCodeAt(pos + 3) !== 32 && buf.charCodeAt(pos + 3) !== 9) return null;
  return a * 100 + b * 10 + c;
}

/** The extensions an EHLO reply advertises (RFC 5321 §4.1.1.1: one keyword per line after the first). */
export function parseExtensions(raw: string): Extensions {
  const ext: Extensions = { ...NO_EXTENSIONS };
  const lines = raw.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const words = lines[i]!.slice(4).trim().toUpperCase().split(/\s+/);
    switch (words[0]) {
      case 'PIPELINING':
        ext.pipelining = true;
        break;
      case 'STARTTLS':
        ext.starttls = true;
        break;
      case 'SIZE':
        ext.size = Number(words[1]) || 0;
        break;
      case '8BITMIME':
        ext.eightBitMime = true;
        break;
      case 'SMTPUTF8':
        ext.smtputf8 = true;
        break;
      default:
        break;
    }
  }
  return ext;
}

function isCertError(err: NodeJS.ErrnoException): boolean {
  return /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(`${err.code ?? ''} ${err.message}`);
}

function noop(): void {
  // Placeholder resolver, replaced before it can be called.
}
