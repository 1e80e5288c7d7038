/**
 * The composition root of a running Relaydeck: store, logger, first-start seed, sandbox, event bus, engine,
 * campaign runtime and API handlers. Electron, `relaydeck serve` and the CLI all open the app through here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { version as packageVersion } from '../../package.json';
import type { Handlers } from '../shared/contract';
import { AppError } from '../shared/contract/errors';
import { createEventBus, type EventBus } from './api/event-bus';
import { createHandlers } from './api/handlers';
import { createCampaign, type Campaign } from './campaign/campaign';
import { seedDemo } from './demo/seed';
import { createEngine, createSmtpRelayFactory, nodeDns } from './engine';
import { systemClock, type Clock } from './engine/clock';
import { createDkimSigner } from './engine/dkim';
import { createDeliveryWorkers } from './engine/workers/pool';
import { deliveryWorkerScript } from './engine/workers/script';
import { startSandbox, type Sandbox } from './engine/sandbox';
import { startBounceSide, type BounceSide } from './inmail';
import type { ImapClientFactory } from './inmail/imap-poller';
import type { DnsResolver, Engine, RelayFactory } from './engine/types';
import { createLogger, type Logger } from './logger';
import type { ReportPrinter } from './reports/pdf/printer';
import { DB_FILE_NAME, openDatabase, type Db } from './store/db';
import { queuedCount } from './store/queue-repo';
import { cachedSetting } from './store/settings-repo';

export const APP_VERSION: string = packageVersion;

export interface AppOptions {
  dataDir: string;
  logger?: Logger;
  clock?: Clock;
  dns?: DnsResolver;
  /**
   * Sends on the main thread through this relay factory (tests script their peers this way); without one
   * every message is composed, signed and sent over SMTP in the delivery workers.
   */
  relayFactory?: RelayFactory;
  /** Start the built-in sandbox (default true; port 0 = ephemeral). */
  sandbox?: { port?: number } | false;
  /** Run the engine in this process (default true). */
  engine?: boolean;
  /**
   * The inMail SMTP listener (bounce mailbox, SPEC §4.3): its port (default the `inmail.port` setting, else
   * ephemeral) or false for none. IMAP polling follows the stored settings.
   */
  inmail?: { port?: number; maxBytes?: number } | false;
  /** IMAP client of the poller (tests inject a fake; default imapflow). */
  imapConnect?: ImapClientFactory;
  /** Prints PDF reports (Electron passes its own; default: headless Chromium, see src/main/reports/pdf). */
  reportPrinter?: ReportPrinter;
}

export interface App {
  dataDir: string;
  db: Db;
  logger: Logger;
  bus: EventBus;
  handlers: Handlers;
  engine: Engine;
  sandbox: Sandbox | null;
  /** The bounce side: stored classifier, VERP, inMail listener and IMAP poller. */
  bounce: BounceSide;
  /** The campaign runtime (relay loops); the CLI waits on it. */
  campaign: Campaign;
  close(): Promise<void>;
}

export async function openApp(options: AppOptions): Promise<App> {
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const logger = options.logger ?? fileLogger(dataDir);
  const clock = options.clock ?? systemClock;
  const db = openDatabase(path.join(dataDir, DB_FILE_NAME));
  const cleanups: (() => Promise<void> | void)[] = [
    () => {
      db.close();
    },
  ];
  const unwind = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    if (seedDemo(db, dataDir, clock.now()))
      logger.info('seeded the demo template and recipient list', { dataDir });

    const bus = createEventBus();
    cleanups.push(() => bus.close());

    // Before the sandbox (its asynchronous DSNs and complaints go to the listener) and the engine (which
    // classifies with the stored rules and sends with VERP return-paths).
    const bounce = await startBounceSide({
      db,
      clock,
      logger,
      notify: bus,
      listen: options.inmail === false ? false : (options.inmail ?? {}),
      ...(options.imapConnect ? { imapConnect: options.imapConnect } : {}),
    });
    cleanups.push(() => bounce.close());

    const sandbox =
      options.sandbox === false
        ? null
        : await startSandbox({
            port: options.sandbox?.port ?? 0,
            logger: logger.child({ component: 'sandbox' }),
            bounceMailbox: () =>
              bounce.listener ? { host: bounce.listener.host, port: bounce.listener.port } : null,
          });
    if (sandbox) cleanups.push(() => sandbox.close());

    const runEngine = options.engine ?? true;
    // Closed after the engine (cleanups run in reverse): the engine waits for its sends in flight, then the
    // workers QUIT their idle SMTP sessions.
    const workers = runEngine
      ? createDeliveryWorkers({
          size: os.availableParallelism(),
          spawn: () => new Worker(deliveryWorkerScript()),
          logger: logger.child({ component: 'workers' }),
        })
      : undefined;
    if (workers) cleanups.push(() => workers.close());
    const signer = runEngine ? createDkimSigner({ db, logger, clock, pool: workers }) : undefined;
    if (signer) cleanups.push(() => signer.close());
    const defaultRoute = cachedSetting(db, 'defaultRoute');
    const engine = runEngine
      ? createEngine({
          clock,
          dns: options.dns ?? nodeDns,
          relayFactory: options.relayFactory ?? createSmtpRelayFactory(),
          db,
          logger: logger.child({ component: 'engine' }),
          notify: bus,
          defaultRoute: () => defaultRoute() ?? null,
          sandboxAddress: () => (sandbox ? { host: sandbox.host, port: sandbox.port } : null),
          signer,
          ...(options.relayFactory ? {} : { transmitter: workers }),
          bounceClassifier: bounce.classifier,
          envelopeSender: bounce.envelopeSender,
        })
      : detachedEngine(db);
    cleanups.push(() => engine.stop());

    const campaign = createCampaign({ db, engine, bus, clock, logger });
    cleanups.push(() => campaign.close());

    const handlers = createHandlers({
      db,
      engine,
      bus,
      sandbox,
      dataDir,
      version: APP_VERSION,
      clock,
      logger,
      campaign,
      signer,
      bounce,
      ...(options.reportPrinter ? { reportPrinter: options.reportPrinter } : {}),
    });

    if (runEngine) {
      engine.start();
      campaign.resumeInterrupted();
    }
    logger.info('relaydeck started', {
      dataDir,
      version: APP_VERSION,
      engine: runEngine,
      sandboxPort: sandbox?.port ?? null,
      inmailPort: bounce.listener?.port ?? null,
    });

    let closed: Promise<void> | null = null;
    return {
      dataDir,
      db,
      logger,
      bus,
      handlers,
      engine,
      sandbox,
      bounce,
      campaign,
      close: () => (closed ??= unwind().then(() => logger.info('relaydeck stopped', { dataDir }))),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

function fileLogger(dataDir: string): Logger {
  const dir = path.join(dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  return createLogger({ file: path.join(dir, 'relaydeck.log') });
}

/**
 * The engine seam when this process does not run the engine (`deliver` without `--wait`, `report`): relays
 * still land in the durable queue, which `relaydeck run` or `serve` processes later.
 */
function detachedEngine(db: Db): Engine {
  const queued = () => queuedCount(db);
  return {
    start() {},
    wake() {},
    async stop() {},
    async whenIdle() {
      if (queued() > 0) throw new AppError('unavailable', 'The engine is not running in this process');
    },
    queued,
    reloadRules() {},
    destinations: () => [],
  };
}
