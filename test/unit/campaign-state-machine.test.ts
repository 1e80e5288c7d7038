import { describe, expect, it } from 'vitest';
import { nextState, type DeliveryAction } from '../../src/main/campaign/state-machine';
import { DELIVERY_STATES, type DeliveryState } from '../../src/shared/domain/statuses';

const view = (state: DeliveryState, startedAt: number | null = 1) => ({ id: 7, state, startedAt });

describe('delivery state machine', () => {
  it.each<[DeliveryState, number | null, DeliveryAction, DeliveryState]>([
    ['preparing', null, 'start', 'relaying'],
    ['relaying', 1, 'pause', 'paused'],
    ['paused', 1, 'resume', 'relaying'],
    ['preparing', null, 'stop', 'stopped'],
    ['relaying', 1, 'stop', 'stopped'],
    ['paused', 1, 'stop', 'stopped'],
    ['delivering', 1, 'stop', 'stopped'],
  ])('%s --%s--> %s', (state, startedAt, action, next) => {
    expect(nextState(view(state, startedAt), action)).toBe(next);
  });

  it('refuses every other transition with a conflict naming the current state', () => {
    const allowed = new Set([
      'preparing:start',
      'relaying:pause',
      'paused:resume',
      'preparing:stop',
      'relaying:stop',
      'paused:stop',
      'delivering:stop',
    ]);
    for (const state of DELIVERY_STATES) {
      for (const action of ['start', 'pause', 'resume', 'stop'] as const) {
        if (allowed.has(`${state}:${action}`)) continue;
        expect(() => nextState(view(state), action)).toThrow(
          expect.objectContaining({
            code: 'conflict',
            message: expect.stringMatching(new RegExp(`^Delivery 7 is ${state}`)),
          }),
        );
      }
    }
  });

  it('says why a completed delivery cannot be stopped', () => {
    expect(() => nextState(view('completed'), 'stop')).toThrow(
      'Delivery 7 is completed: a completed delivery cannot be stopped',
    );
  });
});
