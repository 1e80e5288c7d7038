import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';

describe('ManualClock', () => {
  it('fires due timers in time order, with now() at each timer', () => {
    const clock = new ManualClock(1000);
    const seen: [string, number][] = [];
    clock.at(1500, () => seen.push(['b', clock.now()]));
    clock.at(1200, () => seen.push(['a', clock.now()]));
    const cancel = clock.at(1300, () => seen.push(['cancelled', clock.now()]));
    clock.at(5000, () => seen.push(['later', clock.now()]));
    cancel();
    clock.advance(1000);
    expect(seen).toEqual([
      ['a', 1200],
      ['b', 1500],
    ]);
    expect(clock.now()).toBe(2000);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('fires timers scheduled by timers within the same advance', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.at(10, () => {
      seen.push(clock.now());
      clock.at(20, () => seen.push(clock.now()));
    });
    clock.advance(30);
    expect(seen).toEqual([10, 20]);
  });
});
