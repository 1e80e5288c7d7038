import { describe, expect, it } from 'vitest';
import { computeKpi, emptyStatusCounts } from '../../src/shared/domain/kpi';

describe('computeKpi', () => {
  it('derives population, exclusions and rates from the counters', () => {
    const status = { ...emptyStatusCounts(), ignored: 2, sent: 5, failed: 2, taken_into_account: 1 };
    const kpi = computeKpi({
      initial: 10,
      status,
      success: 5,
      hardBounces: 1,
      softBounces: 3,
      softInProgress: 1,
    });
    expect(kpi).toEqual({
      initialPopulation: 10,
      excluded: 2,
      toDeliver: 8,
      processed: 8,
      success: 5,
      errors: 2,
      softInProgress: 1,
      hardBounces: 1,
      softBounces: 3,
      successRate: 5 / 8,
      hardBounceRate: 1 / 8,
    });
  });

  it('has no rates when nothing is to be delivered', () => {
    const kpi = computeKpi({
      initial: 0,
      status: emptyStatusCounts(),
      success: 0,
      hardBounces: 0,
      softBounces: 0,
      softInProgress: 0,
    });
    expect(kpi.successRate).toBeNull();
    expect(kpi.hardBounceRate).toBeNull();
  });
});
