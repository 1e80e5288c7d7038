/**
 * "Destinations": the state of every destination (live for those the engine knows, refreshed every 2 s while
 * the page is visible and on delivery events; from the store for those with a history only), each limit
 * learnt from the receivers shown next to the rule's. Selecting a destination opens its detail (limits, rule
 * vs learnt vs in force, suspension level, reputation history per day) and filters the log of automatic
 * changes below to it.
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
import { DestinationDetail } from './DestinationDetail';
import {
  DESTINATION_KINDS,
  domainsLabel,
  hostsLabel,
  isSuspended,
  limitCell,
  limitTitle,
  rateLabel,
  type LimitId,
} from './destinations-model';
import { ShapingLog } from './ShapingLog';
import { useVisibleInterval } from './use-visible-interval';
import './destinations.css';

const REFRESH_MS = 2_000;
const timeOfDay = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const formatTime = (ms: number | null) => (ms === null ? '—' : timeOfDay.format(ms));

/**
 * A limit: the one in force next to the rule's when lower ("3 / 25 rule"), marked when it was learnt, or the
 * rule's alone.
 */
function limitColumn(id: LimitId, header: string, width: string): Column<DestinationState> {
  return {
    id: `limit-${id}`,
    header,
    width,
    align: 'end',
    render: (d) => {
      const c = limitCell(d, id);
      return (
        <span className="num dest-limit" data-testid={`destination-limit-${id}`}>
          {c.learnt && (
            <span className="dest-learnt" data-testid="learnt-marker">
              learnt
            </span>
          )}
          <span className={c.learnt ? 'dest-learnt-value' : undefined}>{c.text}</span>
          {c.rule !== null && <span className="muted"> / {c.rule}</span>}
        </span>
      );
    },
    title: (d) => limitTitle(d, id),
  };
}

function columns(at: number): Column<DestinationState>[] {
  return [
    {
      id: 'destination',
      header: 'Destination',
      width: 'minmax(150px, 1.4fr)',
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
      title: (d) =>
        `${d.key}\n${d.hosts.join('\n')}${
          d.live === false ? '\nKnown from the store: not sent to since the engine started' : ''
        }`,
    },
    {
      id: 'domains',
      header: 'Domains',
      width: 'minmax(90px, 1fr)',
      render: (d) => <span className="truncate">{domainsLabel(d)}</span>,
      title: (d) =>
        d.domainCount > 0
          ? `${d.domains.join(', ')}${d.domainCount > d.domains.length ? ` … (${d.domainCount} in all)` : ''}`
          : undefined,
    },
    {
      id: 'rule',
      header: 'Rule',
      width: 'minmax(80px, 0.7fr)',
      render: (d) => (
        <a className="mono" href={paths.rules()} onClick={(e) => e.stopPropagation()}>
          {d.ruleId}
        </a>
      ),
    },
    limitColumn('connections', 'Connections', '148px'),
    limitColumn('messagesPerConnection', 'Msgs/conn.', '156px'),
    limitColumn('rate', 'Rate limit', '236px'),
    {
      id: 'queued',
      header: 'Queued',
      width: '80px',
      align: 'end',
      render: (d) => formatCount(d.queued),
      title: (d) =>
        `${formatCount(d.queued)} queued, ${formatCount(d.inFlight)} in flight, ${d.openConnections} connection${d.openConnections === 1 ? '' : 's'} open`,
    },
    {
      id: 'suspended',
      header: 'Suspended',
      width: '104px',
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
      id: 'hour',
      header: 'Last hour',
      width: '96px',
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
        `Last hour: ${d.lastHour.accepted} accepted, ${d.lastHour.deferred} deferred, ${d.lastHour.failed} failed. Accepted over the last 5 minutes: ${rateLabel(d).current}.`,
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
  const current = selected === null ? undefined : items.find((d) => d.key === selected);

  return (
    <div className="page" data-testid="destinations-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">Destinations</h1>
          <p className="page-subtitle">
            Live state of each destination (a set of MX hosts, a route or the sandbox), refreshed every 2
            seconds. Limits come from the <a href={paths.rules()}>MX rules</a>; the engine learns lower ones
            from the receivers' answers (marked <span className="dest-learnt">learnt</span>), keeps them for
            the next delivery and raises them back towards the rule on sustained acceptance.
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
            <span className="muted small">
              Select a destination to see its limits, its history per day and its automatic changes.
            </span>
          </footer>
        )}
      </Card>
      {current !== undefined && (
        <DestinationDetail destination={current} at={at} onClose={() => setSelected(null)} />
      )}
      <ShapingLog destination={selected} onClearDestination={() => setSelected(null)} />
    </div>
  );
}
