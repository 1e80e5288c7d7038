/**
 * The printable delivery report (`#/deliveries/:id/report`), on A4 paper colours whatever the theme: title,
 * period, KPI cards, health flags, throughput and bounce-reasons charts, the domains and failed-recipients
 * tables (top N, "and M more") and a generated-at line. Printed to PDF by Chromium/Electron, which wait for
 * `data-report-ready` (set once the data is in and the charts are drawn); the console shows it too, with
 * print and export actions that the print CSS hides.
 */
import { useEffect, useRef } from 'react';
import type { ReportView } from '../../../shared/contract/reports';
import type { ThroughputPoint } from '../../../shared/contract/mta';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { DELIVERY_STATE_LABELS, LOG_STATUSES, LOG_STATUS_LABELS } from '../../../shared/domain/statuses';
import { useQuery } from '../../api/hooks';
import { paths } from '../../app/router';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatDateTime, formatRate } from '../../components/format';
import { ExportMenu } from './ExportMenu';
import { ReasonBars } from './ReasonBars';
import { ThroughputSvg } from './ThroughputSvg';
import './report.css';

const TOP = 15;

export function ReportPage({ id }: { id: string }) {
  const view = useQuery('reports.view', { deliveryId: id, top: TOP });
  const series = useQuery('throughput.series', { deliveryId: id });
  const error = view.error ?? series.error;
  const data = view.data && series.data ? { view: view.data, points: series.data.points } : null;

  return (
    <div className="page report-page">
      <div className="report-toolbar no-print">
        <a href={paths.delivery(id)}>← Back to the delivery</a>
        <span className="topbar-spacer" />
        <Button onClick={() => window.print()} disabled={!data} testId="report-print">
          Print…
        </Button>
        <ExportMenu deliveryId={id} />
      </div>
      {error && !data ? (
        <div data-report-error={error.message}>
          <ErrorBanner error={error} title="The report could not be loaded" />
        </div>
      ) : data ? (
        <Report view={data.view} points={data.points} />
      ) : (
        <div className="loading">Loading the report…</div>
      )}
    </div>
  );
}

function Report({ view, points }: { view: ReportView; points: readonly ThroughputPoint[] }) {
  // Ready once the complete report is committed (the SVG charts are drawn with it) and fonts are loaded.
  const article = useRef<HTMLElement>(null);
  useEffect(() => {
    let live = true;
    void document.fonts.ready.then(() => {
      if (live) article.current?.setAttribute('data-report-ready', 'true');
    });
    return () => {
      live = false;
    };
  }, []);
  const { delivery: d, summary: s } = view;
  const k = d.kpi;
  const h = s.health;
  const delivered = d.statusCounts.sent ?? 0;

  return (
    <article className="report" data-testid="report" ref={article}>
      <header className="report-header">
        <div className="report-kicker">Relaydeck · Delivery report</div>
        <h1 className="report-title" data-testid="report-title">
          {d.name}
        </h1>
        <dl className="report-meta">
          <div>
            <dt>Period</dt>
            <dd>{formatPeriod(s.period.from, s.period.to)}</dd>
          </div>
          <div>
            <dt>Delivery</dt>
            <dd>
              #{d.id} · {DELIVERY_STATE_LABELS[d.state]}
            </dd>
          </div>
          <div>
            <dt>Reporting</dt>
            <dd>
              {d.reporting === 'efs' ? 'EFS: sent = accepted by the receiver' : 'Classic: sent = relayed'}
            </dd>
          </div>
          <div>
            <dt>From</dt>
            <dd>{d.template.fromAddress}</dd>
          </div>
        </dl>
        <p className={d.figuresFinal ? 'report-final' : 'report-not-final'} data-testid="report-figures">
          {d.figuresFinal
            ? 'Final figures: every message has reached its outcome.'
            : d.validityEndsAt !== null
              ? `Figures are not final until the validity period ends (${formatDateTime(d.validityEndsAt)}).`
              : 'Figures are not final until every message is relayed and its validity period ends.'}
        </p>
      </header>

      <section className="report-kpis" aria-label="Key figures">
        <Kpi
          label="Success"
          value={formatRate(k.successRate)}
          hint={`${formatCount(k.success)} of ${formatCount(k.toDeliver)}`}
          strong
        />
        <Kpi
          label="To deliver"
          value={formatCount(k.toDeliver)}
          hint={`${formatCount(k.initialPopulation)} in the list, ${formatCount(k.excluded)} excluded`}
        />
        <Kpi label="Processed" value={formatCount(k.processed)} hint="relayed to the MTA" />
        <Kpi label="Delivered" value={formatCount(delivered)} hint="status Sent" />
        <Kpi
          label="Failed"
          value={formatCount(k.errors)}
          hint={`${formatCount(k.softInProgress)} soft bounces still retried`}
        />
        <Kpi
          label="Hard bounces"
          value={formatCount(k.hardBounces)}
          hint={`${formatRate(h.hardBounces.rate)} of processed`}
          alert={h.hardBounces.alert}
        />
        <Kpi label="Soft bounces" value={formatCount(k.softBounces)} hint="messages with a soft bounce" />
        <Kpi
          label="Complaints"
          value={formatCount(h.complaints.count)}
          hint={`${formatRate(h.complaints.rate)} of delivered`}
          alert={h.complaints.alert}
        />
        <Kpi label="New quarantines" value={formatCount(s.newQuarantines)} hint="addresses quarantined" />
      </section>

      <section className="report-section" aria-labelledby="report-health">
        <h2 id="report-health">Health</h2>
        <ul className="report-health" data-testid="report-health">
          <HealthItem
            alert={h.hardBounces.alert}
            unknown={h.hardBounces.rate === null}
            title="Hard bounces"
            text={
              h.hardBounces.rate === null
                ? 'No message processed yet.'
                : `${formatRate(h.hardBounces.rate)} of processed messages (${formatCount(h.hardBounces.count)}); alert at ${formatRate(h.hardBounces.threshold)}.`
            }
          />
          <HealthItem
            alert={h.domainSoftBounces.alert}
            unknown={false}
            title="Soft bounces per domain"
            text={
              h.domainSoftBounces.alert
                ? `${formatCount(h.domainSoftBounces.count)} domain${h.domainSoftBounces.count === 1 ? '' : 's'} over ${formatRate(h.domainSoftBounces.threshold)}: ${h.domainSoftBounces.worst.map((w) => `${w.domain} ${formatRate(w.rate)}`).join(', ')}.`
                : `No domain over ${formatRate(h.domainSoftBounces.threshold)}.`
            }
          />
          <HealthItem
            alert={h.complaints.alert}
            unknown={h.complaints.rate === null}
            title="Complaints"
            text={
              h.complaints.rate === null
                ? 'No message delivered yet.'
                : `${formatRate(h.complaints.rate)} of delivered messages (${formatCount(h.complaints.count)}); alert at ${formatRate(h.complaints.threshold)}.`
            }
          />
        </ul>
      </section>

      <section className="report-section" aria-labelledby="report-throughput">
        <h2 id="report-throughput">Throughput</h2>
        <ThroughputSvg points={points} />
      </section>

      <section className="report-section" aria-labelledby="report-reasons">
        <h2 id="report-reasons">Failures and exclusions by reason</h2>
        <ReasonBars items={view.reasons} />
      </section>

      <section className="report-section" aria-labelledby="report-statuses">
        <h2 id="report-statuses">Messages by status</h2>
        <table className="report-table report-table-narrow">
          <tbody>
            {LOG_STATUSES.map((st) => (
              <tr key={st}>
                <th scope="row">{LOG_STATUS_LABELS[st]}</th>
                <td className="num">{formatCount(d.statusCounts[st] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="report-section" aria-labelledby="report-domains">
        <h2 id="report-domains">Domains</h2>
        <table className="report-table" data-testid="report-domains">
          <thead>
            <tr>
              <th scope="col">Domain</th>
              <th scope="col" className="num">
                Processed
              </th>
              <th scope="col" className="num">
                Delivered
              </th>
              <th scope="col" className="num">
                Hard
              </th>
              <th scope="col" className="num">
                Soft
              </th>
              <th scope="col" className="num">
                Deferred now
              </th>
              <th scope="col" className="num">
                Delivered %
              </th>
            </tr>
          </thead>
          <tbody>
            {view.domains.items.map((x) => (
              <tr key={x.domain} className={x.softAlert ? 'is-alert' : undefined}>
                <td>{x.domain}</td>
                <td className="num">{formatCount(x.processed)}</td>
                <td className="num">{formatCount(x.delivered)}</td>
                <td className="num">{formatCount(x.hard)}</td>
                <td className="num">{formatCount(x.soft)}</td>
                <td className="num">{formatCount(x.deferredNow)}</td>
                <td className="num">{formatRate(x.deliveredRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <More shown={view.domains.items.length} total={view.domains.total} what="domains" />
      </section>

      <section className="report-section" aria-labelledby="report-failed">
        <h2 id="report-failed">Failed recipients</h2>
        {view.failed.total === 0 ? (
          <p className="report-muted">No message failed.</p>
        ) : (
          <table className="report-table" data-testid="report-failed">
            <thead>
              <tr>
                <th scope="col">Recipient</th>
                <th scope="col">Reason</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Class
                </th>
                <th scope="col">Last reply</th>
              </tr>
            </thead>
            <tbody>
              {view.failed.items.map((f) => (
                <tr key={f.email}>
                  <td className="nowrap">{f.email}</td>
                  <td className="nowrap">{f.reason ? REASONS[f.reason].label : '—'}</td>
                  <td>{f.type ? FAILURE_TYPE_LABELS[f.type] : '—'}</td>
                  <td className="num">{f.bounceClass ?? '—'}</td>
                  <td className="report-reply">{f.lastReply ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <More shown={view.failed.items.length} total={view.failed.total} what="failed recipients" />
      </section>

      <footer className="report-footer">
        Generated by Relaydeck on {formatDateTime(s.generatedAt)}. Full data: export the bounces, domains,
        events and quarantine reports (CSV, JSON lines, XLSX) or run{' '}
        <code>relaydeck report --delivery {d.id}</code>.
      </footer>
    </article>
  );
}

/** `from – to`, the end as a time only when it is the same day. */
function formatPeriod(from: number, to: number): string {
  const sameDay = new Date(from).toDateString() === new Date(to).toDateString();
  const end = sameDay
    ? new Date(to).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : formatDateTime(to);
  return `${formatDateTime(from)} – ${end}`;
}

function Kpi(props: { label: string; value: string; hint: string; strong?: boolean; alert?: boolean }) {
  const cls = ['report-kpi', props.strong ? 'is-strong' : '', props.alert ? 'is-alert' : ''].filter(Boolean);
  return (
    <div className={cls.join(' ')}>
      <div className="report-kpi-label">{props.label}</div>
      <div className="report-kpi-value">{props.value}</div>
      <div className="report-kpi-hint">{props.hint}</div>
    </div>
  );
}

function HealthItem(props: { alert: boolean; unknown: boolean; title: string; text: string }) {
  const level = props.unknown ? 'unknown' : props.alert ? 'alert' : 'ok';
  const badge = { ok: 'OK', alert: 'Alert', unknown: 'n/a' }[level];
  return (
    <li className={`health-${level}`}>
      <span className="health-badge">{badge}</span>
      <span className="health-title">{props.title}</span>
      <span className="health-text">{props.text}</span>
    </li>
  );
}

function More({ shown, total, what }: { shown: number; total: number; what: string }) {
  if (total <= shown) return null;
  return (
    <p className="report-more">
      … and {formatCount(total - shown)} more {what} (in the exports).
    </p>
  );
}
