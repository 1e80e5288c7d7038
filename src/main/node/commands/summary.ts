/** Delivery summaries for the terminal: a progress line, a human table, and the JSON shape of --json. */
import type { Delivery, RowError } from '../../../shared/contract/schemas';
import { formatDuration } from '../../../shared/domain/duration';
import { REASONS, REASON_IDS } from '../../../shared/domain/reasons';
import { LOG_STATUSES, LOG_STATUS_LABELS } from '../../../shared/domain/statuses';

const pct = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);

export function formatProgress(d: Delivery): string {
  const c = d.statusCounts;
  return (
    `delivery ${d.id} ${d.state}: ${c.sent} sent, ${c.failed} failed, ${c.taken_into_account} in progress, ` +
    `${c.pending} pending, ${d.inMta} in the MTA queue`
  );
}

export function formatSummary(d: Delivery, durationMs: number): string {
  const width = Math.max(...LOG_STATUSES.map((s) => LOG_STATUS_LABELS[s].length), 28);
  const line = (label: string, value: string | number) =>
    `  ${label.padEnd(width)}  ${String(value).padStart(8)}`;
  const reasons = REASON_IDS.filter((r) => d.reasonCounts[r] > 0);
  return [
    `Delivery ${d.id} "${d.name}": ${d.state} in ${formatDuration(durationMs)} (${d.reporting} reporting)`,
    '',
    'Status',
    ...LOG_STATUSES.map((s) => line(LOG_STATUS_LABELS[s], d.statusCounts[s])),
    ...(reasons.length
      ? ['', 'Reasons', ...reasons.map((r) => line(REASONS[r].label, d.reasonCounts[r]))]
      : []),
    '',
    'KPI',
    line('Initial population', d.kpi.initialPopulation),
    line('Excluded', d.kpi.excluded),
    line('Messages to deliver', d.kpi.toDeliver),
    line('Success', `${d.kpi.success} (${pct(d.kpi.successRate)})`),
    line('Errors', d.kpi.errors),
    line('Hard bounces', `${d.kpi.hardBounces} (${pct(d.kpi.hardBounceRate)})`),
    line('Soft bounces (Failed, soft)', d.kpi.softBounces),
    line('Retrying after a soft bounce', d.kpi.softInProgress),
    line('Import errors', d.importErrors),
    '',
  ].join('\n');
}

/** The one JSON object `deliver --wait --json` prints. */
export function summaryJson(d: Delivery, durationMs: number, importErrors: RowError[]) {
  return {
    deliveryId: d.id,
    name: d.name,
    state: d.state,
    statusCounts: d.statusCounts,
    reasonCounts: d.reasonCounts,
    kpi: d.kpi,
    durationMs,
    importErrors,
  };
}
