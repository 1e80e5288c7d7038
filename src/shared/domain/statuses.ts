/**
 * Delivery log statuses (SPEC §2) and delivery states. The ids are stable machine names used by the API,
 * the CLI's JSON output and the exports; display labels live beside them and are what gets translated.
 */

export const LOG_STATUSES = [
  'pending',
  'taken_into_account',
  'sent',
  'failed',
  'ignored',
  'cancelled',
] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

export const LOG_STATUS_LABELS: Record<LogStatus, string> = {
  pending: 'Pending',
  taken_into_account: 'Taken into account by the service provider',
  sent: 'Sent',
  failed: 'Failed',
  ignored: 'Ignored',
  cancelled: 'Delivery cancelled',
};

/** Statuses after which a log row never changes again through the MTA (async bounces aside). */
export function isFinalLogStatus(status: LogStatus, reporting: ReportingMode, inQueue: boolean): boolean {
  switch (status) {
    case 'pending':
    case 'taken_into_account':
      return false;
    case 'sent':
      // In classic reporting, "sent" only means relayed: it is final once the MTA is done with it.
      return reporting === 'efs' || !inQueue;
    case 'failed':
    case 'ignored':
    case 'cancelled':
      return true;
  }
}

export const REPORTING_MODES = ['efs', 'classic'] as const;
export type ReportingMode = (typeof REPORTING_MODES)[number];

/**
 * Lifecycle of a delivery (campaign side).
 * - preparing: recipients being imported and excluded
 * - relaying: pending messages are being handed to the MTA
 * - paused: relay paused by the analyst (messages already relayed continue)
 * - delivering: everything relayed; the MTA is still delivering or retrying
 * - stopped: stopped by the analyst; unrelayed messages cancelled, relayed ones continue to their outcome
 * - completed: every message has a final status
 */
export const DELIVERY_STATES = [
  'preparing',
  'relaying',
  'paused',
  'delivering',
  'stopped',
  'completed',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const DELIVERY_STATE_LABELS: Record<DeliveryState, string> = {
  preparing: 'Preparing',
  relaying: 'Relaying',
  paused: 'Paused',
  delivering: 'Delivering',
  stopped: 'Stopped',
  completed: 'Completed',
};
