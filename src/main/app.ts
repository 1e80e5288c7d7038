/**
 * The composition root of a running Relaydeck: store, logger, first-start seed, sandbox, event bus, engine,
 * campaign runtime and API handlers. Electron, `relaydeck serve` and the CLI all open the app through here.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { version as packageVersion } from '../../package.json';
import type { Handlers } from '../shared/contract';
import { AppError } from '../shared/contract/errors';
import { createEventBus, type EventBus } from './api/event-bus';
import { createHandlers } from './api/handlers';
import { createCampaign, type Campaign } from './campaign/campaign';
import { createSimulationService, type SimulationService } from './simulate/service';
import { seedDemo, seedSimulationList } from './demo/seed';
import { createEngine, createSmtpRelayFactory } from './engine';
import { createMessageService } from './message/service';
import { systemClock, type Clock } from './clock';
import { createDkimKeyring, createDkimSigner } from './engine/dkim';
import { createDeliveryWorkers } from './engine/workers/pool';
import { deliveryWorkerScript } from './engine/workers/script';
import { startSandbox, type Sandbox } from './engine/sandbox';
import { startBounceSide, type BounceSide, type BounceSideOptions } from './inmail';
import type { ImapClientFactory } from './inmail/imap-poller';
import type { DnsResolver, Engine, RelayFactory } from './engine/types';
import type { AnalysisDns } from './analysis/dns';
import type { Logger } from './logger';
import type { ReportPrinter, ReportPrinterFactory } from './reports/pdf/printer';
import { ensurePrivateDir, tightenFile } from './private-files';
import { moveSecretsOutOfDatabase } from './secrets/move-out-of-db';
import { SECRETS_FILE_NAME, type SecretStoreFactory } from './secrets/secret-store';
import { DB_FILE_NAME, openDatabase, type Db } from './store/db';
import { queuedCount } from './store/queue-repo';
import { createEngineStore } from './store/engine-store';
import { createRevisionWatcher } from './store/revision-watcher';
import { profilesInForce } from './store/sandbox-profiles-repo';
import { watchedSetting } from './store/settings-repo';

export const APP_VERSION: string = packageVersion;

/** `dns` with TXT lookups: its own, or failing ones (ESERVFAIL) that the analysis reports as not checked. */
function withTxt(dns: DnsResolver | AnalysisDns): AnalysisDns {
  if ('resolveTxt' in dns) return dns;
  return {
    resolveMx: (d) => dns.resolveMx(d),
    resolve4: (h) => dns.resolve4(h),
    resolve6: (h) => dns.resolve6(h),
    resolveTxt: (name) =>
      Promise.reject(
        Object.assign(new Error(`queryTXT ${name}: no TXT lookups here`), { code: 'ESERVFAIL' }),
      ),
  };
}

export interface AppOptions {
  dataDir: string;
  /** The app's log (the entry points give the data dir's, `dataDirLogger`). */
  logger: Logger;
  /** The time of the whole app (the system clock in the entry points; tests may compress it). */
  clock: Clock;
  /**
   * MX and address lookups (the system resolver in the entry points); its TXT lookups, when it has them, serve
   * the delivery analysis (DKIM, SPF, DMARC) unless `analysisDns` is given.
   */
  dns: DnsResolver | AnalysisDns;
  /** The delivery analysis's lookups (default: `dns`, whose TXT lookups fail when it has none). */
  analysisDns?: AnalysisDns;
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
   * ephemeral), its limits (size, connections, idle and session time) or false for none. IMAP polling follows
   * the stored settings.
   */
  inmail?: BounceSideOptions['listen'];
  /** IMAP client of the poller (tests inject a fake; default imapflow). */
  imapConnect?: ImapClientFactory;
  /** Builds the PDF printer: Electron's hidden window, or headless Chromium (src/main/node/report-printer.ts). */
  reportPrinter: ReportPrinterFactory;
  /**
   * Builds the data dir's secret store (IMAP password, VERP key): the owner-only file under plain Node
   * (`fileSecrets`), sealed by the OS keychain in the Electron app (`sealedSecrets(safeStorage box)`).
   */
  secrets: SecretStoreFactory;
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
  /** The handlers' PDF printer; `relaydeck report` prints with it directly (no console export cap). */
  reportPrinter: ReportPrinter;
  /** Campaign simulations (`relaydeck simulate` waits on them). */
  simulations: SimulationService;
  close(): Promise<void>;
}

export async function openApp(options: AppOptions): Promise<App> {
  const dataDir = path.resolve(options.dataDir);
  // Owner-only (0700), created so or tightened if an earlier version left it open; the database, its -wal/-shm
  // and the secrets file are 0600 (openDatabase, the secret store).
  ensurePrivateDir(dataDir);
  tightenFile(path.join(dataDir, SECRETS_FILE_NAME));
  const { logger } = options;
  const { clock } = options;
  const secrets = options.secrets(dataDir);
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
    moveSecretsOutOfDatabase(db, secrets, logger);
    if (seedDemo(db, dataDir, clock.now()))
      logger.info('seeded the demo template and recipient list', { dataDir });
    if (seedSimulationList(db, dataDir, clock.now()))
      logger.info('seeded the simulation campaign list', { dataDir });

    const bus = createEventBus();
    cleanups.push(() => bus.close());

    // The one watcher of this connection's revisions: rules, DKIM keys and settings written by another process.
    const revisions = createRevisionWatcher({ db, clock });

    // Before the sandbox (its asynchronous DSNs and complaints go to the listener) and the engine (which
    // classifies with the stored rules and sends with VERP return-paths).
    const bounce = await startBounceSide({
      db,
      clock,
      revisions,
      secrets,
      logger,
      notify: bus,
      spoolDir: path.join(dataDir, 'inmail-spool'),
      listen: options.inmail === false ? false : (options.inmail ?? {}),
      ...(options.imapConnect ? { imapConnect: options.imapConnect } : {}),
    });
    cleanups.push(() => bounce.close());

    const sandboxProfiles = profilesInForce(db).document;
    const sandbox =
      options.sandbox === false
        ? null
        : await startSandbox({
            port: options.sandbox?.port ?? 0,
            // The simulated receivers are remote servers: they run on real time, whatever clock the app has.
            clock: systemClock,
            profiles: sandboxProfiles.profiles,
            seed: sandboxProfiles.seed,
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
          // Bounds the waits for the threads when closing: real time, whatever clock the app has.
          clock: systemClock,
        })
      : undefined;
    if (workers) cleanups.push(() => workers.close());
    // The keyring pushes its keys to the workers, which sign; the signer is the engine's view of both.
    const keyring = workers ? createDkimKeyring({ db, logger, revisions }) : undefined;
    if (keyring) cleanups.push(() => keyring.close());
    const signer = workers && keyring ? createDkimSigner({ keyring, pool: workers, clock }) : undefined;
    const defaultRoute = watchedSetting(db, 'defaultRoute', revisions);
    const engine = runEngine
      ? createEngine({
          clock,
          dns: options.dns,
          relayFactory: options.relayFactory ?? createSmtpRelayFactory({ clock: systemClock }),
          store: createEngineStore(db),
          logger: logger.child({ component: 'engine' }),
          notify: bus,
          defaultRoute: () => defaultRoute() ?? null,
          sandboxAddress: (domain) => (sandbox ? sandbox.addressFor(domain) : null),
          signer,
          revisions,
          ...(options.relayFactory ? {} : { sender: workers }),
          bounceClassifier: bounce.classifier,
          envelopeSender: bounce.envelopeSender,
        })
      : detachedEngine(db);
    cleanups.push(() => engine.stop());

    const campaign = createCampaign({ db, engine, bus, clock, logger });
    cleanups.push(() => campaign.close());

    // The node printer serves these very handlers to the report view: it reads them when it prints.
    const simulations = createSimulationService({
      db,
      dataDir,
      logger: logger.child({ component: 'simulations' }),
      notify: bus,
      now: () => clock.now(),
    });
    cleanups.push(() => simulations.close());

    const reportPrinter = options.reportPrinter({ handlers: () => handlers, logger });
    const handlers: Handlers = createHandlers({
      db,
      engine,
      bus,
      sandbox,
      dataDir,
      version: APP_VERSION,
      clock,
      logger,
      campaign,
      analysisDns: options.analysisDns ?? withTxt(options.dns),
      signer,
      bounce,
      reportPrinter,
      secrets,
      simulations,
      messages: createMessageService({
        db,
        clock,
        dns: options.dns,
        relayFactory: options.relayFactory ?? createSmtpRelayFactory({ clock: systemClock }),
        defaultRoute: () => defaultRoute() ?? null,
        sandboxAddress: (domain) => (sandbox ? sandbox.addressFor(domain) : null),
      }),
    });

    if (runEngine) {
      engine.start();
      campaign.resumeInterrupted();
      campaign.watchOtherProcesses();
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
      reportPrinter,
      simulations,
      close: () => (closed ??= unwind().then(() => logger.info('relaydeck stopped', { dataDir }))),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
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
