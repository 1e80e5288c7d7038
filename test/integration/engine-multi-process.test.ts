/**
 * One store, several processes (issue 16 item 2): two and three REAL engine processes (`relaydeck run
 * --until-idle`, the built CLI) start together on one data dir holding a queued delivery of a few thousand
 * recipients, routed to a loopback SMTP server that counts every accepted message by its X-Relaydeck-ID.
 * Checked: every recipient received exactly once (nothing is killed, so nothing was in flight at a crash),
 * every process exits with 0 within a bounded time, every log row final, the queue empty and the delivery's
 * counters equal to a recount from the log.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitCode, relaydeck, startReceiver, type Proc, type Receiver } from '../support/cli-process';
import { makeTempDir, type TempDir } from '../support/store-temp';

const root = path.resolve(__dirname, '../..');
/** Every engine must be done by then (a few thousand messages to loopback take seconds). */
const EXIT_WITHIN_MS = 90_000;
const TEST_TIMEOUT_MS = EXIT_WITHIN_MS + 60_000;

let tmp: TempDir;
let receiver: Receiver | null = null;
const running: Proc[] = [];

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
});
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && !p.child.signalCode) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  await receiver?.close();
  receiver = null;
  tmp.remove();
});

function start(args: string[]): Proc {
  const p = relaydeck(args, tmp.dir);
  running.push(p);
  return p;
}

/** Queues a delivery of `n` recipients over 20 domains, all routed to the receiver (`deliver` runs no engine). */
async function queueDelivery(n: number, port: number): Promise<void> {
  const lines = ['email,first'];
  for (let i = 0; i < n; i++) lines.push(`user${i}@d${i % 20}.multi.test,User ${i}`);
  fs.writeFileSync(path.join(tmp.dir, 'list.csv'), lines.join('\n'));
  fs.writeFileSync(
    path.join(tmp.dir, 'news.eml'),
    'From: News <news@sender.test>\r\nSubject: Hello {{first}}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      `Hello {{first}},\r\n${'this is the news. '.repeat(20)}\r\n`,
  );
  const args = ['deliver', '--data', 'data', '--recipients', 'list.csv', '--message', 'news.eml'];
  const deliver = start([...args, '--route', `*=127.0.0.1:${port}`]);
  expect(await exitCode(deliver, 60_000), deliver.output()).toBe(0);
}

interface Counters {
  n_initial: number;
  n_sent: number;
  n_success: number;
  n_failed: number;
  n_in_mta: number;
  state: string;
}

async function runConcurrently(engines: number, n: number): Promise<void> {
  receiver = await startReceiver(0);
  await queueDelivery(n, receiver.port);

  const procs = Array.from({ length: engines }, () => start(['run', '--until-idle', '--data', 'data']));
  const codes = await Promise.all(procs.map((p) => exitCode(p, EXIT_WITHIN_MS)));
  expect(
    codes.map((code, i) => ({ code, output: code === 0 ? '' : procs[i]!.output() })),
    'every engine exits with 0',
  ).toEqual(procs.map(() => ({ code: 0, output: '' })));
  // They ran at once: each started while messages were still queued.
  const queuedAtStart = procs.map((p) =>
    Number(/Engine running on .*: (\d+) message\(s\) queued/.exec(p.output())?.[1] ?? -1),
  );
  for (const q of queuedAtStart) expect(q).toBeGreaterThan(0);
  // ...and each saw the queue empty (not an event loop run dry).
  for (const p of procs) expect(p.output()).toContain('Queue empty.');

  const db = new Database(path.join(tmp.dir, 'data', 'relaydeck.sqlite'), { fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT delivery_id || '.' || id AS id, status FROM delivery_log`).all() as {
      id: string;
      status: string;
    }[];
    expect(rows).toHaveLength(n);
    const lost = rows.filter((r) => !receiver!.received.has(r.id)).map((r) => r.id);
    expect(lost, 'recipients never received').toEqual([]);
    const duplicates = [...receiver.received].filter(([, times]) => times > 1);
    expect(duplicates.length, 'recipients received more than once').toBe(0);
    expect(receiver.total()).toBe(n);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM queue').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM engine_instances').pluck().get()).toBe(0);
    expect(db.prepare('SELECT * FROM deliveries').get() as Counters).toMatchObject({
      n_initial: n,
      n_sent: n,
      n_success: n,
      n_failed: 0,
      n_in_mta: 0,
      state: 'completed',
    });
  } finally {
    db.close();
  }
}

describe('several engine processes on one data dir', () => {
  it(
    'two `run --until-idle` at once: each recipient received exactly once, both exit 0',
    async () => {
      await runConcurrently(2, 3000);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'three `run --until-idle` at once: each recipient received exactly once, all exit 0',
    async () => {
      await runConcurrently(3, 3000);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('relaydeck deliver next to a running engine', () => {
  it(
    'the running engine (`run`, as a console would) takes the queued delivery: each recipient once',
    async () => {
      receiver = await startReceiver(0);
      const n = 500;
      const engine = start(['run', '--data', 'data']);
      await vi.waitFor(() => expect(engine.output()).toContain('Press Ctrl-C'), {
        timeout: 30_000,
        interval: 10,
      });
      await queueDelivery(n, receiver.port);

      await vi.waitFor(() => expect(receiver!.received.size).toBe(n), { timeout: 60_000, interval: 10 });
      engine.child.kill('SIGTERM');
      expect(await exitCode(engine, EXIT_WITHIN_MS), engine.output()).toBe(0);
      expect([...receiver.received.values()].filter((times) => times > 1)).toEqual([]);
      expect(receiver.total()).toBe(n);
    },
    TEST_TIMEOUT_MS,
  );
});
