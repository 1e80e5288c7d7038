import { useCallback, useEffect, useRef, useState } from 'react';
import type { LogFilter, LogRow } from '../../../shared/contract';
import {
  FAILURE_TYPE_LABELS,
  FAILURE_TYPES,
  REASON_IDS,
  REASONS,
  type FailureType,
  type ReasonId,
} from '../../../shared/domain/reasons';
import { LOG_STATUSES, type LogStatus } from '../../../shared/domain/statuses';
import { shortStatusLabel } from '../../components/Badge';
import { Button } from '../../components/Button';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount } from '../../components/format';
import { toAppError } from '../../api/hooks';
import { STATUS_TONE } from '../../components/tones';
import { LOG_COLUMNS } from './log-columns';
import { LogDrawer } from './LogDrawer';
import { useLogWindow, type LogSort } from './use-log-window';

const DEFAULT_SORT: LogSort = { key: 'id', dir: 'asc' };
const SEARCH_DEBOUNCE_MS = 300;
/** Above this many rows the log gets a scrollbar over the whole list (the table scrolls a window of it). */
const SCALED_SCROLL_MIN = 1000;
const SCROLLBAR_SETTLE_MS = 150;
/** Keys on the scaled scrollbar: a share of the log to move by (up is negative), or an end. */
const SCROLLBAR_KEY_STEPS: Record<string, number | 'start' | 'end'> = {
  ArrowUp: -0.01,
  ArrowLeft: -0.01,
  ArrowDown: 0.01,
  ArrowRight: 0.01,
  PageUp: -0.1,
  PageDown: 0.1,
  Home: 'start',
  End: 'end',
};

/** The log filters the page shares with the status tiles, the reasons chart and the domains table. */
export interface LogFilters {
  statuses: LogStatus[];
  type: FailureType | null;
  reason: ReasonId | null;
  domain: string | null;
}

export const NO_FILTERS: LogFilters = { statuses: [], type: null, reason: null, domain: null };

export interface DeliveryLogProps {
  deliveryId: string;
  filters: LogFilters;
  onFiltersChange(filters: LogFilters): void;
}

/** The delivery log: server-side keyset paging, virtualised rows, live refresh, filters, sort and search. */
export function DeliveryLog({ deliveryId, filters, onFiltersChange }: DeliveryLogProps) {
  const { statuses } = filters;
  const onStatusesChange = (next: LogStatus[]) => onFiltersChange({ ...filters, statuses: next });
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<LogSort>(DEFAULT_SORT);
  const [selected, setSelected] = useState<LogRow | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(searchText.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [searchText]);

  const filter: LogFilter = {
    ...(statuses.length ? { status: [...statuses] } : {}),
    ...(filters.type ? { failureType: [filters.type] } : {}),
    ...(filters.reason ? { reason: [filters.reason] } : {}),
    ...(filters.domain ? { domain: filters.domain } : {}),
    ...(search ? { search } : {}),
  };
  const { win, start, jumpTo } = useLogWindow(deliveryId, filter, sort);
  const [firstVisible, setFirstVisible] = useState(0);
  const onRange = useCallback(
    (first: number, last: number) => {
      win.setVisibleRange(first, last);
      setFirstVisible(first);
    },
    [win],
  );
  // While a moved window loads, the log's size known from the move keeps the scrollbar (and its focus) in place.
  const total = win.total ?? start.total ?? 0;
  // Home / End pressed while the window is not settled (its size not yet known, or a jump on its way, e.g.
  // from the scrollbar just left) are kept and carried out once it is: a later key must win over an earlier
  // jump that answers late.
  const inFlight = useRef(0);
  // The table is remounted when the window moves: keyboard focus goes to the new one.
  const tableFocus = useRef(false);
  const pendingEdge = useRef<'start' | 'end' | null>(null);
  // Counts the moments the last jump on its way answered: a superseded jump moves nothing, so without it a key
  // kept while it was on its way would wait for a render that never comes.
  const [jumpsSettled, setJumpsSettled] = useState(0);
  const jump = (position: number) => {
    inFlight.current++;
    void jumpTo(position)
      .catch(() => undefined /* the window keeps its place; errors show on the next page */)
      .finally(() => {
        if (--inFlight.current === 0) setJumpsSettled((n) => n + 1);
      });
  };
  const onEdgeKey = (edge: 'start' | 'end') => {
    if (win.total === null || inFlight.current > 0) {
      pendingEdge.current = edge;
      return true;
    }
    // Within the window the table handles Home / End itself; beyond it, the window moves.
    if (edge === 'start' && win.offset === 0) return false;
    if (edge === 'end' && win.offset + win.rowCount >= total) return false;
    jump(edge === 'start' ? 0 : total - 1);
    return true;
  };
  useEffect(() => {
    const edge = pendingEdge.current;
    if (edge === null || win.total === null || inFlight.current > 0) return;
    pendingEdge.current = null;
    jump(edge === 'start' ? 0 : Math.max(0, win.total - 1));
    // `jump` is a fresh closure each render; the pending key is read from the ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [win, win.total, jumpsSettled]);

  const onSortChange = (key: string) =>
    setSort((s) => {
      if (s.key !== key) return { key: key as LogSort['key'], dir: 'asc' };
      return s.dir === 'asc' ? { key: s.key, dir: 'desc' } : DEFAULT_SORT;
    });

  const toggleStatus = (s: LogStatus) =>
    onStatusesChange(statuses.includes(s) ? statuses.filter((x) => x !== s) : [...statuses, s]);
  const filtered = JSON.stringify(filter) !== '{}';
  const error = win.error === null ? null : toAppError(win.error);

  return (
    <section className="card card-flush" aria-labelledby="log-title" data-testid="delivery-log">
      <header className="card-header log-header">
        <div>
          <h2 className="card-title" id="log-title">
            Delivery log
          </h2>
          <p className="card-description num" data-testid="log-total">
            {win.total === null
              ? 'Loading…'
              : `${formatCount(win.total)} ${win.total === 1 ? 'message' : 'messages'}${filtered ? ' match' : ''}`}
          </p>
        </div>
        <div className="log-tools">
          <div className="chips" role="group" aria-label="Filter by status">
            {LOG_STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                className={`filter-chip tone-${STATUS_TONE[s]}`}
                aria-pressed={statuses.includes(s)}
                onClick={() => toggleStatus(s)}
                data-testid={`filter-${s}`}
              >
                {shortStatusLabel(s)}
              </button>
            ))}
            {statuses.length > 0 && (
              <Button size="sm" variant="ghost" onClick={() => onStatusesChange([])} testId="filter-clear">
                Clear
              </Button>
            )}
          </div>
          <select
            className="input select select-inline"
            aria-label="Failure type"
            value={filters.type ?? ''}
            onChange={(e) =>
              onFiltersChange({ ...filters, type: (e.target.value || null) as FailureType | null })
            }
            data-testid="filter-type"
          >
            <option value="">Any type</option>
            {FAILURE_TYPES.map((t) => (
              <option key={t} value={t}>
                {FAILURE_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
          <select
            className="input select select-inline"
            aria-label="Failure reason"
            value={filters.reason ?? ''}
            onChange={(e) =>
              onFiltersChange({ ...filters, reason: (e.target.value || null) as ReasonId | null })
            }
            data-testid="filter-reason"
          >
            <option value="">Any reason</option>
            {REASON_IDS.map((r) => (
              <option key={r} value={r}>
                {REASONS[r].label}
              </option>
            ))}
          </select>
          {filters.domain && (
            <button
              type="button"
              className="filter-chip tone-blue"
              aria-pressed="true"
              title="Remove the domain filter"
              onClick={() => onFiltersChange({ ...filters, domain: null })}
              data-testid="filter-domain"
            >
              {filters.domain} ✕
            </button>
          )}
          <input
            type="search"
            className="input search"
            placeholder="Search address or @domain"
            aria-label="Search by address; @domain searches a domain"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            data-testid="log-search"
          />
        </div>
      </header>
      {error && (
        <ErrorBanner
          error={error}
          title="The delivery log could not be loaded"
          action={<Button onClick={() => win.retry()}>Retry</Button>}
        />
      )}
      <div className="log-body">
        <DataTable<LogRow>
          key={JSON.stringify({ filter, sort, start })}
          initialIndex={start.focus}
          onEdgeKey={onEdgeKey}
          focusCarrier={tableFocus}
          label="Delivery log"
          testId="log-table"
          rowTestId="log-row"
          columns={LOG_COLUMNS}
          rowCount={win.rowCount}
          getRow={(i) => win.row(i)}
          rowKey={(r) => r.id}
          onVisibleRangeChange={onRange}
          onRowActivate={(r) => setSelected(r)}
          rowClassName={(r) => (r.id === selected?.id ? 'is-selected' : undefined)}
          sort={sort}
          onSortChange={onSortChange}
          maxHeight="max(360px, calc(100vh - 300px))"
          empty={
            win.total === null ? (
              <div className="loading">Loading the delivery log…</div>
            ) : (
              <EmptyState
                title={filtered ? 'No message matches' : 'No messages yet'}
                body={
                  filtered
                    ? 'Change the filters or the search.'
                    : 'Rows appear as the recipient list is prepared.'
                }
              />
            )
          }
        />
        {total > SCALED_SCROLL_MIN && (
          <ScaledScrollbar total={total} position={win.offset + firstVisible} onJump={jump} />
        )}
      </div>
      {selected && <LogDrawer row={selected} onClose={() => setSelected(null)} />}
    </section>
  );
}

/**
 * A scrollbar scaled to the whole log: the browser cannot lay out a million rows, so the table scrolls a window
 * of the log and this bar moves the window (a `logs.seek` once the thumb settles). Keyboard: up is towards the
 * start of the log, as on a scrollbar (arrows 1 % of it, Page Up / Down 10 %, Home / End).
 */
function ScaledScrollbar({
  total,
  position,
  onJump,
}: {
  total: number;
  position: number;
  onJump(position: number): void;
}) {
  const [dragging, setDragging] = useState<number | null>(null);
  useEffect(() => {
    if (dragging === null) return;
    const timer = setTimeout(() => {
      onJump(dragging);
      setDragging(null);
    }, SCROLLBAR_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [dragging, onJump]);
  const value = dragging ?? Math.min(position, total - 1);
  return (
    <div className="log-scroll">
      <input
        type="range"
        className="log-scrollbar"
        min={0}
        max={total - 1}
        step={1}
        value={value}
        aria-label="Position in the delivery log"
        aria-valuetext={`Row ${formatCount(value + 1)} of ${formatCount(total)}`}
        onChange={(e) => setDragging(Number(e.target.value))}
        // The bar runs down the log, so up is towards its start (a native range input would step its value up):
        // arrows move 1 % of the log, Page Up / Down 10 %, Home / End to its ends.
        onKeyDown={(e) => {
          const step = SCROLLBAR_KEY_STEPS[e.key];
          if (step === undefined) return;
          e.preventDefault();
          const to = step === 'start' ? 0 : step === 'end' ? total - 1 : value + Math.round(step * total);
          setDragging(Math.min(total - 1, Math.max(0, to)));
        }}
        // Leaving the bar settles it at once: a key pressed next on the table (End) must come after it.
        onBlur={() => {
          if (dragging === null) return;
          onJump(dragging);
          setDragging(null);
        }}
        data-testid="log-scrollbar"
      />
      <span className="log-position small muted num" data-testid="log-position">
        {formatCount(value + 1)}
      </span>
    </div>
  );
}
