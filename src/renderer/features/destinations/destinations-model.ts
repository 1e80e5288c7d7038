/**
 * Wording of the Destinations page, free of React: kinds, domains, rates, the change log's kinds, the learnt
 * limits next to the rule's, and the reputation history's shares per day.
 */
import type { DestinationDay, DestinationState, ShapingEvent } from '../../../shared/contract/mta';
import { formatDateTime } from '../../components/format';
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

// ---- learnt limits (SPEC §6) ----

export type LimitId = 'connections' | 'messagesPerConnection' | 'rate';

export const LIMITS: readonly { id: LimitId; label: string; short: string }[] = [
  { id: 'connections', label: 'Connections', short: 'connections' },
  { id: 'messagesPerConnection', label: 'Messages per connection', short: 'messages per connection' },
  { id: 'rate', label: 'Rate', short: 'rate' },
];

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** A limit's value as the page writes it: counts as numbers, rates per hour (null rate: unlimited). */
export function formatLimit(id: LimitId, value: number | null, short = false): string {
  if (id === 'rate') {
    if (value === null) return 'unlimited';
    return `${short && value >= 10_000 ? compact.format(value) : integer.format(value)}/h`;
  }
  return value === null ? '—' : integer.format(value);
}

function pick(
  limits: {
    maxConnections: number | null;
    maxMessagesPerConnection: number | null;
    messagesPerHour: number | null;
  },
  id: LimitId,
): number | null {
  switch (id) {
    case 'connections':
      return limits.maxConnections;
    case 'messagesPerConnection':
      return limits.maxMessagesPerConnection;
    case 'rate':
      return limits.messagesPerHour;
    default: {
      const never: never = id;
      throw new Error(`unknown limit ${String(never)}`);
    }
  }
}

export interface LimitView {
  id: LimitId;
  label: string;
  rule: string;
  /** null: nothing learnt, the rule's limit applies. */
  learnt: string | null;
  effective: string;
}

/** One destination's limits: the rule's, the learnt one (if any) and the one in force. */
export function limitView(d: DestinationState, id: LimitId, short = false): LimitView {
  const learnt = pick(d.learnt, id);
  const label = LIMITS.find((l) => l.id === id)?.label ?? id;
  return {
    id,
    label,
    rule: formatLimit(id, pick(d.configured, id), short),
    learnt: learnt === null ? null : formatLimit(id, learnt, short),
    effective: formatLimit(id, pick(d.effective, id), short),
  };
}

/**
 * The table cell: the limit in force, with the rule's next to it when they differ ("3 / 25 rule": a learnt
 * limit, the connections' slow start, a throttle or a probing session), the rule's alone otherwise.
 */
export function limitCell(
  d: DestinationState,
  id: LimitId,
): { text: string; rule: string | null; learnt: boolean } {
  const v = limitView(d, id, true);
  const learnt = v.learnt !== null;
  return v.effective === v.rule
    ? { text: v.rule, rule: null, learnt }
    : { text: v.effective, rule: `${v.rule} rule`, learnt };
}

/** The cell's tooltip: what was learnt and when, or that the rule's limit applies. */
export function limitTitle(d: DestinationState, id: LimitId): string {
  const v = limitView(d, id);
  const what = LIMITS.find((l) => l.id === id)?.short ?? id;
  if (v.learnt === null && v.effective !== v.rule)
    return `${v.label} in force: ${v.effective}, below the rule's ${v.rule} (nothing learnt: the connections' slow start, a throttle or the probing session after a suspension).`;
  if (v.learnt === null) return `${v.label}: ${v.rule}, the rule's limit (nothing learnt)`;
  const when = d.learnt.at === null ? '' : ` on ${formatDateTime(d.learnt.at)}`;
  return `Learnt ${what} limit: ${v.learnt}, from the receiver's answers${when}. Rule: ${v.rule}. In force: ${v.effective}.`;
}

export function hasLearnt(d: DestinationState): boolean {
  return LIMITS.some((l) => pick(d.learnt, l.id) !== null);
}

export function suspensionLabel(level: number): string {
  if (level <= 0) return 'none';
  return level === 1 ? '1 suspension' : `${level} suspensions in a row`;
}

const LIMIT_NAMES: Record<string, LimitId> = {
  connections: 'connections',
  maxConnections: 'connections',
  messagesPerConnection: 'messagesPerConnection',
  maxMessagesPerConnection: 'messagesPerConnection',
  rate: 'rate',
  messagesPerHour: 'rate',
};

const asLimitValue = (v: unknown): number | null | undefined =>
  v === null ? null : typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/**
 * A learnt-limit change of the shaping log (`detail: {limit, from, to}`) as one line: "connections 25 → 3",
 * "rate 45,000/h → 1,200/h". null when the event's detail is not one.
 */
export function describeLimitChange(e: Pick<ShapingEvent, 'detail'>): string | null {
  const limit = typeof e.detail.limit === 'string' ? LIMIT_NAMES[e.detail.limit] : undefined;
  const from = asLimitValue(e.detail.from);
  const to = asLimitValue(e.detail.to);
  if (limit === undefined || from === undefined || to === undefined) return null;
  const name = LIMITS.find((l) => l.id === limit)?.short ?? limit;
  const value = (v: number | null) => (v === null && limit !== 'rate' ? 'rule' : formatLimit(limit, v));
  return `${name} ${value(from)} → ${value(to)}`;
}

// ---- reputation history per day ----

const DAY_MS = 86_400_000;

/** Epoch ms of a UTC day (YYYY-MM-DD). */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export interface DayShares {
  /** Messages answered (accepted + deferred + failed); refused sessions are not messages. */
  answered: number;
  /** 0..1 each, null when nothing was answered that day. */
  accepted: number | null;
  deferred: number | null;
  bounced: number | null;
}

export function dayShares(d: Pick<DestinationDay, 'accepted' | 'deferred' | 'failed'>): DayShares {
  const answered = d.accepted + d.deferred + d.failed;
  if (answered === 0) return { answered, accepted: null, deferred: null, bounced: null };
  return {
    answered,
    accepted: d.accepted / answered,
    deferred: d.deferred / answered,
    bounced: d.failed / answered,
  };
}

/** The shares over a whole window (every day's answers added). */
export function windowShares(days: readonly DestinationDay[]): DayShares & { refusedSessions: number } {
  const sum = { accepted: 0, deferred: 0, failed: 0, refusedSessions: 0 };
  for (const d of days) {
    sum.accepted += d.accepted;
    sum.deferred += d.deferred;
    sum.failed += d.failed;
    sum.refusedSessions += d.refusedSessions;
  }
  return { ...dayShares(sum), refusedSessions: sum.refusedSessions };
}

/**
 * uPlot columns for the stacked 100 % bars: x = each UTC day of the window in seconds, then the cumulative
 * percentages drawn back to front (accepted + deferred + bounced, accepted + deferred, accepted), so the bars
 * read accepted at the bottom, deferred, then bounced on top. Days without answers are null (no bar).
 */
export function historyBars(
  days: readonly DestinationDay[],
  from: string,
  to: string,
): {
  x: number[];
  total: (number | null)[];
  acceptedDeferred: (number | null)[];
  accepted: (number | null)[];
} {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const out = {
    x: [] as number[],
    total: [] as (number | null)[],
    acceptedDeferred: [] as (number | null)[],
    accepted: [] as (number | null)[],
  };
  const end = dayStart(to);
  for (let t = dayStart(from), n = 0; t <= end && n < 1000; t += DAY_MS, n++) {
    const day = byDay.get(new Date(t).toISOString().slice(0, 10));
    const s = day ? dayShares(day) : null;
    out.x.push(t / 1000);
    if (!s || s.accepted === null || s.deferred === null || s.bounced === null) {
      out.total.push(null);
      out.acceptedDeferred.push(null);
      out.accepted.push(null);
    } else {
      out.total.push(100);
      out.acceptedDeferred.push(round1((s.accepted + s.deferred) * 100));
      out.accepted.push(round1(s.accepted * 100));
    }
  }
  return out;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

const percent1 = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
export const formatShare = (share: number | null): string => (share === null ? '—' : percent1.format(share));

const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLabelLong = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
/** "3 Mar" (short) or "3 Mar 2026" for a UTC day, in the analyst's locale. */
export function formatDay(day: string, long = false): string {
  return (long ? dayLabelLong : dayLabel).format(dayStart(day));
}
