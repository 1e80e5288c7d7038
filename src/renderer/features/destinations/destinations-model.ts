/** Wording of the Destinations page, free of React: kinds, domains, rates and the change log's kinds. */
import type { DestinationState, ShapingEvent } from '../../../shared/contract/mta';
import type { Tone } from '../../components/tones';
import { formatPerHour } from '../rules/rules-model';

export type ShapingKind = ShapingEvent['kind'];

export const SHAPING_KINDS: Record<ShapingKind, { label: string; tone: Tone }> = {
  slowed: { label: 'slowed', tone: 'amber' },
  raised: { label: 'raised', tone: 'green' },
  suspended: { label: 'suspended', tone: 'red' },
  resumed: { label: 'resumed', tone: 'blue' },
  breaker_opened: { label: 'breaker', tone: 'red' },
  automation: { label: 'automation', tone: 'blue' },
  queue_bounced: { label: 'queue bounced', tone: 'red' },
  rules_changed: { label: 'rules changed', tone: 'grey' },
};

export const DESTINATION_KINDS: Record<
  DestinationState['kind'],
  { label: string; tone: Tone; title: string }
> = {
  mx: { label: 'mx', tone: 'blue', title: 'Found by MX lookup' },
  smtp: { label: 'smtp', tone: 'grey', title: 'A route or smart host' },
  sandbox: { label: 'sandbox', tone: 'amber', title: 'The built-in sandbox (simulated receivers)' },
};

/** The MX hosts (or the route's host) as one line. */
export function hostsLabel(d: DestinationState): string {
  return d.hosts.length > 0 ? d.hosts.join(', ') : d.key;
}

/** `gmail.com, googlemail.com, … +12` : the first few domains and how many more. */
export function domainsLabel(d: DestinationState, shown = 3): string {
  if (d.domainCount === 0) return '—';
  const first = d.domains.slice(0, shown).join(', ');
  const more = d.domainCount - Math.min(shown, d.domains.length);
  return more > 0 ? `${first} +${more}` : first;
}

export function isSuspended(d: DestinationState, at: number): boolean {
  return d.suspendedUntil !== null && d.suspendedUntil > at;
}

/** "120/h of 500/h" with the rule's limit when adaptation lowered it. */
export function rateLabel(d: DestinationState): {
  current: string;
  limit: string;
  configured: string | null;
} {
  const current = `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }).format(d.currentRatePerHour)}/h`;
  const limit = formatPerHour(d.effective.messagesPerHour);
  const configured =
    d.configured.messagesPerHour !== d.effective.messagesPerHour
      ? formatPerHour(d.configured.messagesPerHour)
      : null;
  return { current, limit, configured };
}

/** Short relative time for "last reply": `12s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function ago(ms: number | null, now: number): string {
  if (ms === null) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
