/**
 * The figures of a delivery's report beyond its counters — period, new quarantines, health flags (from the
 * dashboard's counter tables) — and the data of the printable report view.
 */
import type { Delivery } from '../../shared/contract/schemas';
import type { ReportSummary, ReportView } from '../../shared/contract/reports';
import type { Db } from '../store/db';
import { getDelivery, parseId } from '../store/deliveries-repo';
import { deliveryHealth, domainsPage, reasonBreakdown } from '../store/domains-repo';
import { countNewQuarantines, failedRecipients } from './queries';

export function reportPeriod(d: Delivery, now: number): { from: number; to: number } {
  const from = d.startedAt ?? d.createdAt;
  const end =
    d.completedAt ?? (d.validityEndsAt !== null && d.validityEndsAt <= now ? d.validityEndsAt : now);
  return { from, to: Math.max(from, end) };
}

export function buildSummary(db: Db, d: Delivery, now: number): ReportSummary {
  const id = parseId(d.id);
  const period = reportPeriod(d, now);
  return {
    generatedAt: now,
    period,
    newQuarantines: countNewQuarantines(db, id, period.from),
    health: deliveryHealth(db, id),
  };
}

export function buildReportView(db: Db, deliveryId: string, top: number, now: number): ReportView {
  const id = parseId(deliveryId);
  const delivery = getDelivery(db, id, now);
  const domains = domainsPage(db, { deliveryId: id, sort: 'volume', cursor: null, limit: top });
  return {
    delivery,
    summary: buildSummary(db, delivery, now),
    reasons: reasonBreakdown(db, id),
    domains: { items: domains.items, total: domains.total },
    failed: failedRecipients(db, id, top, delivery.statusCounts.failed ?? 0),
  };
}
