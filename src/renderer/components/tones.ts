/** The one mapping of statuses and states to colour tones, used sparingly and the same way everywhere. */
import type { DeliveryState, LogStatus } from '../../shared/domain/statuses';

export type Tone = 'green' | 'red' | 'blue' | 'grey' | 'amber';

export const STATUS_TONE: Record<LogStatus, Tone> = {
  pending: 'grey',
  taken_into_account: 'blue',
  sent: 'green',
  failed: 'red',
  ignored: 'grey',
  cancelled: 'amber',
};

export const STATE_TONE: Record<DeliveryState, Tone> = {
  preparing: 'grey',
  relaying: 'blue',
  paused: 'amber',
  delivering: 'blue',
  stopped: 'amber',
  completed: 'green',
};
