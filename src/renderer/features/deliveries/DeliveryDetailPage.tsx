import { useState } from 'react';
import type { Delivery } from '../../../shared/contract';
import { formatDuration } from '../../../shared/domain/duration';
import { LOG_STATUSES, LOG_STATUS_LABELS, type LogStatus } from '../../../shared/domain/statuses';
import { useMutation, useQuery, type Result } from '../../api/hooks';
import { paths } from '../../app/router';
import { Badge, shortStatusLabel, StateBadge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { formatCount, formatDateTime, formatRate } from '../../components/format';
import { KpiCard } from '../../components/KpiCard';
import { ProgressBar } from '../../components/ProgressBar';
import { Tabs, type TabItem } from '../../components/Tabs';
import { STATUS_TONE } from '../../components/tones';
import { ExportMenu } from '../reports/ExportMenu';
import { DeliveryAnalysisCard } from './AnalysisPanel';
import { DeliveryLog, NO_FILTERS, type LogFilters } from './DeliveryLog';
import { DomainsTable } from './DomainsTable';
import { DkimSigningLine } from './DkimSigningLine';
import { HealthFlags } from './HealthFlags';
import { ReasonsChart } from './ReasonsChart';
import { canStop, useStopConfirmation } from './StopConfirmation';
import { ThroughputChart } from './ThroughputChart';

export function DeliveryDetailPage({ id }: { id: string }) {
  const delivery = useQuery(
    'deliveries.get',
    { id },
    { invalidateOn: { 'delivery.changed': (p) => p.id === id } },
  );
  const [filters, setFilters] = useState<LogFilters>(NO_FILTERS);
  const [tab, setTab] = useState<DetailTab>('overview');

  if (delivery.loading) {
    return (
      <div className="page">
        <div className="loading" data-testid="delivery-loading">
          Loading delivery…
        </div>
      </div>
    );
  }
  if (!delivery.data) {
    return (
      <div className="page">
        {delivery.error?.code === 'not_found' ? (
          <EmptyState
            title="No such delivery"
            body={`Delivery ${id} does not exist in this data directory.`}
            action={<a href={paths.deliveries()}>Back to deliveries</a>}
            testId="delivery-not-found"
          />
        ) : (
          <ErrorBanner
            error={delivery.error}
            title="The delivery could not be loaded"
            action={<Button onClick={delivery.refetch}>Retry</Button>}
          />
        )}
      </div>
    );
  }

  const d = delivery.data;
  const statuses = filters.statuses;
  const toggleTile = (s: LogStatus) => {
    setFilters((cur) => ({
      ...cur,
      statuses: cur.statuses.length === 1 && cur.statuses[0] === s ? [] : [s],
    }));
    setTab('log');
  };
  /** Shows the log filtered on one facet (from the reasons chart or the domains table). */
  const showInLog = (patch: Partial<LogFilters>) => {
    setFilters({ ...NO_FILTERS, ...patch });
    setTab('log');
  };

  return (
    <div className="page" data-testid="delivery-detail">
      <DetailHeader delivery={d} onChanged={delivery.refetch} />
      <ErrorBanner error={delivery.error} title="Live updates failed; the figures below may be stale" />
      <Notices delivery={d} />

      {(d.state === 'relaying' || d.state === 'paused' || d.state === 'preparing') && (
        <Card>
          <div className="relay-progress" data-testid="relay-progress">
            <span className="strong">{d.state === 'paused' ? 'Relay paused' : 'Relaying to the MTA'}</span>
            <ProgressBar value={d.kpi.processed} max={d.kpi.toDeliver} label="Messages relayed" />
            <span className="num muted">
              {formatCount(d.kpi.processed)} / {formatCount(d.kpi.toDeliver)}
            </span>
          </div>
        </Card>
      )}

      <div className="tiles" role="group" aria-label="Messages by status (select to filter the log)">
        {LOG_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
            className={`tile tone-${STATUS_TONE[s]}`}
            aria-pressed={statuses.length === 1 && statuses[0] === s}
            onClick={() => toggleTile(s)}
            title={`${LOG_STATUS_LABELS[s]}: show only these messages in the log`}
          >
            <span className="tile-label">{shortStatusLabel(s)}</span>
            <span className="tile-value num" data-testid={`count-${s}`}>
              {formatCount(d.statusCounts[s] ?? 0)}
            </span>
          </button>
        ))}
      </div>

      <Tabs<DetailTab>
        label="Delivery sections"
        idPrefix="delivery"
        items={DETAIL_TABS}
        value={tab}
        onChange={setTab}
      />
      <div
        className="detail-panel"
        role="tabpanel"
        id="delivery-panel"
        aria-labelledby={`delivery-tab-${tab}`}
        data-testid={`panel-${tab}`}
      >
        {tab === 'overview' && (
          <>
            <HealthFlags deliveryId={d.id} />
            <DkimSigningLine deliveryId={d.id} />
            <div className="detail-grid">
              <div className="kpis" data-testid="kpis">
                <KpiCard
                  label="Success"
                  value={formatRate(d.kpi.successRate)}
                  hint={`${formatCount(d.kpi.success)} of ${formatCount(d.kpi.toDeliver)}`}
                  testId="kpi-success-rate"
                />
                <KpiCard
                  label="To deliver"
                  value={formatCount(d.kpi.toDeliver)}
                  hint={`of ${formatCount(d.kpi.initialPopulation)} in the list`}
                  testId="kpi-to-deliver"
                />
                <KpiCard
                  label="Processed"
                  value={formatCount(d.kpi.processed)}
                  hint="relayed to the MTA"
                  testId="kpi-processed"
                />
                <KpiCard
                  label="Sent"
                  value={formatCount(d.statusCounts.sent ?? 0)}
                  tone="green"
                  testId="kpi-sent"
                />
                <KpiCard
                  label="Failed"
                  value={formatCount(d.kpi.errors)}
                  tone={d.kpi.errors > 0 ? 'red' : undefined}
                  testId="kpi-failed"
                />
                <KpiCard
                  label="Retrying now"
                  value={formatCount(d.kpi.softInProgress)}
                  hint="after a soft bounce"
                  testId="kpi-soft-in-progress"
                />
                <KpiCard
                  label="Soft bounces"
                  value={formatCount(d.kpi.softBounces)}
                  hint="Failed with a soft type"
                  testId="kpi-soft-bounces"
                />
                <KpiCard
                  label="Hard bounces"
                  value={formatCount(d.kpi.hardBounces)}
                  hint={
                    d.kpi.hardBounceRate !== null
                      ? `${formatRate(d.kpi.hardBounceRate)} of processed`
                      : undefined
                  }
                  tone={d.kpi.hardBounceRate !== null && d.kpi.hardBounceRate >= 0.02 ? 'red' : undefined}
                  testId="kpi-hard-bounces"
                />
                <KpiCard
                  label="Excluded"
                  value={formatCount(d.kpi.excluded)}
                  hint={
                    d.importErrors ? `+ ${formatCount(d.importErrors)} unreadable rows` : 'at preparation'
                  }
                  testId="kpi-excluded"
                />
              </div>
              <ReasonsChart deliveryId={d.id} onSelect={(reason) => showInLog({ reason })} />
            </div>

            <ThroughputChart deliveryId={d.id} />
            <DeliveryAnalysisCard deliveryId={d.id} />
          </>
        )}
        {tab === 'log' && <DeliveryLog deliveryId={d.id} filters={filters} onFiltersChange={setFilters} />}
        {tab === 'domains' && <DomainsTable deliveryId={d.id} onSelect={(domain) => showInLog({ domain })} />}
      </div>
    </div>
  );
}

type DetailTab = 'overview' | 'log' | 'domains';
const DETAIL_TABS: readonly TabItem<DetailTab>[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'log', label: 'Delivery log' },
  { id: 'domains', label: 'Domains' },
];

function DetailHeader({ delivery: d, onChanged }: { delivery: Delivery; onChanged(): void }) {
  const pause = useMutation('deliveries.pause');
  const resume = useMutation('deliveries.resume');
  const stop = useStopConfirmation(d, onChanged);
  const error = pause.error ?? resume.error;

  const run = async (m: { mutate(input: { id: string }): Promise<Result<Delivery>> }) => {
    const result = await m.mutate({ id: d.id });
    if (result.ok) onChanged();
  };

  return (
    <>
      <header className="page-header">
        <div className="min-w-0">
          <div className="breadcrumbs">
            <a href={paths.deliveries()}>Deliveries</a> <span aria-hidden="true">/</span>{' '}
            <span className="muted">#{d.id}</span>
          </div>
          <div className="title-row">
            <h1 className="page-title truncate" data-testid="delivery-name">
              {d.name}
            </h1>
            <StateBadge state={d.state} testId="state-badge" />
            <Badge
              tone="grey"
              testId="reporting-badge"
              title={
                d.reporting === 'efs'
                  ? 'Sent when the receiving server accepts'
                  : 'Sent when relayed to the MTA'
              }
            >
              {d.reporting === 'efs' ? 'EFS reporting' : 'Classic reporting'}
            </Badge>
          </div>
          <p className="page-subtitle">
            Created {formatDateTime(d.createdAt)} · validity {formatDuration(d.validityMs)}
            {d.timeScale !== 1 ? ` · sandbox time ×${d.timeScale}` : ''}
            {d.smarthost ? ` · smart host ${d.smarthost.host}:${d.smarthost.port}` : ''}
            {d.routes.length ? ` · ${d.routes.length} domain route${d.routes.length > 1 ? 's' : ''}` : ''}
          </p>
        </div>
        <div className="row gap-1">
          <ExportMenu deliveryId={d.id} />
          {d.state === 'relaying' && (
            <Button onClick={() => void run(pause)} disabled={pause.pending} testId="action-pause">
              Pause
            </Button>
          )}
          {d.state === 'paused' && (
            <Button
              variant="primary"
              onClick={() => void run(resume)}
              disabled={resume.pending}
              testId="action-resume"
            >
              Resume
            </Button>
          )}
          {canStop(d) && (
            <Button variant="danger" onClick={stop.open} testId="action-stop">
              Stop
            </Button>
          )}
        </div>
      </header>
      <ErrorBanner error={error} title="The action failed" />
      {stop.dialog}
    </>
  );
}

function Notices({ delivery: d }: { delivery: Delivery }) {
  return (
    <>
      {d.state === 'stopped' && (
        <Notice tone="amber" testId="stopped-notice">
          <span className="strong">Stopped</span>
          {d.stoppedAt !== null ? ` ${formatDateTime(d.stoppedAt)}` : ''}. Messages not yet relayed were
          cancelled;{' '}
          {d.inMta > 0 ? (
            <>
              <span className="num strong">{formatCount(d.inMta)}</span> relayed{' '}
              {d.inMta === 1 ? 'message is' : 'messages are'} still in the MTA and continue to their outcome.
            </>
          ) : (
            'every relayed message has reached its outcome.'
          )}
        </Notice>
      )}
      {!d.figuresFinal && (
        <Notice tone="blue" testId="figures-not-final">
          {d.validityEndsAt !== null
            ? `Figures are not final until the validity period ends (${formatDateTime(d.validityEndsAt)}).`
            : 'Figures are not final until every message is relayed and its validity period ends.'}
        </Notice>
      )}
      {d.validityCapped && (
        <Notice tone="grey" testId="validity-capped-notice">
          Validity requested: {formatDuration(d.validityRequestedMs)}. The MTA caps it at{' '}
          {formatDuration(d.validityMs)}, counted from when each message reaches it.
        </Notice>
      )}
    </>
  );
}
