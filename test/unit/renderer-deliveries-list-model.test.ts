/** The deliveries list's state in the URL (issue 14 point 11): read, written, and turned into the API's input. */
import { describe, expect, it } from 'vitest';
import { DeliveriesListInput } from '../../src/shared/contract/deliveries-list';
import {
  DEFAULT_LIST_STATE,
  dayStart,
  isFiltered,
  nextSort,
  parseListQuery,
  toListInput,
  toListQuery,
} from '../../src/renderer/features/deliveries/deliveries-list-model';

describe('deliveries list state', () => {
  it('round-trips through the URL query, dropping what it does not know', () => {
    const state = {
      ...DEFAULT_LIST_STATE,
      search: 'spring',
      states: ['paused', 'completed'] as const,
      reporting: 'classic' as const,
      route: 'sandbox' as const,
      from: '2026-11-01',
      to: '2026-11-30',
      sort: 'name' as const,
      dir: 'asc' as const,
    };
    const query = toListQuery({ ...state, states: [...state.states] });
    expect(query).toBe(
      'q=spring&state=paused%2Ccompleted&reporting=classic&route=sandbox&from=2026-11-01&to=2026-11-30&sort=name&dir=asc',
    );
    expect(parseListQuery(query)).toEqual({ ...state, states: ['paused', 'completed'] });
    expect(toListQuery(DEFAULT_LIST_STATE)).toBe('');
    expect(parseListQuery('state=bogus,paused&reporting=x&route=y&from=2026-02-31&sort=z&dir=up')).toEqual({
      ...DEFAULT_LIST_STATE,
      states: ['paused'],
    });
    expect(parseListQuery('sort=name')).toMatchObject({ sort: 'name', dir: 'asc' });
  });

  it('gives the API a valid input: local days as a half-open range, the "to" day included', () => {
    const s = { ...parseListQuery('q=%20news%20&from=2026-11-01&to=2026-11-01&sort=success') };
    const input = toListInput(s);
    expect(input).toEqual({
      search: 'news',
      createdFrom: new Date(2026, 10, 1).getTime(),
      createdTo: new Date(2026, 10, 2).getTime(),
      sort: 'success',
      dir: 'desc',
    });
    expect(DeliveriesListInput.safeParse({ ...input, cursor: null, limit: 50 }).success).toBe(true);
    // A reversed range is not sent (the page says what is wrong instead).
    expect(toListInput({ ...s, from: '2026-11-05', to: '2026-11-01' })).not.toHaveProperty('createdFrom');
    expect(dayStart('2026-02-29')).toBeNull();
    expect(isFiltered(DEFAULT_LIST_STATE)).toBe(false);
    expect(isFiltered({ ...DEFAULT_LIST_STATE, route: 'real' })).toBe(true);
  });

  it('flips the direction of the sorted column, and starts another in its own direction', () => {
    expect(nextSort(DEFAULT_LIST_STATE, 'created')).toEqual({ sort: 'created', dir: 'asc' });
    expect(nextSort(DEFAULT_LIST_STATE, 'name')).toEqual({ sort: 'name', dir: 'asc' });
    expect(nextSort(DEFAULT_LIST_STATE, 'success')).toEqual({ sort: 'success', dir: 'desc' });
  });
});
