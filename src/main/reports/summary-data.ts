/**
 * The figures of a delivery's report beyond its counters — period, new quarantines, health flags (from the
 * dashboard's counter tables).
 */
import type { Delivery } from '../../shared/contract/schemas';
import type { ReportSummary } from '../../shared/contract/reports';
import type { Db } from '../store/db';
import { parseId } from '../store/deliveries-repo';
import { deliveryHealth } from '../store/domains-repo';
import { countNewQuarantines } from '../store/report-queries';

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
