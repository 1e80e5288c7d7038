/** The bounce-reasons chart of the printed report: horizontal bars split hard / soft / other, plain SVG. */
import type { ReasonBreakdown } from '../../../shared/contract/dashboard';
import { formatCount } from '../../components/format';
import { reasonBars } from './report-model';

const WIDTH = 700;
const LABEL_W = 170;
const VALUE_W = 50;
const ROW_H = 22;

export function ReasonBars({ items }: { items: readonly ReasonBreakdown[] }) {
  const bars = reasonBars(items);
  if (bars.length === 0) return <p className="report-muted">No failure or exclusion.</p>;
  const max = Math.max(...bars.map((b) => b.total));
  const scale = (n: number) => (n / max) * (WIDTH - LABEL_W - VALUE_W);
  return (
    <figure className="report-chart" data-testid="report-reasons-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${bars.length * ROW_H + 4}`}
        role="img"
        aria-label="Messages by failure reason"
      >
        {bars.map((b, i) => {
          const y = i * ROW_H + 2;
          let x = LABEL_W;
          const segments = (
            [
              ['hard', b.hard],
              ['soft', b.soft],
              ['other', b.other],
            ] as const
          ).map(([kind, n]) => {
            const w = scale(n);
            const rect =
              n > 0 ? (
                <rect key={kind} className={`bar bar-${kind}`} x={x} y={y} width={w} height={ROW_H - 6} />
              ) : null;
            x += w;
            return rect;
          });
          return (
            <g key={b.reason}>
              <text className="bar-label" x={LABEL_W - 8} y={y + 12} textAnchor="end">
                {b.label}
              </text>
              {segments}
              <text className="bar-value" x={x + 6} y={y + 12}>
                {formatCount(b.total)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="report-legend">
        <span>
          <i className="swatch bar-hard" aria-hidden="true" />
          Hard
        </span>
        <span>
          <i className="swatch bar-soft" aria-hidden="true" />
          Soft
        </span>
        <span>
          <i className="swatch bar-other" aria-hidden="true" />
          Ignored / not defined
        </span>
      </figcaption>
    </figure>
  );
}
