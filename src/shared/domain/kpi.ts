/**
 * Delivery KPIs (SPEC §2.2) derived from the delivery's counters. The counters are maintained incrementally
 * by the feedback layer in the same transaction as the log status; this module only does the arithmetic.
 * The definitions are written down in docs/kpi.md; the console, the health flags, the summary and every report
 * read them from here (delivery) and from `domainFigures` (per domain).
 */
import type { LogStatus } from './statuses';

export interface DeliveryCounters {
  /** Rows read from the recipient list (valid or excluded). */
  initial: number;
  /** Rows by log status. */
  status: Record<LogStatus, number>;
  /** Messages that received a success from the receiving server (EFS) or were relayed (classic). */
  success: number;
  /** Messages Failed with a hard type. */
  hardBounces: number;
  /** Messages Failed with a soft type (a 5xx qualified soft, or the validity ended after soft bounces). */
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

/** A domain's counters (a `delivery_domains` row), as `domainFigures` reads them. */
export interface DomainCounts {
  total: number;
  status: Record<LogStatus, number>;
  /** Failed with a hard type. */
  hard: number;
  /** Failed with a soft type. */
  softFailed: number;
  /** In the MTA, waiting for a retry after a soft bounce. */
  deferredNow: number;
}

/**
 * One domain's figures (docs/kpi.md). Processed = in progress + delivered + failed, and failed = hard + soft +
 * other, so the shares of processed of in progress, delivered, hard, soft and other failures add up to 100 %.
 * "Retrying now" (`deferredNow`) is not a state of its own: those messages are in progress (EFS) or Sent
 * (classic, where Sent means relayed) until their retry ends.
 */
export interface DomainFigures {
  processed: number;
  inProgress: number;
  delivered: number;
  failed: number;
  hard: number;
  soft: number;
  failedOther: number;
  deferredNow: number;
  inProgressRate: number | null;
  deliveredRate: number | null;
  hardRate: number | null;
  softRate: number | null;
  failedOtherRate: number | null;
}

export function domainFigures(c: DomainCounts): DomainFigures {
  const inProgress = c.status.taken_into_account;
  const delivered = c.status.sent;
  const failed = c.status.failed;
  const processed = inProgress + delivered + failed;
  const failedOther = failed - c.hard - c.softFailed;
  const share = (n: number): number | null => (processed > 0 ? n / processed : null);
  return {
    processed,
    inProgress,
    delivered,
    failed,
    hard: c.hard,
    soft: c.softFailed,
    failedOther,
    deferredNow: c.deferredNow,
    inProgressRate: share(inProgress),
    deliveredRate: share(delivered),
    hardRate: share(c.hard),
    softRate: share(c.softFailed),
    failedOtherRate: share(failedOther),
  };
}
