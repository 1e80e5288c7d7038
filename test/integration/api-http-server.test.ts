import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from '../../src/main/api/event-bus';
import { startHttpServer, type HttpServer } from '../../src/main/api/http-server';
import { createClient } from '../../src/shared/client';
import { createHttpTransport, type WebSocketCtor } from '../../src/shared/client/http-transport';
import { fakeAppInfo, fakeHandlers } from '../support/api-fake-handlers';
import { rawRequest, tryWebSocket, waitFor } from '../support/api-http';
import { captureLogger } from '../support/api-test-logger';

let dir: string;
let bus: EventBus;
let server: HttpServer;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
  const staticDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Relaydeck</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'top secret');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(staticDir, 'link.txt'));
  bus = createEventBus(5);
  server = await startHttpServer({
    handlers: fakeHandlers({ 'app.info': (_i, ctx) => ({ ...fakeAppInfo, transport: ctx.transport }) }),
    bus,
    logger: captureLogger(),
    staticDir,
  });
});

afterEach(async () => {
  await server.close();
  bus.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
const auth = () => ({ ...json, authorization: `Bearer ${server.token}` });
const rpc = (headers: Record<string, string>, body = '{}', method = 'app.info') =>
  rawRequest(server.port, { method: 'POST', path: `/rpc/${method}`, headers, body });

describe('console HTTP server', () => {
  it('listens on loopback with a fresh token and gives the console URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.consoleUrl).toBe(`${server.url}#token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.consoleAvailable).toBe(true);
  });

  it('refuses to listen on a non-loopback address', async () => {
    await expect(
      startHttpServer({
        handlers: fakeHandlers({}),
        bus,
        logger: captureLogger(),
        staticDir: null,
        host: '0.0.0.0',
      }),
    ).rejects.toThrow(/loopback/);
  });

  it('serves RPC calls carrying the token', async () => {
    const res = await rpc(auth());
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ...fakeAppInfo, transport: 'http' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 401 without the token or with a wrong one', async () => {
    for (const headers of [
      json,
      { ...json, authorization: 'Bearer wrong' },
      { ...json, authorization: server.token },
    ]) {
      const res = await rpc(headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({
        error: { code: 'unauthorized', message: expect.any(String), retryable: false },
      });
    }
  });

  it('answers 403 to a foreign Origin even with the token, and accepts its own', async () => {
    expect((await rpc({ ...auth(), origin: 'http://evil.example' })).status).toBe(403);
    expect((await rpc({ ...auth(), origin: 'null' })).status).toBe(403);
    expect((await rpc({ ...auth(), origin: `http://localhost:${server.port}` })).status).toBe(200);
  });

  it('answers 403 to a non-loopback Host (DNS rebinding), for API and static files', async () => {
    const host = `rebind.example:${server.port}`;
    expect((await rpc({ ...auth(), host })).status).toBe(403);
    expect((await rawRequest(server.port, { path: '/', headers: { host } })).status).toBe(403);
  });

  it('maps errors to status codes with an {error} body', async () => {
    const unknown = await rpc(auth(), '{}', 'deliveries.destroy');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('unknown_method');
    const invalid = await rpc(auth(), '{"id":"abc"}', 'deliveries.get');
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).error).toMatchObject({
      code: 'invalid_input',
      details: [{ field: 'id' }],
    });
    const badJson = await rpc(auth(), '{"id":');
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).error.message).toMatch(/not valid JSON/);
    const notJson = await rpc({ ...auth(), 'content-type': 'text/plain' });
    expect(notJson.status).toBe(415);
    const get = await rawRequest(server.port, { path: '/rpc/app.info', headers: auth() });
    expect(get.status).toBe(405);
    const unavailable = await rpc(auth(), '{}', 'templates.list');
    expect(unavailable.status).toBe(503);
  });

  it('refuses a body over the size cap from its declared length', async () => {
    const res = await rpc({ ...auth(), 'content-length': String(251 * 1024 * 1024) }, '');
    expect(res.status).toBe(413);
  });

  it('serves static files without a token, with types and security headers', async () => {
    const index = await rawRequest(server.port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Relaydeck</title>');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}; ` +
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'",
    );
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    const js = await rawRequest(server.port, { path: '/assets/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');
    const head = await rawRequest(server.port, { method: 'HEAD', path: '/assets/app.js' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers 404 to missing files, directories and any way out of the static root', async () => {
    for (const p of [
      '/nope.js',
      '/assets',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/link.txt',
    ]) {
      const res = await rawRequest(server.port, { path: p });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('top secret');
    }
  });

  it('serves the API only (and says so) when the renderer is not built', async () => {
    const logger = captureLogger();
    const apiOnly = await startHttpServer({
      handlers: fakeHandlers({}),
      bus,
      logger,
      staticDir: path.join(dir, 'missing'),
    });
    try {
      expect(apiOnly.consoleAvailable).toBe(false);
      const res = await rawRequest(apiOnly.port, { path: '/' });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body).error.message).toMatch(/not built/);
      expect(logger.records.some((r) => r.level === 'warn' && /API only/.test(r.msg))).toBe(true);
    } finally {
      await apiOnly.close();
    }
  });

  it('pushes bus events over the WebSocket to a client holding the token', async () => {
    const client = createClient(
      createHttpTransport({
        baseUrl: server.url,
        token: server.token,
        WebSocket: WebSocket as unknown as WebSocketCtor,
      }),
    );
    expect((await client.call('app.info', {})).transport).toBe('http');
    const got = waitFor(
      (l) => client.on('delivery.changed', l),
      (p) => p as { id: string },
      10_000,
      'delivery.changed',
    );
    // The socket connects asynchronously: keep signalling until the listener sees one (bounded by waitFor).
    const ticker = setInterval(() => bus.deliveryChanged('9'), 20);
    try {
      expect(await got).toEqual({ id: '9' });
    } finally {
      clearInterval(ticker);
    }
  });

  it('refuses WebSocket upgrades without the token, with a foreign Origin, or elsewhere', async () => {
    const ws = `ws://127.0.0.1:${server.port}`;
    expect(await tryWebSocket(`${ws}/events`)).toEqual({ refused: 401 });
    expect(await tryWebSocket(`${ws}/events?token=wrong`)).toEqual({ refused: 401 });
    expect(await tryWebSocket(`${ws}/events?token=${server.token}`, 'http://evil.example')).toEqual({
      refused: 403,
    });
    expect(await tryWebSocket(`${ws}/other?token=${server.token}`)).toEqual({ refused: 403 });
    const ok = await tryWebSocket(`${ws}/events?token=${server.token}`, `http://127.0.0.1:${server.port}`);
    expect(ok).toHaveProperty('opened');
    if ('opened' in ok) ok.opened.close();
  });

  it('pings event sockets to keep them alive', async () => {
    const beating = await startHttpServer({
      handlers: fakeHandlers({}),
      bus,
      logger: captureLogger(),
      staticDir: null,
      heartbeatMs: 20,
    });
    try {
      const ok = await tryWebSocket(`ws://127.0.0.1:${beating.port}/events?token=${beating.token}`);
      if (!('opened' in ok)) throw new Error('the event socket was refused');
      const socket = ok.opened;
      const nextPing = (what: string) =>
        waitFor(
          (l) => {
            socket.on('ping', l);
            return () => socket.off('ping', l);
          },
          () => true,
          10_000,
          what,
        );
      await nextPing('a first ping');
      // The client answered the first ping (ws pongs automatically), so it is still connected at the next one.
      await nextPing('a second ping');
      expect(socket.readyState).toBe(WebSocket.OPEN);
      socket.close();
    } finally {
      await beating.close();
    }
  });

  it('closes with open sockets and keep-alive connections', async () => {
    const ok = await tryWebSocket(`ws://127.0.0.1:${server.port}/events?token=${server.token}`);
    expect(ok).toHaveProperty('opened');
    await server.close();
    await expect(rawRequest(server.port, { path: '/' })).rejects.toThrow();
  });
});
