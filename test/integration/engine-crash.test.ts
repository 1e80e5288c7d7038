/**
 * Crash safety (issue 3 item 1): a REAL engine process (the built CLI) is killed with SIGKILL while it is
 * relaying and delivering to a loopback SMTP server that records every accepted message by its
 * X-Relaydeck-ID, then restarted with `run --until-idle`. Checked: no message lost (each received at least
 * once), duplicates only among the messages the killed process held (its leases, read from the queue right
 * after the kill), every log row final, and the delivery counters equal to a recount from the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/main/engine/types';
import Database from 'better-sqlite3';
import {
  buildCli,
  exitCode,
  relaydeck,
  startReceiver,
  type Proc,
  type Receiver,
} from '../support/cli-process';
import { makeTempDir, type TempDir } from '../support/store-temp';

/** Messages the killed engine may hold without a final outcome: in flight plus one unwritten feedback batch. */
const IN_FLIGHT_BOUND = DEFAULT_ENGINE_OPTIONS.maxInFlight + DEFAULT_ENGINE_OPTIONS.feedbackBatchSize;

async function kill9(p: Proc): Promise<void> {
  p.child.kill('SIGKILL');
  await exitCode(p, 10_000);
  expect(p.child.signalCode).toBe('SIGKILL');
}

let tmp: TempDir;
let receiver: Receiver | null = null;
type Db = Database.Database;
let db: Db | null = null;
const running: Proc[] = [];

beforeAll(buildCli);
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null && !p.child.signalCode) await kill9(p);
  db?.close();
  db = null;
  await receiver?.close();
  receiver = null;
  tmp.remove();
});

function start(args: string[]): Proc {
  const p = relaydeck(args, tmp.dir);
  running.push(p);
  return p;
}

/** Writes the list and message, and the `deliver` arguments that queue them (no --wait: no engine). */
function deliveryArgs(n: number, port: number): string[] {
  const lines = ['email,first'];
  for (let i = 0; i < n; i++) lines.push(`user${i}@d${i % 20}.crash.test,User ${i}`);
  fs.writeFileSync(path.join(tmp.dir, 'list.csv'), lines.join('\n'));
  fs.writeFileSync(
    path.join(tmp.dir, 'news.eml'),
    'From: News <news@sender.test>\r\nSubject: Hello {{first}}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      `Hello {{first}},\r\n${'this is the news. '.repeat(40)}\r\n`,
  );
  return [
    'deliver',
    '--data',
    'data',
    '--recipients',
    'list.csv',
    '--message',
    'news.eml',
    '--route',
    `*=127.0.0.1:${port}`,
  ];
}

const RUN = ['run', '--until-idle', '--data', 'data'];

/** A plain reader of the data dir's database (the CLI creates and migrates it; throws until it exists). */
function openData(): Db {
  db ??= new Database(path.join(tmp.dir, 'data', 'relaydeck.sqlite'), {
    fileMustExist: true,
    timeout: 5_000,
  });
  return db;
}

/** Log ids leased by the killed process (a lease is only cleared by an outcome or a release). */
function leasedIds(d: Db): Set<string> {
  const rows = d
    .prepare("SELECT delivery_id || '.' || log_id AS id FROM queue WHERE lease_until > 0")
    .pluck()
    .all() as string[];
  return new Set(rows);
}

interface Counters {
  n_initial: number;
  n_pending: number;
  n_taken: number;
  n_sent: number;
  n_failed: number;
  n_ignored: number;
  n_cancelled: number;
  n_success: number;
  n_in_mta: number;
  n_soft_in_progress: number;
  state: string;
  completed_at: number | null;
}

/** Every message received at least once, duplicates only among `mayRepeat`, log final, counters = recount. */
function checkOutcome(d: Db, n: number, mayRepeat: ReadonlySet<string>): void {
  const rows = d
    .prepare(`SELECT delivery_id || '.' || id AS id, status, attempts FROM delivery_log`)
    .all() as { id: string; status: string; attempts: number }[];
  expect(rows).toHaveLength(n);
  const lost = rows.filter((r) => !receiver!.received.has(r.id)).map((r) => r.id);
  expect(lost).toEqual([]);
  const unknown = [...receiver!.received.keys()].filter((id) => !rows.some((r) => r.id === id));
  expect(unknown).toEqual([]);
  const duplicates = [...receiver!.received].filter(([, times]) => times > 1).map(([id]) => id);
  expect(duplicates.filter((id) => !mayRepeat.has(id))).toEqual([]);
  expect(duplicates.length).toBeLessThanOrEqual(IN_FLIGHT_BOUND * 2);
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
  expect(rows.filter((r) => r.attempts < 1)).toEqual([]);
  expect(d.prepare('SELECT COUNT(*) FROM queue').pluck().get()).toBe(0);

  const counters = d.prepare('SELECT * FROM deliveries').get() as Counters;
  const recount = (status: string) => rows.filter((r) => r.status === status).length;
  expect(counters).toMatchObject({
    n_initial: n,
    n_pending: recount('pending'),
    n_taken: recount('taken_into_account'),
    n_sent: recount('sent'),
    n_failed: recount('failed'),
    n_success: recount('sent'),
    n_in_mta: 0,
    n_soft_in_progress: 0,
    state: 'completed',
  });
  expect(counters.completed_at).not.toBeNull();
}

describe('kill -9 of a real engine process', () => {
  it('mid SMTP delivery (slow server): restart delivers the rest, duplicates only among the leased', async () => {
    receiver = await startReceiver(25);
    const n = 400;
    expect(await exitCode(start(deliveryArgs(n, receiver.port)), 60_000)).toBe(0);

    const engine = start(RUN);
    await vi.waitFor(() => expect(receiver!.total()).toBeGreaterThanOrEqual(120), {
      timeout: 30_000,
      interval: 5,
    });
    await kill9(engine);
    const receivedAtKill = receiver.total();
    expect(receivedAtKill).toBeLessThan(n);
    const held = leasedIds(openData());
    expect(held.size).toBeGreaterThan(0);
    expect(held.size).toBeLessThanOrEqual(IN_FLIGHT_BOUND);

    const restarted = start(RUN);
    expect(await exitCode(restarted, 60_000), restarted.output()).toBe(0);
    checkOutcome(openData(), n, held);
  });

  it('during relay batches of a large list, then again mid-delivery: nothing lost, counters consistent', async () => {
    receiver = await startReceiver(0);
    const n = 6000;
    // 1. The campaign side is killed while relaying the list into the queue (batches of 500).
    const deliver = start(deliveryArgs(n, receiver.port));
    const d = () => openData();
    await vi.waitFor(
      () => {
        const inMta = d()
          .prepare('SELECT COALESCE(SUM(n_in_mta), 0) FROM deliveries')
          .pluck()
          .get() as number;
        expect(inMta).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 2 },
    );
    await kill9(deliver);
    const afterFirstKill = d().prepare('SELECT state, n_pending, n_in_mta FROM deliveries').get() as {
      state: string;
      n_pending: number;
      n_in_mta: number;
    };
    expect(afterFirstKill.state).toBe('relaying');
    expect(afterFirstKill.n_pending).toBeGreaterThan(0);
    expect(afterFirstKill.n_pending + afterFirstKill.n_in_mta).toBe(n);

    // 2. The engine resumes the relay and delivers; killed mid-delivery.
    const engine = start(RUN);
    await vi.waitFor(() => expect(receiver!.total()).toBeGreaterThanOrEqual(n / 4), {
      timeout: 60_000,
      interval: 5,
    });
    await kill9(engine);
    expect(receiver.total()).toBeLessThan(n);
    const held = leasedIds(d());
    expect(held.size).toBeLessThanOrEqual(IN_FLIGHT_BOUND);

    // 3. A second restart finishes; only the messages held at the kill may have been received twice.
    const restarted = start(RUN);
    expect(await exitCode(restarted, 90_000), restarted.output()).toBe(0);
    checkOutcome(d(), n, held);
  });
});
