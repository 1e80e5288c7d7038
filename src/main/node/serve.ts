/**
 * `relaydeck serve`: the engine and the browser console in one Node process. Opens the app on the data dir and
 * serves the contract, push events and the built renderer on 127.0.0.1 with a per-launch token.
 */
import { openApp, type App } from '../app';
import { startHttpServer } from '../api/http-server';
import { systemClock } from '../clock';
import { nodeDns } from '../engine/relay/node-dns';
import { dataDirLogger, type Logger } from '../logger';
import { defaultRendererDir } from '../paths';
import { chromiumPrinter } from './report-printer';
import { fileSecrets } from '../secrets/secret-store';

export interface ServeOptions {
  dataDir: string;
  /** 0 / absent = an ephemeral port. */
  port?: number;
  /** Default: the data dir's log. */
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
  const app = await openApp({
    dataDir: o.dataDir,
    clock: systemClock,
    dns: nodeDns,
    reportPrinter: chromiumPrinter,
    secrets: fileSecrets,
    logger: o.logger ?? dataDirLogger(o.dataDir),
  });
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
