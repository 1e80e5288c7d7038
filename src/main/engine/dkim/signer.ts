/**
 * The engine's DKIM signer (`MessageSigner`): the keyring says which domain's keys sign a message, the delivery
 * workers sign it (they hold the keys the keyring pushes to them) and, on the engine's main-thread path, compose
 * it too. The keyring chooses the signing domain (From's side, else the envelope sender's, `chooseSigning`).
 * A message without a key for its domain is returned unchanged without leaving the main thread. The
 * signer owns nothing: whoever made the keyring and the pool closes them.
 */
import type { Clock } from '../../clock';
import type { ComposeJob, MessageSigner, SignResult } from '../types';
import type { DkimKeyring, KeySink } from './keyring';

/** What the signer needs of the delivery workers' pool (`engine/workers/pool.ts`). */
export interface SigningPool extends KeySink {
  /** Signs `raw` with the keys of `domain`. `raw`'s memory may be transferred: do not reuse it. */
  sign(raw: Buffer, domain: string, signTime: number): Promise<SignResult>;
  /** Composes `job`'s message from `templateJson` and signs it with the keys of `domain` (null: unsigned). */
  composeAndSign(
    job: ComposeJob,
    templateJson: string,
    domain: string | null,
    signTime: number,
  ): Promise<SignResult>;
  forget(deliveryId: number): void;
}

/** The engine's signer, plus `reload` of its keyring (the API reloads it after a key changed). */
export interface DkimSigner extends MessageSigner {
  reload(): void;
}

export interface DkimSignerOptions {
  keyring: DkimKeyring;
  /** The delivery workers that sign; the keyring's keys are pushed to them from now on. */
  pool: SigningPool;
  /** Source of the signatures' t=. */
  clock: Clock;
}

export function createDkimSigner(options: DkimSignerOptions): DkimSigner {
  const { keyring, pool, clock } = options;
  keyring.attach(pool);
  return {
    async sign(raw, fromDomain, signTime, envelopeDomain) {
      const domain = keyring.signingDomain(fromDomain, envelopeDomain);
      if (!domain) return { raw, dkimDomain: null };
      return pool.sign(raw, domain, signTime ?? clock.now());
    },
    choose: (fromDomain, envelopeDomain) => keyring.choose(fromDomain, envelopeDomain),
    signingDomain: (fromDomain, envelopeDomain) => keyring.signingDomain(fromDomain, envelopeDomain),
    selectors(domain) {
      const keys = keyring.keys().find((k) => k.domain === domain);
      return keys ? { rsa: keys.rsa?.selector ?? null, ed25519: keys.ed25519?.selector ?? null } : null;
    },
    async composeAndSign(job, templateJson, fromDomain, envelopeDomain) {
      // t= is the Date header's time, so that the message viewer rebuilds the signature as sent.
      const domain = keyring.signingDomain(fromDomain, envelopeDomain);
      return pool.composeAndSign(job, templateJson, domain, job.date);
    },
    forget(deliveryId) {
      pool.forget(deliveryId);
    },
    reload() {
      keyring.reload();
    },
  };
}
