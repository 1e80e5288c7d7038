/**
 * SPEC §2.1 as data: the log status a message moves to on each MTA event, per reporting mode. The success
 * counter follows the status in both modes (success = the message is Sent: delivered in EFS, relayed and not
 * bounced in classic), so its delta is derived from the move instead of being a second table to keep in step.
 */
import type { LogStatus, ReportingMode } from '../../../shared/domain/statuses';

export type MtaEvent = 'relayed' | 'hard_bounce' | 'soft_bounce' | 'delivered' | 'expired';

/** `null` = the status does not change. */
const NEXT_STATUS: Record<ReportingMode, Record<MtaEvent, LogStatus | null>> = {
  efs: {
    relayed: 'taken_into_account',
    hard_bounce: 'failed',
    soft_bounce: null,
    delivered: 'sent',
    expired: 'failed',
  },
  classic: {
    relayed: 'sent',
    hard_bounce: 'failed',
    soft_bounce: null,
    delivered: null,
    expired: 'failed',
  },
};

export function nextStatus(mode: ReportingMode, event: MtaEvent, current: LogStatus): LogStatus {
  return NEXT_STATUS[mode][event] ?? current;
}

/** How the success counter moves when a message goes from one status to another. */
export function successDelta(from: LogStatus, to: LogStatus): number {
  return (to === 'sent' ? 1 : 0) - (from === 'sent' ? 1 : 0);
}
