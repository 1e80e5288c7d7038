/**
 * The console's view of its connection to the main process: lost when a call fails without an answer from
 * the server (a network error, not an API error) or the push-event socket closes, back when a call succeeds
 * or the socket reopens. While lost, it probes (`app.info`) every few seconds; each recovery bumps an epoch
 * that makes every query and paged list refetch, since the invalidations sent meanwhile were missed.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Transport } from '../../shared/client';
import { isApiErrorShape } from '../../shared/contract/errors';

export interface ConnectionSnapshot {
  online: boolean;
  /** Recoveries so far (0 at start). */
  epoch: number;
}

export interface ConnectionMonitor {
  snapshot(): ConnectionSnapshot;
  subscribe(listener: () => void): () => void;
  reportLost(): void;
  reportOnline(): void;
  /** Probes now instead of at the next retry. */
  retryNow(): void;
}

export const RETRY_MS = 2_000;

export function createConnectionMonitor(
  probe: () => Promise<unknown>,
  retryMs = RETRY_MS,
): ConnectionMonitor {
  let snapshot: ConnectionSnapshot = { online: true, epoch: 0 };
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const set = (next: ConnectionSnapshot) => {
    snapshot = next;
    for (const l of listeners) l();
  };
  const attempt = () => {
    timer = null;
    // A success reports itself (through the monitored transport); a failure schedules the next attempt.
    probe().catch(() => {
      if (!snapshot.online) schedule();
    });
  };
  const schedule = () => {
    timer ??= setTimeout(attempt, retryMs);
  };

  return {
    snapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reportLost() {
      if (snapshot.online) set({ online: false, epoch: snapshot.epoch });
      schedule();
    },
    reportOnline() {
      if (snapshot.online) return;
      if (timer) clearTimeout(timer);
      timer = null;
      set({ online: true, epoch: snapshot.epoch + 1 });
    },
    retryNow() {
      if (timer) clearTimeout(timer);
      attempt();
    },
  };
}

/** The transport with its failures and recoveries reported to the monitor. */
export function monitorTransport(transport: Transport, monitor: ConnectionMonitor): Transport {
  return {
    kind: transport.kind,
    async invoke(method, input) {
      try {
        const output = await transport.invoke(method, input);
        monitor.reportOnline();
        return output;
      } catch (err) {
        // An API error is an answer: the server is there.
        if (isApiErrorShape(err)) monitor.reportOnline();
        else monitor.reportLost();
        throw err;
      }
    },
    subscribe: (listener) => transport.subscribe(listener),
  };
}

/** Without a provider (a transport that cannot drop, tests): always online. */
const ALWAYS_ONLINE: ConnectionMonitor = {
  snapshot: () => STILL,
  subscribe: () => () => undefined,
  reportLost: () => undefined,
  reportOnline: () => undefined,
  retryNow: () => undefined,
};
const STILL: ConnectionSnapshot = { online: true, epoch: 0 };

export const ConnectionContext = createContext<ConnectionMonitor>(ALWAYS_ONLINE);

export function useConnectionMonitor(): ConnectionMonitor {
  return useContext(ConnectionContext);
}

export function useConnection(): ConnectionSnapshot {
  const monitor = useConnectionMonitor();
  return useSyncExternalStore(monitor.subscribe, monitor.snapshot);
}
