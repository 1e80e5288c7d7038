/**
 * Delivery lifecycle on the campaign side (SPEC §3). A prepared delivery waits in `preparing` with no start
 * time until it is started; relay can be paused and resumed; stop cancels what is not relayed yet.
 */
import { AppError } from '../../shared/contract/errors';
import { DELIVERY_STATE_LABELS, type DeliveryState } from '../../shared/domain/statuses';

export type DeliveryAction = 'start' | 'pause' | 'resume' | 'stop';

export interface LifecycleView {
  id: number;
  state: DeliveryState;
  startedAt: number | null;
}

/** The state an action leads to, or a `conflict` saying what state the delivery is in. */
export function nextState(d: LifecycleView, action: DeliveryAction): DeliveryState {
  const refuse = (why: string): never => {
    throw new AppError(
      'conflict',
      `Delivery ${d.id} is ${DELIVERY_STATE_LABELS[d.state].toLowerCase()}${d.state === 'preparing' && d.startedAt === null ? ' (prepared, not started)' : ''}: ${why}`,
    );
  };
  switch (action) {
    case 'start':
      return d.state === 'preparing' && d.startedAt === null
        ? 'relaying'
        : refuse('only a prepared delivery can be started');
    case 'pause':
      return d.state === 'relaying' ? 'paused' : refuse('only a relaying delivery can be paused');
    case 'resume':
      return d.state === 'paused' ? 'relaying' : refuse('only a paused delivery can be resumed');
    case 'stop':
      switch (d.state) {
        case 'preparing':
        case 'relaying':
        case 'paused':
        case 'delivering':
          return 'stopped';
        case 'stopped':
          return refuse('it is already stopped');
        case 'completed':
          return refuse('a completed delivery cannot be stopped');
      }
  }
}
