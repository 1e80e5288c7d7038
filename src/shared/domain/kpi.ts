/**
 * Delivery KPIs (SPEC §2.2) derived from the delivery's counters. The counters are maintained incrementally
 * by the feedback layer in the same transaction as the log status; this module only does the arithmetic.
 */
import type { LogStatus } from './statuses';

export interface DeliveryCounters {
  /** Rows read from the recipient list (valid or excluded). */
  initial: number;
  /** Rows by log status. */
  status: Record<LogStatus, number>;
  /** Messages that received a success from the receiving server (EFS) or were relayed (classic). */
  success: number;
  hardBounces: number;
  softBounces: number;
  /** Messages relayed whose last reply was a soft bounce and that are still being retried. */
  softInProgress: number;
}

export interface Kpi {
  initialPopulation: number;
  excluded: number;
  toDeliver: number;
  processed: number;
  success: number;
  errors: number;
  softInProgress: number;
  hardBounces: number;
  softBounces: number;
  /** success / toDeliver, 0..1; null when there is nothing to deliver. */
  successRate: number | null;
  hardBounceRate: number | null;
}

export function computeKpi(c: DeliveryCounters): Kpi {
  const excluded = c.status.ignored;
  const toDeliver = c.initial - excluded;
  const processed = c.status.taken_into_account + c.status.sent + c.status.failed;
  return {
    initialPopulation: c.initial,
    excluded,
    toDeliver,
    processed,
    success: c.success,
    errors: c.status.failed,
    softInProgress: c.softInProgress,
    hardBounces: c.hardBounces,
    softBounces: c.softBounces,
    successRate: toDeliver > 0 ? c.success / toDeliver : null,
    hardBounceRate: processed > 0 ? c.hardBounces / processed : null,
  };
}

export function emptyStatusCounts(): Record<LogStatus, number> {
  return { pending: 0, taken_into_account: 0, sent: 0, failed: 0, ignored: 0, cancelled: 0 };
}
