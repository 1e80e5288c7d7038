/**
 * SPEC §2.1 as data: the log status a message moves to on each event, per reporting mode, for synchronous
 * outcomes (the MTA's SMTP replies) and asynchronous ones (DSN / ARF reports read by inMail) alike. The ledger
 * (`src/main/store/ledger.ts`) is the only code applying it. The success counter follows the status in both
 * modes (success = the message is Sent: delivered in EFS, relayed and not bounced in classic), so its delta is
 * derived from the move instead of being a second table to keep in step.
 */
import type { LogStatus, ReportingMode } from './statuses';

export type LedgerEvent =
  /** The campaign handed the message to the MTA. */
  | 'relayed'
  /** The delivery was stopped before the message was relayed. */
  | 'cancelled'
  /** The MTA's final failure (5xx). */
  | 'hard_bounce'
  /** The MTA's transient failure: the message stays in the MTA. */
  | 'soft_bounce'
  /** The receiver accepted the message. */
  | 'delivered'
  /** The validity ended while the message was being retried. */
  | 'expired'
  /** An asynchronous report (DSN `Action: failed`) after the receiver had accepted the message. */
  | 'reported_failed'
  /** An asynchronous report that says the message is delayed (DSN `Action: delayed`). */
  | 'reported_delayed'
  /** An ARF complaint about the message. */
  | 'complaint';

/** `to`: the status after the event; `from`: the statuses it applies to (absent: any). `null`: no change. */
interface Move {
  to: LogStatus;
  from?: readonly LogStatus[];
}

// Relay and cancellation apply to messages not relayed yet; an asynchronous failure turns a Sent message Failed
// in both modes (EFS: a delivered message bounced later; classic: "hard bounce reported" decreases success). A
// message still in the MTA gets its final status from the MTA's own outcome, so a report about it only records
// its reason.
const COMMON = {
  cancelled: { to: 'cancelled', from: ['pending'] },
  hard_bounce: { to: 'failed' },
  soft_bounce: null,
  expired: { to: 'failed' },
  reported_failed: { to: 'failed', from: ['sent'] },
  reported_delayed: null,
  complaint: null,
} as const satisfies Partial<Record<LedgerEvent, Move | null>>;

const NEXT_STATUS: Record<ReportingMode, Record<LedgerEvent, Move | null>> = {
  efs: {
    ...COMMON,
    relayed: { to: 'taken_into_account', from: ['pending'] },
    delivered: { to: 'sent' },
  },
  classic: {
    ...COMMON,
    relayed: { to: 'sent', from: ['pending'] },
    delivered: null,
  },
};

export function nextStatus(mode: ReportingMode, event: LedgerEvent, current: LogStatus): LogStatus {
  const move = NEXT_STATUS[mode][event];
  if (!move || (move.from && !move.from.includes(current))) return current;
  return move.to;
}

/** How the success counter moves when a message goes from one status to another. */
export function successDelta(from: LogStatus, to: LogStatus): number {
  return (to === 'sent' ? 1 : 0) - (from === 'sent' ? 1 : 0);
}
