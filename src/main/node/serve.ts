/**
 * `relaydeck serve`: the engine and the browser console in one Node process. Opens the app on the data dir and
 * serves the contract, push events and the built renderer on 127.0.0.1 with an access token. The port and the
 * token are kept in the data dir (`console-address.ts`) and reused at the next start: the console URL of a data
 * dir stays the same across restarts, and an open tab reconnects by itself.
 */
import { openApp, type App } from '../app';
import { startHttpServer, type HttpServer } from '../api/http-server';
import { generateToken } from '../api/http-security';
import { systemClock } from '../clock';
import { createDnsResolver, nodeDns } from '../engine/relay/node-dns';
import { dataDirLogger, type Logger } from '../logger';
import { defaultRendererDir } from '../paths';
import { chromiumPrinter } from './report-printer';
import { fileSecrets } from '../secrets/secret-store';
import { readConsoleAddress, writeConsoleAddress } from './console-address';

export interface ServeOptions {
  dataDir: string;
  /** The port to listen on (then kept). Absent: the kept port, else a free one; 0: a new free one. */
  port?: number;
  /** Make a new access token (then kept) instead of reusing the kept one: open tabs are shut out. */
  newToken?: boolean;
  /** Keep and reuse the port and token in the data dir (default true). */
  keepAddress?: boolean;
  /** Default: the data dir's log. */
  logger?: Logger;
  /** The built renderer; default: found next to the running code (see `defaultRendererDir`). null = API only. */
  staticDir?: string | null;
  /** DNS servers (`HOST:PORT`) for every lookup (MX, the pre-send analysis) instead of the system's. */
  dnsServers?: string[];
}

export interface Served {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** The URL to open: `url#token=...`. */
  consoleUrl: string;
  /** False when the renderer is not built and only the API is served. */
  consoleAvailable: boolean;
  /** Set when the kept port was taken by another program and a new one was chosen (the URL changed). */
  portFallback: { wanted: number; port: number } | null;
  /** Problems with the kept address (an unreadable console.json), for the user: also logged. */
  warnings: string[];
  app: App;
  close(): Promise<void>;
}

export async function serve(o: ServeOptions): Promise<Served> {
  const app = await openApp({
    dataDir: o.dataDir,
    clock: systemClock,
    dns: o.dnsServers?.length ? createDnsResolver({ servers: o.dnsServers, clock: systemClock }) : nodeDns,
    reportPrinter: chromiumPrinter,
    secrets: fileSecrets,
    logger: o.logger ?? dataDirLogger(o.dataDir),
  });
  const staticDir = o.staticDir === undefined ? defaultRendererDir() : o.staticDir;
  const keep = o.keepAddress ?? true;
  const warnings: string[] = [];
  const kept = keep
    ? readConsoleAddress(o.dataDir, (message) => {
        warnings.push(message);
        app.logger.warn(message);
      })
    : null;
  const token = o.newToken || !kept ? generateToken() : kept.token;
  const start = (port: number) =>
    startHttpServer({ handlers: app.handlers, bus: app.bus, logger: app.logger, staticDir, port, token });
  let http: HttpServer;
  let portFallback: Served['portFallback'] = null;
  try {
    if (o.port) {
      http = await start(o.port).catch((err: unknown) => {
        throw inUse(err)
          ? new Error(`Port ${o.port} on 127.0.0.1 is in use by another program: choose another with --port`)
          : err;
      });
    } else if (kept && o.port === undefined) {
      try {
        http = await start(kept.port);
      } catch (err) {
        if (!inUse(err)) throw err;
        http = await start(0);
        portFallback = { wanted: kept.port, port: http.port };
        app.logger.warn('the kept console port is in use by another program: a new port was chosen', {
          wanted: kept.port,
          port: http.port,
        });
      }
    } else {
      http = await start(0);
    }
    if (keep) writeConsoleAddress(o.dataDir, { port: http.port, token });
  } catch (err) {
    await app.close();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    url: http.url,
    consoleUrl: http.consoleUrl,
    consoleAvailable: http.consoleAvailable,
    portFallback,
    warnings,
    app,
    close() {
      closing ??= http.close().finally(() => app.close());
      return closing;
    },
  };
}

function inUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}
