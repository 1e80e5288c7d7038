import type { ReactNode } from 'react';
import {
  DELIVERY_STATE_LABELS,
  LOG_STATUS_LABELS,
  type DeliveryState,
  type LogStatus,
} from '../../shared/domain/statuses';
import { STATE_TONE, STATUS_TONE, type Tone } from './tones';

export function Badge({
  tone = 'grey',
  children,
  testId,
  title,
}: {
  tone?: Tone;
  children: ReactNode;
  testId?: string;
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} data-testid={testId} title={title}>
      {children}
    </span>
  );
}

/** A delivery log status, labelled from the shared domain. */
export function StatusBadge({ status, short = false }: { status: LogStatus; short?: boolean }) {
  const label = LOG_STATUS_LABELS[status];
  return (
    <Badge tone={STATUS_TONE[status]} title={label}>
      <span className="dot" aria-hidden="true" />
      {short ? shortStatusLabel(status) : label}
    </Badge>
  );
}

/** The long EFS label does not fit a table cell; the full label stays in the tooltip. */
export function shortStatusLabel(status: LogStatus): string {
  return status === 'taken_into_account' ? 'Taken into account' : LOG_STATUS_LABELS[status];
}

export function StateBadge({ state, testId }: { state: DeliveryState; testId?: string }) {
  return (
    <Badge tone={STATE_TONE[state]} testId={testId}>
      <span className="dot" aria-hidden="true" />
      {DELIVERY_STATE_LABELS[state]}
    </Badge>
  );
}
