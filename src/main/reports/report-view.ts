/**
 * The data of the printable report view (`reports.view`): the summary's figures, and a report kind's tables
 * for the printable view (the PDF): the builder's own sections and rows, each capped
 * at `rowCap` rows with the total kept, so a PDF of a million-row report stays printable and says how many
 * rows are left for the tabular exports.
 */
import type { ReportKind, ReportView, ReportViewSection } from '../../shared/contract/reports';
import type { Db } from '../store/db';
import { getDelivery, parseId } from '../store/deliveries-repo';
import { domainsPage } from '../store/domains-repo';
import { buildReport } from './build';
import { failedRecipients, reasonsOfStatus } from '../store/report-queries';
import { buildSummary } from './summary-data';
import type { Report, Section } from './types';

function viewSection(section: Section, rowCap: number): ReportViewSection {
  const keys = section.columns.map((c) => c.key);
  const rows: ReportViewSection['rows'] = [];
  let total = 0;
  const counted = section.count?.();
  for (const row of section.rows()) {
    if (rows.length < rowCap) rows.push(keys.map((k) => row[k] ?? null));
    total++;
    // A counter knows the total: stop reading at the cap.
    if (counted !== undefined && rows.length >= rowCap) break;
  }
  return {
    id: section.id,
    title: section.title,
    columns: section.columns.map((c) => ({ key: c.key, header: c.header, type: c.type })),
    rows,
    total: counted ?? total,
  };
}

export function viewSections(report: Report, rowCap: number): ReportViewSection[] {
  return report.sections.map((s) => viewSection(s, rowCap));
}

export interface ReportViewRequest {
  deliveryId: string;
  kind: ReportKind;
  /** Rows of the summary's domains and failed-recipients tables. */
  top: number;
  /** Rows of each table of another kind. */
  rowCap: number;
}

export function buildReportView(db: Db, r: ReportViewRequest, now: number): ReportView {
  const { deliveryId, top } = r;
  const id = parseId(deliveryId);
  const delivery = getDelivery(db, id, now);
  const domains = domainsPage(db, { deliveryId: id, sort: 'volume', cursor: null, limit: top });
  return {
    delivery,
    summary: buildSummary(db, delivery, now),
    // The charts "Failures by reason" (bounces) and "Failures and exclusions by reason" (summary): Failed and
    // excluded messages only, never a message still retried or delivered (docs/kpi.md).
    reasons: reasonsOfStatus(db, id, r.kind === 'bounces' ? ['failed'] : ['failed', 'ignored']),
    domains: { items: domains.items, total: domains.total },
    failed: failedRecipients(db, id, top, delivery.statusCounts.failed ?? 0),
    kind: r.kind,
    sections: r.kind === 'summary' ? [] : viewSections(buildReport(db, deliveryId, r.kind, now), r.rowCap),
  };
}
