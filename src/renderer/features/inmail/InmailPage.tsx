/**
 * "Inbound mail" (SPEC §4.3): the bounce mailbox. Listener and IMAP status at the top, .eml/.mbox import by
 * drag and drop, the received messages (newest first, filtered by matched/unmatched and kind) with a drawer per
 * message, and the IMAP polling settings. Refreshed live on `inmail.received`.
 */
import { useState } from 'react';
import { INBOUND_MESSAGE_KINDS, type InboundMessageSummary } from '../../../shared/contract/bounce';
import { navigate, paths } from '../../app/router';
import { useClient } from '../../api/client-context';
import { useQuery } from '../../api/hooks';
import { usePagedList } from '../../api/use-paged-list';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Select } from '../../components/Field';
import { formatCount, formatDateTime } from '../../components/format';
import { PagedTable } from '../../components/PagedTable';
import { FilterChips } from '../bounces/FilterChips';
import { ImapSettingsCard } from './ImapSettingsForm';
import { InmailDrawer } from './InmailDrawer';
import { InmailImport } from './InmailImport';
import {
  describeImap,
  describeListener,
  KIND_HINTS,
  KIND_LABELS,
  KIND_TONE,
  SOURCE_LABELS,
  type InboundKind,
} from './inmail-model';
import './inmail.css';

const COLUMNS: readonly Column<InboundMessageSummary>[] = [
  {
    id: 'received',
    header: 'Received',
    width: '184px',
    render: (m) => <span className="num">{formatDateTime(m.receivedAt)}</span>,
  },
  { id: 'source', header: 'Source', width: '104px', render: (m) => SOURCE_LABELS[m.source] },
  {
    id: 'kind',
    header: 'Kind',
    width: '152px',
    render: (m) => (
      <Badge tone={KIND_TONE[m.kind]} title={KIND_HINTS[m.kind]}>
        {KIND_LABELS[m.kind]}
      </Badge>
    ),
  },
  {
    id: 'from',
    header: 'From',
    width: 'minmax(140px, 1.5fr)',
    render: (m) => <span className="truncate">{m.from ?? '—'}</span>,
    title: (m) => m.from ?? undefined,
  },
  {
    id: 'subject',
    header: 'Subject',
    width: 'minmax(180px, 2fr)',
    render: (m) => (
      <span className="truncate">{m.subject ?? <span className="muted">(no subject)</span>}</span>
    ),
    title: (m) => m.subject ?? undefined,
  },
  {
    id: 'recipients',
    header: 'Recipients',
    width: 'minmax(140px, 1.5fr)',
    render: (m) => (
      <span className="truncate mono">{m.recipients?.length ? m.recipients.join(', ') : '—'}</span>
    ),
    title: (m) => m.recipients?.join('\n'),
  },
  {
    id: 'matched',
    header: 'Matched',
    width: '120px',
    render: (m) =>
      m.matched && m.deliveryId !== null ? (
        <a
          href={paths.delivery(m.deliveryId)}
          onClick={(e) => e.stopPropagation()}
          title="Open the delivery"
          data-testid="inmail-matched-link"
        >
          Delivery {m.deliveryId}
        </a>
      ) : (
        <Badge tone="amber" testId="inmail-unmatched">
          Unmatched
        </Badge>
      ),
  },
  {
    id: 'outcome',
    header: 'Outcome',
    width: 'minmax(160px, 2fr)',
    render: (m) =>
      m.error ? (
        <span className="truncate field-error">{m.error}</span>
      ) : (
        <span className="truncate">{m.outcome ?? '—'}</span>
      ),
    title: (m) => m.error ?? m.outcome ?? undefined,
  },
];

const KIND_OPTIONS = INBOUND_MESSAGE_KINDS.map((k) => ({ id: k, label: KIND_LABELS[k], tone: KIND_TONE[k] }));

/** `open`: a message to show in the drawer at once (`#/inmail/<id>`, from a delivery log's drawer). */
export function InmailPage({ open }: { open?: string | undefined } = {}) {
  const client = useClient();
  const status = useQuery(
    'inmail.status',
    {},
    { invalidateOn: { 'inmail.received': true }, coalesceMs: 500 },
  );
  const [matched, setMatched] = useState<'' | 'matched' | 'unmatched'>('');
  const [kinds, setKinds] = useState<InboundKind[]>([]);
  const [selected, setSelected] = useState<string | null>(open ?? null);

  const filter = {
    ...(matched ? { matched: matched === 'matched' } : {}),
    ...(kinds.length ? { kind: kinds } : {}),
  };
  const list = usePagedList(
    (cursor, limit) => client.call('inmail.list', { ...filter, cursor, limit }),
    JSON.stringify(filter),
    { invalidateOn: { 'inmail.received': true }, coalesceMs: 500 },
  );
  const s = status.data;
  const filtered = matched !== '' || kinds.length > 0;

  return (
    <div className="page" data-testid="inmail-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">Inbound mail</h1>
          <p className="page-subtitle">
            The bounce mailbox: asynchronous bounces (DSNs), complaints and auto-replies, tied back to the
            messages they are about. Unmatched mail is kept and listed, never dropped.
          </p>
        </div>
      </header>

      <div className="inmail-status" data-testid="inmail-status">
        <span className="topbar-meta" data-testid="inmail-listener">
          <span className={s?.listener.running ? 'status-dot is-on' : 'status-dot'} aria-hidden="true" />
          SMTP listener <code>{s ? describeListener(s.listener) : '…'}</code>
        </span>
        <span className="topbar-meta" data-testid="inmail-imap">
          <span
            className={s?.imap.enabled && s.imap.state !== 'error' ? 'status-dot is-on' : 'status-dot'}
            aria-hidden="true"
          />
          IMAP {s ? describeImap(s.imap) : '…'}
        </span>
        {s && (
          <span className="topbar-meta muted num">
            {formatCount(s.messages)} received · {formatCount(s.unmatched)} unmatched
          </span>
        )}
      </div>
      <ErrorBanner error={status.error} title="The mailbox status could not be loaded" />

      <section className="card card-flush" aria-labelledby="inmail-title" data-testid="inmail-list">
        <header className="card-header log-header">
          <div>
            <h2 className="card-title" id="inmail-title">
              Received messages
            </h2>
            <p className="card-description">
              Newest first. Select one for each recipient&apos;s qualification and its source.
            </p>
          </div>
          <div className="log-tools">
            <Select
              className="select-inline"
              aria-label="Matched or unmatched"
              value={matched}
              onChange={(e) => setMatched(e.target.value as typeof matched)}
              data-testid="inmail-matched-filter"
            >
              <option value="">Matched and unmatched</option>
              <option value="matched">Matched only</option>
              <option value="unmatched">Unmatched only</option>
            </Select>
            <FilterChips
              label="Filter by kind"
              options={KIND_OPTIONS}
              value={kinds}
              onChange={setKinds}
              testIdPrefix="inmail-kind"
            />
          </div>
        </header>
        <InmailImport />
        <PagedTable<InboundMessageSummary>
          list={list}
          errorTitle="The received messages could not be loaded"
          loadingText="Loading received messages…"
          label="Received messages"
          testId="inmail-table"
          rowTestId="inmail-row"
          columns={COLUMNS}
          rowKey={(m) => m.id}
          onRowActivate={(m) => setSelected(m.id)}
          rowClassName={(m) =>
            [m.id === selected ? 'is-selected' : '', m.matched ? '' : 'is-unmatched'].join(' ') || undefined
          }
          maxHeight="max(320px, calc(100vh - 420px))"
          empty={
            <EmptyState
              testId="inmail-empty"
              title={filtered ? 'No message matches' : 'Nothing received yet'}
              body={
                filtered
                  ? 'Change the filters.'
                  : 'Bounces arrive on the SMTP listener (the return path of the messages sent), by IMAP polling, or by importing .eml and .mbox files above.'
              }
            />
          }
          count={`${formatCount(list.items.length)} shown${filtered ? ' (filtered)' : ''}`}
          countTestId="inmail-count"
          moreTestId="inmail-more"
        />
      </section>

      <ImapSettingsCard />

      {selected && (
        <InmailDrawer
          key={selected}
          id={selected}
          onClose={() => {
            setSelected(null);
            if (open) navigate(paths.inmail());
          }}
        />
      )}
    </div>
  );
}
