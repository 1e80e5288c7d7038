import type { FailureType } from '../../../shared/domain/reasons';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { useQuery } from '../../api/hooks';
import { Card } from '../../components/Card';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount } from '../../components/format';

/** Segments of a bar, in drawing order (hard first: what the analyst acts on). */
const SEGMENTS: readonly FailureType[] = ['hard', 'soft', 'ignored', 'not_defined'];

/** Bounce reasons breakdown: one bar per reason, split by failure type. Selecting a bar filters the log. */
export function ReasonsChart({
  deliveryId,
  onSelect,
}: {
  deliveryId: string;
  onSelect?(reason: keyof typeof REASONS): void;
}) {
  const reasons = useQuery(
    'deliveries.reasons',
    { deliveryId },
    { invalidateOn: { 'delivery.changed': (p) => p.id === deliveryId } },
  );
  const items = reasons.data?.items ?? [];
  const max = Math.max(1, ...items.map((r) => r.total));
  return (
    <Card
      title="Bounce reasons"
      description="Messages by failure reason, split by type (failures and exclusions)."
      className="reasons-card"
      testId="reasons"
    >
      <ErrorBanner error={reasons.error} title="The reasons could not be loaded" />
      {reasons.loading ? (
        <div className="loading">Loading…</div>
      ) : items.length === 0 ? (
        <p className="muted small">No failure or exclusion yet.</p>
      ) : (
        <>
          <ul className="reason-bars" aria-label="Messages by reason">
            {items.map((r) => (
              <li key={r.reason} data-testid={`reason-${r.reason}`}>
                <button
                  type="button"
                  className="reason-bar"
                  onClick={() => onSelect?.(r.reason)}
                  title={`${REASONS[r.reason].label}: ${SEGMENTS.filter((t) => r.byType[t])
                    .map((t) => `${formatCount(r.byType[t] ?? 0)} ${FAILURE_TYPE_LABELS[t].toLowerCase()}`)
                    .join(', ')} — show them in the log`}
                >
                  <span className="reason-label">{REASONS[r.reason].label}</span>
                  <span className="reason-track" aria-hidden="true">
                    {SEGMENTS.map((t) =>
                      r.byType[t] ? (
                        <span
                          key={t}
                          className={`reason-seg seg-${t}`}
                          style={{ width: `${((r.byType[t] ?? 0) / max) * 100}%` }}
                        />
                      ) : null,
                    )}
                  </span>
                  <span className="reason-count num">{formatCount(r.total)}</span>
                </button>
              </li>
            ))}
          </ul>
          <p className="legend small muted" aria-hidden="true">
            {SEGMENTS.map((t) => (
              <span key={t} className="legend-item">
                <span className={`legend-swatch seg-${t}`} /> {FAILURE_TYPE_LABELS[t]}
              </span>
            ))}
          </p>
        </>
      )}
    </Card>
  );
}
