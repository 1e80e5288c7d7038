/**
 * Crash recovery of leases (issue 3 item 1). Leases are not owned by a process: they expire after `leaseMs`,
 * which alone makes a `kill -9` safe (a message held by a dead engine is free again within a lease). To
 * restart without that wait, every running engine registers itself in `engine_instances` (id, pid, host).
 * An engine that starts and finds no *live* other engine on the data dir knows every current lease belongs
 * to a dead process, and frees them all at once.
 *
 * Safety: registration and the check happen in one IMMEDIATE transaction, before the new engine leases
 * anything, so of two engines starting together at least one sees the other and neither frees the other's
 * leases. A registration is live when its process is: same host and `process.kill(pid, 0)` succeeds (or is
 * refused with EPERM). Registrations of another host, and of our own process (another engine in it), always
 * count as live, so the worst case is the plain lease expiry, never a message taken twice.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { writeTransaction, type Db } from './db';

export interface EngineRegistration {
  /** Leases freed because no other live engine held them. */
  reclaimed: number;
  /** Registrations of dead engines removed. */
  removedDead: number;
  unregister(): void;
}

export interface RegisterOptions {
  now: number;
  pid?: number;
  host?: string;
  isAlive?: (pid: number) => boolean;
}

interface InstanceRow {
  id: string;
  pid: number;
  host: string;
}

export function registerEngine(db: Db, o: RegisterOptions): EngineRegistration {
  const id = randomUUID();
  const pid = o.pid ?? process.pid;
  const host = o.host ?? os.hostname();
  const isAlive = o.isAlive ?? processIsAlive;

  const register = writeTransaction(db, () => {
    const others = db.prepare('SELECT id, pid, host FROM engine_instances').all() as InstanceRow[];
    const dead = others.filter((r) => r.host === host && r.pid !== pid && !isAlive(r.pid));
    const removeInstance = db.prepare('DELETE FROM engine_instances WHERE id = ?');
    for (const r of dead) removeInstance.run(r.id);
    const liveOthers = others.length - dead.length;
    db.prepare('INSERT INTO engine_instances (id, pid, host, started_at) VALUES (?, ?, ?, ?)').run(
      id,
      pid,
      host,
      o.now,
    );
    const reclaimed =
      liveOthers === 0
        ? db.prepare('UPDATE queue SET lease_until = 0 WHERE lease_until > 0').run().changes
        : 0;
    return { reclaimed, removedDead: dead.length };
  });

  const result = register();
  return {
    ...result,
    unregister() {
      db.prepare('DELETE FROM engine_instances WHERE id = ?').run(id);
    },
  };
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
