import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
        /EADDRINUSE/,
      );
      // The failed start closed what it had opened: the same data dir serves normally afterwards.
      const again = await serve({ dataDir: path.join(dir, 'b'), staticDir: null, logger });
      await again.close();
    } finally {
      await first.close();
    }
  });
});
