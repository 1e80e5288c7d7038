/**
 * The browser console's server: the contract over HTTP (`POST /rpc/<method>`), push events over a WebSocket
 * (`/events`) and the built renderer as static files. Loopback only, a token on everything that carries data
 * (generated per launch, or kept per data dir by `serve`: `node/console-address.ts`), Host and Origin checked on
 * every request (CSRF and DNS-rebinding defence).
 * Wire format: see src/shared/client/http-transport.ts.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, type ApiErrorShape, type ErrorCode, type Handlers } from '../../shared/contract';
import type { Logger } from '../logger';
import { dispatch } from './dispatch';
import type { EventBus } from './event-bus';
import {
  bearerToken,
  checkHostAndOrigin,
  contentSecurityPolicy,
  generateToken,
  loopbackBindHost,
  tokenMatches,
  type AccessDenial,
} from './http-security';
import { realRoot, serveStatic } from './static-files';

export interface HttpServerOptions {
  handlers: Handlers;
  bus: EventBus;
  logger: Logger;
  /** The built renderer (`out/renderer`); null (or a directory without index.html) serves the API only. */
  staticDir: string | null;
  /** Loopback only: 127.0.0.1 (default) or ::1. */
  host?: string;
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default: 32 random bytes, new for every launch. */
  token?: string;
  /** Ping interval of the event sockets; a socket that missed the previous pong is dropped. Default 30 s. */
  heartbeatMs?: number;
}

export interface HttpServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** `url` + `#token=...`: what a user opens. */
  consoleUrl: string;
  port: number;
  token: string;
  /** False when no built renderer was found: the server serves the API only. */
  consoleAvailable: boolean;
  close(): Promise<void>;
}

/** Request bodies are read as a stream up to this size (recipient lists arrive as CSV text in JSON). */
export const MAX_BODY_BYTES = 250 * 1024 * 1024;
const DEFAULT_HEARTBEAT_MS = 30_000;

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const bindHost = loopbackBindHost(o.host);
  const token = o.token ?? generateToken();
  const logger = o.logger.child({ component: 'http' });
  const staticRoot = o.staticDir ? realRoot(o.staticDir) : null;
  let port = 0;
  let csp = '';

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      logger.error('HTTP request failed', { url: req.url, err });
      if (!res.headersSent) sendError(res, new AppError('internal', 'Unexpected server error (see the log)'));
      else res.destroy();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');

    const denial = checkHostAndOrigin(req.headers, bindHost, port);
    if (denial) return sendDenial(res, denial);
    const pathname = new URL(req.url ?? '/', 'http://relaydeck.invalid').pathname;

    if (pathname.startsWith('/rpc/')) return handleRpc(req, res, pathname.slice('/rpc/'.length));
    if (pathname === '/events') {
      return sendError(res, new AppError('invalid_input', '/events is a WebSocket endpoint'), 426);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, new AppError('invalid_input', `${req.method} is not allowed here`), 405);
    }
    if (!staticRoot) {
      return sendError(
        res,
        new AppError(
          'not_found',
          'The console is not built (npm run build); this server serves the API only',
        ),
      );
    }
    if (!(await serveStatic(staticRoot, req, res, pathname))) {
      sendError(res, new AppError('not_found', `No such file: ${pathname}`));
    }
  }

  async function handleRpc(req: IncomingMessage, res: ServerResponse, encodedMethod: string): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    if (!tokenMatches(token, bearerToken(req.headers.authorization))) {
      return sendDenial(res, { code: 'unauthorized', message: 'Missing or wrong access token' });
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendError(res, new AppError('invalid_input', 'API methods are called with POST'), 405);
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return sendError(
        res,
        new AppError('invalid_input', 'The request body must be JSON (Content-Type: application/json)'),
        415,
      );
    }
    let method: string;
    try {
      method = decodeURIComponent(encodedMethod);
    } catch {
      return sendError(res, new AppError('unknown_method', `No API method "${encodedMethod}"`));
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      if (body.status === 413) res.setHeader('Connection', 'close');
      return sendError(res, body.error, body.status);
    }

    const result = await dispatch(o.handlers, method, body.value, { transport: 'http' }, logger);
    if (result.ok) sendJson(res, 200, result.value);
    else sendJson(res, httpStatus(result.error.code), { error: result.error });
  }

  // ---- WebSocket push events ----

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const alive = new WeakMap<WebSocket, boolean>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://relaydeck.invalid');
    const denial: AccessDenial | null =
      url.pathname !== '/events'
        ? { code: 'forbidden', message: 'No WebSocket endpoint here' }
        : (checkHostAndOrigin(req.headers, bindHost, port) ??
          (tokenMatches(token, url.searchParams.get('token'))
            ? null
            : { code: 'unauthorized', message: 'Missing or wrong access token' }));
    if (denial) return rejectUpgrade(socket, denial);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    // Clients only listen; anything they send is ignored.
    ws.on('message', () => undefined);
    ws.on('error', (err) => logger.debug('event socket error', { err }));
    const unsubscribe = o.bus.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  // ---- listen ----

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, bindHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(heartbeat);
    wss.close();
    throw err;
  }
  server.on('error', (err) => logger.error('HTTP server error', { err }));
  port = (server.address() as AddressInfo).port;
  csp = contentSecurityPolicy(bindHost, port);

  const url = `http://${bindHost === '::1' ? '[::1]' : bindHost}:${port}/`;
  if (!staticRoot) logger.warn('The renderer is not built: serving the API only', { staticDir: o.staticDir });
  logger.info('console server listening', { url });

  let closing: Promise<void> | null = null;
  return {
    url,
    consoleUrl: `${url}#token=${token}`,
    port,
    token,
    consoleAvailable: staticRoot !== null,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

type BodyResult = { ok: true; value: unknown } | { ok: false; error: AppError; status: number };

async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    status: 413,
    error: new AppError('invalid_input', `The request body exceeds ${MAX_BODY_BYTES / 1024 / 1024} MB`),
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooLarge;
  const text = await new Promise<string | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Stop buffering; the rest is drained and discarded, the response closes the connection.
      req.off('data', onData);
      req.resume();
      chunks.length = 0;
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size <= MAX_BODY_BYTES) resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    req.once('error', reject);
  });
  if (text === null) return tooLarge;
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return {
      ok: false,
      status: 400,
      error: new AppError('invalid_input', `The request body is not valid JSON (${(err as Error).message})`),
    };
  }
}

/** HTTP status for each registry code. */
export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'invalid_input':
    case 'csv_invalid':
    case 'template_invalid':
    case 'message_invalid':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
    case 'unknown_method':
      return 404;
    case 'conflict':
      return 409;
    case 'analysis_unacknowledged':
      return 422;
    case 'db_locked':
    case 'unavailable':
      return 503;
    case 'db_newer_version':
    case 'internal':
      return 500;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function sendError(res: ServerResponse, err: AppError, status = httpStatus(err.code)): void {
  const error: ApiErrorShape = err.toJSON();
  sendJson(res, status, { error });
}

function sendDenial(res: ServerResponse, denial: AccessDenial): void {
  sendError(res, new AppError(denial.code, denial.message));
}

function rejectUpgrade(socket: Duplex, denial: AccessDenial): void {
  const status = httpStatus(denial.code);
  const body = JSON.stringify({ error: new AppError(denial.code, denial.message).toJSON() });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
