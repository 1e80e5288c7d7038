/**
 * DKIM (SPEC §5): every message whose From domain, or a parent domain of it, has an enabled key is signed, off
 * the main thread, by the delivery workers (`engine/workers/`). Three parts:
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
