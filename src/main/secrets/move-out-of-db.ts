/**
 * Opening a data dir of an earlier version: the VERP key and the IMAP password it kept in the shared database
 * are moved to the secret store, then removed from the database (no copy left in the file, its WAL or free
 * pages). Called by `openApp` before anything reads them. Values are never logged, only what moved.
 */
import type { Logger } from '../logger';
import type { Db } from '../store/db';
import { dropLegacySecrets, legacySecrets } from '../store/settings-repo';
import type { SecretStore } from './secret-store';

export function moveSecretsOutOfDatabase(db: Db, secrets: SecretStore, logger: Logger): void {
  const legacy = legacySecrets(db);
  if (legacy.verpKey === undefined && legacy.imapPassword === undefined) return;
  // A value already in the store wins (it is the one in use since it moved).
  if (legacy.verpKey && secrets.get('verpKey') === undefined) secrets.set('verpKey', legacy.verpKey);
  if (legacy.imapPassword && secrets.get('imapPassword') === undefined) {
    secrets.set('imapPassword', legacy.imapPassword);
  }
  const compacted = dropLegacySecrets(db);
  const moved = [legacy.verpKey ? 'verpKey' : null, legacy.imapPassword ? 'imapPassword' : null].filter(
    Boolean,
  );
  logger.info('moved secrets out of the database', { moved, to: secrets.location });
  if (!compacted) {
    logger.warn(
      'the database file could not be rebuilt (another process is using it): old copies of the moved secrets ' +
        'may stay in its free pages until `VACUUM` runs with Relaydeck closed',
      { moved },
    );
  }
}
