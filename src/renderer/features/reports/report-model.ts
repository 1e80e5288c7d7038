/**
 * Pure helpers of the printable report: chart geometry (throughput lines, reason bars), labels and the
 * download of an exported file.
 */
import type { ThroughputPoint } from '../../../shared/contract/mta';
import type { ReasonBreakdown } from '../../../shared/contract/dashboard';
import { REASONS } from '../../../shared/domain/reasons';

export const THROUGHPUT_SERIES = [
  { key: 'relayed', label: 'Relayed', className: 'series-relayed' },
  { key: 'accepted', label: 'Accepted', className: 'series-accepted' },
  { key: 'deferred', label: 'Deferred', className: 'series-deferred' },
  { key: 'bounced', label: 'Bounced', className: 'series-bounced' },
] as const satisfies readonly { key: keyof ThroughputPoint; label: string; className: string }[];

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A "nice" axis maximum (1, 2, 5 × 10^n) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= max) ?? 10;
  return step * magnitude;
}

/** SVG polyline points of one series over the plot box. */
export function linePoints(
  points: readonly ThroughputPoint[],
  key: (typeof THROUGHPUT_SERIES)[number]['key'],
  box: Box,
  yMax: number,
): string {
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const n = points.length;
  return points
    .map((p, i) => {
      const x = box.left + (n === 1 ? w / 2 : (i / (n - 1)) * w);
      const y = box.top + h - (p[key] / yMax) * h;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** At most `n` evenly spaced indexes of a series of `length` points, first and last included. */
export function tickIndexes(length: number, n: number): number[] {
  if (length <= 0) return [];
  if (length <= n) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - 1)) / (n - 1)));
}

export interface ReasonBar {
  reason: string;
  label: string;
  hard: number;
  soft: number;
  other: number;
  total: number;
}

/** Failure reasons as bars (hard / soft / other split), largest first, at most `limit`. */
export function reasonBars(items: readonly ReasonBreakdown[], limit = 8): ReasonBar[] {
  return items
    .map((r) => {
      const hard = r.byType.hard ?? 0;
      const soft = r.byType.soft ?? 0;
      return {
        reason: r.reason,
        label: REASONS[r.reason].label,
        hard,
        soft,
        other: r.total - hard - soft,
        total: r.total,
      };
    })
    .filter((r) => r.total > 0)
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label))
    .slice(0, limit);
}

/** Turns a base64 export into a download (Blob + object URL: allowed under the console's CSP). */
export function downloadFile(file: { fileName: string; mimeType: string; contentBase64: string }): void {
  const binary = atob(file.contentBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.click();
  // Later: revoking (or detaching) right after the click can cancel the download in Chromium.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
