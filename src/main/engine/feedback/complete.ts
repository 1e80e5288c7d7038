import type { Db } from '../../store/db';
import { stmt } from '../../store/statements';

/**
 * Marks a delivery complete once nothing is pending on the campaign side and nothing is left in the MTA:
 * `completed_at` is set, and the state becomes `completed` when it was `delivering`. A `stopped` delivery
 * keeps its state (the console shows it was stopped) but gets `completed_at`. Returns true when it changed.
 */
export function completeIfDone(db: Db, deliveryId: number | string, now: number): boolean {
  const result = stmt(
    db,
    `UPDATE deliveries
          SET completed_at = @now,
              state = CASE WHEN state = 'delivering' THEN 'completed' ELSE state END
        WHERE id = @id AND completed_at IS NULL AND n_pending = 0 AND n_in_mta = 0
          AND state IN ('delivering', 'stopped')`,
  ).run({ id: Number(deliveryId), now });
  return result.changes > 0;
}
