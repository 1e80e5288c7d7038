import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serve } from '../../src/main/node/serve';
import { createLogger } from '../../src/main/logger';
import { rawRequest } from '../support/api-http';

let dir: string | null = null;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('relaydeck serve', () => {
  it('opens the app on the data dir and serves the console and the API on loopback', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const staticDir = path.join(dir, 'renderer');
    fs.mkdirSync(staticDir);
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Relaydeck</title>');
    const dataDir = path.join(dir, 'data');
    const served = await serve({
      dataDir,
      staticDir,
      logger: createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' }),
    });
    try {
      const url = new URL(served.url);
      expect(url.hostname).toBe('127.0.0.1');
      expect(served.consoleAvailable).toBe(true);
      const token = /#token=(.+)$/.exec(served.consoleUrl)?.[1];
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const port = Number(url.port);
      expect((await rawRequest(port, { path: '/' })).body).toContain('<title>Relaydeck</title>');
      const info = await rawRequest(port, {
        method: 'POST',
        path: '/rpc/app.info',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{}',
      });
      expect(JSON.parse(info.body)).toMatchObject({ transport: 'http', dataDir: path.resolve(dataDir) });
      expect(served.app.dataDir).toBe(path.resolve(dataDir));
    } finally {
      await served.close();
    }
    await expect(rawRequest(Number(new URL(served.url).port), { path: '/' })).rejects.toThrow();
  });

  it('serves the API only when there is no built renderer', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const served = await serve({
      dataDir: dir,
      staticDir: null,
      logger: createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' }),
    });
    try {
      expect(served.consoleAvailable).toBe(false);
      expect((await rawRequest(Number(new URL(served.url).port), { path: '/' })).status).toBe(404);
    } finally {
      await served.close();
    }
  });

  it('closes the app when the port is taken', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const logger = createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' });
    const first = await serve({ dataDir: path.join(dir, 'a'), staticDir: null, logger });
    try {
      const port = Number(new URL(first.url).port);
      await expect(serve({ dataDir: path.join(dir, 'b'), staticDir: null, port, logger })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is in use by another program: choose another with --port`,
      );
      // The failed start closed what it had opened: the same data dir serves normally afterwards.
      const again = await serve({ dataDir: path.join(dir, 'b'), staticDir: null, logger });
      await again.close();
    } finally {
      await first.close();
    }
  });

  it('keeps the port and token in the data dir: a restart gives the same console URL (issue 14 point 13)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const dataDir = path.join(dir, 'data');
    const logger = createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' });
    const first = await serve({ dataDir, staticDir: null, logger });
    await first.close();
    const file = path.join(dataDir, 'console.json');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number; token: string };
    expect(first.consoleUrl).toBe(`http://127.0.0.1:${kept.port}/#token=${kept.token}`);

    const second = await serve({ dataDir, staticDir: null, logger });
    await second.close();
    expect(second.consoleUrl).toBe(first.consoleUrl);
    expect(second.portFallback).toBeNull();

    // --new-token: same port, a new token, kept.
    const third = await serve({ dataDir, staticDir: null, logger, newToken: true });
    await third.close();
    expect(third.url).toBe(first.url);
    expect(third.consoleUrl).not.toBe(first.consoleUrl);
    const fourth = await serve({ dataDir, staticDir: null, logger });
    await fourth.close();
    expect(fourth.consoleUrl).toBe(third.consoleUrl);
  });

  it('moves to a free port, said clearly, when the kept one was taken; --port is kept too', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const dataDir = path.join(dir, 'data');
    const logger = createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' });
    const first = await serve({ dataDir, staticDir: null, logger });
    await first.close();
    const port = Number(new URL(first.url).port);
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    let moved;
    try {
      moved = await serve({ dataDir, staticDir: null, logger });
      await moved.close();
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    const newPort = Number(new URL(moved.url).port);
    expect(moved.portFallback).toEqual({ wanted: port, port: newPort });
    expect(newPort).not.toBe(port);
    const token = (u: string) => u.split('#token=')[1];
    expect(token(moved.consoleUrl)).toBe(token(first.consoleUrl));
    const again = await serve({ dataDir, staticDir: null, logger });
    await again.close();
    expect(again.consoleUrl).toBe(moved.consoleUrl);

    // An explicit --port (here the first one, free again) is used and kept for the next starts.
    const chosen = await serve({ dataDir, staticDir: null, logger, port });
    await chosen.close();
    const next = await serve({ dataDir, staticDir: null, logger });
    await next.close();
    expect(next.url).toBe(first.url);
  });

  it('makes a new address, logged, when console.json is not one', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, 'console.json'), '{"port": "x"');
    const logger = createLogger({ file: path.join(dir, 'test.log'), stderrLevel: 'silent' });
    const served = await serve({ dataDir, staticDir: null, logger });
    await served.close();
    expect(served.warnings).toEqual([
      `${path.join(dataDir, 'console.json')} is not valid JSON: a new console address is made`,
    ]);
    const kept = JSON.parse(fs.readFileSync(path.join(dataDir, 'console.json'), 'utf8')) as { port: number };
    expect(served.url).toBe(`http://127.0.0.1:${kept.port}/`);
  });
});
