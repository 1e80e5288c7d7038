/** The throughput chart of the printed report: per-minute lines as plain SVG (sized for A4, no canvas). */
import type { ThroughputPoint } from '../../../shared/contract/mta';
import { formatAxisCount } from '../../components/chart-axes';
import { formatCount } from '../../components/format';
import { linePoints, niceMax, THROUGHPUT_SERIES, tickIndexes, type Box } from './report-model';

/** Up to this many minutes, columns; beyond, lines. */
const COLUMNS_UP_TO = 12;
const BOX: Box = { width: 700, height: 200, left: 52, right: 12, top: 10, bottom: 26 };

const time = (ms: number) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });

export function ThroughputSvg({ points }: { points: readonly ThroughputPoint[] }) {
  if (points.length === 0) return <p className="report-muted">No message was relayed yet.</p>;
  const max = niceMax(Math.max(...points.flatMap((p) => THROUGHPUT_SERIES.map((s) => p[s.key]))));
  const plotH = BOX.height - BOX.top - BOX.bottom;
  const plotW = BOX.width - BOX.left - BOX.right;
  const ticks = tickIndexes(points.length, 6);
  return (
    <figure className="report-chart" data-testid="report-throughput">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label="Messages per minute">
        {[0, 0.5, 1].map((f) => {
          const y = BOX.top + plotH - f * plotH;
          return (
            <g key={f}>
              <line className="grid" x1={BOX.left} x2={BOX.width - BOX.right} y1={y} y2={y} />
              <text className="axis" x={BOX.left - 6} y={y + 3} textAnchor="end">
                {Number.isInteger(max * f) ? formatAxisCount(max * f) : (max * f).toFixed(1)}
              </text>
            </g>
          );
        })}
        {ticks.map((i) => {
          const p = points[i];
          if (!p) return null;
          const x =
            points.length <= COLUMNS_UP_TO
              ? BOX.left + (plotW / points.length) * (i + 0.5)
              : BOX.left + (i / (points.length - 1)) * plotW;
          return (
            // The last label ends at its tick when it would run past the drawing's right edge.
            <text
              key={i}
              className="axis"
              x={x}
              y={BOX.height - 8}
              textAnchor={x > BOX.width - BOX.right - 18 ? 'end' : 'middle'}
            >
              {time(p.minute)}
            </text>
          );
        })}
        {points.length <= COLUMNS_UP_TO
          ? points.flatMap((p, i) => {
              // A few minutes (a short or time-compressed delivery): grouped columns, one per series.
              const slot = plotW / points.length;
              const barW = Math.min(28, (slot * 0.7) / THROUGHPUT_SERIES.length);
              const x0 = BOX.left + slot * i + (slot - barW * THROUGHPUT_SERIES.length) / 2;
              return THROUGHPUT_SERIES.map((s, j) => {
                const h = (p[s.key] / max) * plotH;
                return (
                  <rect
                    key={`${i}-${s.key}`}
                    className={`column ${s.className}`}
                    x={x0 + j * barW}
                    y={BOX.top + plotH - h}
                    width={barW - 2}
                    height={h}
                  />
                );
              });
            })
          : THROUGHPUT_SERIES.map((s) => (
              <polyline
                key={s.key}
                className={`line ${s.className}`}
                points={linePoints(points, s.key, BOX, max)}
              />
            ))}
      </svg>
      <figcaption className="report-legend">
        {THROUGHPUT_SERIES.map((s) => (
          <span key={s.key}>
            <i className={`swatch ${s.className}`} aria-hidden="true" />
            {s.label} {formatCount(points.reduce((sum, p) => sum + p[s.key], 0))}
          </span>
        ))}
        <span className="report-muted">per minute, local time</span>
      </figcaption>
    </figure>
  );
}
