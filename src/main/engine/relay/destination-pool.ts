/**
 * One Relay per destination, at most `maxPerDestination` sends to it at once (the rest wait in order), and
 * the relay closed after `idleMs` without work so its connections do not linger.
 */
import type { Logger } from '../../logger';
import type { Clock } from '../clock';
import type { Destination, OutboundMessage, Relay, RelayFactory, SmtpOutcome } from '../types';

export interface DestinationPool {
  send(destination: Destination, message: OutboundMessage): Promise<SmtpOutcome>;
  /** Closes every relay (waiting sends are not expected: the engine stops taking work first). */
  close(): Promise<void>;
  size(): number;
}

interface Entry {
  relay: Relay;
  active: number;
  waiting: (() => void)[];
  cancelIdle: (() => void) | null;
}

export function createDestinationPool(o: {
  relayFactory: RelayFactory;
  clock: Clock;
  logger: Logger;
  maxPerDestination: number;
  idleMs: number;
}): DestinationPool {
  const entries = new Map<string, Entry>();

  function entryFor(destination: Destination): Entry {
    let entry = entries.get(destination.key);
    if (!entry) {
      entry = { relay: o.relayFactory(destination), active: 0, waiting: [], cancelIdle: null };
      entries.set(destination.key, entry);
      o.logger.debug('relay opened', { destination: destination.key });
    }
    entry.cancelIdle?.();
    entry.cancelIdle = null;
    return entry;
  }

  function release(key: string, entry: Entry): void {
    const next = entry.waiting.shift();
    if (next) {
      next(); // the slot passes to the next waiting send
      return;
    }
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

  return {
    async send(destination, message) {
      const entry = entryFor(destination);
      if (entry.active >= o.maxPerDestination)
        await new Promise<void>((resolve) => entry.waiting.push(resolve));
      else entry.active++;
      try {
        return await entry.relay.send(message);
      } finally {
        release(destination.key, entry);
      }
    },
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
