/**
 * The console's view of its connection to the main process: lost when a call fails without an answer from
 * the server (a network error, not an API error) or the push-event socket closes, back when a call succeeds
 * or the socket reopens. While lost, it probes (`app.info`) with a backoff (1 s, 2 s, 4 s, then every 8 s);
 * each recovery bumps an epoch that makes every query and paged list refetch, since the invalidations sent
 * meanwhile were missed. The server keeps its port and token across restarts (`console-address.ts`), so a
 * restarted `relaydeck serve` is found again by the same tab.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Transport } from '../../shared/client';
import { isApiErrorShape } from '../../shared/contract/errors';

export interface ConnectionSnapshot {
  online: boolean;
  /** Recoveries so far (0 at start). */
  epoch: number;
  /** While lost: failed tries to reach the server since it was lost. */
  tries?: number;
}

export interface ConnectionMonitor {
  snapshot(): ConnectionSnapshot;
  subscribe(listener: () => void): () => void;
  reportLost(): void;
  reportOnline(): void;
  /** Probes now instead of at the next retry. */
  retryNow(): void;
}

export const RETRY_MS = 1_000;
export const RETRY_MAX_MS = 8_000;

/** Probes after `retryMs`, then doubles the wait up to `maxRetryMs` (default: `retryMs`, a constant wait). */
export function createConnectionMonitor(
  probe: () => Promise<unknown>,
  retryMs = RETRY_MS,
  maxRetryMs = retryMs,
): ConnectionMonitor {
  let snapshot: ConnectionSnapshot = { online: true, epoch: 0 };
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let delay = retryMs;

  const set = (next: ConnectionSnapshot) => {
    snapshot = next;
    for (const l of listeners) l();
  };
  const attempt = () => {
    timer = null;
    // A success reports itself (through the monitored transport); a failure schedules the next attempt.
    probe().catch(() => {
      if (snapshot.online) return;
      set({ ...snapshot, tries: (snapshot.tries ?? 0) + 1 });
      schedule();
    });
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(attempt, delay);
    delay = Math.min(delay * 2, Math.max(retryMs, maxRetryMs));
  };

  return {
    snapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reportLost() {
      if (snapshot.online) {
        delay = retryMs;
        set({ online: false, epoch: snapshot.epoch });
      }
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
