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
    // lost, one failed try (the banner counts it), back
    expect(changes).toEqual([false, false, true]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(probes).toBe(2);
  });

  it('backs off between tries (1 s, 2 s, 4 s, then the cap) and starts again at 1 s after a recovery', async () => {
    let up = false;
    const at: number[] = [];
    const start = Date.now();
    let transport: Transport | null = null;
    const monitor = createConnectionMonitor(
      () => {
        at.push(Date.now() - start);
        return transport?.invoke('app.info', {}) ?? Promise.resolve();
      },
      1000,
      4000,
    );
    transport = monitorTransport(
      fakeTransport(() => (up ? Promise.resolve({}) : Promise.reject(new TypeError('Failed to fetch')))),
      monitor,
    );
    monitor.reportLost();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(at).toEqual([1000, 3000, 7000, 11_000, 15_000]);
    expect(monitor.snapshot()).toMatchObject({ online: false, tries: 5 });
    up = true;
    await vi.advanceTimersByTimeAsync(4000);
    expect(monitor.snapshot()).toEqual({ online: true, epoch: 1 });
    up = false;
    at.length = 0;
    monitor.reportLost();
    await vi.advanceTimersByTimeAsync(1000);
    expect(at).toEqual([20_000]);
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
