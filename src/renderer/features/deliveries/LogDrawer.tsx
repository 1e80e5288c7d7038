import type { LogRow } from '../../../shared/contract';
import {
  BOUNCE_CLASSES,
  FAILURE_TYPE_LABELS,
  REASONS,
  type BounceClass,
} from '../../../shared/domain/reasons';
import { StatusBadge } from '../../components/Badge';
import { Drawer } from '../../components/Drawer';
import { formatTimestamp } from '../../components/format';
import { Prop } from '../../components/Prop';
import { ViewMessageButton } from '../message/ViewMessageButton';
import { MessageEvents } from './MessageEvents';

/** One message of the log: its fields, every SMTP attempt and the reports received about it later. */
export function LogDrawer({ row, onClose }: { row: LogRow; onClose(): void }) {
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
          {row.dkimDomain ?? (row.attempts > 0 ? 'unsigned' : null)}
        </Prop>
        <Prop label="Message id" mono>
          {row.messageId}
        </Prop>
        <Prop label="Last reply" mono wide>
          {row.lastReply}
        </Prop>
      </dl>
      <ViewMessageButton row={row} />
      <MessageEvents row={row} />
    </Drawer>
  );
}
