import type { DeliveryHealth } from '../../../shared/contract';
import { useQuery } from '../../api/hooks';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatRate } from '../../components/format';

/** The SPEC §2.2 health flags of a delivery: each threshold shown with the figure it is judged on. */
export function HealthFlags({ deliveryId }: { deliveryId: string }) {
  const health = useQuery(
    'deliveries.health',
    { deliveryId },
    { invalidateOn: { 'delivery.changed': (p) => p.id === deliveryId } },
  );
  if (!health.data) {
    return health.error ? (
      <ErrorBanner error={health.error} title="The health flags could not be loaded" />
    ) : null;
  }
  const h: DeliveryHealth = health.data;
  const soft = h.domainSoftBounces;
  return (
    <ul className="health" aria-label="Health flags" data-testid="health-flags">
      <Flag
        alert={h.hardBounces.alert}
        testId="flag-hard-bounces"
        title="Hard bounces"
        value={formatRate(h.hardBounces.rate)}
        detail={`${formatCount(h.hardBounces.count)} of ${formatCount(h.hardBounces.base)} processed · alert at ≥ ${formatRate(h.hardBounces.threshold)}`}
      />
      <Flag
        alert={soft.alert}
        testId="flag-domain-soft-bounces"
        title="Soft bounces per domain"
        value={soft.alert ? `${formatCount(soft.count)} ${soft.count === 1 ? 'domain' : 'domains'}` : 'none'}
        detail={
          soft.alert
            ? `over ${formatRate(soft.threshold)}: ${soft.worst
                .map((w) => `${w.domain} ${formatRate(w.rate)}`)
                .join(', ')}${soft.count > soft.worst.length ? '…' : ''}`
            : `no domain over ${formatRate(soft.threshold)}`
        }
      />
      <Flag
        alert={h.complaints.alert}
        testId="flag-complaints"
        title="Complaints"
        value={formatRate(h.complaints.rate)}
        detail={`${formatCount(h.complaints.count)} of ${formatCount(h.complaints.base)} delivered · alert at ≥ ${formatRate(h.complaints.threshold)}`}
      />
    </ul>
  );
}

function Flag(props: { alert: boolean; title: string; value: string; detail: string; testId: string }) {
  return (
    <li
      className={`health-flag ${props.alert ? 'tone-red is-alert' : 'tone-green'}`}
      data-testid={props.testId}
      data-alert={props.alert}
    >
      <span className="health-icon" aria-hidden="true">
        {props.alert ? '!' : '✓'}
      </span>
      <span className="health-text">
        <span className="health-title">
          {props.title}: <span className="num strong">{props.value}</span>
          <span className="sr-only">{props.alert ? ' (alert)' : ' (ok)'}</span>
        </span>
        <span className="health-detail small muted">{props.detail}</span>
      </span>
    </li>
  );
}
