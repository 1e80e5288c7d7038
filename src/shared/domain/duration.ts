/** Durations written as `90s`, `2m`, `1.5h`, `3.5d`, or a combination (`1d12h`). Plain numbers are seconds. */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const MAX_VALIDITY_MS = 3.5 * UNIT_MS.d;
export const DEFAULT_VALIDITY_MS = 5 * UNIT_MS.d;

export function parseDuration(input: string): number {
  const text = input.trim().toLowerCase();
  if (text === '') throw new Error('empty duration');
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    consumed = re.lastIndex;
    while (text[consumed] === ' ') consumed++;
    re.lastIndex = consumed;
  }
  if (consumed !== text.length) {
    throw new Error(
      `invalid duration "${input}": use a number with a unit s, m, h or d (e.g. 90s, 2m, 3.5d)`,
    );
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}

/** The validity the MTA honours: the requested one capped at 3.5 days (SPEC §3). */
export function effectiveValidity(requestedMs: number): { ms: number; capped: boolean } {
  return requestedMs > MAX_VALIDITY_MS
    ? { ms: MAX_VALIDITY_MS, capped: true }
    : { ms: requestedMs, capped: false };
}
