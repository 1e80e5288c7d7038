/**
 * "Quarantine" (SPEC §4.4): the list of addresses with a status other than plain valid, searchable by domain
 * (`@corp.test`) or any part of the address (`corp`), filtered by status, keyset paged; edit, remove, add, import and export it. Refreshed live on
 * `quarantine.changed` (bounces and complaints change it while deliveries run).
 */
import { useState } from 'react';
import type { QuarantineEntry, QuarantineStatus } from '../../../shared/contract/bounce';
import { REASONS } from '../../../shared/domain/reasons';
import { useClient } from '../../api/client-context';
import { useMutation } from '../../api/hooks';
import { usePagedList } from '../../api/use-paged-list';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import type { Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { formatCount, formatDateTime } from '../../components/format';
import { PagedTable } from '../../components/PagedTable';
import { FilterChips } from '../bounces/FilterChips';
import { useDebounced } from '../bounces/use-debounced';
import { QuarantineDrawer } from './QuarantineDrawer';
import { QuarantineImport } from './QuarantineImport';
import {
  downloadText,
  QUARANTINE_SOURCE_LABELS,
  QUARANTINE_STATUS_HINTS,
  QUARANTINE_STATUS_LABELS,
  QUARANTINE_STATUS_OPTIONS,
  QUARANTINE_STATUS_TONE,
  noMatchText,
  searchPrefix,
} from './quarantine-model';
import './quarantine.css';

const COLUMNS: readonly Column<QuarantineEntry>[] = [
  {
    id: 'address',
    header: 'Address',
    width: 'minmax(220px, 3fr)',
    render: (e) => <span className="truncate strong">{e.address}</span>,
    title: (e) => e.address,
  },
  {
    id: 'status',
    header: 'Status',
    width: '124px',
    render: (e) => (
      <Badge tone={QUARANTINE_STATUS_TONE[e.status]} title={QUARANTINE_STATUS_HINTS[e.status]}>
        <span className="dot" aria-hidden="true" />
        {QUARANTINE_STATUS_LABELS[e.status]}
      </Badge>
    ),
  },
  {
    id: 'errors',
    header: 'Errors',
    width: '72px',
    align: 'end',
    render: (e) => <span className="num">{formatCount(e.errorCount)}</span>,
  },
  {
    id: 'last-error',
    header: 'Last error',
    width: 'minmax(300px, 3fr)',
    render: (e) =>
      e.lastErrorAt === null ? (
        <span className="muted">—</span>
      ) : (
        <span className="truncate">
          {e.lastReason ? REASONS[e.lastReason].label : 'Error'}{' '}
          <span className="muted num">· {formatDateTime(e.lastErrorAt)}</span>
        </span>
      ),
    title: (e) =>
      e.lastErrorAt === null
        ? undefined
        : `${e.lastReason ? REASONS[e.lastReason].label : 'Error'}, ${formatDateTime(e.lastErrorAt)}`,
  },
  {
    id: 'since',
    header: 'In quarantine since',
    width: '184px',
    render: (e) => <span className="num">{formatDateTime(e.quarantinedAt)}</span>,
  },
  {
    id: 'source',
    header: 'Source',
    width: '96px',
    render: (e) => QUARANTINE_SOURCE_LABELS[e.source],
  },
  {
    id: 'note',
    header: 'Note',
    width: 'minmax(120px, 1fr)',
    render: (e) => <span className="truncate muted">{e.note}</span>,
    title: (e) => e.note || undefined,
  },
];

type Editing = { entry: QuarantineEntry | null };

export function QuarantinePage() {
  const client = useClient();
  const [statuses, setStatuses] = useState<QuarantineStatus[]>([]);
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchPrefix(searchText), 300);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const exportCsv = useMutation('quarantine.export');

  const filter = {
    ...(statuses.length ? { status: statuses } : {}),
    ...(search ? { search } : {}),
  };
  const list = usePagedList(
    (cursor, limit) => client.call('quarantine.list', { ...filter, cursor, limit }),
    JSON.stringify(filter),
    { invalidateOn: { 'quarantine.changed': true }, coalesceMs: 500 },
  );
  const counts: Partial<Record<QuarantineStatus, number>> = list.head?.counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const filtered = statuses.length > 0 || search !== '';

  const onExport = async () => {
    const r = await exportCsv.mutate(statuses.length ? { status: statuses } : {});
    if (r.ok) downloadText(r.value.fileName, r.value.csv);
  };

  return (
    <div className="page" data-testid="quarantine-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">Quarantine</h1>
          <p className="page-subtitle">
            Addresses that bounced or complained, and those you listed by hand. Quarantined and denylisted
            addresses are excluded when a delivery is prepared.
          </p>
        </div>
        <div className="row gap-1 page-actions">
          <Button
            onClick={() => void onExport()}
            disabled={exportCsv.pending}
            testId="quarantine-export"
            title={
              statuses.length ? 'Export the addresses with the selected statuses' : 'Export the whole list'
            }
          >
            {exportCsv.pending ? 'Exporting…' : 'Export CSV'}
          </Button>
          <Button variant="primary" onClick={() => setEditing({ entry: null })} testId="quarantine-add">
            Add address
          </Button>
        </div>
      </header>

      <details className="card quarantine-help" data-testid="quarantine-help">
        <summary className="strong">How addresses move between statuses</summary>
        <ul>
          <li>
            A <strong>hard</strong> bounce (user unknown, refused…) puts the address in{' '}
            <strong>Quarantine</strong> at once.
          </li>
          <li>
            A <strong>soft</strong> bounce counts one error per day at most; at <strong>5</strong> counted
            errors the address goes to Quarantine. Until then it is <strong>With errors</strong>.
          </li>
          <li>
            The counter resets after <strong>10 days</strong> without error or after a successful delivery; a
            quarantine for a full mailbox clears after <strong>30 days</strong>.
          </li>
          <li>
            A <strong>complaint</strong> (feedback loop) makes the address <strong>Denylisted</strong>.{' '}
            <strong>Allowlisted</strong> addresses never enter quarantine.
          </li>
        </ul>
      </details>

      {notice && (
        <Notice tone="blue" testId="quarantine-notice">
          {notice}
        </Notice>
      )}
      <ErrorBanner error={exportCsv.error} title="The list could not be exported" />

      <section className="card card-flush" aria-labelledby="quarantine-title" data-testid="quarantine-list">
        <header className="card-header log-header">
          <div>
            <h2 className="card-title" id="quarantine-title">
              Addresses
            </h2>
            <p className="card-description num" data-testid="quarantine-total">
              {list.loaded
                ? `${formatCount(total)} ${total === 1 ? 'address' : 'addresses'} in the list`
                : 'Loading…'}
            </p>
          </div>
          <div className="log-tools">
            <FilterChips
              label="Filter by status"
              options={QUARANTINE_STATUS_OPTIONS.map((o) => ({ ...o, count: counts[o.id] ?? 0 }))}
              value={statuses}
              onChange={setStatuses}
              testIdPrefix="quarantine-filter"
            />
            <input
              type="search"
              className="input search"
              placeholder="Search: part of an address, or @domain"
              aria-label="Search addresses: any part of the address, or @domain for one domain"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              data-testid="quarantine-search"
            />
          </div>
        </header>
        <QuarantineImport
          onImported={() => {
            setNotice(null);
            list.reload();
          }}
        />
        <PagedTable<QuarantineEntry>
          list={list}
          errorTitle="The quarantine list could not be loaded"
          loadingText="Loading the quarantine list…"
          label="Quarantine list"
          testId="quarantine-table"
          rowTestId="quarantine-row"
          columns={COLUMNS}
          rowKey={(e) => e.address}
          onRowActivate={(e) => setEditing({ entry: e })}
          rowClassName={(e) => (e.address === editing?.entry?.address ? 'is-selected' : undefined)}
          maxHeight="max(320px, calc(100vh - 420px))"
          empty={
            <EmptyState
              testId="quarantine-empty"
              title={filtered ? 'No address matches' : 'The list is empty'}
              body={
                filtered
                  ? noMatchText(search, statuses.length > 0)
                  : 'Addresses arrive here as deliveries bounce and complaints come in. You can also add or import some.'
              }
            />
          }
          count={`${formatCount(list.items.length)} shown${filtered ? ' (filtered)' : ''}`}
          countTestId="quarantine-count"
          moreTestId="quarantine-more"
        />
      </section>

      {editing && (
        <QuarantineDrawer
          key={editing.entry?.address ?? 'new'}
          entry={editing.entry}
          onClose={() => setEditing(null)}
          onDone={(message) => {
            setEditing(null);
            setNotice(message);
            list.reload();
          }}
        />
      )}
    </div>
  );
}
