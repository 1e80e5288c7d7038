/**
 * Which stored keys sign: per domain the newest enabled key of each algorithm (RSA keys under 1024 bits are
 * never used, SPEC §5), and for a message the domain `chooseSigning` picks over those (shared with the message
 * viewer's rebuild and the delivery analysis).
 */
import { chooseSigning, type DkimKeyType, type SigningChoice } from '../../../shared/domain/dkim';
import { keyTypeOf, type DkimKeyRow } from '../../store/dkim-repo';
import { MIN_RSA_BITS } from './keys';
import type { DomainKeys } from './signing';

export type ChosenKeys = Record<DkimKeyType, DkimKeyRow | null>;

/** Whether a stored key may sign: enabled, and an RSA key of at least 1024 bits. */
export function usableKeyRow(row: DkimKeyRow): boolean {
  if (row.enabled !== 1) return false;
  return keyTypeOf(row.algorithm) !== 'rsa' || (row.bits !== null && row.bits >= MIN_RSA_BITS);
}

export function chooseKeyRows(rows: readonly DkimKeyRow[]): Map<string, ChosenKeys> {
  const chosen = new Map<string, ChosenKeys>();
  for (const row of rows) {
    if (!usableKeyRow(row)) continue;
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

/** The keys that sign a message from `fromDomain` sent with `envelopeDomain`'s return path, or null. */
export function chooseSigningRows(
  chosen: ReadonlyMap<string, ChosenKeys>,
  fromDomain: string,
  envelopeDomain: string | null,
): (SigningChoice & { keys: ChosenKeys }) | null {
  const choice = chooseSigning(fromDomain, envelopeDomain, (d) => {
    const k = chosen.get(d);
    return k && { rsa: k.rsa !== null, ed25519: k.ed25519 !== null };
  });
  const keys = choice && chosen.get(choice.domain);
  return choice && keys ? { ...choice, keys } : null;
}

/** The same choice over loaded keys (the keyring's, the message viewer's): the keys of the chosen domain. */
export function chooseDomainKeys(
  domains: ReadonlyMap<string, DomainKeys>,
  fromDomain: string,
  envelopeDomain: string | null,
): (SigningChoice & { keys: DomainKeys }) | null {
  const choice = chooseSigning(fromDomain, envelopeDomain, (d) => {
    const k = domains.get(d);
    return k && { rsa: k.rsa !== null, ed25519: k.ed25519 !== null };
  });
  const keys = choice && domains.get(choice.domain);
  return choice && keys ? { ...choice, keys } : null;
}
