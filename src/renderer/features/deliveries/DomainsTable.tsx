import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { DomainSort, DomainStats } from '../../../shared/contract';
import { useClient } from '../../api/client-context';
import { toAppError, useInvalidation } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { DataTable, type Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatRate } from '../../components/format';
import { PagedWindow } from './paged-window';

/** A count with its share of the processed messages ("8 · 80 %"). */
function share(
  id: string,
  header: string,
  count: (d: DomainStats) => number,
  rate: (d: DomainStats) => number | null,
): Column<DomainStats> {
  return {
    id,
    header,
    width: '124px',
    align: 'end',
    render: (d) => `${formatCount(count(d))} · ${formatRate(rate(d))}`,
  };
}

const COLUMNS: readonly Column<DomainStats>[] = [
  {
    id: 'domain',
    header: 'Domain',
    width: 'minmax(180px, 2fr)',
    sortKey: 'domain',
    render: (d) => (
      <span className="row gap-1 min-w-0">
        <span className="truncate mono">{d.domain}</span>
        {d.softAlert && (
          <Badge
            tone="red"
            title="Soft bounces (Failed with a soft type) above 10 % of the processed messages"
          >
            soft &gt; 10 %
          </Badge>
        )}
      </span>
    ),
    title: (d) => d.domain,
  },
  {
    id: 'total',
    header: 'Recipients',
    width: '124px',
    align: 'end',
    sortKey: 'volume',
    render: (d) => formatCount(d.total),
  },
  {
    id: 'processed',
    header: 'Processed',
    width: '96px',
    align: 'end',
    render: (d) => formatCount(d.processed),
  },
  share(
    'delivered',
    'Delivered',
    (d) => d.delivered,
    (d) => d.deliveredRate,
  ),
  share(
    'hard',
    'Hard bounces',
    (d) => d.hard,
    (d) => d.hardRate,
  ),
  share(
    'soft',
    'Soft bounces',
    (d) => d.soft,
    (d) => d.softRate,
  ),
  share(
    'other',
    'Other failures',
    (d) => d.failedOther,
    (d) => d.failedOtherRate,
  ),
  share(
    'in-progress',
    'In progress',
    (d) => d.inProgress,
    (d) => d.inProgressRate,
  ),
  {
    id: 'retrying',
    header: 'Retrying now',
    width: '128px',
    align: 'end',
    render: (d) => formatCount(d.deferredNow),
  },
];

/** Per-domain breakdown of a delivery (deliveries.domains), server-paged, live; a row filters the log. */
export function DomainsTable({
  deliveryId,
  onSelect,
}: {
  deliveryId: string;
  onSelect?(domain: string): void;
}) {
  const client = useClient();
  const [sort, setSort] = useState<DomainSort>('volume');
  const win = useMemo(
    () =>
      new PagedWindow<DomainStats>(
        (cursor, limit) => client.call('deliveries.domains', { deliveryId, sort, cursor, limit }),
        { pageSize: 100, maxPages: 6 },
      ),
    [client, deliveryId, sort],
  );
  useEffect(() => {
    win.start();
    return () => win.dispose();
  }, [win]);
  useSyncExternalStore(win.subscribe, win.getVersion);
  useInvalidation({ 'delivery.changed': (p) => p.id === deliveryId }, () => void win.refresh(), 1000);
  const onRange = useCallback((first: number, last: number) => win.setVisibleRange(first, last), [win]);
  const error = win.error === null ? null : toAppError(win.error);

  return (
    <section className="card card-flush" aria-labelledby="domains-title" data-testid="domains">
      <header className="card-header">
        <div>
          <h2 className="card-title" id="domains-title">
            Domains
          </h2>
          <p className="card-description num">
            {win.total === null
              ? 'Loading…'
              : `${formatCount(win.total)} ${win.total === 1 ? 'domain' : 'domains'}`}
            {
              ' · shares of the processed messages (delivered, hard and soft bounces, other failures and in progress add up to 100 %); retrying now: in progress after a soft bounce. Select a domain to see its messages in the log'
            }
          </p>
        </div>
      </header>
      {error && (
        <ErrorBanner
          error={error}
          title="The domains could not be loaded"
          action={<Button onClick={() => win.retry()}>Retry</Button>}
        />
      )}
      <DataTable<DomainStats>
        key={sort}
        label="Domains"
        testId="domains-table"
        rowTestId="domain-row"
        columns={COLUMNS}
        rowCount={win.rowCount}
        getRow={(i) => win.row(i)}
        rowKey={(d) => d.domain}
        onVisibleRangeChange={onRange}
        onRowActivate={onSelect ? (d) => onSelect(d.domain) : undefined}
        sort={{ key: sort, dir: sort === 'volume' ? 'desc' : 'asc' }}
        onSortChange={(key) => setSort(key as DomainSort)}
        maxHeight="max(320px, calc(100vh - 320px))"
        empty={
          win.total === null ? (
            <div className="loading">Loading the domains…</div>
          ) : (
            <EmptyState title="No domains yet" body="Domains appear as the recipient list is prepared." />
          )
        }
      />
    </section>
  );
}
