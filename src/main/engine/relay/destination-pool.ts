/**
 * One Relay per destination, closed after `idleMs` without work so its connections do not linger. How many
 * messages go to a destination at once is the shaper's decision (SPEC §6), made before the pool is reached.
 */
import type { Logger } from '../../logger';
import type { Clock } from '../../clock';
import type { Destination, OutboundGroup, OutboundMessage, Relay, RelayFactory, SmtpOutcome } from '../types';

export interface DestinationPool {
  send(destination: Destination, message: OutboundMessage): Promise<SmtpOutcome>;
  sendGroup(destination: Destination, group: OutboundGroup): Promise<SmtpOutcome[]>;
  /** SMTP sessions open to a destination (0 when it has no relay). */
  openConnections(key: string): number;
  /** The destination's relay may hold at most this many sessions now (`Relay.trim`). */
  trim(key: string, maxConnections: number): void;
  /** Closes every relay (waiting sends are not expected: the engine stops taking work first). */
  close(): Promise<void>;
  size(): number;
}

interface Entry {
  relay: Relay;
  active: number;
  cancelIdle: (() => void) | null;
}

export function createDestinationPool(o: {
  relayFactory: RelayFactory;
  clock: Clock;
  logger: Logger;
  idleMs: number;
}): DestinationPool {
  const entries = new Map<string, Entry>();

  function acquire(destination: Destination): Entry {
    let entry = entries.get(destination.key);
    if (!entry) {
      entry = { relay: o.relayFactory(destination), active: 0, cancelIdle: null };
      entries.set(destination.key, entry);
      o.logger.debug('relay opened', { destination: destination.key });
    }
    entry.cancelIdle?.();
    entry.cancelIdle = null;
    entry.active++;
    return entry;
  }

  function release(key: string, entry: Entry): void {
    entry.active--;
    if (entry.active > 0) return;
    entry.cancelIdle = o.clock.at(o.clock.now() + o.idleMs, () => {
      entry.cancelIdle = null;
      if (entry.active > 0 || entries.get(key) !== entry) return;
      entries.delete(key);
      o.logger.debug('relay closed after idle time', { destination: key });
      void entry.relay
        .close()
        .catch((err: unknown) => o.logger.warn('closing a relay failed', { destination: key, err }));
    });
  }

  async function withRelay<T>(destination: Destination, fn: (relay: Relay) => Promise<T>): Promise<T> {
    const entry = acquire(destination);
    try {
      return await fn(entry.relay);
    } finally {
      release(destination.key, entry);
    }
  }

  return {
    send: (destination, message) => withRelay(destination, (relay) => relay.send(message)),
    sendGroup: (destination, group) => withRelay(destination, (relay) => relay.sendGroup(group)),
    openConnections: (key) => entries.get(key)?.relay.openConnections() ?? 0,
    trim: (key, maxConnections) => entries.get(key)?.relay.trim(maxConnections),
    async close() {
      const all = [...entries.values()];
      entries.clear();
      for (const entry of all) {
        entry.cancelIdle?.();
        entry.cancelIdle = null;
      }
      await Promise.allSettled(all.map((e) => e.relay.close()));
    },
    size: () => entries.size,
  };
}
