/**
 * Axis labels of the console's charts (issue 14 point 12): counts formatted whole ("10,000", not cut to
 * ",0,000" by a fixed 48 px axis), the y axis as wide as its widest label, x ticks spaced by their labels'
 * width, time labels by the minute with the date under the first of each day.
 */
import { describe, expect, it } from 'vitest';
import {
  AXIS_GAP,
  AXIS_TICK,
  COUNT_INCREMENTS,
  formatAxisCount,
  MINUTE_INCREMENTS,
  timeAxisLabels,
  xLabelSpace,
  yAxisSize,
} from '../../src/renderer/components/chart-axes';

/** 7 px per character: a stand-in for a canvas measure of an 11 px font. */
const measure = (text: string) => text.length * 7;

describe('chart axes', () => {
  it('formats counts whole with separators, then compact from 100,000', () => {
    expect([0, 5, 950, 1000, 10_000, 99_500].map(formatAxisCount)).toEqual([
      '0',
      '5',
      '950',
      '1,000',
      '10,000',
      '99,500',
    ]);
    expect([100_000, 250_000, 1_500_000, 12_000_000, 2e9].map(formatAxisCount)).toEqual([
      '100k',
      '250k',
      '1.5M',
      '12M',
      '2B',
    ]);
  });

  it('sizes the y axis to its widest label, so "10,000" is never cut', () => {
    const size = yAxisSize(['0', '5,000', '10,000'], measure);
    expect(size).toBeGreaterThanOrEqual(measure('10,000') + AXIS_TICK + AXIS_GAP);
    // The old fixed size (48 px) is too narrow for "10,000" with its tick and gap at 11 px.
    expect(size).toBeGreaterThan(48);
    expect(yAxisSize(['0', '50', '100'], measure)).toBeLessThan(size);
    expect(yAxisSize([], measure)).toBeGreaterThan(0);
  });

  it('spaces x ticks by the widest label plus a gap, and counts in whole steps', () => {
    expect(xLabelSpace(['00:00', '30 May'], measure)).toBe(6 * 7 + 16);
    expect(xLabelSpace(['14:00\n6 Dec'], measure)).toBe(5 * 7 + 16);
    expect(COUNT_INCREMENTS.every((n) => Number.isInteger(n))).toBe(true);
    expect(COUNT_INCREMENTS.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 25, 50]);
    expect(MINUTE_INCREMENTS.every((s) => s % 60 === 0)).toBe(true);
  });

  it('labels minutes, with the date under the first tick and the first of each day', () => {
    const at = (d: number, h: number, m: number) => new Date(2026, 11, d, h, m).getTime() / 1000;
    expect(timeAxisLabels([at(5, 23, 30), at(5, 23, 45), at(6, 0, 0), at(6, 0, 15)])).toEqual([
      '23:30\n5 Dec',
      '23:45',
      '00:00\n6 Dec',
      '00:15',
    ]);
    expect(timeAxisLabels([at(5, 0, 0), at(6, 0, 0), at(7, 0, 0)])).toEqual(['5 Dec', '6 Dec', '7 Dec']);
  });
});
