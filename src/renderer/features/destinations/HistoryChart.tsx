/**
 * A destination's answers per UTC day as stacked 100 % bars (accepted, deferred, bounced shares of the
 * messages answered), drawn with uPlot on a canvas like the throughput chart: colours from the design tokens,
 * redrawn when the theme changes, days on a UTC axis. The legend shows the hovered day, else the window.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import { axisRecorder, canvasMeasure, xLabelSpace, yAxisSize } from '../../components/chart-axes';
import { themedAxis, themeToken, useDocumentTheme } from '../../components/chart-theme';
import 'uplot/dist/uPlot.min.css';
import type { DestinationDay } from '../../../shared/contract/mta';
import { formatCount } from '../../components/format';
import { dayShares, formatDay, formatShare, historyBars, windowShares } from './destinations-model';

const HEIGHT = 200;
const DAY_S = 86_400;

const SERIES = [
  { key: 'total', label: 'Bounced', color: '--red' },
  { key: 'acceptedDeferred', label: 'Deferred', color: '--amber' },
  { key: 'accepted', label: 'Accepted', color: '--green' },
] as const;

function chartOptions(width: number, from: number, to: number): uPlot.Options {
  const token = themeToken();
  const axis = themedAxis(token);
  const measure = canvasMeasure(String(axis.font));
  const recorder = axisRecorder();
  const bars = uPlot.paths.bars?.({ size: [0.7, 28], gap: 1 });
  return {
    width,
    height: HEIGHT,
    // Days are UTC days: the axis is drawn in UTC so a bar sits on its own date.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: {
      x: { time: true, range: () => [from - DAY_S / 2, to + DAY_S / 2] },
      y: { range: () => [0, 100] },
    },
    series: [
      {},
      ...SERIES.map((s) => ({
        label: s.label,
        stroke: token(s.color),
        fill: token(s.color),
        width: 0,
        paths: bars,
        points: { show: false },
      })),
    ],
    axes: [
      {
        ...axis,
        // A tick per day at most (whole days), spaced by the widest date label.
        incrs: [1, 2, 7, 14, 28, 56, 91, 182, 364].map((d) => d * DAY_S),
        space: xLabelSpace(['30 Sep', formatDay('2026-09-30')], measure),
        values: recorder.values('x', (splits) =>
          splits.map((t) => formatDay(new Date(t * 1000).toISOString().slice(0, 10))),
        ),
      },
      {
        ...axis,
        size: (_u, values) => yAxisSize(values ?? ['100%'], measure),
        splits: () => [0, 25, 50, 75, 100],
        values: recorder.values('y', (ticks) => ticks.map((t) => `${t}%`)),
      },
    ],
    legend: { show: false },
    hooks: { draw: [recorder.draw] },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
  };
}

export function HistoryChart({
  days,
  from,
  to,
}: {
  days: readonly DestinationDay[];
  from: string;
  to: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const bars = useMemo(() => historyBars(days, from, to), [days, from, to]);
  const data = useMemo<uPlot.AlignedData>(
    () => [bars.x, bars.total, bars.acceptedDeferred, bars.accepted],
    [bars],
  );
  const latestData = useRef(data);
  const theme = useDocumentTheme();
  const [hovered, setHovered] = useState<number | null>(null);
  const byDay = useMemo(() => new Map(days.map((d) => [d.day, d])), [days]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const [first, last] = [latestData.current[0][0] ?? 0, latestData.current[0].at(-1) ?? 0];
    const options = chartOptions(el.clientWidth || 600, first, last);
    const chart = new uPlot(
      {
        ...options,
        hooks: {
          ...options.hooks,
          setCursor: [(u) => setHovered(u.cursor.idx ?? null)],
        },
      },
      latestData.current,
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Recreated when the theme (colours) or the window (x range) changes.
  }, [theme, from, to]);

  useEffect(() => {
    latestData.current = data;
    plot.current?.setData(data);
  }, [data]);

  const hoveredDay =
    hovered !== null && bars.x[hovered] !== undefined
      ? new Date(bars.x[hovered] * 1000).toISOString().slice(0, 10)
      : null;
  const dayRow = hoveredDay !== null ? byDay.get(hoveredDay) : undefined;
  const shares = dayRow ? dayShares(dayRow) : windowShares(days);
  const caption = hoveredDay !== null ? formatDay(hoveredDay, true) : `${formatDay(from)} – ${formatDay(to)}`;

  return (
    <div className="history-chart">
      <div className="history-legend" data-testid="history-legend" aria-live="polite">
        <span className="history-legend-caption num">{caption}</span>
        <LegendItem color="green" label="Accepted" value={formatShare(shares.accepted)} />
        <LegendItem color="amber" label="Deferred" value={formatShare(shares.deferred)} />
        <LegendItem color="red" label="Bounced" value={formatShare(shares.bounced)} />
        <span className="muted num">
          {shares.answered > 0 ? `${formatCount(shares.answered)} answered` : 'no answer'}
        </span>
      </div>
      <div
        ref={container}
        className="history-plot"
        data-testid="history-chart"
        data-theme-drawn={theme}
        role="img"
        aria-label={`Accepted, deferred and bounced shares per day, ${formatDay(from, true)} to ${formatDay(to, true)}`}
      />
    </div>
  );
}

function LegendItem({
  color,
  label,
  value,
}: {
  color: 'green' | 'amber' | 'red';
  label: string;
  value: string;
}) {
  return (
    <span className="history-legend-item">
      <span className={`history-swatch swatch-${color}`} aria-hidden="true" />
      {label} <strong className="num">{value}</strong>
    </span>
  );
}
