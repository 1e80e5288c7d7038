/**
 * Delivery counters live as columns of `deliveries` and move in the same transaction as the log rows they
 * count. This is the one place that maps log statuses to their counter columns.
 */
import type { FailureType } from '../../shared/domain/reasons';
import type { LogStatus } from '../../shared/domain/statuses';

export const STATUS_COLUMN: Record<LogStatus, string> = {
  pending: 'n_pending',
  taken_into_account: 'n_taken',
  sent: 'n_sent',
  failed: 'n_failed',
  ignored: 'n_ignored',
  cancelled: 'n_cancelled',
};

/** SQL fragment moving `n` rows from one status counter to another: `n_a = n_a - ?, n_b = n_b + ?`. */
export function statusMoveSql(from: LogStatus | null, to: LogStatus): string {
  const parts: string[] = [];
  if (from) parts.push(`${STATUS_COLUMN[from]} = ${STATUS_COLUMN[from]} - @n`);
  parts.push(`${STATUS_COLUMN[to]} = ${STATUS_COLUMN[to]} + @n`);
  return parts.join(', ');
}

/**
 * What a qualification adds to `n_soft`: a message counts once, at its first soft qualification, whichever path
 * gives it (synchronous reply, asynchronous DSN). `softCounted` is the row's `soft_counted` before the update
 * (migration 6): the failure type alone forgets an earlier soft bounce once a retry succeeded.
 */
export function softIncrement(type: FailureType | null | undefined, softCounted: number): 0 | 1 {
  return type === 'soft' && !softCounted ? 1 : 0;
}
