/**
 * Benchmark scenarios, each run in its own child process so CPU time and peak RSS are its own. They go
 * through the real code path: `openApp` (store, real engine, SMTP relay factory, campaign), sandbox off,
 * every recipient domain routed with `*` to the loopback sink.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp, type App } from '../../src/main/app';
import { dataDirLogger } from '../../src/main/logger';
import { CLI_APP } from '../../src/main/node/commands/common';
import { CreateDeliveryInput, DkimGenerateInput } from '../../src/shared/contract';
import { AppError } from '../../src/shared/contract/errors';
import { mainThreadCpuSeconds, percentile, rssSampler } from './stats';

export const FROM_DOMAIN = 'bench.example';
const CTX = { transport: 'ipc' } as const;

export interface DeliveryResult {
  messages: number;
  accepted: number;
  /** False when the time limit ended the run first (figures cover what was accepted by then). */
  complete: boolean;
  seconds: number;
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuSeconds: number;
  /** The main thread's share of `cpuSeconds` (null where the OS does not tell). */
  mainCpuSeconds: number | null;
  peakRssMb: number;
  prepareSeconds: number;
  /** Messages whose log row has a DKIM domain. */
  signed: number;
  dkim: 'off' | 'on' | 'pending';
  dkimNote: string | null;
}

export interface QueueFillResult {
  dataDir: string;
  messages: number;
  queued: number;
  seconds: number;
  peakRssMb: number;
}

export interface QueueHoldResult {
  queuedAtStart: number;
  queuedAtEnd: number;
  holdSeconds: number;
  peakRssMb: number;
}

/** About 5 KB of text (plus headers) per message, personalised with the recipient's fields. */
function template() {
  const paragraph =
    'Relaydeck benchmark news: deliverability figures, retries, shaping and feedback in one place. ';
  const text = `Hello {{first}},\n\n${Array.from({ length: 50 }, () => paragraph).join('\n')}\n`;
  return {
    fromName: 'Bench',
    fromAddress: `news@${FROM_DOMAIN}`,
    subject: 'Bench {{first}}',
    text,
    html: '',
  };
}

function recipientsCsv(n: number): string {
  const lines = ['email,first'];
  for (let i = 0; i < n; i++) lines.push(`user${i}@d${i % 1000}.bench.test,U${i}`);
  return lines.join('\n');
}

function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-bench-'));
}

function createDelivery(app: App, n: number, port: number) {
  const input = CreateDeliveryInput.parse({
    name: `bench ${n}`,
    template: template(),
    recipients: { fileName: 'bench.csv', csv: recipientsCsv(n) },
    routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port } }],
    start: true,
  });
  return app.handlers['deliveries.create'](input, CTX);
}

function waitCompleted(app: App, deliveryId: number, timeoutMs: number): Promise<void> {
  const done = () =>
    (app.db.prepare('SELECT completed_at FROM deliveries WHERE id = ?').pluck().get(deliveryId) ?? null) !==
    null;
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(check);
      unsubscribe();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`delivery ${deliveryId} not complete within ${timeoutMs} ms`)),
      timeoutMs,
    );
    // Events say when to look; the slow interval only guards against a missed event.
    const check = setInterval(() => done() && finish(), 1000);
    const unsubscribe = app.bus.subscribe((event) => {
      if (event === 'delivery.changed' && done()) finish();
    });
    if (done()) finish();
  });
}

async function enableDkim(app: App): Promise<string | null> {
  try {
    await app.handlers['dkim.generate'](
      DkimGenerateInput.parse({
        domain: FROM_DOMAIN,
        selector: 'bench',
        algorithm: 'rsa-sha256',
        bits: 2048,
      }),
      CTX,
    );
    return null;
  } catch (err) {
    if (err instanceof AppError) return `dkim.generate: ${err.message}`;
    throw err;
  }
}

export async function runDelivery(o: {
  messages: number;
  port: number;
  dkim: boolean;
  timeoutMs: number;
}): Promise<DeliveryResult> {
  const dataDir = tempDataDir();
  const rss = rssSampler();
  const app = await openApp({
    ...CLI_APP,
    dataDir,
    logger: dataDirLogger(dataDir),
    sandbox: false,
  });
  try {
    const dkimNote = o.dkim ? await enableDkim(app) : null;
    const t0 = Date.now();
    const created = await createDelivery(app, o.messages, o.port);
    // The CPU figure is the sending's: it starts after the list preparation (import, exclusions, log rows).
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuSeconds();
    const deliveryId = Number(created.delivery.id);
    const prepareSeconds = (Date.now() - t0) / 1000;
    // A run that does not finish in its time limit is reported with what was accepted by then.
    const complete = await waitCompleted(app, deliveryId, o.timeoutMs).then(
      () => true,
      () => false,
    );
    const cpu = process.cpuUsage(cpu0);
    const main1 = mainThreadCpuSeconds();
    const mainCpuSeconds = main0 === null || main1 === null ? null : main1 - main0;

    const db = app.db;
    const startedAt = db
      .prepare('SELECT started_at FROM deliveries WHERE id = ?')
      .pluck()
      .get(deliveryId) as number;
    const latencies = db
      .prepare(
        `SELECT a.at - l.relayed_at FROM attempts a JOIN delivery_log l ON l.id = a.log_id
          WHERE l.delivery_id = ? AND a.outcome = 'accepted'`,
      )
      .pluck()
      .all(deliveryId) as number[];
    latencies.sort((a, b) => a - b);
    const lastAccepted = db
      .prepare(
        `SELECT MAX(a.at) FROM attempts a JOIN delivery_log l ON l.id = a.log_id
          WHERE l.delivery_id = ? AND a.outcome = 'accepted'`,
      )
      .pluck()
      .get(deliveryId) as number | null;
    const signed = db
      .prepare('SELECT COUNT(*) FROM delivery_log WHERE delivery_id = ? AND dkim_domain IS NOT NULL')
      .pluck()
      .get(deliveryId) as number;
    const seconds = lastAccepted === null ? 0 : (lastAccepted - startedAt) / 1000;
    const dkim: DeliveryResult['dkim'] = !o.dkim
      ? 'off'
      : signed === latencies.length && signed > 0
        ? 'on'
        : 'pending';
    return {
      messages: o.messages,
      accepted: latencies.length,
      complete,
      seconds,
      msgsPerSec: seconds > 0 ? latencies.length / seconds : 0,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      mainCpuSeconds,
      peakRssMb: rss.stop(),
      prepareSeconds,
      signed,
      dkim,
      dkimNote:
        dkimNote ??
        (o.dkim && dkim === 'pending' ? `${signed} of ${latencies.length} messages signed` : null),
    };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Prepares a delivery of `messages` and relays it into the queue with no engine running. */
export async function fillQueue(o: {
  messages: number;
  port: number;
  timeoutMs: number;
}): Promise<QueueFillResult> {
  const dataDir = tempDataDir();
  const rss = rssSampler();
  const app = await openApp({
    ...CLI_APP,
    dataDir,
    logger: dataDirLogger(dataDir),
    sandbox: false,
    engine: false,
  });
  try {
    const t0 = Date.now();
    const created = await createDelivery(app, o.messages, o.port);
    const deliveryId = Number(created.delivery.id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      app.campaign.whenRelayed(deliveryId),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('relay into the queue took too long')), o.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return {
      dataDir,
      messages: o.messages,
      queued: app.engine.queued(),
      seconds: (Date.now() - t0) / 1000,
      peakRssMb: rss.stop(),
    };
  } finally {
    await app.close();
  }
}

/** Opens the filled data dir with the engine running (delivering to the sink) for `holdMs`. */
export async function holdQueue(o: { dataDir: string; holdMs: number }): Promise<QueueHoldResult> {
  const rss = rssSampler();
  const app = await openApp({
    ...CLI_APP,
    dataDir: o.dataDir,
    logger: dataDirLogger(o.dataDir),
    sandbox: false,
  });
  try {
    const queuedAtStart = app.engine.queued();
    await new Promise((resolve) => setTimeout(resolve, o.holdMs));
    return {
      queuedAtStart,
      queuedAtEnd: app.engine.queued(),
      holdSeconds: o.holdMs / 1000,
      peakRssMb: rss.stop(),
    };
  } finally {
    await app.close();
  }
}
