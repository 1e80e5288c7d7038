/**
 * The selected destination: the rule's limits against the learnt ones and those in force, its suspension
 * level and live figures, and its reputation history per UTC day (SPEC §6): a chart of the accepted, deferred
 * and bounced shares, and a table of the days with the limits in force on each.
 */
import { useState } from 'react';
import type { DestinationDay, DestinationState } from '../../../shared/contract/mta';
import { useQuery } from '../../api/hooks';
import { paths } from '../../app/router';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Select } from '../../components/Field';
import { formatCount, formatDateTime, formatTimestamp } from '../../components/format';
import { Prop } from '../../components/Prop';
import {
  ago,
  dayShares,
  DESTINATION_KINDS,
  domainsLabel,
  formatDay,
  formatLimit,
  formatShare,
  hostsLabel,
  isSuspended,
  LIMITS,
  limitView,
  rateLabel,
  suspensionLabel,
} from './destinations-model';
import { HistoryChart } from './HistoryChart';

const WINDOWS = [7, 30, 90, 400] as const;

export function DestinationDetail({
  destination: d,
  at,
  onClose,
}: {
  destination: DestinationState;
  at: number;
  onClose(): void;
}) {
  const kind = DESTINATION_KINDS[d.kind];
  const suspended = isSuspended(d, at);
  return (
    <Card
      className="dest-detail"
      testId="destination-detail"
      title={
        <span className="dest-name">
          <Badge tone={kind.tone} title={kind.title}>
            {kind.label}
          </Badge>
          <span className="mono truncate" title={d.key}>
            {hostsLabel(d)}
          </span>
          {d.live === false && (
            <Badge tone="grey" title="Known from the store: the engine has not sent to it since it started">
              not active
            </Badge>
          )}
        </span>
      }
      description={
        <>
          Rule <a href={paths.rules()}>{d.ruleId}</a>
          {d.domainCount > 0 && <> · {domainsLabel(d, 5)}</>}
        </>
      }
      actions={
        <Button size="sm" variant="ghost" onClick={onClose} testId="destination-detail-close">
          Close
        </Button>
      }
    >
      <div className="dest-detail-grid">
        <div>
          <h3 className="section-title">Limits</h3>
          <table className="table-compact table-full" data-testid="destination-limits">
            <thead>
              <tr>
                <th scope="col">Limit</th>
                <th scope="col" className="end">
                  Rule
                </th>
                <th scope="col" className="end">
                  Learnt
                </th>
                <th scope="col" className="end">
                  In force
                </th>
              </tr>
            </thead>
            <tbody>
              {LIMITS.map((l) => {
                const v = limitView(d, l.id);
                return (
                  <tr key={l.id} data-testid={`limit-${l.id}`}>
                    <td>{v.label}</td>
                    <td className="end num">{v.rule}</td>
                    <td className="end num" data-testid="limit-learnt">
                      {v.learnt === null ? (
                        <span className="muted" title="Nothing learnt: the rule's limit applies">
                          —
                        </span>
                      ) : (
                        <span className="dest-learnt-value">{v.learnt}</span>
                      )}
                    </td>
                    <td className="end num">
                      <strong>{v.effective}</strong>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted small dest-limits-note">
            Learnt limits come from the receiver's answers and are kept for the next delivery; they relax back
            towards the rule after clean days.
          </p>
        </div>
        <dl className="props dest-props">
          <Prop label="Learnt">{d.learnt.at === null ? 'nothing yet' : formatDateTime(d.learnt.at)}</Prop>
          <Prop label="Suspensions in a row">
            <span data-testid="destination-suspension-level">{suspensionLabel(d.suspensionLevel)}</span>
          </Prop>
          <Prop label="Suspended">
            {suspended ? (
              <span className="tone-text-red" title={d.suspendedReason ?? undefined}>
                until {formatTimestamp(d.suspendedUntil)}
                {d.suspendedReason ? ` — ${d.suspendedReason}` : ''}
              </span>
            ) : (
              'no'
            )}
          </Prop>
          <Prop label="Accepted now">
            <span className="num" data-testid="destination-rate">
              {rateLabel(d).current}
            </span>
          </Prop>
          <Prop label="Connections open · in flight · queued">
            <span className="num">
              {formatCount(d.openConnections)} · {formatCount(d.inFlight)} · {formatCount(d.queued)}
            </span>
          </Prop>
          <Prop label="Last reply" wide mono>
            {d.lastReply === null ? null : (
              <span title={formatTimestamp(d.lastReplyAt)}>
                <span className="muted num">{ago(d.lastReplyAt, at)}</span> {d.lastReply}
              </span>
            )}
          </Prop>
        </dl>
      </div>
      <History destination={d.key} />
    </Card>
  );
}

function History({ destination }: { destination: string }) {
  const [days, setDays] = useState<(typeof WINDOWS)[number]>(30);
  const history = useQuery(
    'destinations.history',
    { destination, days },
    { invalidateOn: { 'delivery.changed': true }, coalesceMs: 5_000 },
  );
  const items = history.data?.items ?? [];
  return (
    <section className="dest-history" data-testid="destination-history">
      <header className="dest-history-header">
        <div>
          <h3 className="section-title">Reputation history</h3>
          <p className="muted small">
            Share of the messages answered each day (UTC): accepted, deferred, bounced; and the limits in
            force.
          </p>
        </div>
        <Select
          className="select-inline"
          aria-label="History window"
          value={days}
          onChange={(e) => setDays(Number(e.target.value) as (typeof WINDOWS)[number])}
          data-testid="history-window"
        >
          {WINDOWS.map((n) => (
            <option key={n} value={n}>
              Last {n} days
            </option>
          ))}
        </Select>
      </header>
      <ErrorBanner
        error={history.error}
        title="The history could not be loaded"
        action={<Button onClick={history.refetch}>Retry</Button>}
      />
      {history.loading && !history.data ? (
        <div className="loading">Loading history…</div>
      ) : history.data && items.length > 0 ? (
        <>
          <HistoryChart days={items} from={history.data.from} to={history.data.to} />
          <HistoryTable days={items} />
        </>
      ) : (
        <EmptyState
          title="No history yet"
          body={`Nothing was sent to this destination in the last ${days} days. Its answers are counted per day once the engine sends to it.`}
          testId="history-empty"
        />
      )}
    </section>
  );
}

function HistoryTable({ days }: { days: readonly DestinationDay[] }) {
  const newestFirst = [...days].reverse();
  return (
    <div className="dest-history-table">
      <table className="table-compact table-full" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col" className="end">
              Answered
            </th>
            <th scope="col" className="end">
              Accepted
            </th>
            <th scope="col" className="end">
              Deferred
            </th>
            <th scope="col" className="end">
              Bounced
            </th>
            <th scope="col" className="end" title="Sessions refused at connect or greeting">
              Refused sessions
            </th>
            <th scope="col" className="end">
              Connections
            </th>
            <th scope="col" className="end">
              Msgs/conn.
            </th>
            <th scope="col" className="end">
              Rate
            </th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((d) => {
            const s = dayShares(d);
            return (
              <tr key={d.day} data-testid="history-row">
                <td className="num">{formatDay(d.day, true)}</td>
                <td className="end num">{formatCount(s.answered)}</td>
                <td className="end num tone-text-green">{formatShare(s.accepted)}</td>
                <td className="end num tone-text-amber">{formatShare(s.deferred)}</td>
                <td className="end num tone-text-red">{formatShare(s.bounced)}</td>
                <td className="end num">{formatCount(d.refusedSessions)}</td>
                <td className="end num">{formatLimit('connections', d.maxConnections)}</td>
                <td className="end num">
                  {formatLimit('messagesPerConnection', d.maxMessagesPerConnection)}
                </td>
                <td className="end num">{formatLimit('rate', d.messagesPerHour)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
