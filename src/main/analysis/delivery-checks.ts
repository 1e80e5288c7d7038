/**
 * The delivery-settings part of the analysis, stated plainly: the validity the MTA will honour (capped at
 * 3.5 days, SPEC §3), what the reporting mode means for the figures (SPEC §2.1), and where the messages go —
 * the built-in sandbox's simulated receivers, a relay host, or real receivers found by MX lookup.
 */
import type { AnalysisCheck } from '../../shared/contract/analysis';
import type { RouteTarget } from '../../shared/contract';
import type { ReportingMode } from '../../shared/domain/statuses';
import { effectiveValidity, formatDuration, MAX_VALIDITY_MS } from '../../shared/domain/duration';
import { chooseRoute, type DeliveryRouting } from '../engine/relay/routing';

const AREA = 'delivery' as const;

export function checkValidity(requestedMs: number): AnalysisCheck {
  const { ms, capped } = effectiveValidity(requestedMs);
  return capped
    ? {
        id: 'delivery.validity',
        area: AREA,
        result: 'info',
        title: `Validity capped at ${formatDuration(MAX_VALIDITY_MS)} (${formatDuration(requestedMs)} asked)`,
        explanation:
          'The MTA retries soft bounces for at most 3.5 days from the moment a message reaches it; a message ' +
          'still deferred then fails with its last error. Read the final figures after that.',
      }
    : {
        id: 'delivery.validity',
        area: AREA,
        result: 'info',
        title: `Validity ${formatDuration(ms)}`,
        explanation:
          `Soft bounces are retried for ${formatDuration(ms)} from the moment a message reaches the MTA; ` +
          'the final figures are known after that.',
      };
}

export function checkReporting(mode: ReportingMode): AnalysisCheck {
  switch (mode) {
    case 'efs':
      return {
        id: 'delivery.reporting',
        area: AREA,
        result: 'info',
        title: 'Reporting: Email Feedback Service',
        explanation:
          'A message counts as Sent only when the receiving server accepted it; the success rate starts at 0 % ' +
          'and rises as receivers answer.',
      };
    case 'classic':
      return {
        id: 'delivery.reporting',
        area: AREA,
        result: 'info',
        title: 'Reporting: classic',
        explanation:
          'A message counts as Sent as soon as it is relayed to the MTA; the success rate starts at 100 % and ' +
          'falls with each bounce.',
      };
  }
}

/**
 * Where the recipients' messages go, by the same resolution order as the engine: the delivery's routes, its
 * smart host, the default route, else MX lookup (real receivers).
 */
export function describeRoutes(
  domains: ReadonlyMap<string, number>,
  delivery: DeliveryRouting,
  defaultRoute: RouteTarget | null,
): { check: AnalysisCheck; realDomains: Map<string, number> } {
  const groups = new Map<string, number>();
  const realDomains = new Map<string, number>();
  for (const [domain, recipients] of domains) {
    const { target } = chooseRoute(domain, delivery, defaultRoute);
    const label =
      target === null
        ? 'real receivers (MX lookup)'
        : target.kind === 'sandbox'
          ? 'the built-in sandbox (simulated receivers)'
          : `the relay ${target.host}:${target.port}`;
    if (target === null) realDomains.set(domain, recipients);
    groups.set(label, (groups.get(label) ?? 0) + recipients);
  }
  const parts = [...groups].sort((a, b) => b[1] - a[1]);
  const total = parts.reduce((n, [, c]) => n + c, 0);
  const only = parts.length === 1 ? parts[0]![0] : null;
  const sandboxOnly = only?.startsWith('the built-in sandbox') ?? false;
  return {
    realDomains,
    check: {
      id: 'delivery.route',
      area: AREA,
      result: 'info',
      title:
        total === 0
          ? 'No recipient to route'
          : only
            ? `Every message goes to ${only}`
            : `Messages go to ${parts.length} kinds of destination`,
      explanation: sandboxOnly
        ? 'Nothing reaches a real mailbox: the sandbox answers as the providers’ profiles say, to test the campaign.'
        : groups.has('real receivers (MX lookup)')
          ? 'Messages sent to real receivers cannot be recalled once accepted.'
          : 'The relay host delivers them on.',
      ...(parts.length > 1 && {
        details: parts.map(([label, n]) => `${n.toLocaleString('en-US')} to ${label}`),
      }),
    },
  };
}
