import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerEngine } from '../../src/main/store/engine-instances-repo';
import { openTempDb, relayedDelivery, type TempDb } from '../support/engine-fixtures';

let t: TempDb;
beforeEach(() => {
  t = openTempDb();
  const { logIds } = relayedDelivery(t.db, ['a@x.test', 'b@x.test', 'c@x.test'], { now: 0 });
  t.db.prepare('UPDATE queue SET lease_until = 999 WHERE log_id IN (?, ?)').run(logIds[0], logIds[1]);
});
afterEach(() => t.cleanup());

const leased = () => t.db.prepare('SELECT COUNT(*) FROM queue WHERE lease_until > 0').pluck().get();
const instances = () => t.db.prepare('SELECT pid FROM engine_instances ORDER BY pid').pluck().all();
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('engine registry (lease recovery after a crash)', () => {
  it('frees every lease when no other engine is registered, and unregisters', () => {
    const r = registerEngine(t.db, { now: 1, pid: 10, host: 'h', isAlive: alive([10]) });
    expect(r.reclaimed).toBe(2);
    expect(leased()).toBe(0);
    expect(instances()).toEqual([10]);
    r.unregister();
    expect(instances()).toEqual([]);
  });

  it('frees leases of a dead engine of this host and forgets it', () => {
    registerEngine(t.db, { now: 1, pid: 7, host: 'h', isAlive: alive([7]) });
    t.db.prepare('UPDATE queue SET lease_until = 999').run();
    const r = registerEngine(t.db, { now: 2, pid: 10, host: 'h', isAlive: alive([10]) });
    expect(r).toMatchObject({ reclaimed: 3, removedDead: 1 });
    expect(instances()).toEqual([10]);
  });

  it('keeps the leases while another engine is alive, on another host, or in this process', () => {
    const live = registerEngine(t.db, { now: 1, pid: 7, host: 'h', isAlive: () => true });
    t.db.prepare('UPDATE queue SET lease_until = 999 WHERE log_id <= 2').run();
    expect(registerEngine(t.db, { now: 2, pid: 10, host: 'h', isAlive: alive([7, 10]) }).reclaimed).toBe(0);
    expect(leased()).toBe(2);
    live.unregister();
    registerEngine(t.db, { now: 3, pid: 8, host: 'other', isAlive: () => true });
    expect(registerEngine(t.db, { now: 4, pid: 11, host: 'h', isAlive: () => false }).reclaimed).toBe(0);
    expect(leased()).toBe(2);
  });
});
