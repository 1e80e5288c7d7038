/** What every report kind starts from: the delivery, the time of the report, and the shared header block. */
import { REPORT_KIND_LABELS, type ReportKind, type ReportSummary } from '../../../shared/contract/reports';
import type { Delivery } from '../../../shared/contract/schemas';
import { DELIVERY_STATE_LABELS } from '../../../shared/domain/statuses';
import type { Db } from '../../store/db';
import type { HeaderItem, Report } from '../types';
import { reportPeriod } from '../summary-data';

export interface KindContext {
  db: Db;
  delivery: Delivery;
  now: number;
}

export const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

export function reportTitle(kind: ReportKind, d: Delivery): string {
  return `${REPORT_KIND_LABELS[kind]} — ${d.name}`;
}

export function fileBase(kind: ReportKind, d: Pick<Delivery, 'id'>): string {
  return `relaydeck-delivery-${d.id}-${kind}`;
}

/** The summary's PDF is "the report"; the other kinds' PDFs are named like their tabular exports. */
export function pdfFileBase(kind: ReportKind, d: Pick<Delivery, 'id'>): string {
  return kind === 'summary' ? `relaydeck-delivery-${d.id}-report` : fileBase(kind, d);
}

export function figuresText(d: Delivery): string {
  if (d.figuresFinal) return 'final';
  return d.validityEndsAt !== null
    ? `not final until the validity period ends (${iso(d.validityEndsAt)})`
    : 'not final until every message is relayed and its validity period ends';
}

export function headerBlock(
  kind: ReportKind,
  ctx: KindContext,
  summary?: Pick<ReportSummary, 'period'>,
): HeaderItem[] {
  const d = ctx.delivery;
  const period = summary?.period ?? reportPeriod(d, ctx.now);
  return [
    { label: 'Report', value: REPORT_KIND_LABELS[kind] },
    { label: 'Delivery', value: `${d.name} (#${d.id})` },
    { label: 'State', value: DELIVERY_STATE_LABELS[d.state] },
    {
      label: 'Reporting',
      value: d.reporting === 'efs' ? 'EFS (sent when accepted)' : 'Classic (sent when relayed)',
    },
    { label: 'Period start', value: '', at: period.from },
    { label: 'Period end', value: '', at: period.to },
    { label: 'Figures', value: figuresText(d) },
    { label: 'Generated at', value: '', at: ctx.now },
  ];
}

/** What every report starts with: its kind, delivery, title, file name and header block. */
export function reportFrame(
  kind: ReportKind,
  ctx: KindContext,
  summary?: Pick<ReportSummary, 'period'>,
): Pick<Report, 'kind' | 'deliveryId' | 'title' | 'fileBase' | 'header'> {
  const d = ctx.delivery;
  return {
    kind,
    deliveryId: d.id,
    title: reportTitle(kind, d),
    fileBase: fileBase(kind, d),
    header: headerBlock(kind, ctx, summary),
  };
}
