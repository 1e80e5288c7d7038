/**
 * DKIM (SPEC §5): every message is signed, off the main thread, by the delivery workers (`engine/workers/`),
 * with the keys `chooseSigning` picks (shared/domain/dkim.ts): the From domain's or a parent's RSA key (plus its
 * ed25519 key), else the envelope sender's domain's, else an ed25519 key alone; none: unsigned. Three parts:
 * - the keyring (`keyring.ts`): the keys per domain, loaded from the store and its key files, following
 *   changes (its own `reload()` and the revision watcher), pushed to the workers on every load;
 * - the signing itself (`signing.ts`), run in the workers with the keys they were pushed;
 * - the signer (`signer.ts`), the engine's `MessageSigner` over the keyring and the workers' pool.
 * Key management (`key-admin.ts`) writes the store; the keyring follows.
 */
export { DkimSignError } from './errors';
export { createDkimKeyring, type DkimKeyring, type DkimKeyringOptions, type KeySink } from './keyring';
export { createDkimSigner, type DkimSigner, type DkimSignerOptions, type SigningPool } from './signer';
export type { ComposeJob, SignResult } from '../types';
