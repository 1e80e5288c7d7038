import type { Attempt, LogRow } from '../../../shared/contract';
import {
  BOUNCE_CLASSES,
  FAILURE_TYPE_LABELS,
  REASONS,
  type BounceClass,
} from '../../../shared/domain/reasons';
import { formatReply } from '../../../shared/domain/smtp-reply';
import { useQuery } from '../../api/hooks';
import { Badge, StatusBadge } from '../../components/Badge';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTimestamp } from '../../components/format';
import type { Tone } from '../../components/tones';
import { Prop } from '../../components/Prop';
import { ViewMessageButton } from '../message/ViewMessageButton';

const OUTCOME_TONE: Record<Attempt['outcome'], Tone> = {
  accepted: 'green',
  deferred: 'amber',
  failed: 'red',
};
const OUTCOME_LABEL: Record<Attempt['outcome'], string> = {
  accepted: 'Accepted',
  deferred: 'Deferred',
  failed: 'Failed',
};

/** One message of the log: its fields and every SMTP attempt. */
export function LogDrawer({ row, onClose }: { row: LogRow; onClose(): void }) {
  const attempts = useQuery(
    'logs.attempts',
    { logId: row.id },
    { invalidateOn: { 'logs.changed': (p) => p.deliveryId === row.deliveryId } },
  );
  const bounceClass =
    row.bounceClass !== null && row.bounceClass in BOUNCE_CLASSES
      ? `${row.bounceClass} ${BOUNCE_CLASSES[row.bounceClass as BounceClass]}`
      : row.bounceClass;

  return (
    <Drawer title={row.email} onClose={onClose} testId="log-drawer">
      <dl className="props">
        <Prop label="Status">
          <StatusBadge status={row.status} />
        </Prop>
        <Prop label="Failure type">{row.failureType ? FAILURE_TYPE_LABELS[row.failureType] : null}</Prop>
        <Prop label="Reason">{row.reason ? REASONS[row.reason].label : null}</Prop>
        <Prop label="Bounce class">{bounceClass}</Prop>
        <Prop label="Attempts">{row.attempts}</Prop>
        <Prop label="First attempt">
          {row.firstAttemptAt !== null ? formatTimestamp(row.firstAttemptAt) : null}
        </Prop>
        <Prop label="Last attempt">
          {row.lastAttemptAt !== null ? formatTimestamp(row.lastAttemptAt) : null}
        </Prop>
        <Prop label="Next attempt">
          {row.nextAttemptAt !== null ? formatTimestamp(row.nextAttemptAt) : null}
        </Prop>
        <Prop label="MX host" mono>
          {row.mxHost}
        </Prop>
        <Prop label="MX IP" mono>
          {row.mxIp}
        </Prop>
        <Prop label="DKIM domain" mono>
          {row.dkimDomain}
        </Prop>
        <Prop label="Message id" mono>
          {row.messageId}
        </Prop>
        <Prop label="Last reply" mono wide>
          {row.lastReply}
        </Prop>
      </dl>
      <ViewMessageButton row={row} />
      <h3 className="section-title">Attempts</h3>
      <ErrorBanner error={attempts.error} title="The attempts could not be loaded" />
      {attempts.loading ? (
        <div className="loading">Loading attempts…</div>
      ) : (attempts.data?.items.length ?? 0) === 0 ? (
        <p className="muted">No attempt yet: the message has not been sent to a receiving server.</p>
      ) : (
        <ol className="attempts" data-testid="attempts">
          {attempts.data?.items.map((a) => (
            <li key={a.id} className="attempt" data-testid="attempt">
              <div className="attempt-head">
                <Badge tone={OUTCOME_TONE[a.outcome]}>{OUTCOME_LABEL[a.outcome]}</Badge>
                <span className="num">{formatTimestamp(a.at)}</span>
                <span className="muted num">{a.durationMs} ms</span>
              </div>
              <div className="attempt-reply mono">{formatReply(a)}</div>
              <div className="attempt-meta muted small">
                {a.command && <span>after {a.command}</span>}
                {a.mxHost && <span className="mono">{a.mxHost}</span>}
                {a.ip && <span className="mono">{a.ip}</span>}
                <span>{a.tls ? 'TLS' : 'no TLS'}</span>
              </div>
            </li>
          ))}
        </ol>
      )}
    </Drawer>
  );
}
