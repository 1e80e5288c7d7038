/**
 * The delivery-log qualification table (SPEC §4.2): one row per normalised reply, with its occurrences and
 * first raw text; filtered by status (To qualify by default), source and text; a row opens the requalify
 * drawer. Refreshed when deliveries log new replies or the bounce mailbox receives mail.
 */
import { useState } from 'react';
import {
  QUALIFICATION_SOURCES,
  QUALIFICATION_STATUSES,
  type QualificationListInput,
  type QualificationRow,
  type QualificationSource,
  type QualificationStatus,
} from '../../../shared/contract/bounce';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { useClient } from '../../api/client-context';
import { usePagedList } from '../../api/use-paged-list';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { Select } from '../../components/Field';
import { PagedTable } from '../../components/PagedTable';
import { formatCount, formatDateTime } from '../../components/format';
import { bounceClassLabel, type ReplySource } from './bounce-rules-model';
import { FilterChips } from './FilterChips';
import { QualificationDrawer } from './QualificationDrawer';
import {
  formatCodes,
  QUALIFICATION_SOURCE_HINTS,
  QUALIFICATION_SOURCE_LABELS,
  QUALIFICATION_STATUS_LABELS,
  QUALIFICATION_STATUS_TONE,
} from './qualification-model';
import { useDebounced } from './use-debounced';

const COLUMNS: readonly Column<QualificationRow>[] = [
  {
    id: 'occurrences',
    header: 'Seen',
    width: '72px',
    align: 'end',
    render: (r) => <span className="num strong">{formatCount(r.occurrences)}</span>,
  },
  {
    id: 'key',
    header: 'Normalised reply',
    width: 'minmax(240px, 4fr)',
    render: (r) => <code className="truncate">{r.key}</code>,
    title: (r) => `${r.key}\n\nFirst seen as:\n${r.firstRaw}`,
  },
  {
    id: 'codes',
    header: 'Code',
    width: '96px',
    render: (r) => <span className="mono num">{formatCodes(r)}</span>,
  },
  {
    id: 'class',
    header: 'Bounce class',
    width: 'minmax(150px, 1.1fr)',
    render: (r) => <span className="truncate">{bounceClassLabel(r.bounceClass)}</span>,
    title: (r) => bounceClassLabel(r.bounceClass),
  },
  {
    id: 'reason',
    header: 'Reason · type',
    width: 'minmax(170px, 1.3fr)',
    render: (r) => (
      <span className="truncate">
        {REASONS[r.reason].label} · {FAILURE_TYPE_LABELS[r.type]}
      </span>
    ),
    title: (r) => `${REASONS[r.reason].label} · ${FAILURE_TYPE_LABELS[r.type]}`,
  },
  {
    id: 'rule',
    header: 'Decided by',
    width: 'minmax(110px, 1fr)',
    render: (r) => <code className="truncate">{r.manual ? 'manual' : r.ruleId}</code>,
    // Hovering says why: the rule and the words of the reply it matched, or the status code's meaning.
    title: (r) => (r.manual ? 'Requalified by hand' : r.why || r.ruleId),
  },
  {
    id: 'status',
    header: 'Status',
    width: '108px',
    render: (r) => (
      <Badge tone={QUALIFICATION_STATUS_TONE[r.status]} title={r.manual ? 'Requalified by hand' : undefined}>
        <span className="dot" aria-hidden="true" />
        {QUALIFICATION_STATUS_LABELS[r.status]}
      </Badge>
    ),
  },
  {
    id: 'source',
    header: 'Source',
    width: '72px',
    render: (r) => QUALIFICATION_SOURCE_LABELS[r.source],
    title: (r) => QUALIFICATION_SOURCE_HINTS[r.source],
  },
  {
    id: 'last',
    header: 'Last seen',
    width: '168px',
    render: (r) => <span className="num">{formatDateTime(r.lastSeenAt)}</span>,
  },
];

const STATUS_OPTIONS = QUALIFICATION_STATUSES.map((s) => ({
  id: s,
  label: QUALIFICATION_STATUS_LABELS[s],
  tone: QUALIFICATION_STATUS_TONE[s],
}));

export function QualificationTab({ onCreateRule }: { onCreateRule(source: ReplySource): void }) {
  const client = useClient();
  const [statuses, setStatuses] = useState<QualificationStatus[]>(['to_qualify']);
  const [source, setSource] = useState<'' | QualificationSource>('');
  const [sort, setSort] = useState<'newest' | 'frequent'>('frequent');
  const [searchText, setSearchText] = useState('');
  const search = useDebounced(searchText.trim(), 300);
  const [selected, setSelected] = useState<QualificationRow | null>(null);

  const filter: Omit<QualificationListInput, 'cursor' | 'limit'> = {
    sort,
    ...(statuses.length ? { status: statuses } : {}),
    ...(source ? { source } : {}),
    ...(search ? { search } : {}),
  };
  const filterKey = JSON.stringify(filter);
  const list = usePagedList(
    (cursor, limit) => client.call('qualification.list', { ...filter, cursor, limit }),
    filterKey,
    { invalidateOn: { 'logs.changed': true, 'inmail.received': true }, coalesceMs: 1000 },
  );
  const filtered = statuses.length > 0 || source !== '' || search !== '';

  return (
    <section className="card card-flush" aria-labelledby="qualification-title" data-testid="qualification">
      <header className="card-header log-header">
        <div>
          <h2 className="card-title" id="qualification-title">
            Delivery log qualification
          </h2>
          <p className="card-description">
            Replies are normalised (addresses, ids, IPs, dates and numbers become placeholders) so identical
            failures share one row. Qualify the new ones: keep the rules&apos; verdict, correct it, or write a
            rule.
          </p>
        </div>
        <div className="log-tools">
          <FilterChips
            label="Filter by status"
            options={STATUS_OPTIONS}
            value={statuses}
            onChange={setStatuses}
            testIdPrefix="qualification-filter"
          />
          <Select
            className="select-inline"
            aria-label="Source"
            value={source}
            onChange={(e) => setSource(e.target.value as '' | QualificationSource)}
            data-testid="qualification-source"
          >
            <option value="">SMTP and inMail</option>
            {QUALIFICATION_SOURCES.map((s) => (
              <option key={s} value={s}>
                {QUALIFICATION_SOURCE_LABELS[s]} only
              </option>
            ))}
          </Select>
          <Select
            className="select-inline"
            aria-label="Order"
            value={sort}
            onChange={(e) => setSort(e.target.value as 'newest' | 'frequent')}
          >
            <option value="frequent">Most frequent first</option>
            <option value="newest">Newest first</option>
          </Select>
          <input
            type="search"
            className="input search"
            placeholder="Search replies"
            aria-label="Search the normalised and raw replies"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            data-testid="qualification-search"
          />
        </div>
      </header>
      <PagedTable<QualificationRow>
        list={list}
        errorTitle="The qualification table could not be loaded"
        loadingText="Loading the qualification table…"
        label="Delivery log qualification"
        testId="qualification-table"
        rowTestId="qualification-row"
        columns={COLUMNS}
        rowKey={(r) => r.id}
        onRowActivate={(r) => setSelected(r)}
        rowClassName={(r) => (r.id === selected?.id ? 'is-selected' : undefined)}
        maxHeight="max(320px, calc(100vh - 330px))"
        empty={
          <EmptyState
            testId="qualification-empty"
            title={filtered ? 'No reply matches' : 'No replies yet'}
            body={
              filtered
                ? 'Change the filters or the search. Replies already qualified are under Keep and Ignore.'
                : 'Each distinct failure reply of a delivery, and each DSN received on the bounce mailbox, shows up here.'
            }
          />
        }
        count={
          <>
            {formatCount(list.items.length)} {list.items.length === 1 ? 'reply' : 'replies'}
            {list.nextCursor !== null ? ' shown' : ''}
          </>
        }
        countTestId="qualification-count"
        moreTestId="qualification-more"
      />
      {selected && (
        <QualificationDrawer
          key={selected.id}
          row={selected}
          onClose={() => setSelected(null)}
          onSaved={() => {
            setSelected(null);
            list.reload();
          }}
          onCreateRule={(s) => {
            setSelected(null);
            onCreateRule(s);
          }}
        />
      )}
    </section>
  );
}
