/**
 * Per-minute throughput of a delivery (SPEC §7): relay (campaign -> MTA) and delivery (accepted, deferred,
 * bounced) drawn with uPlot on a canvas (nothing inline, fine under the strict CSP), themed from the design
 * tokens and redrawn when the theme changes, refetched (throttled) on the delivery's events.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { axisRecorder, canvasMeasure, countAxis, minuteAxis } from '../../components/chart-axes';
import { themedAxis, themeToken, useDocumentTheme } from '../../components/chart-theme';
import 'uplot/dist/uPlot.min.css';
import type { ThroughputPoint } from '../../../shared/contract/mta';
import { useQuery } from '../../api/hooks';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount } from '../../components/format';
import './ThroughputChart.css';

const HEIGHT = 220;
/** At most one refetch per this many ms while the delivery's events keep arriving. */
const REFETCH_THROTTLE_MS = 3_000;

const SERIES = [
  { key: 'relayed', label: 'Relayed', color: '--accent' },
  { key: 'accepted', label: 'Accepted', color: '--green' },
  { key: 'deferred', label: 'Deferred', color: '--amber' },
  { key: 'bounced', label: 'Bounced', color: '--red' },
] as const satisfies readonly { key: keyof ThroughputPoint; label: string; color: string }[];

type SeriesKey = (typeof SERIES)[number]['key'];

/**
 * uPlot's column layout: x in seconds, then one array per series. A single minute gets its quiet neighbours
 * (uPlot would otherwise stretch a one-point time axis over years).
 */
export function toAlignedData(points: readonly ThroughputPoint[]): uPlot.AlignedData {
  const only = points.length === 1 ? points[0] : undefined;
  const rows = only ? [quietMinute(only.minute - 60_000), only, quietMinute(only.minute + 60_000)] : points;
  return [rows.map((p) => p.minute / 1000), ...SERIES.map((s) => rows.map((p) => p[s.key]))];
}

const quietMinute = (minute: number): ThroughputPoint => ({
  minute,
  relayed: 0,
  accepted: 0,
  deferred: 0,
  bounced: 0,
});

function totals(points: readonly ThroughputPoint[]): Record<SeriesKey, number> & { peak: number } {
  const sum = { relayed: 0, accepted: 0, deferred: 0, bounced: 0, peak: 0 };
  for (const p of points) {
    for (const s of SERIES) sum[s.key] += p[s.key];
    sum.peak = Math.max(sum.peak, p.accepted);
  }
  return sum;
}

/** A delivery of a few minutes still gets a readable time axis: at least a 10-minute window, in seconds. */
export function widen(min: number, max: number): [number, number] {
  const MIN_SPAN_S = 600;
  if (max - min >= MIN_SPAN_S) return [min, max];
  const pad = (MIN_SPAN_S - (max - min)) / 2;
  return [min - pad, max + pad];
}

function chartOptions(width: number): uPlot.Options {
  const token = themeToken();
  const axis = themedAxis(token);
  const measure = canvasMeasure(String(axis.font));
  const recorder = axisRecorder();
  return {
    width,
    height: HEIGHT,
    scales: {
      x: { time: true, range: (_u, min, max) => widen(min, max) },
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    series: [
      {},
      ...SERIES.map((s) => ({
        label: s.label,
        stroke: token(s.color),
        width: 2,
        points: { size: 4 },
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : formatCount(v)),
      })),
    ],
    // Axes sized and spaced by their labels' measured widths (chart-axes.ts).
    axes: [minuteAxis(axis, measure, recorder), countAxis(axis, measure, recorder)],
    hooks: { draw: [recorder.draw] },
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  };
}

export function ThroughputChart({ deliveryId }: { deliveryId: string }) {
  const query = useQuery(
    'throughput.series',
    { deliveryId },
    {
      invalidateOn: { 'delivery.changed': (p) => p.id === deliveryId },
      coalesceMs: REFETCH_THROTTLE_MS,
    },
  );
  const points = query.data?.points;
  const hasData = (points ?? []).some((p) => p.relayed + p.accepted + p.deferred + p.bounced > 0);
  const sum = useMemo(() => totals(points ?? []), [points]);

  return (
    <Card
      title="Throughput"
      description="Messages per minute: relayed to the MTA, and the receivers' answers."
      testId="throughput"
      actions={
        hasData && (
          <span className="muted small num" data-testid="throughput-totals">
            {formatCount(sum.relayed)} relayed · {formatCount(sum.accepted)} accepted · peak{' '}
            {formatCount(sum.peak)}/min
          </span>
        )
      }
    >
      <ErrorBanner error={query.error} title="Throughput could not be loaded" />
      {query.loading ? (
        <div className="loading throughput-placeholder">Loading throughput…</div>
      ) : hasData && points ? (
        <Plot points={points} />
      ) : (
        <EmptyState
          title="No throughput yet"
          body="Relay and delivery counts appear here per minute once messages are relayed to the MTA."
          testId="throughput-empty"
        />
      )}
    </Card>
  );
}

function Plot({ points }: { points: readonly ThroughputPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(() => toAlignedData(points), [points]);
  const latestData = useRef(data);
  const theme = useDocumentTheme();

  // (Re)create the chart when the theme changes: colours are read from the design tokens.
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const chart = new uPlot(chartOptions(el.clientWidth || 600), latestData.current, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [theme]);

  useEffect(() => {
    latestData.current = data;
    plot.current?.setData(data);
  }, [data]);

  return (
    <div
      ref={container}
      className="throughput-plot"
      data-testid="throughput-chart"
      data-theme-drawn={theme}
    />
  );
}
