import { describe, expect, it } from 'vitest';
import {
  effectiveValidity,
  formatDuration,
  MAX_VALIDITY_MS,
  parseDuration,
} from '../../src/shared/domain/duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1.5h', 5_400_000],
    ['3.5d', 302_400_000],
    ['1d12h', 129_600_000],
    ['1d 12h', 129_600_000],
    ['250ms', 250],
    ['30', 30_000],
    [' 5D ', 432_000_000],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '5x', '5d garbage', 'd5', '-1d'])(
    'rejects %j with a message naming the input',
    (text) => {
      expect(() => parseDuration(text)).toThrow(text === '' ? /empty/ : new RegExp(`duration`));
    },
  );
});

describe('formatDuration', () => {
  it('formats the largest units first', () => {
    expect(formatDuration(302_400_000)).toBe('3d 12h');
    expect(formatDuration(90_000)).toBe('1m 30s');
    expect(formatDuration(400)).toBe('400ms');
  });
});

describe('effectiveValidity (SPEC §3)', () => {
  it('caps the validity at 3.5 days and says so', () => {
    expect(effectiveValidity(5 * 86_400_000)).toEqual({ ms: MAX_VALIDITY_MS, capped: true });
    expect(effectiveValidity(MAX_VALIDITY_MS)).toEqual({ ms: MAX_VALIDITY_MS, capped: false });
    expect(effectiveValidity(3_600_000)).toEqual({ ms: 3_600_000, capped: false });
  });
});
