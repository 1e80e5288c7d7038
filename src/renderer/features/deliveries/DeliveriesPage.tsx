/**
 * "Deliveries": every delivery with its live status, searchable (name, id, From, subject), filtered (state,
 * reporting mode, route, creation dates) and sorted, keyset paged. The search, filters and sort live in the
 * URL (`#/deliveries?…`, deliveries-list-model.ts), so Back from a delivery returns to the same list.
 */
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { DeliverySort, DeliverySummary } from '../../../shared/contract';
import {
  DELIVERY_ROUTE_KINDS,
  DELIVERY_SORTS,
  type DeliveryRouteKind,
} from '../../../shared/contract/deliveries-list';
import {
  DELIVERY_STATE_LABELS,
  DELIVERY_STATES,
  REPORTING_MODES,
  type ReportingMode,
} from '../../../shared/domain/statuses';
import { navigate, parseRoute, paths } from '../../app/router';
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
import { STATE_TONE } from '../../components/tones';
import { FilterChips } from '../bounces/FilterChips';
import { useDebounced } from '../bounces/use-debounced';
import {
  DEFAULT_LIST_STATE,
  FIRST_DIRECTION,
  REPORTING_LABELS,
  ROUTE_LABELS,
  SORT_LABELS,
  dateRangeProblem,
  isFiltered,
  nextSort,
  parseListQuery,
  toListInput,
  toListQuery,
  type DeliveriesListState,
} from './deliveries-list-model';
import './deliveries-list.css';

/** The delivery id, with a button copying it (the row itself opens the delivery). */
function IdCell({ id }: { id: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (copied === 'idle') return;
    const timer = setTimeout(() => setCopied('idle'), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = (e: MouseEvent) => {
    e.stopPropagation();
    navigator.clipboard.writeText(id).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  return (
    <span className="delivery-id">
      <span className="num">{id}</span>
      <button
        type="button"
        className="id-copy"
        onClick={copy}
        onKeyDown={(e: KeyboardEvent) => e.stopPropagation()}
        aria-label={`Copy delivery id ${id}`}
        title={copied === 'failed' ? 'Could not copy: select the id' : 'Copy the id'}
        data-testid="delivery-id-copy"
      >
        {copied === 'copied' ? (
          '✓'
        ) : (
          <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" className="id-copy-icon">
            <rect x="3.5" y="3.5" width="7" height="7" rx="1" />
            <path d="M1.5 8V2.5a1 1 0 0 1 1-1H8" />
          </svg>
        )}
      </button>
    </span>
  );
}

const COLUMNS: readonly Column<DeliverySummary>[] = [
  {
    id: 'id',
    header: 'ID',
    width: '68px',
    render: (d) => <IdCell id={d.id} />,
  },
  {
    id: 'name',
    header: 'Name',
    width: 'minmax(200px, 3fr)',
    sortKey: 'name',
    render: (d) => <span className="strong truncate">{d.name}</span>,
    title: (d) => d.name,
  },
  { id: 'state', header: 'State', width: '128px', render: (d) => <StateBadge state={d.state} /> },
  {
    id: 'created',
    header: 'Created',
    width: '180px',
    sortKey: 'created',
    render: (d) => formatDateTime(d.createdAt),
  },
  {
    id: 'progress',
    header: 'Progress',
    width: 'minmax(160px, 1.5fr)',
    sortKey: 'recipients',
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
    width: '80px',
    align: 'end',
    render: (d) => <span className="num">{formatCount(d.statusCounts.sent ?? 0)}</span>,
  },
  {
    id: 'failed',
    header: 'Failed',
    width: '80px',
    align: 'end',
    render: (d) => <span className="num">{formatCount(d.statusCounts.failed ?? 0)}</span>,
  },
  {
    id: 'success',
    header: 'Success',
    width: '96px',
    align: 'end',
    sortKey: 'success',
    render: (d) => <span className="num strong">{formatRate(d.kpi.successRate)}</span>,
  },
];

const queryOfHash = (): string => window.location.hash.split('?')[1] ?? '';

export function DeliveriesPage() {
  const client = useClient();
  const [view, setView] = useState<DeliveriesListState>(() => parseListQuery(queryOfHash()));
  const search = useDebounced(view.search, 300);
  const applied = useMemo(() => ({ ...view, search }), [view, search]);
  const input = useMemo(() => toListInput(applied), [applied]);
  const rangeProblem = dateRangeProblem(view);

  // The URL follows the list (replaced, not pushed: Back leaves the list, and comes back to it as it was).
  // Only while the address is still the list's: a navigation away (a link, a typed address) that lands before
  // this effect runs must not be undone.
  useEffect(() => {
    if (parseRoute(window.location.hash).name !== 'deliveries') return;
    const hash = paths.deliveries(toListQuery(applied));
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  }, [applied]);

  const list = usePagedList(
    (cursor, limit) => client.call('deliveries.list', { ...input, cursor, limit }),
    JSON.stringify(input),
    { pageSize: 50, invalidateOn: { 'delivery.changed': true } },
  );
  const getRow = useCallback((i: number) => list.items[i], [list.items]);
  const open = useCallback((d: DeliverySummary) => navigate(paths.delivery(d.id)), []);
  const set = (patch: Partial<DeliveriesListState>) => setView((v) => ({ ...v, ...patch }));
  const filtered = isFiltered(view);
  const noDeliveryAtAll = list.loaded && list.items.length === 0 && !list.error && !isFiltered(applied);

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
      {noDeliveryAtAll ? (
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
          <div className="deliveries-tools" role="search" aria-label="Search and filter the deliveries">
            <div className="deliveries-tools-row">
              <input
                type="search"
                className="input search deliveries-search"
                placeholder="Search name, id, From or subject"
                aria-label="Search deliveries by name, id, From address or subject"
                value={view.search}
                onChange={(e) => set({ search: e.target.value })}
                data-testid="deliveries-search"
              />
              <FilterChips
                label="Filter by state"
                options={DELIVERY_STATES.map((s) => ({
                  id: s,
                  label: DELIVERY_STATE_LABELS[s],
                  tone: STATE_TONE[s],
                }))}
                value={view.states}
                onChange={(states) => set({ states })}
                testIdPrefix="deliveries-state"
              />
            </div>
            <div className="deliveries-tools-row">
              <label className="tool-field">
                <span>Reporting</span>
                <select
                  className="input select select-inline"
                  value={view.reporting ?? ''}
                  onChange={(e) => set({ reporting: (e.target.value || null) as ReportingMode | null })}
                  data-testid="deliveries-reporting"
                >
                  <option value="">Any</option>
                  {REPORTING_MODES.map((m) => (
                    <option key={m} value={m}>
                      {REPORTING_LABELS[m]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="tool-field" title="Sandbox only: every message goes to the built-in sandbox">
                <span>Route</span>
                <select
                  className="input select select-inline"
                  value={view.route ?? ''}
                  onChange={(e) => set({ route: (e.target.value || null) as DeliveryRouteKind | null })}
                  data-testid="deliveries-route"
                >
                  <option value="">Any</option>
                  {DELIVERY_ROUTE_KINDS.map((r) => (
                    <option key={r} value={r}>
                      {ROUTE_LABELS[r]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="tool-field">
                <span>Created from</span>
                <input
                  type="date"
                  className="input"
                  value={view.from}
                  max={view.to || undefined}
                  onChange={(e) => set({ from: e.target.value })}
                  aria-invalid={rangeProblem !== null}
                  data-testid="deliveries-from"
                />
              </label>
              <label className="tool-field">
                <span>to</span>
                <input
                  type="date"
                  className="input"
                  value={view.to}
                  min={view.from || undefined}
                  onChange={(e) => set({ to: e.target.value })}
                  aria-invalid={rangeProblem !== null}
                  data-testid="deliveries-to"
                />
              </label>
              <label className="tool-field">
                <span>Sort by</span>
                <select
                  className="input select select-inline"
                  value={view.sort}
                  onChange={(e) => {
                    const sort = e.target.value as DeliverySort;
                    set({ sort, dir: FIRST_DIRECTION[sort] });
                  }}
                  data-testid="deliveries-sort"
                >
                  {DELIVERY_SORTS.map((s) => (
                    <option key={s} value={s}>
                      {SORT_LABELS[s]}
                    </option>
                  ))}
                </select>
              </label>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => set({ dir: view.dir === 'asc' ? 'desc' : 'asc' })}
                testId="deliveries-dir"
                aria-label={
                  view.dir === 'asc' ? 'Ascending: switch to descending' : 'Descending: switch to ascending'
                }
              >
                {view.dir === 'asc' ? '↑ Ascending' : '↓ Descending'}
              </Button>
              {filtered && (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setView({ ...DEFAULT_LIST_STATE, sort: view.sort, dir: view.dir })}
                  testId="deliveries-clear"
                >
                  Clear filters
                </Button>
              )}
            </div>
            {rangeProblem && (
              <p className="field-error" role="alert" data-testid="deliveries-range-error">
                {rangeProblem}
              </p>
            )}
          </div>
          {!list.loaded ? (
            <div className="loading" data-testid="deliveries-loading">
              Loading deliveries…
            </div>
          ) : (
            <DataTable
              label="Deliveries"
              testId="deliveries-table"
              rowTestId="delivery-row"
              columns={COLUMNS}
              rowCount={list.items.length}
              getRow={getRow}
              rowKey={(d) => d.id}
              onRowActivate={open}
              sort={{ key: view.sort, dir: view.dir }}
              onSortChange={(key) => set(nextSort(view, key as DeliverySort))}
              maxHeight="calc(100vh - 330px)"
              rowHeight={40}
              empty={
                <EmptyState
                  testId="deliveries-no-match"
                  title="No delivery matches"
                  body="Change the search or the filters: the search looks in the name, the id, the From address and the subject."
                  action={
                    <Button
                      onClick={() => setView({ ...DEFAULT_LIST_STATE, sort: view.sort, dir: view.dir })}
                    >
                      Clear filters
                    </Button>
                  }
                />
              }
            />
          )}
          <LoadMoreFooter
            list={list}
            count={`${formatCount(list.items.length)} ${list.items.length === 1 ? 'delivery' : 'deliveries'}${list.nextCursor !== null ? ' shown' : ''}${isFiltered(applied) ? ' (filtered)' : ''}`}
            moreTestId="load-more"
          />
        </Card>
      )}
    </div>
  );
}
