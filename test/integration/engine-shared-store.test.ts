/**
 * One store, several processes (issue 16 item 2), in process: a second SQLite connection on the same file
 * plays the other engine, the clock is a ManualClock. (The same with real processes:
 * `engine-multi-process.test.ts`.)
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { createEngine } from '../../src/main/engine';
import type { Engine, EngineOptions } from '../../src/main/engine/types';
import { silentLogger } from '../../src/main/logger';
import { openDatabase, type Db } from '../../src/main/store/db';
import { registerEngine, type EngineRegistration } from '../../src/main/store/engine-instances-repo';
import { noDns } from '../support/dns-fixtures';
import { reply, scriptedRelays } from '../support/engine-fakes';
import {
  engineStorePorts,
  openTempDb,
  recordingNotifier,
  relayedDelivery,
  type TempDb,
} from '../support/engine-fixtures';

type EngineOptionsOverride = Partial<EngineOptions>;

let t: TempDb;
let other: Db;
let otherEngine: EngineRegistration;
let clock: ManualClock;
const engines: Engine[] = [];

beforeEach(() => {
  t = openTempDb();
  other = openDatabase(path.join(t.dir, 'relaydeck.sqlite'));
  clock = new ManualClock();
  // The other engine is registered first, so ours does not take its leases for a dead process's.
  otherEngine = registerEngine(other, { now: clock.now() });
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  otherEngine.unregister();
  other.close();
  t.cleanup();
});

function startEngine(options: EngineOptionsOverride = {}): {
  engine: Engine;
  sent: ReturnType<typeof scriptedRelays>['sent'];
} {
  const { factory, sent } = scriptedRelays(() => reply('250 2.0.0 OK'));
  const engine = createEngine({
    clock,
    dns: noDns,
    relayFactory: factory,
    ...engineStorePorts(t.db, clock),
    logger: silentLogger,
    notify: recordingNotifier(),
    defaultRoute: () => ({ kind: 'smtp', host: '127.0.0.1', port: 25 }),
    sandboxAddress: () => null,
    random: () => 0.5,
    options: { feedbackFlushMs: 0, ...options },
  });
  engines.push(engine);
  engine.start();
  return { engine, sent };
}

describe('whenIdle with another engine on the data dir', () => {
  it('resolves when the other process empties the queue (read again every idleRecheckMs)', async () => {
    const { logIds } = relayedDelivery(t.db, ['a@held.test'], { now: clock.now() });
    // The other engine holds the message (a lease of a minute, renewed while it sends).
    other.prepare('UPDATE queue SET lease_until = ? WHERE log_id = ?').run(clock.now() + 60_000, logIds[0]);
    const { engine, sent } = startEngine();
    let idle = false;
    void engine.whenIdle().then(() => (idle = true));

    clock.advance(1_000);
    await Promise.resolve();
    expect(idle).toBe(false);

    // The other engine writes its outcome: the message leaves the queue (nothing calls this process).
    other.prepare('DELETE FROM queue WHERE log_id = ?').run(logIds[0]);
    clock.advance(1_000);
    await vi.waitFor(() => expect(idle).toBe(true), { timeout: 2_000, interval: 5 });
    expect(sent).toEqual([]);
  });
});

describe('outcomes that cannot be written', () => {
  it('are kept and written again; their messages stay leased and are never sent twice', async () => {
    const { deliveryId, logIds } = relayedDelivery(t.db, ['a@x.test', 'b@x.test', 'c@y.test'], {
      now: clock.now(),
    });
    // Every write of an attempt fails (as when the store is locked beyond its timeout or the disk is full).
    other.exec(
      `CREATE TRIGGER refuse_attempts BEFORE INSERT ON attempts BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`,
    );
    const { sent } = startEngine({ leaseMs: 60_000, feedbackRetryMs: 1_000 });
    await vi.waitFor(() => expect(sent).toHaveLength(3), { timeout: 5_000, interval: 5 });
    const queued = () =>
      other.prepare('SELECT log_id AS logId, lease_until AS leaseUntil FROM queue ORDER BY log_id').all() as {
        logId: number;
        leaseUntil: number;
      }[];

    // Two minutes of retries: twice the lease. The leases are renewed at every retry, nothing is sent again.
    for (let s = 0; s < 120; s++) {
      clock.advance(1_000);
      await Promise.resolve();
    }
    expect(sent).toHaveLength(3);
    expect(queued().map((r) => r.logId)).toEqual(logIds);
    for (const r of queued()) expect(r.leaseUntil).toBeGreaterThan(clock.now() + 50_000);

    other.exec('DROP TRIGGER refuse_attempts');
    clock.advance(1_000);
    await vi.waitFor(() => expect(queued()).toEqual([]), { timeout: 5_000, interval: 5 });
    const statuses = other
      .prepare('SELECT status FROM delivery_log WHERE delivery_id = ?')
      .pluck()
      .all(deliveryId);
    expect(statuses).toEqual(['sent', 'sent', 'sent']);
    expect(sent).toHaveLength(3);
  });
});

describe('a lease the store refuses', () => {
  it('is logged and tried again a second later, without failing the caller', async () => {
    const { deliveryId } = relayedDelivery(t.db, ['a@x.test', 'b@y.test'], { now: clock.now() });
    // Every lease (and renewal) fails, as when another process holds the write lock beyond the busy timeout.
    other.exec(
      `CREATE TRIGGER refuse_leases BEFORE UPDATE OF lease_until ON queue WHEN NEW.lease_until > 0
       BEGIN SELECT RAISE(ABORT, 'database is locked (test)'); END`,
    );
    const { sent } = startEngine();
    clock.advance(5_000);
    await Promise.resolve();
    expect(sent).toEqual([]);

    other.exec('DROP TRIGGER refuse_leases');
    clock.advance(1_000);
    await vi.waitFor(
      () =>
        expect(
          other.prepare('SELECT status FROM delivery_log WHERE delivery_id = ?').pluck().all(deliveryId),
        ).toEqual(['sent', 'sent']),
      { timeout: 5_000, interval: 5 },
    );
    expect(sent).toHaveLength(2);
  });
});

describe('messages queued by another process', () => {
  it('are taken by a running engine within a check interval (relaydeck deliver next to a console)', async () => {
    const { sent } = startEngine();
    clock.advance(5_000);
    // `relaydeck deliver` (no --wait) in another process: a delivery relayed into the queue, no engine there.
    const { deliveryId } = relayedDelivery(other, ['a@x.test', 'b@y.test'], { now: clock.now() });
    await Promise.resolve();
    expect(sent).toEqual([]);

    clock.advance(1_000);
    await vi.waitFor(
      () =>
        expect(
          other.prepare('SELECT status FROM delivery_log WHERE delivery_id = ?').pluck().all(deliveryId),
        ).toEqual(['sent', 'sent']),
      { timeout: 5_000, interval: 5 },
    );
    expect(sent.map((s) => s.to).sort()).toEqual(['a@x.test', 'b@y.test']);
  });
});
