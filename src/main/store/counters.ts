/**
 * Delivery counters live as columns of `deliveries` and move in the same transaction as the log rows they
 * count. This is the one place that maps log statuses to their counter columns.
 */
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
