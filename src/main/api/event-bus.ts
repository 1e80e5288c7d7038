/**
 * Push events to the renderer. Engine and campaign code call `notify*`; the bus coalesces bursts per delivery
 * (at most one event per key per interval) so a delivery relaying thousands of messages per second sends a
 * handful of invalidations, not a flood.
 */
import type { EventName, EventPayload } from '../../shared/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EventBus {
  deliveryChanged(deliveryId: string): void;
  logsChanged(deliveryId: string): void;
  /** Quarantine entries changed (SPEC §4.4). */
  quarantineChanged(): void;
  /** A message arrived on the bounce mailbox (SPEC §4.3); not coalesced, one per message. */
  inmailReceived(id: string): void;
  /** A simulation progressed, finished or failed (coalesced per simulation). */
  simulationChanged(id: string): void;
  subscribe(listener: EventListener): () => void;
  /** Delivers pending coalesced events now (tests, shutdown). */
  flush(): void;
  close(): void;
}

export function createEventBus(intervalMs = 250): EventBus {
  const listeners = new Set<EventListener>();
  const pending = new Map<string, () => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const due = [...pending.values()];
    pending.clear();
    for (const emit of due) emit();
  }

  function schedule<E extends EventName>(event: E, payload: EventPayload<E>, key: string): void {
    if (listeners.size === 0 || pending.has(key)) return;
    pending.set(key, () => {
      for (const l of listeners) l(event, payload);
    });
    timer ??= setTimeout(flush, intervalMs);
  }

  return {
    deliveryChanged: (id) => schedule('delivery.changed', { id }, `d:${id}`),
    logsChanged: (deliveryId) => schedule('logs.changed', { deliveryId }, `l:${deliveryId}`),
    quarantineChanged: () => schedule('quarantine.changed', {}, 'q'),
    inmailReceived: (id) => schedule('inmail.received', { id }, `i:${id}`),
    simulationChanged: (id) => schedule('simulation.changed', { id }, `s:${id}`),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush,
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
      listeners.clear();
    },
  };
}
