/**
 * Delivered, failed and in-progress messages over simulated time, one small chart per scenario on the same
 * scales (so the eye compares them), as plain SVG: the same drawing on screen and in the PDF.
 */
import type { ScenarioResult } from '../../../shared/contract/simulation';
import { formatCount } from '../../components/format';
import { niceMax } from '../reports/report-model';
import { tickLabel, timelinePoints, timeTicks, TIMELINE_SERIES } from './simulation-model';

const BOX = { width: 420, height: 190, left: 44, right: 14, top: 10, bottom: 28 };

export function TimelineSvg({ results, print }: { results: readonly ScenarioResult[]; print: boolean }) {
  const maxMs = Math.max(1, ...results.map((r) => Math.max(r.simulatedMs, r.timeline.at(-1)?.atMs ?? 0)));
  // The list's size when every count stays under it (it does: each point splits the recipients), else a round max.
  const peak = Math.max(
    1,
    ...results.flatMap((r) => r.timeline.flatMap((p) => TIMELINE_SERIES.map((s) => p[s.key]))),
  );
  const size = Math.max(0, ...results.map((r) => r.delivery.kpi.toDeliver));
  const yMax = size >= peak ? size : niceMax(peak);
  const ticks = timeTicks(maxMs, 5);
  const plotW = BOX.width - BOX.left - BOX.right;
  const plotH = BOX.height - BOX.top - BOX.bottom;
  return (
    <figure className={print ? 'report-chart cmp-timeline' : 'cmp-timeline'} data-testid="cmp-timeline">
      <div
        className="cmp-timeline-grid"
        style={{ gridTemplateColumns: `repeat(${Math.min(results.length, 2)}, minmax(0, 1fr))` }}
      >
        {results.map((r, i) => (
          <div key={i} className="cmp-timeline-cell">
            <div className="cmp-timeline-title">{r.scenario.name}</div>
            {r.timeline.length === 0 ? (
              <p className="muted small">No point recorded.</p>
            ) : (
              <svg
                viewBox={`0 0 ${BOX.width} ${BOX.height}`}
                role="img"
                aria-label={`Scenario ${r.scenario.name}: delivered, failed and in-progress messages over simulated time`}
              >
                {[0, 0.5, 1].map((f) => {
                  const y = BOX.top + plotH - f * plotH;
                  return (
                    <g key={f}>
                      <line className="grid" x1={BOX.left} x2={BOX.width - BOX.right} y1={y} y2={y} />
                      <text className="axis" x={BOX.left - 6} y={y + 3} textAnchor="end">
                        {formatCount(yMax * f)}
                      </text>
                    </g>
                  );
                })}
                {ticks.map((t) => {
                  const x = BOX.left + (t / maxMs) * plotW;
                  return (
                    <g key={t}>
                      <line className="tick" x1={x} x2={x} y1={BOX.top + plotH} y2={BOX.top + plotH + 4} />
                      <text
                        className="axis"
                        x={x}
                        y={BOX.height - 10}
                        textAnchor={t === 0 ? 'start' : x > BOX.width - BOX.right - 20 ? 'end' : 'middle'}
                      >
                        {tickLabel(t)}
                      </text>
                    </g>
                  );
                })}
                {r.finalAfterMs !== null && (
                  <line
                    className="cmp-final-line"
                    x1={BOX.left + (r.finalAfterMs / maxMs) * plotW}
                    x2={BOX.left + (r.finalAfterMs / maxMs) * plotW}
                    y1={BOX.top}
                    y2={BOX.top + plotH}
                  >
                    <title>Final figures after {tickLabel(r.finalAfterMs)}</title>
                  </line>
                )}
                {TIMELINE_SERIES.map((s) => (
                  <polyline
                    key={s.key}
                    className={`line ${s.className}`}
                    points={timelinePoints(r.timeline, s.key, BOX, maxMs, yMax)}
                  />
                ))}
              </svg>
            )}
          </div>
        ))}
      </div>
      <figcaption className="report-legend cmp-legend">
        {TIMELINE_SERIES.map((s) => (
          <span key={s.key}>
            <i className={`swatch ${s.className}`} aria-hidden="true" />
            {s.label}
          </span>
        ))}
        <span>
          <i className="swatch cmp-final-swatch" aria-hidden="true" />
          Final figures reached
        </span>
        <span className="muted">messages, over simulated time since the start</span>
      </figcaption>
    </figure>
  );
}
