/**
 * The campaign side against a real store: preparation, batched relay into the engine's queue, pause/resume
 * between batches, stop cancelling what is not relayed, and relays resumed after a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { nodeDns } from '../../src/main/engine/relay/node-dns';
import { chromiumPrinter } from '../../src/main/node/report-printer';
import { RELAY_BATCH } from '../../src/main/campaign/campaign';
import { silentLogger } from '../../src/main/logger';
import { AppError } from '../../src/shared/contract/errors';
import type { CreateDeliveryInput } from '../../src/shared/contract/schemas';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { reply, scriptedRelays } from '../support/engine-fakes';
import { makeTempDir, type TempDir } from '../support/store-temp';
import { fileSecrets } from '../../src/main/secrets/secret-store';

const ctx = { transport: 'ipc' as const };
let tmp: TempDir | undefined;
const apps: App[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  tmp?.remove();
  tmp = undefined;
});

/** An app that relays into the queue but runs no engine, so relayed messages stay queued. */
async function openQueueOnly(): Promise<App> {
  tmp ??= makeTempDir();
  const app = await openApp({
    clock: systemClock,
    dns: nodeDns,
    reportPrinter: chromiumPrinter,
    secrets: fileSecrets,
    dataDir: tmp.dir,
    engine: false,
    sandbox: false,
    logger: silentLogger,
  });
  apps.push(app);
  return app;
}

const addresses = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@inbox.test`);
const create = (app: App, o: Partial<CreateDeliveryInput> & { csv?: string } = {}) =>
  app.handlers['deliveries.create'](deliveryRequest(o), ctx);
const get = (app: App, id: string) => app.handlers['deliveries.get']({ id }, ctx);
const queued = (app: App, id: string) =>
  (app.db.prepare('SELECT count(*) AS n FROM queue WHERE delivery_id = ?').get(Number(id)) as { n: number })
    .n;

async function conflict(p: () => unknown): Promise<AppError> {
  try {
    await p();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('conflict');
    return err as AppError;
  }
  throw new Error('expected a conflict');
}

describe('campaign lifecycle', () => {
  it('prepares without starting: pending rows with Message-IDs, exclusions and import errors counted', async () => {
    const app = await openQueueOnly();
    const csv = csvOf(['a@inbox.test', 'A@INBOX.TEST', '', 'bad', 'b@mail.test']);
    const { delivery, import: imported } = await create(app, {
      csv,
      start: false,
      validityMs: 7 * 86_400_000,
    });
    expect(delivery).toMatchObject({
      state: 'preparing',
      startedAt: null,
      importErrors: 1,
      inMta: 0,
      validityCapped: true,
    });
    expect(delivery.validityMs).toBe(3.5 * 86_400_000);
    expect(delivery.validityRequestedMs).toBe(7 * 86_400_000);
    expect(delivery.statusCounts).toMatchObject({ pending: 2, ignored: 2 });
    expect(delivery.reasonCounts).toMatchObject({ double: 1, address_not_specified: 1 });
    expect(imported).toMatchObject({ total: 5, accepted: 2, duplicates: 1, noAddress: 1, moreErrors: 0 });
    expect(imported.errors).toEqual([
      { line: 5, field: 'email', message: '"bad" is not an address (expected local@domain)' },
    ]);
    const page = await app.handlers['logs.page'](
      {
        deliveryId: delivery.id,
        filter: { status: ['pending'] },
        sort: { key: 'id', dir: 'asc' },
        cursor: null,
        limit: 10,
      },
      ctx,
    );
    expect(page.items.map((r) => r.messageId)).toEqual(
      page.items.map((r) =>
        expect.stringMatching(new RegExp(`^<${r.id}\\.${delivery.id}\\.[0-9a-f]{32}@example\\.test>$`)),
      ),
    );
    const stored = app.db
      .prepare('SELECT line, raw FROM import_errors WHERE delivery_id = ?')
      .all(Number(delivery.id));
    expect(stored).toEqual([{ line: 5, raw: 'bad,Name4' }]);
  });

  it('relays in batches into the queue (EFS: taken into account), then waits in delivering', async () => {
    const app = await openQueueOnly();
    const n = RELAY_BATCH * 2 + 7;
    const { delivery } = await create(app, { csv: csvOf(addresses(n)), timeScale: 10 });
    await app.campaign.whenRelayed(Number(delivery.id));
    const d = await get(app, delivery.id);
    expect(d).toMatchObject({ state: 'delivering', inMta: n, completedAt: null, figuresFinal: false });
    expect(d.statusCounts).toMatchObject({ pending: 0, taken_into_account: n });
    expect(d.kpi.successRate).toBe(0);
    expect(d.startedAt).not.toBeNull();
    expect(d.relayedAt).not.toBeNull();
    expect(d.validityEndsAt).toBeGreaterThan(d.relayedAt ?? Infinity);
    expect(queued(app, delivery.id)).toBe(n);
  });

  it('counts relayed messages as sent in classic reporting', async () => {
    const app = await openQueueOnly();
    const { delivery } = await create(app, { csv: csvOf(addresses(3)), reporting: 'classic' });
    await app.campaign.whenRelayed(Number(delivery.id));
    const d = await get(app, delivery.id);
    expect(d.statusCounts).toMatchObject({ sent: 3, taken_into_account: 0 });
    expect(d.kpi.successRate).toBe(1);
  });

  it('pauses between batches, resumes, and refuses transitions that do not apply', async () => {
    const app = await openQueueOnly();
    const n = RELAY_BATCH * 3;
    const { delivery } = await create(app, { csv: csvOf(addresses(n)) });
    // The first batch is relayed before create returns; pausing now stops the loop at the next boundary.
    const paused = await app.handlers['deliveries.pause']({ id: delivery.id }, ctx);
    expect(paused.state).toBe('paused');
    await app.campaign.whenRelayed(Number(delivery.id));
    const afterPause = await get(app, delivery.id);
    expect(afterPause.state).toBe('paused');
    expect(afterPause.statusCounts.pending).toBe(n - RELAY_BATCH);
    expect((await conflict(() => app.handlers['deliveries.pause']({ id: delivery.id }, ctx))).message).toBe(
      `Delivery ${delivery.id} is paused: only a relaying delivery can be paused`,
    );
    await conflict(() => app.handlers['deliveries.start']({ id: delivery.id }, ctx));

    await app.handlers['deliveries.resume']({ id: delivery.id }, ctx);
    await app.campaign.whenRelayed(Number(delivery.id));
    const done = await get(app, delivery.id);
    expect(done.state).toBe('delivering');
    expect(done.statusCounts).toMatchObject({ pending: 0, taken_into_account: n });
  });

  it('stop cancels every pending row in one go; relayed messages stay queued', async () => {
    const app = await openQueueOnly();
    const n = RELAY_BATCH * 2 + 10;
    const { delivery } = await create(app, { csv: csvOf([...addresses(n), '']) });
    await app.handlers['deliveries.pause']({ id: delivery.id }, ctx);
    await app.campaign.whenRelayed(Number(delivery.id));
    const stopped = await app.handlers['deliveries.stop']({ id: delivery.id }, ctx);
    expect(stopped.state).toBe('stopped');
    expect(stopped.stoppedAt).not.toBeNull();
    expect(stopped.statusCounts).toMatchObject({
      pending: 0,
      cancelled: n - RELAY_BATCH,
      taken_into_account: RELAY_BATCH,
      ignored: 1,
    });
    expect(stopped.completedAt).toBeNull(); // relayed messages are still in the MTA
    expect(queued(app, delivery.id)).toBe(RELAY_BATCH);
    const cancelledRows = app.db
      .prepare("SELECT count(*) AS n FROM delivery_log WHERE delivery_id = ? AND status = 'cancelled'")
      .get(Number(delivery.id)) as { n: number };
    expect(cancelledRows.n).toBe(n - RELAY_BATCH);
    expect((await conflict(() => app.handlers['deliveries.stop']({ id: delivery.id }, ctx))).message).toMatch(
      /is stopped: it is already stopped$/,
    );
    await conflict(() => app.handlers['deliveries.resume']({ id: delivery.id }, ctx));
  });

  it('stopping a prepared delivery cancels everything and completes it at once', async () => {
    const app = await openQueueOnly();
    const { delivery } = await create(app, { csv: csvOf(addresses(4)), start: false });
    const stopped = await app.handlers['deliveries.stop']({ id: delivery.id }, ctx);
    expect(stopped).toMatchObject({ state: 'stopped', figuresFinal: true });
    expect(stopped.statusCounts).toMatchObject({ pending: 0, cancelled: 4 });
    expect(stopped.completedAt).not.toBeNull();
  });

  it('completes at once when every row is excluded, and refuses to stop a completed delivery', async () => {
    const app = await openQueueOnly();
    const { delivery } = await create(app, { csv: csvOf(['', '']) });
    await app.campaign.whenRelayed(Number(delivery.id));
    const d = await get(app, delivery.id);
    expect(d).toMatchObject({ state: 'completed', figuresFinal: true });
    expect((await conflict(() => app.handlers['deliveries.stop']({ id: delivery.id }, ctx))).message).toBe(
      `Delivery ${delivery.id} is completed: a completed delivery cannot be stopped`,
    );
  });

  it('resumes a relay interrupted by a restart and delivers it to the end', async () => {
    const first = await openQueueOnly();
    const { delivery } = await create(first, {
      csv: csvOf(addresses(RELAY_BATCH + 5)),
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: 2525 } }],
    });
    // Simulate a crash after the first batch: the delivery is left `relaying` with rows still pending.
    await first.handlers['deliveries.pause']({ id: delivery.id }, ctx);
    await first.campaign.whenRelayed(Number(delivery.id));
    first.db.prepare("UPDATE deliveries SET state = 'relaying' WHERE id = ?").run(Number(delivery.id));
    await first.close();

    const relays = scriptedRelays(() => reply('250 2.0.0 Ok: queued'));
    const app = await openApp({
      clock: systemClock,
      dns: nodeDns,
      reportPrinter: chromiumPrinter,
      secrets: fileSecrets,
      dataDir: tmp!.dir,
      sandbox: false,
      relayFactory: relays.factory,
      logger: silentLogger,
    });
    apps.push(app);
    await app.campaign.whenRelayed(Number(delivery.id));
    await app.engine.whenIdle();
    const d = await get(app, delivery.id);
    expect(d).toMatchObject({ state: 'completed', inMta: 0 });
    expect(d.statusCounts).toMatchObject({ pending: 0, sent: RELAY_BATCH + 5 });
    expect(new Set(relays.sent.map((s) => s.to)).size).toBe(RELAY_BATCH + 5);
  });
});
