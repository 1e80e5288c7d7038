/**
 * `relaydeck serve`: the engine and the browser console in one Node process. Opens the app on the data dir and
 * serves the contract, push events and the built renderer on 127.0.0.1 with a per-launch token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openApp, type App } from '../app';
import { startHttpServer } from '../api/http-server';
import type { Logger } from '../logger';

export interface ServeOptions {
  dataDir: string;
  /** 0 / absent = an ephemeral port. */
  port?: number;
  logger?: Logger;
  /** The built renderer; default: found next to the running code (see `defaultRendererDir`). null = API only. */
  staticDir?: string | null;
}

export interface Served {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** The URL to open: `url#token=...`. */
  consoleUrl: string;
  /** False when the renderer is not built and only the API is served. */
  consoleAvailable: boolean;
  app: App;
  close(): Promise<void>;
}

export async function serve(o: ServeOptions): Promise<Served> {
  const app = await openApp({ dataDir: o.dataDir, ...(o.logger ? { logger: o.logger } : {}) });
  const staticDir = o.staticDir === undefined ? defaultRendererDir() : o.staticDir;
  let server;
  try {
    server = await startHttpServer({
      handlers: app.handlers,
      bus: app.bus,
      logger: app.logger,
      staticDir,
      ...(o.port ? { port: o.port } : {}),
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  const http = server;
  let closing: Promise<void> | null = null;
  return {
    url: http.url,
    consoleUrl: http.consoleUrl,
    consoleAvailable: http.consoleAvailable,
    app,
    close() {
      closing ??= http.close().finally(() => app.close());
      return closing;
    },
  };
}

/**
 * `out/renderer`, found from the running code: `out/main/cli.cjs` -> `../renderer`; when running from the
 * sources (tests, tsx), `src/main/node` -> `../../../out/renderer`. Null when neither has been built.
 */
export function defaultRendererDir(): string | null {
  const candidates = [
    path.resolve(__dirname, '../renderer'),
    path.resolve(__dirname, '../../../out/renderer'),
  ];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? null;
}
