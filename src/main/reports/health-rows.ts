/** The SPEC §2.2 health flags (computed by the dashboard's repository) as report rows with a sentence each. */
import type { DeliveryHealth } from '../../shared/contract/dashboard';
import type { Row } from './types';

export type HealthLevel = 'ok' | 'alert' | 'unknown';

export interface HealthRow extends Row {
  flag: string;
  label: string;
  level: HealthLevel;
  value: number | null;
  threshold: number;
  detail: string;
}

export const percent = (rate: number): string => `${(rate * 100).toFixed(rate < 0.01 ? 2 : 1)} %`;

const level = (rate: number | null, alert: boolean): HealthLevel =>
  rate === null ? 'unknown' : alert ? 'alert' : 'ok';

export function healthRows(h: DeliveryHealth): HealthRow[] {
  const soft = h.domainSoftBounces;
  const worstRate = soft.worst.reduce<number | null>((m, w) => (m === null || w.rate > m ? w.rate : m), null);
  return [
    {
      flag: 'hard_bounces',
      label: 'Hard bounces',
      level: level(h.hardBounces.rate, h.hardBounces.alert),
      value: h.hardBounces.rate,
      threshold: h.hardBounces.threshold,
      detail:
        h.hardBounces.rate === null
          ? 'No message processed yet.'
          : `${h.hardBounces.count} of ${h.hardBounces.base} processed messages (${percent(h.hardBounces.rate)}); alert at ${percent(h.hardBounces.threshold)}.`,
    },
    {
      flag: 'domain_soft_bounces',
      label: 'Soft bounces per domain',
      level: soft.alert ? 'alert' : 'ok',
      value: worstRate,
      threshold: soft.threshold,
      detail: soft.alert
        ? `${soft.count} domain${soft.count === 1 ? '' : 's'} over ${percent(soft.threshold)}: ${soft.worst
            .map((w) => `${w.domain} ${percent(w.rate)} (${w.soft}/${w.processed})`)
            .join(', ')}${soft.count > soft.worst.length ? ', …' : ''}.`
        : `No domain over ${percent(soft.threshold)} of soft bounces (Failed with a soft type).`,
    },
    {
      flag: 'complaints',
      label: 'Complaints',
      level: level(h.complaints.rate, h.complaints.alert),
      value: h.complaints.rate,
      threshold: h.complaints.threshold,
      detail:
        h.complaints.rate === null
          ? 'No message delivered yet.'
          : `${h.complaints.count} complaint${h.complaints.count === 1 ? '' : 's'} for ${h.complaints.base} delivered messages (${percent(h.complaints.rate)}); alert at ${percent(h.complaints.threshold)}.`,
    },
  ];
}
