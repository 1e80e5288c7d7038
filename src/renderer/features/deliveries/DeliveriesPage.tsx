import { useCallback } from 'react';
import type { DeliverySummary } from '../../../shared/contract';
import { navigate, paths } from '../../app/router';
import { useClient } from '../../api/client-context';
import { usePagedList } from '../../api/use-paged-list';
import { StateBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { DataTable, type Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatDateTime, formatRate } from '../../components/format';
import { LoadMoreFooter } from '../../components/PagedTable';
import { ProgressBar } from '../../components/ProgressBar';

const COLUMNS: readonly Column<DeliverySummary>[] = [
  {
    id: 'name',
    header: 'Name',
    width: 'minmax(200px, 3fr)',
    render: (d) => <span className="strong truncate">{d.name}</span>,
    title: (d) => d.name,
  },
  { id: 'state', header: 'State', width: '128px', render: (d) => <StateBadge state={d.state} /> },
  {
    id: 'created',
    header: 'Created',
    width: '188px',
    render: (d) => formatDateTime(d.createdAt),
  },
  {
    id: 'progress',
    header: 'Progress',
    width: 'minmax(180px, 1.5fr)',
    render: (d) => (
      <span className="progress-cell">
        <ProgressBar value={d.kpi.processed} max={d.kpi.toDeliver} label={`${d.name}: processed`} />
        <span className="num muted">
          {formatCount(d.kpi.processed)} / {formatCount(d.kpi.toDeliver)}
        </span>
      </span>
    ),
  },
  {
    id: 'sent',
    header: 'Sent',
    width: '88px',
    align: 'end',
    render: (d) => <span className="num">{formatCount(d.statusCounts.sent ?? 0)}</span>,
  },
  {
    id: 'failed',
    header: 'Failed',
    width: '88px',
    align: 'end',
    render: (d) => <span className="num">{formatCount(d.statusCounts.failed ?? 0)}</span>,
  },
  {
    id: 'success',
    header: 'Success',
    width: '88px',
    align: 'end',
    render: (d) => <span className="num strong">{formatRate(d.kpi.successRate)}</span>,
  },
];

export function DeliveriesPage() {
  const client = useClient();
  const list = usePagedList((cursor, limit) => client.call('deliveries.list', { cursor, limit }), '', {
    pageSize: 50,
    invalidateOn: { 'delivery.changed': true },
  });
  const getRow = useCallback((i: number) => list.items[i], [list.items]);
  const open = useCallback((d: DeliverySummary) => navigate(paths.delivery(d.id)), []);

  return (
    <div className="page" data-testid="deliveries-page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Deliveries</h1>
          <p className="page-subtitle">
            Every delivery with its live status. Select one to see its counters and delivery log.
          </p>
        </div>
        <a className="btn btn-primary" href={paths.newDelivery()} data-testid="new-delivery-link">
          New delivery
        </a>
      </header>
      <ErrorBanner
        error={list.error}
        title="The deliveries could not be loaded"
        action={<Button onClick={list.reload}>Retry</Button>}
      />
      {!list.loaded ? (
        <Card>
          <div className="loading" data-testid="deliveries-loading">
            Loading deliveries…
          </div>
        </Card>
      ) : list.items.length === 0 && !list.error ? (
        <Card>
          <EmptyState
            testId="deliveries-empty"
            title="No deliveries yet"
            body={
              <>
                Create one from a recipient CSV and a message template. To try Relaydeck in one click, use the
                demo template and demo list: they run against the built-in sandbox, which answers like real
                receivers (accepted, unknown users, greylisting, full mailboxes, spam blocks).
              </>
            }
            action={
              <a className="btn btn-primary" href={paths.newDelivery()} data-testid="empty-new-delivery">
                New delivery
              </a>
            }
          />
        </Card>
      ) : (
        <Card className="card-flush">
          <DataTable
            label="Deliveries"
            testId="deliveries-table"
            rowTestId="delivery-row"
            columns={COLUMNS}
            rowCount={list.items.length}
            getRow={getRow}
            rowKey={(d) => d.id}
            onRowActivate={open}
            maxHeight="calc(100vh - 230px)"
            rowHeight={40}
          />
          <LoadMoreFooter
            list={list}
            count={`${formatCount(list.items.length)} ${list.items.length === 1 ? 'delivery' : 'deliveries'}${list.nextCursor !== null ? ' shown' : ''}`}
            moreTestId="load-more"
          />
        </Card>
      )}
    </div>
  );
}
