import type { ShapingEvent } from '../../../shared/contract/mta';
import { useClient } from '../../api/client-context';
import { usePagedList } from '../../api/use-paged-list';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatTimestamp } from '../../components/format';
import { LoadMoreFooter } from '../../components/PagedTable';
import { describeLimitChange, SHAPING_KINDS } from './destinations-model';
import { useVisibleInterval } from './use-visible-interval';

const REFRESH_MS = 2_000;

/**
 * The automatic changes (slow-downs, suspensions, raises, learnt limits, breaker, automation, rule changes),
 * newest first, each with its cause; a learnt limit's change reads "connections 25 → 3".
 */
export function ShapingLog({
  destination,
  onClearDestination,
}: {
  destination: string | null;
  onClearDestination(): void;
}) {
  const client = useClient();
  const log = usePagedList(
    (cursor, limit) =>
      client.call('shaping.events', { ...(destination === null ? {} : { destination }), cursor, limit }),
    destination ?? '',
    { pageSize: 50 },
  );
  useVisibleInterval(log.reload, REFRESH_MS);
  // Another destination's rows are not shown while its own load.
  const loading = !log.loaded || log.stale;

  return (
    <Card
      className="card-flush"
      title="Automatic changes"
      description="Every change the engine made on its own, with its cause."
      actions={
        destination !== null && (
          <button
            type="button"
            className="filter-chip"
            aria-pressed="true"
            onClick={onClearDestination}
            title="Show the changes of every destination"
            data-testid="shaping-filter"
          >
            <span className="mono">{destination}</span> ✕
          </button>
        )
      }
      testId="shaping-log"
    >
      <ErrorBanner error={log.error} title="The change log could not be loaded" />
      {loading ? (
        <div className="loading">Loading changes…</div>
      ) : log.items.length === 0 ? (
        <EmptyState
          title="No automatic change yet"
          body={
            destination !== null
              ? 'Nothing was changed automatically for this destination.'
              : 'Slow-downs on rate-limit replies, suspensions, raises after sustained acceptance, breaker openings and rule changes are listed here with their cause.'
          }
          testId="shaping-empty"
        />
      ) : (
        <div className="shaping-table-wrap">
          <table className="table-compact table-full shaping-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Destination</th>
                <th scope="col">Change</th>
                <th scope="col">Cause</th>
              </tr>
            </thead>
            <tbody>
              {log.items.map((e) => (
                <ShapingRow key={e.id} event={e} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!loading && log.items.length > 0 && (
        <LoadMoreFooter
          list={log}
          count={`${formatCount(log.items.length)} change${log.items.length === 1 ? '' : 's'}${log.nextCursor !== null ? ' shown' : ''}`}
          moreTestId="shaping-load-more"
        />
      )}
    </Card>
  );
}

function ShapingRow({ event: e }: { event: ShapingEvent }) {
  const kind = SHAPING_KINDS[e.kind];
  const change = describeLimitChange(e);
  return (
    <tr data-testid="shaping-row">
      <td className="num muted">{formatTimestamp(e.at)}</td>
      <td className="mono" title={e.destination}>
        {e.destination === '*' ? 'all' : e.destination}
      </td>
      <td className="shaping-change">
        <Badge tone={kind.tone}>{kind.label}</Badge>
        {change !== null && (
          <span className="num" data-testid="shaping-limit-change">
            {change}
          </span>
        )}
      </td>
      <td className="shaping-cause" title={e.cause}>
        {e.cause}
      </td>
    </tr>
  );
}
