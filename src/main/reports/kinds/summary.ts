/**
 * `summary`: the delivery, its period and reporting mode, whether figures are final, the SPEC §2.2 KPIs
 * (complaints and new quarantines included), status and reason counts, and the health flags.
 */
import { LOG_STATUSES, LOG_STATUS_LABELS } from '../../../shared/domain/statuses';
import { parseId } from '../../store/deliveries-repo';
import { reasonsOfStatus } from '../../store/report-queries';
import { healthRows } from '../health-rows';
import { buildSummary } from '../summary-data';
import type { Report, Row } from '../types';
import { reasonRows, REASON_COLUMNS } from './bounces';
import { figuresText, iso, reportFrame, type KindContext } from './common';

export function summaryReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  const summary = buildSummary(ctx.db, d, ctx.now);
  const health = healthRows(summary.health);
  const complaints = summary.health.complaints;
  const k = d.kpi;
  const rate = (n: number, of: number): number | null => (of > 0 ? n / of : null);
  const kpis: Row[] = [
    { metric: 'initial_population', label: 'Initial population', count: k.initialPopulation, rate: null },
    {
      metric: 'excluded',
      label: 'Excluded at preparation',
      count: k.excluded,
      rate: rate(k.excluded, k.initialPopulation),
    },
    { metric: 'to_deliver', label: 'Messages to deliver', count: k.toDeliver, rate: null },
    {
      metric: 'processed',
      label: 'Processed (relayed to the MTA)',
      count: k.processed,
      rate: rate(k.processed, k.toDeliver),
    },
    { metric: 'success', label: 'Success', count: k.success, rate: k.successRate },
    { metric: 'errors', label: 'Errors (Failed)', count: k.errors, rate: rate(k.errors, k.toDeliver) },
    {
      metric: 'in_progress',
      label: 'In progress (in the MTA, no final outcome yet)',
      count: d.statusCounts.taken_into_account ?? 0,
      rate: rate(d.statusCounts.taken_into_account ?? 0, k.processed),
    },
    {
      metric: 'hard_bounces',
      label: 'Hard bounces (Failed, hard)',
      count: k.hardBounces,
      rate: k.hardBounceRate,
    },
    {
      metric: 'soft_bounces',
      label: 'Soft bounces (Failed, soft)',
      count: k.softBounces,
      rate: rate(k.softBounces, k.processed),
    },
    {
      metric: 'soft_in_progress',
      label: 'Retrying after a soft bounce',
      count: k.softInProgress,
      rate: rate(k.softInProgress, k.processed),
    },
    { metric: 'complaints', label: 'Complaints', count: complaints.count, rate: complaints.rate },
    { metric: 'new_quarantines', label: 'New quarantines', count: summary.newQuarantines, rate: null },
    { metric: 'import_errors', label: 'Unreadable list rows', count: d.importErrors, rate: null },
  ];
  // Failed messages only, shares of the Failed count (docs/kpi.md): the same rows as the bounces report's.
  const reasons = reasonRows(reasonsOfStatus(ctx.db, parseId(d.id), ['failed']), d.statusCounts.failed ?? 0);

  const frame = reportFrame('summary', ctx, summary);
  return {
    ...frame,
    document: {
      report: 'summary',
      generated_at: iso(summary.generatedAt),
      delivery: { id: d.id, name: d.name, state: d.state, reporting: d.reporting },
      period: { from: iso(summary.period.from), to: iso(summary.period.to) },
      validity_ends_at: iso(d.validityEndsAt) || null,
      figures_final: d.figuresFinal,
      kpis: Object.fromEntries(kpis.map((r) => [r.metric, { count: r.count, rate: r.rate }])),
      status_counts: Object.fromEntries(LOG_STATUSES.map((s) => [s, d.statusCounts[s] ?? 0])),
      reasons: reasons.map((r) => ({ reason: r.reason, code: r.code, type: r.type, messages: r.messages })),
      health: health.map((f) => ({
        flag: f.flag,
        level: f.level,
        value: f.value,
        threshold: f.threshold,
        detail: f.detail,
      })),
      soft_bounce_domains: summary.health.domainSoftBounces.worst,
    },
    sections: [
      {
        id: 'delivery',
        title: 'Delivery',
        columns: [
          { key: 'field', header: 'Field', type: 'text', width: 22 },
          { key: 'value', header: 'Value', type: 'text', width: 60 },
          { key: 'at', header: 'Time (UTC)', type: 'date', width: 20 },
        ],
        rows: () => [
          ...frame.header.map((h) => ({ field: h.label, value: h.value, at: h.at ?? null })),
          { field: 'Figures final', value: d.figuresFinal ? 'yes' : `no: ${figuresText(d)}` },
        ],
      },
      {
        id: 'kpis',
        title: 'KPIs',
        columns: [
          { key: 'metric', header: 'Metric', type: 'text', width: 20 },
          { key: 'label', header: 'KPI', type: 'text', width: 32 },
          { key: 'count', header: 'Messages', type: 'int', width: 12 },
          { key: 'rate', header: 'Rate', type: 'percent', width: 10 },
        ],
        rows: () => kpis,
      },
      {
        id: 'statuses',
        title: 'Statuses',
        columns: [
          { key: 'status', header: 'Status id', type: 'text', width: 20 },
          { key: 'label', header: 'Status', type: 'text', width: 44 },
          { key: 'count', header: 'Messages', type: 'int', width: 12 },
        ],
        rows: () =>
          LOG_STATUSES.map((s) => ({
            status: s,
            label: LOG_STATUS_LABELS[s],
            count: d.statusCounts[s] ?? 0,
          })),
      },
      {
        id: 'reasons',
        title: 'Failed by reason',
        columns: REASON_COLUMNS.map((c) => (c.key === 'share' ? { ...c, header: 'Share of failed' } : c)),
        rows: () => reasons,
      },
      {
        id: 'health',
        title: 'Health',
        columns: [
          { key: 'flag', header: 'Flag', type: 'text', width: 22 },
          { key: 'level', header: 'Level', type: 'text', width: 10 },
          { key: 'value', header: 'Measured', type: 'percent', width: 12 },
          { key: 'threshold', header: 'Threshold', type: 'percent', width: 12 },
          { key: 'detail', header: 'Detail', type: 'text', width: 70 },
        ],
        rows: () => health,
      },
    ],
  };
}
