/**
 * Outcomes are written in batches (one transaction per batch): flushed `flushMs` of the clock after the first
 * waiting one, or at once when `maxBatch` are waiting. Deliveries touched are notified once per batch.
 */
import type { EngineStore } from '../../store/engine-store';
import type { Logger } from '../../logger';
import type { Clock } from '../../clock';
import type { EngineNotifier } from '../types';
import { toLedgerOutcome, type ApplyResult, type MessageOutcome } from './apply-outcomes';

export interface FeedbackBufferOptions {
  /** The ledger's port. */
  store: Pick<EngineStore, 'applyOutcomes'>;
  clock: Clock;
  notify: EngineNotifier;
  logger: Logger;
  flushMs: number;
  maxBatch: number;
  /** Called after every flush (the scheduler re-plans, idle waiters are checked). */
  onFlushed(result: ApplyResult): void;
}

export interface FeedbackBuffer {
  push(outcome: MessageOutcome): void;
  flush(): void;
  pending(): number;
  close(): void;
}

export function createFeedbackBuffer(o: FeedbackBufferOptions): FeedbackBuffer {
  let waiting: MessageOutcome[] = [];
  let cancelTimer: (() => void) | null = null;

  function flush(): void {
    cancelTimer?.();
    cancelTimer = null;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    let result: ApplyResult;
    try {
      result = o.store.applyOutcomes(batch.map(toLedgerOutcome), o.clock.now());
    } catch (err) {
      // Nothing of the batch was written: the messages keep their leases, which expire, and are tried again.
      o.logger.error('writing outcomes failed; the messages will be retried when their lease ends', {
        err,
        outcomes: batch.length,
      });
      return;
    }
    if (result.skipped > 0)
      o.logger.warn('outcomes skipped: message no longer queued', { skipped: result.skipped });
    for (const id of result.deliveryIds) {
      o.notify.logsChanged(String(id));
      o.notify.deliveryChanged(String(id));
    }
    if (result.quarantineChanged > 0) o.notify.quarantineChanged?.();
    for (const id of result.completed) o.logger.info('delivery completed', { deliveryId: id });
    o.onFlushed(result);
  }

  return {
    push(outcome) {
      waiting.push(outcome);
      if (waiting.length >= o.maxBatch || o.flushMs <= 0) flush();
      else cancelTimer ??= o.clock.at(o.clock.now() + o.flushMs, flush);
    },
    flush,
    pending: () => waiting.length,
    close() {
      cancelTimer?.();
      cancelTimer = null;
    },
  };
}
