import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/main/api/event-bus';

describe('event bus', () => {
  it('coalesces bursts per delivery into one invalidation each', () => {
    const bus = createEventBus(10_000);
    const seen: string[] = [];
    bus.subscribe((event, payload) => seen.push(`${event}:${JSON.stringify(payload)}`));
    for (let i = 0; i < 1000; i++) {
      bus.deliveryChanged('1');
      bus.logsChanged('1');
      bus.deliveryChanged('2');
    }
    expect(seen).toEqual([]);
    bus.flush();
    expect(seen).toEqual([
      'delivery.changed:{"id":"1"}',
      'logs.changed:{"deliveryId":"1"}',
      'delivery.changed:{"id":"2"}',
    ]);
    bus.deliveryChanged('1');
    bus.flush();
    expect(seen).toHaveLength(4);
    bus.close();
  });

  it('does nothing without listeners and stops after unsubscribe', () => {
    const bus = createEventBus(10_000);
    bus.deliveryChanged('1');
    const seen: string[] = [];
    const off = bus.subscribe((event) => seen.push(event));
    bus.flush();
    expect(seen).toEqual([]);
    off();
    bus.deliveryChanged('1');
    bus.flush();
    expect(seen).toEqual([]);
    bus.close();
  });
});
