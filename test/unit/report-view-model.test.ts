/** The printable report's pure helpers: axis maximum, ticks, line geometry, reason bars, health sentences. */
import { describe, expect, it } from 'vitest';
import { healthRows } from '../../src/main/reports/health-rows';
import {
  linePoints,
  niceMax,
  reasonBars,
  tickIndexes,
} from '../../src/renderer/features/reports/report-model';

describe('chart geometry', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 143, 200, 201, 999, 1001].map(niceMax)).toEqual([1, 1, 5, 200, 200, 500, 1000, 2000]);
  });

  it('spreads at most n ticks with both ends', () => {
    expect(tickIndexes(0, 6)).toEqual([]);
    expect(tickIndexes(3, 6)).toEqual([0, 1, 2]);
    expect(tickIndexes(100, 5)).toEqual([0, 25, 50, 74, 99]);
  });

  it('maps points into the plot box (y up)', () => {
    const box = { width: 110, height: 60, left: 10, right: 0, top: 0, bottom: 10 };
    const p = (minute: number, relayed: number) => ({
      minute,
      relayed,
      accepted: 0,
      deferred: 0,
      bounced: 0,
    });
    expect(linePoints([p(0, 0), p(60_000, 10)], 'relayed', box, 10)).toBe('10.0,50.0 110.0,0.0');
  });

  it('orders reason bars by volume and splits hard / soft / other', () => {
    const bars = reasonBars([
      { reason: 'double', byType: { hard: 0, soft: 0, ignored: 2, not_defined: 0 }, total: 2 },
      { reason: 'user_unknown', byType: { hard: 5, soft: 0, ignored: 0, not_defined: 0 }, total: 5 },
      { reason: 'refused', byType: { hard: 1, soft: 2, ignored: 0, not_defined: 0 }, total: 3 },
    ]);
    expect(bars.map((b) => [b.label, b.hard, b.soft, b.other])).toEqual([
      ['User unknown', 5, 0, 0],
      ['Refused', 1, 2, 0],
      ['Double', 0, 0, 2],
    ]);
  });
});

describe('health rows', () => {
  it('says which threshold is crossed, with counts, and n/a before anything was sent', () => {
    const rows = healthRows({
      hardBounces: { rate: 0.025, threshold: 0.02, alert: true, count: 5, base: 200 },
      complaints: { rate: null, threshold: 0.001, alert: false, count: 0, base: 0 },
      domainSoftBounces: {
        threshold: 0.1,
        alert: true,
        count: 1,
        worst: [{ domain: 'corp.test', soft: 3, processed: 20, rate: 0.15 }],
      },
    });
    expect(rows.map((r) => [r.flag, r.level])).toEqual([
      ['hard_bounces', 'alert'],
      ['domain_soft_bounces', 'alert'],
      ['complaints', 'unknown'],
    ]);
    expect(rows[0]?.detail).toBe('5 of 200 processed messages (2.5 %); alert at 2.0 %.');
    expect(rows[1]?.detail).toBe('1 domain over 10.0 %: corp.test 15.0 % (3/20).');
    expect(rows[2]?.detail).toBe('No message delivered yet.');
  });
});
