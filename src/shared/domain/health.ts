/**
 * Delivery health flags (SPEC §2.2 thresholds): hard bounces >= 2 % of the processed messages, soft bounces
 * > 10 % of one domain's processed messages, complaints >= 0.1 % of the delivered messages. Pure arithmetic on
 * counters; the store supplies them, the console shows the flags.
 */

export const HARD_BOUNCE_ALERT = 0.02;
export const DOMAIN_SOFT_BOUNCE_ALERT = 0.1;
export const COMPLAINT_ALERT = 0.001;

export type HealthKind = 'hard_bounces' | 'domain_soft_bounces' | 'complaints';

/** A ratio and its threshold; `alert` once the threshold is crossed (>= or >, as the SPEC words it). */
export interface RateCheck {
  rate: number | null;
  threshold: number;
  alert: boolean;
}

/** The share of a count in a base; null when the base is empty (nothing to judge yet). */
export function ratio(count: number, base: number): number | null {
  return base > 0 ? count / base : null;
}

export function hardBounceCheck(hard: number, processed: number): RateCheck {
  const rate = ratio(hard, processed);
  return { rate, threshold: HARD_BOUNCE_ALERT, alert: rate !== null && rate >= HARD_BOUNCE_ALERT };
}

export function complaintCheck(complaints: number, delivered: number): RateCheck {
  const rate = ratio(complaints, delivered);
  return { rate, threshold: COMPLAINT_ALERT, alert: rate !== null && rate >= COMPLAINT_ALERT };
}

export function domainSoftCheck(soft: number, processed: number): RateCheck {
  const rate = ratio(soft, processed);
  return {
    rate,
    threshold: DOMAIN_SOFT_BOUNCE_ALERT,
    alert: rate !== null && rate > DOMAIN_SOFT_BOUNCE_ALERT,
  };
}
