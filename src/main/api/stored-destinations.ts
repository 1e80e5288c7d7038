/**
 * The destinations the store knows but the running engine has not met since it started (SPEC §6: the
 * reputation history and the learnt limits are shown per destination, also before a delivery brings the
 * destination back). Built from `destination_state` (the limits the shaper learnt, its suspension) and
 * `destination_days`, with the MX rule its hosts match now; the live figures are zero and `live` is false.
 */
import type { DestinationState, MxRule } from '../../shared/contract/mta';
import { matchMxRule } from '../engine/shaper/rule-match';
import type { StoredDestination } from '../store/destination-days-repo';

/** The kind and hosts a destination key names (`mx:<sorted hosts>`, `smtp:<host>:<port>`). */
export function keyTarget(key: string): { kind: DestinationState['kind']; hosts: string[] } {
  if (key.startsWith('mx:')) return { kind: 'mx', hosts: key.slice(3).split(',').filter(Boolean) };
  if (key.startsWith('smtp:')) {
    const rest = key.slice(5);
    const colon = rest.lastIndexOf(':');
    return { kind: 'smtp', hosts: [colon > 0 ? rest.slice(0, colon) : rest] };
  }
  return { kind: 'smtp', hosts: [] };
}

const lower = (rule: number | null, learnt: number | null): number | null =>
  learnt === null ? rule : rule === null ? learnt : Math.min(rule, learnt);

export function storedDestinationState(
  s: StoredDestination,
  rules: readonly MxRule[],
  now: number,
): DestinationState {
  const { kind, hosts } = keyTarget(s.key);
  const rule = matchMxRule(rules, { hosts, domain: '' });
  const configured = {
    maxConnections: rule.maxConnections,
    maxMessagesPerConnection: rule.maxMessagesPerConnection,
    messagesPerHour: rule.messagesPerHour,
  };
  const suspended = s.suspendedUntil !== null && s.suspendedUntil > now;
  return {
    key: s.key,
    kind,
    hosts,
    domains: [],
    domainCount: 0,
    ruleId: rule.id,
    configured,
    effective: {
      maxConnections: lower(configured.maxConnections, s.learntMaxConnections) ?? configured.maxConnections,
      maxMessagesPerConnection:
        lower(configured.maxMessagesPerConnection, s.learntMessagesPerConnection) ??
        configured.maxMessagesPerConnection,
      messagesPerHour: lower(configured.messagesPerHour, s.ratePerHour),
    },
    openConnections: 0,
    inFlight: 0,
    queued: 0,
    currentRatePerHour: 0,
    suspendedUntil: suspended ? s.suspendedUntil : null,
    suspendedReason: suspended ? s.reason : null,
    lastReply: null,
    lastReplyAt: null,
    lastHour: { accepted: 0, deferred: 0, failed: 0 },
    learnt: {
      maxConnections: s.learntMaxConnections,
      maxMessagesPerConnection: s.learntMessagesPerConnection,
      messagesPerHour: s.ratePerHour,
      at: s.learntAt,
    },
    suspensionLevel: s.suspensionLevel,
    live: false,
  };
}

/** The live destinations, then the stored ones the engine does not know, in key order. */
export function withStoredDestinations(
  live: readonly DestinationState[],
  stored: readonly StoredDestination[],
  rules: readonly MxRule[],
  now: number,
): DestinationState[] {
  const known = new Set(live.map((d) => d.key));
  return [
    ...live,
    ...stored.filter((s) => !known.has(s.key)).map((s) => storedDestinationState(s, rules, now)),
  ];
}
