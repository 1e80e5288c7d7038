/** Which stored keys sign for each domain: the newest enabled key of each algorithm. */
import type { DkimKeyType } from '../../../shared/domain/dkim';
import { keyTypeOf, type DkimKeyRow } from '../../store/dkim-repo';

export type ChosenKeys = Record<DkimKeyType, DkimKeyRow | null>;

export function chooseKeyRows(rows: readonly DkimKeyRow[]): Map<string, ChosenKeys> {
  const chosen = new Map<string, ChosenKeys>();
  for (const row of rows) {
    if (row.enabled !== 1) continue;
    const entry = chosen.get(row.domain) ?? { rsa: null, ed25519: null };
    const type = keyTypeOf(row.algorithm);
    const current = entry[type];
    if (
      !current ||
      row.created_at > current.created_at ||
      (row.created_at === current.created_at && row.id > current.id)
    )
      entry[type] = row;
    chosen.set(row.domain, entry);
  }
  return chosen;
}
