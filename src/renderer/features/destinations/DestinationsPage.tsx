/**
 * "Destinations": the live state of every destination the engine knows (refreshed every 2 s while the page
 * is visible, and on delivery events), and below it the log of automatic changes with their causes. Clicking
 * a destination filters the log to it.
 */
import { useState } from 'react';
import type { DestinationState } from '../../../shared/contract/mta';
import { useQuery } from '../../api/hooks';
import { paths } from '../../app/router';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { DataTable, type Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatTimestamp } from '../../components/format';
import {
  ago,
  DESTINATION_KINDS,
  domainsLabel,
  hostsLabel,
  isSuspended,
  rateLabel,
} from './destinations-model';
import { ShapingLog } from './ShapingLog';
import { useVisibleInterval } from './use-visible-interval';
import './destinations.css';

const REFRESH_MS = 2_000;
const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const formatTime = (ms: number | null) => (ms === null ? '—' : timeOfDay.format(ms));

function columns(at: number): Column<DestinationState>[] {
  return [
    {
      id: 'destination',
      header: 'Destination',
      width: 'minmax(170px, 1.5fr)',
      render: (d) => {
        const kind = DESTINATION_KINDS[d.kind];
        return (
          <span className="dest-name">
            <Badge tone={kind.tone} title={kind.title}>
              {kind.label}
            </Badge>
            <span className="mono truncate">{hostsLabel(d)}</span>
          </span>
        );
      },
      title: (d) => `${d.key}\n${d.hosts.join('\n')}`,
    },
    {
      id: 'domains',
      header: 'Domains',
      width: 'minmax(110px, 1fr)',
      render: (d) => <span className="truncate">{domainsLabel(d)}</span>,
      title: (d) =>
        d.domainCount > 0
          ? `${d.domains.join(', ')}${d.domainCount > d.domains.length ? ` … (${d.domainCount} in all)` : ''}`
          : undefined,
    },
    {
      id: 'rule',
      header: 'Rule',
      width: '96px',
      render: (d) => (
        <a className="mono" href={paths.rules()} onClick={(e) => e.stopPropagation()}>
          {d.ruleId}
        </a>
      ),
    },
    {
      id: 'connections',
      header: 'Conn.',
      width: '64px',
      align: 'end',
      render: (d) => (
        <span className="num">
          {d.openConnections}
          <span className="muted">/{d.effective.maxConnections}</span>
        </span>
      ),
      title: (d) =>
        `${d.openConnections} open of ${d.effective.maxConnections} allowed (rule: ${d.configured.maxConnections})`,
    },
    {
      id: 'inflight',
      header: 'In flight',
      width: '80px',
      align: 'end',
      render: (d) => formatCount(d.inFlight),
    },
    { id: 'queued', header: 'Queued', width: '84px', align: 'end', render: (d) => formatCount(d.queued) },
    {
      id: 'rate',
      header: 'Rate (now / limit)',
      width: '150px',
      align: 'end',
      render: (d) => {
        const r = rateLabel(d);
        return (
          <span className="num" data-testid="destination-rate">
            {r.current} <span className="muted">/ {r.limit}</span>
            {r.configured !== null && <span className="dest-lowered"> ↓</span>}
          </span>
        );
      },
      title: (d) => {
        const r = rateLabel(d);
        return `Accepted over the last 5 minutes: ${r.current}. Limit in force: ${r.limit}.${
          r.configured !== null ? ` Rule limit: ${r.configured} (lowered by adaptation).` : ''
        }`;
      },
    },
    {
      id: 'suspended',
      header: 'Suspended',
      width: '120px',
      render: (d) =>
        isSuspended(d, at) ? (
          <Badge tone="red" title={d.suspendedReason ?? undefined} testId="destination-suspended">
            until {formatTime(d.suspendedUntil)}
          </Badge>
        ) : (
          <span className="muted">—</span>
        ),
      title: (d) =>
        isSuspended(d, at)
          ? `Suspended until ${formatTimestamp(d.suspendedUntil)}${d.suspendedReason ? `: ${d.suspendedReason}` : ''}`
          : undefined,
    },
    {
      id: 'reply',
      header: 'Last reply',
      width: 'minmax(150px, 2fr)',
      render: (d) =>
        d.lastReply === null ? (
          <span className="muted">—</span>
        ) : (
          <span className="dest-reply">
            <span className="muted num">{ago(d.lastReplyAt, at)}</span>
            <code className="truncate">{d.lastReply}</code>
          </span>
        ),
      title: (d) => (d.lastReply !== null ? `${formatTimestamp(d.lastReplyAt)}\n${d.lastReply}` : undefined),
    },
    {
      id: 'hour',
      header: 'Last hour',
      width: '120px',
      align: 'end',
      render: (d) => (
        <span className="num dest-hour">
          <span className="tone-text-green" title="accepted">
            {formatCount(d.lastHour.accepted)}
          </span>
          <span className="tone-text-amber" title="deferred">
            {formatCount(d.lastHour.deferred)}
          </span>
          <span className="tone-text-red" title="failed">
            {formatCount(d.lastHour.failed)}
          </span>
        </span>
      ),
      title: (d) =>
        `Last hour: ${d.lastHour.accepted} accepted, ${d.lastHour.deferred} deferred, ${d.lastHour.failed} failed`,
    },
  ];
}

export function DestinationsPage() {
  const list = useQuery(
    'destinations.list',
    {},
    { invalidateOn: { 'delivery.changed': true }, coalesceMs: 500 },
  );
  const [selected, setSelected] = useState<string | null>(null);
  useVisibleInterval(list.refetch, REFRESH_MS);

  const items = list.data?.items ?? [];
  const at = list.data?.at ?? 0;

  return (
    <div className="page" data-testid="destinations-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">Destinations</h1>
          <p className="page-subtitle">
            Live state of each destination (a set of MX hosts, a route or the sandbox), refreshed every 2
            seconds. Limits come from the <a href={paths.rules()}>MX rules</a>; the engine lowers them on
            rate-limit replies and raises them back on sustained acceptance.
          </p>
        </div>
      </header>
      <ErrorBanner
        error={list.error}
        title={
          list.data
            ? 'Live updates failed; the figures below may be stale'
            : 'Destinations could not be loaded'
        }
        action={<Button onClick={list.refetch}>Retry</Button>}
      />
      <Card className="card-flush" testId="destinations">
        {list.loading ? (
          <div className="loading">Loading destinations…</div>
        ) : (
          <DataTable
            label="Destinations"
            testId="destinations-table"
            rowTestId="destination-row"
            columns={columns(at)}
            rowCount={items.length}
            getRow={(i) => items[i]}
            rowKey={(d) => d.key}
            onRowActivate={(d) => setSelected((cur) => (cur === d.key ? null : d.key))}
            rowClassName={(d) =>
              [d.key === selected ? 'is-selected' : '', isSuspended(d, at) ? 'is-suspended' : ''].join(' ')
            }
            maxHeight="calc(60vh - 120px)"
            rowHeight={36}
            empty={
              <EmptyState
                title="No destination yet"
                body="Destinations appear when the engine first sends: start a delivery and its destinations show up here with their limits and live state."
                action={<a href={paths.newDelivery()}>New delivery</a>}
                testId="destinations-empty"
              />
            }
          />
        )}
        {items.length > 0 && (
          <footer className="card-footer">
            <span className="muted num">
              {formatCount(items.length)} destination{items.length === 1 ? '' : 's'} · updated{' '}
              {formatTimestamp(at)}
            </span>
            <span className="muted small">Select a destination to see its automatic changes.</span>
          </footer>
        )}
      </Card>
      <ShapingLog destination={selected} onClearDestination={() => setSelected(null)} />
    </div>
  );
}
