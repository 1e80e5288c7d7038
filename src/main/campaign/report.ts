/**
 * Delivery reports: the KPI summary and the per-recipient log, as JSON or as CSV (UTF-8 with BOM, so
 * spreadsheet software reads the accents right).
 */
import { stringify } from 'csv-stringify/sync';
import type { Delivery, LogRow } from '../../shared/contract/schemas';
import { FAILURE_TYPE_LABELS, REASONS } from '../../shared/domain/reasons';
import { LOG_STATUS_LABELS } from '../../shared/domain/statuses';
import type { Db } from '../store/db';
import { getDelivery } from '../store/deliveries-repo';
import { iterateLogRows } from '../store/log-repo';
import { toLogRow } from '../store/mappers';

export interface DeliveryReport {
  delivery: Delivery;
  kpi: Delivery['kpi'];
  rows: LogRow[];
}

export function buildReport(db: Db, deliveryId: number, now: number): DeliveryReport {
  const delivery = getDelivery(db, deliveryId, now);
  const rows = [...iterateLogRows(db, deliveryId)].map(toLogRow);
  return { delivery, kpi: delivery.kpi, rows };
}

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
const pct = (rate: number | null): string => (rate === null ? '' : `${(rate * 100).toFixed(2)}%`);

export function reportToCsv(report: DeliveryReport): string {
  const { delivery: d, kpi } = report;
  const summary: (string | number)[][] = [
    ['Delivery', d.name],
    ['Delivery id', d.id],
    ['State', d.state],
    ['Reporting', d.reporting],
    ['Figures final', d.figuresFinal ? 'yes' : `no (validity ends ${iso(d.validityEndsAt)})`],
    ['Initial population', kpi.initialPopulation],
    ['Excluded', kpi.excluded],
    ['Messages to deliver', kpi.toDeliver],
    ['Processed', kpi.processed],
    ['Success', kpi.success],
    ['Success rate', pct(kpi.successRate)],
    ['Errors', kpi.errors],
    ['Hard bounces', kpi.hardBounces],
    ['Hard bounce rate', pct(kpi.hardBounceRate)],
    ['Soft bounces', kpi.softBounces],
    ['Soft bounces in progress', kpi.softInProgress],
    ['Import errors', d.importErrors],
  ];
  const header = [
    'email',
    'status',
    'status_label',
    'failure_type',
    'reason',
    'reason_code',
    'bounce_class',
    'attempts',
    'first_attempt_at',
    'last_attempt_at',
    'last_reply',
    'mx_host',
    'message_id',
  ];
  const rows = report.rows.map((r) => [
    r.email,
    r.status,
    LOG_STATUS_LABELS[r.status],
    r.failureType ? FAILURE_TYPE_LABELS[r.failureType] : '',
    r.reason ?? '',
    r.reason ? (REASONS[r.reason].code ?? '') : '',
    r.bounceClass ?? '',
    r.attempts,
    iso(r.firstAttemptAt),
    iso(r.lastAttemptAt),
    r.lastReply ?? '',
    r.mxHost ?? '',
    r.messageId ?? '',
  ]);
  return `\ufeff${stringify([['KPI', 'value'], ...summary])}\r\n${stringify([header, ...rows])}`;
}
