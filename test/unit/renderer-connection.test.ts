/** The console's connection monitor: lost on a network failure or a closed event socket, back on an answer. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Transport } from '../../src/shared/client';
import { createConnectionMonitor, monitorTransport } from '../../src/renderer/api/connection';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function fakeTransport(answer: () => Promise<unknown>): Transport {
  return { kind: 'http', invoke: () => answer(), subscribe: () => () => undefined };
}

describe('connection monitor', () => {
  it('goes lost on a network failure, probes until the server answers, then counts a recovery', async () => {
    let up = false;
    let probes = 0;
    const raw = fakeTransport(() =>
      up ? Promise.resolve({ ok: 1 }) : Promise.reject(new TypeError('Failed to fetch')),
    );
    let transport: Transport | null = null;
    const monitor = createConnectionMonitor(() => {
      probes++;
      return transport?.invoke('app.info', {}) ?? Promise.resolve();
    }, 1000);
    transport = monitorTransport(raw, monitor);
    const changes: boolean[] = [];
    monitor.subscribe(() => changes.push(monitor.snapshot().online));

    await expect(transport.invoke('deliveries.list', {})).rejects.toThrow('Failed to fetch');
    expect(monitor.snapshot()).toEqual({ online: false, epoch: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(probes).toBe(1);
    expect(monitor.snapshot().online).toBe(false);
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(probes).toBe(2);
    expect(monitor.snapshot()).toEqual({ online: true, epoch: 1 });
    expect(changes).toEqual([false, true]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(probes).toBe(2);
  });

  it('takes an API error as an answer (the server is there), and the socket state as a signal', async () => {
    const monitor = createConnectionMonitor(() => Promise.resolve(), 1000);
    const transport = monitorTransport(
      fakeTransport(() =>
        Promise.reject({ code: 'not_found', message: 'Delivery 9 does not exist', retryable: false }),
      ),
      monitor,
    );
    await expect(transport.invoke('deliveries.get', { id: '9' })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(monitor.snapshot().online).toBe(true);
    monitor.reportLost();
    expect(monitor.snapshot().online).toBe(false);
    monitor.reportOnline();
    expect(monitor.snapshot()).toEqual({ online: true, epoch: 1 });
  });
});
