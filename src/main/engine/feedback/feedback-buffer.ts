/**
 * Outcomes are written in batches (one transaction per batch): flushed `flushMs` of the clock after the first
 * waiting one, or at once when `maxBatch` are waiting. Deliveries touched are notified once per batch.
 *
 * A batch that cannot be written (another process holding the store's write lock beyond the busy timeout, a
 * full disk) is never dropped: its messages were sent or tried, so they must not be sent again. The batch is
 * kept, the leases of its messages are renewed (so no engine, this one or another on the data dir, leases them
 * again) and it is written again every `retryMs` of the clock, with whatever outcomes arrived meanwhile, until
 * it succeeds. Only a process that stops (or dies) with outcomes unwritten leaves them to the lease expiry, like
 * the messages it had in flight.
 */
import type { EngineStore } from '../../store/engine-store';
import type { Logger } from '../../logger';
import type { Clock } from '../../clock';
import type { EngineNotifier } from '../types';
import { toLedgerOutcome, type ApplyResult, type MessageOutcome } from './apply-outcomes';

export interface FeedbackBufferOptions {
  /** The ledger's port, and the queue (leases of outcomes waiting for a retry are renewed). */
  store: Pick<EngineStore, 'applyOutcomes' | 'queue'>;
  clock: Clock;
  notify: EngineNotifier;
  logger: Logger;
  flushMs: number;
  maxBatch: number;
  /** A batch that could not be written is written again this long later. */
  retryMs: number;
  /** The leases of its messages are renewed to this long from each retry. */
  leaseMs: number;
  /** Called after every flush (the scheduler re-plans, idle waiters are checked). */
  onFlushed(result: ApplyResult): void;
}

export interface FeedbackBuffer {
  push(outcome: MessageOutcome): void;
  flush(): void;
  pending(): number;
  close(): void;
}

/** While writes keep failing, one error in this many is logged (a retry runs every `retryMs`). */
const LOG_EVERY_FAILURES = 30;

export function createFeedbackBuffer(o: FeedbackBufferOptions): FeedbackBuffer {
  let waiting: MessageOutcome[] = [];
  let cancelTimer: (() => void) | null = null;
  /** Failed writes in a row: while there are any, only the retry timer writes (pushes just add). */
  let failures = 0;

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
      // Nothing of the batch was written (one transaction): keep it, hold its messages, write it again later.
      waiting = batch;
      failures++;
      holdLeases(batch);
      if (failures % LOG_EVERY_FAILURES === 1)
        o.logger.error('writing outcomes failed; kept, with their messages held, and written again', {
          err,
          outcomes: batch.length,
          failures,
          retryMs: o.retryMs,
        });
      cancelTimer = o.clock.at(o.clock.now() + o.retryMs, flush);
      return;
    }
    if (failures > 0)
      o.logger.info('outcomes written after failed writes', { outcomes: batch.length, failures });
    failures = 0;
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

  /** Renews the leases of messages whose outcome waits to be written (a failure here is retried next time). */
  function holdLeases(batch: readonly MessageOutcome[]): void {
    try {
      o.store.queue.renew(
        batch.map((m) => m.logId),
        o.clock.now() + o.leaseMs,
      );
    } catch (err) {
      if (failures % LOG_EVERY_FAILURES === 1)
        o.logger.error('renewing the leases of unwritten outcomes failed', { err, outcomes: batch.length });
    }
  }

  return {
    push(outcome) {
      waiting.push(outcome);
      if (failures > 0) return;
      if (waiting.length >= o.maxBatch || o.flushMs <= 0) flush();
      else cancelTimer ??= o.clock.at(o.clock.now() + o.flushMs, flush);
    },
    flush,
    pending: () => waiting.length,
    close() {
      cancelTimer?.();
      cancelTimer = null;
      if (waiting.length > 0)
        o.logger.error(
          'stopped with outcomes unwritten; their messages are tried again when their lease ends',
          {
            outcomes: waiting.length,
          },
        );
    },
  };
}
