/**
 * `relaydeck stop|pause|resume <id>` (issue 14 point 5): the built CLI on a data dir, with --json, the errors of
 * an unknown id, a bad id and an action the delivery's state refuses, and a stop while another process (this
 * test's app, whose campaign relays a large list) is relaying the same delivery: what the CLI says it cancelled
 * is what was cancelled, and the other process's relay ends at its next batch.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { updateDelivery } from '../../src/main/store/deliveries-repo';
import { CreateDeliveryInput, type Delivery } from '../../src/shared/contract';
import { TEST_APP } from '../support/app-options';
import { buildCli, CLI } from '../support/cli-process';
import { makeTempDir, type TempDir } from '../support/store-temp';

const run = promisify(execFile);
let tmp: TempDir;
let dataDir: string;

// Each test runs several real CLI processes (a few seconds each on a loaded machine): generous bounds.
const SLOW = 240_000;

beforeAll(() => {
  buildCli();
  tmp = makeTempDir();
  dataDir = path.join(tmp.dir, 'data');
}, SLOW);
afterAll(() => tmp?.remove());

async function relaydeck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--data', dataDir], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function csv(n: number): string {
  return ['email', ...Array.from({ length: n }, (_, i) => `reader${i}@inbox.test`)].join('\n');
}

async function withApp<T>(fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp({ ...TEST_APP, dataDir, engine: false, sandbox: false, inmail: false });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** A prepared delivery, set `relaying` as a process that was relaying it and stopped would leave it. */
async function relayingDelivery(name: string, n: number): Promise<string> {
  return withApp(async (app) => {
    const created = await app.handlers['deliveries.create'](
      CreateDeliveryInput.parse({
        name,
        start: false,
        template: { fromAddress: 'news@relaydeck.test', subject: 'Hi', text: 'Hi' },
        recipients: { fileName: `${name}.csv`, csv: csv(n) },
      }),
      { transport: 'ipc' },
    );
    updateDelivery(app.db, Number(created.delivery.id), { state: 'relaying', started_at: Date.now() });
    return created.delivery.id;
  });
}

describe('relaydeck stop / pause / resume', { timeout: SLOW }, () => {
  it('pauses, resumes (relaying the rest) and stops a delivery, with --json and plain output', async () => {
    const id = await relayingDelivery('lifecycle', 1200);

    const paused = await relaydeck(['pause', id, '--json']);
    expect(paused.code).toBe(0);
    const p = JSON.parse(paused.stdout) as { action: string; delivery: Delivery };
    expect(p.action).toBe('pause');
    expect(p.delivery).toMatchObject({ id, state: 'paused', statusCounts: { pending: 1200 } });

    const again = await relaydeck(['pause', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `relaydeck pause: Delivery ${id} is paused: only a relaying delivery can be paused\n`,
    );

    const resumed = await relaydeck(['resume', id]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(
        `^Delivery ${id} “lifecycle” resumed: every message is relayed \\(state delivering\\); 1,200 messages in the MTA\\.\\n$`,
      ),
    );
    expect(resumed.stderr).toContain('An engine running on this data directory');

    const stopped = await relaydeck(['stop', id, '--json']);
    expect(stopped.code).toBe(0);
    const s = JSON.parse(stopped.stdout) as { action: string; delivery: Delivery; cancelled: number };
    expect(s).toMatchObject({ action: 'stop', cancelled: 0, delivery: { state: 'stopped', inMta: 1200 } });

    const twice = await relaydeck(['stop', id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe(`relaydeck stop: Delivery ${id} is stopped: it is already stopped\n`);
  });

  it('stops a paused delivery: every message not yet relayed is cancelled, said in plain words', async () => {
    const id = await relayingDelivery('to stop', 700);
    expect((await relaydeck(['pause', id])).stdout).toBe(
      `Delivery ${id} “to stop” paused: 700 messages not yet relayed wait for "relaydeck resume ${id}".\n`,
    );
    const stopped = await relaydeck(['stop', id]);
    expect(stopped).toMatchObject({
      code: 0,
      stdout: `Delivery ${id} “to stop” stopped: 700 messages not yet relayed cancelled.\n`,
    });
    await withApp(async (app) => {
      const d = await app.handlers['deliveries.get']({ id }, { transport: 'ipc' });
      expect(d.statusCounts).toMatchObject({ cancelled: 700, pending: 0 });
      expect(d.state).toBe('stopped');
    });
  });

  it('refuses an unknown delivery and a malformed id clearly', async () => {
    const unknown = await relaydeck(['stop', '9999']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'relaydeck stop: Delivery 9999 does not exist\n' });
    const bad = await relaydeck(['resume', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the delivery id must be a positive whole number, got "abc"');
    const none = await relaydeck(['pause']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing the delivery id');
  });

  it('stops a delivery another process is relaying: the count it reports is the count cancelled', async () => {
    const total = 40_000;
    await withApp(async (app) => {
      const created = await app.handlers['deliveries.create'](
        CreateDeliveryInput.parse({
          name: 'relayed elsewhere',
          start: true,
          template: { fromAddress: 'news@relaydeck.test', subject: 'Hi', text: 'Hi' },
          recipients: { fileName: 'big.csv', csv: csv(total) },
        }),
        { transport: 'ipc' },
      );
      const id = created.delivery.id;
      // This process relays (its campaign loop, a batch per transaction) while the CLI stops the delivery.
      const stopped = await relaydeck(['stop', id, '--json']);
      expect(stopped.code).toBe(0);
      const s = JSON.parse(stopped.stdout) as { delivery: Delivery; cancelled: number };
      await app.campaign.whenRelayed(Number(id)); // the relay loop ends at its next batch
      const d = await app.handlers['deliveries.get']({ id }, { transport: 'ipc' });
      expect(d.state).toBe('stopped');
      expect(d.statusCounts.pending ?? 0).toBe(0);
      expect(d.statusCounts.cancelled ?? 0).toBe(s.cancelled);
      expect((d.statusCounts.cancelled ?? 0) + d.inMta).toBe(total);
    });
  });

  it('a running app (serve, the desktop app) notices what another process did: tells its console, relays a resume', async () => {
    const dir = path.join(tmp.dir, 'watched');
    const running = await openApp({ ...TEST_APP, dataDir: dir, inmail: false });
    try {
      const create = async (name: string) =>
        (
          await running.handlers['deliveries.create'](
            CreateDeliveryInput.parse({
              name,
              start: false,
              template: { fromAddress: 'news@relaydeck.test', subject: 'Hi', text: 'Hi' },
              recipients: { fileName: `${name}.csv`, csv: csv(3) },
            }),
            { transport: 'ipc' },
          )
        ).delivery.id;
      const changedOnce = (id: string) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no delivery.changed for ${id}`)), 20_000);
          const off = running.bus.subscribe((event, payload) => {
            if (event !== 'delivery.changed' || (payload as { id: string }).id !== id) return;
            clearTimeout(timer);
            off();
            resolve();
          });
        });

      // A stop by the CLI reaches the running app's console.
      const stopped = await create('stopped by the CLI');
      const seen = changedOnce(stopped);
      const cli = await run(process.execPath, [CLI, 'stop', stopped, '--data', dir], { timeout: 60_000 });
      expect(cli.stdout).toBe(
        `Delivery ${stopped} “stopped by the CLI” stopped: 3 messages not yet relayed cancelled.\n`,
      );
      await seen;

      // A delivery another process sets relaying (and leaves) is relayed by the running app.
      const resumed = await create('resumed elsewhere');
      const other = await openApp({
        ...TEST_APP,
        dataDir: dir,
        engine: false,
        sandbox: false,
        inmail: false,
      });
      try {
        updateDelivery(other.db, Number(resumed), { state: 'relaying', started_at: Date.now() });
      } finally {
        await other.close();
      }
      await changedOnce(resumed);
      await running.campaign.whenRelayed(Number(resumed));
      const d = await running.handlers['deliveries.get']({ id: resumed }, { transport: 'ipc' });
      expect(d.statusCounts.pending ?? 0).toBe(0);
      expect(d.state).not.toBe('relaying');
    } finally {
      await running.close();
    }
  });
});
