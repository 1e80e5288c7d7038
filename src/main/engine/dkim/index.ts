/**
 * The DKIM signer (SPEC §5): every message whose From domain, or a parent domain of it, has an enabled key
 * is signed, off the main thread, by the delivery workers (`engine/workers/`). Keys are read from the store
 * and their files once per `reload()` (parsed into KeyObjects) and pushed to the workers; a message without a
 * key for its domain is returned unchanged without leaving the main thread. The engine's delivery workers
 * sign the messages they send themselves; `signingDomain` tells them which domain's keys sign a message.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { findSigningDomain } from '../../../shared/domain/dkim';
import type { Logger } from '../../logger';
import type { Db } from '../../store/db';
import { listEnabledDkimKeyRows, type DkimKeyRow } from '../../store/dkim-repo';
import { systemClock, type Clock } from '../clock';
import type { ComposeJob } from '../workers/protocol';
import { createDeliveryWorkers, DkimSignError, type DeliveryWorkers, type SignResult } from '../workers/pool';
import { deliveryWorkerScript } from '../workers/script';
import { chooseKeyRows } from './key-choice';
import { readKeyFile } from './key-files';
import { parseStoredKey } from './keys';
import type { DomainKeys, SigningKey } from './signing';

export { DkimSignError, type SignResult } from '../workers/pool';
export type { ComposeJob } from '../workers/protocol';

/** How often the signer checks whether another process changed the keys. */
export const KEYS_CHECK_MS = 5_000;

export interface DkimSigner {
  /**
   * Signs a composed message for its From domain. Without a key for the domain or its parents, resolves
   * with the message unchanged and `dkimDomain: null`. Rejects with a `DkimSignError` when signing failed
   * (e.g. a worker died): the message should be retried, not sent unsigned. `raw` must not be reused.
   */
  sign(raw: Buffer, fromDomain: string): Promise<SignResult>;
  /** The domain whose key signs mail of `fromDomain` (itself or a parent domain), or null when none has one. */
  signingDomain(fromDomain: string): string | null;
  /**
   * Composes a message from its delivery's template in a worker and signs it there when `fromDomain` (or a
   * parent domain) has a key, so the message crosses threads once; without a key it comes back unsigned
   * (`dkimDomain: null`). Used when the engine sends on the main thread (an injected relay factory); with
   * delivery workers the whole attempt happens in a worker. Rejects with a `ComposeError` when the message cannot be composed, with a `DkimSignError` when
   * signing failed or the signer is closed (the message should be retried, not sent unsigned).
   */
  composeAndSign(job: ComposeJob, templateJson: string, fromDomain: string): Promise<SignResult>;
  /** Drops a finished delivery's template from the workers. */
  forget(deliveryId: number): void;
  /** Re-reads the keys from the store (after a key was added, removed, enabled or disabled). */
  reload(): void;
  close(): Promise<void>;
}

export interface DkimSignerOptions {
  db: Db;
  logger: Logger;
  /**
   * The delivery workers that sign (the app shares the engine's: the signer pushes its keys to them and does
   * not close them). Without them the signer starts its own on the first signature.
   */
  pool?: DeliveryWorkers;
  /** Threads of the signer's own workers (default: the available parallelism, at least 1). */
  workers?: number;
  /** Source of the signatures' t= (default: the system clock). */
  clock?: Clock;
  /** Starts one of the signer's own workers (tests inject misbehaving ones); default: the bundled worker. */
  spawnWorker?: () => Worker;
}

export function createDkimSigner(options: DkimSignerOptions): DkimSigner {
  const log = options.logger.child({ component: 'dkim' });
  const clock = options.clock ?? systemClock;
  const size = Math.max(1, options.workers ?? os.availableParallelism());
  const spawn = options.spawnWorker ?? (() => new Worker(deliveryWorkerScript()));
  /** Parsed keys by row id and file content: a reload re-parses only new or changed keys. */
  const parsed = new Map<number, { pem: string; signing: SigningKey }>();
  let domains = new Map<string, DomainKeys>();
  let pool: DeliveryWorkers | null = options.pool ?? null;
  let closed = false;
  // Keys changed by another process (`relaydeck dkim add` next to a running `serve`) are noticed by a
  // fingerprint of the table, checked at most every KEYS_CHECK_MS.
  const fingerprintOf = () =>
    JSON.stringify(
      options.db
        .prepare('SELECT count(*), max(id), sum(enabled * id), max(created_at) FROM dkim_keys')
        .raw()
        .get(),
    );
  let fingerprint = '';
  let checkedAt = clock.now();

  function load(): void {
    fingerprint = fingerprintOf();
    checkedAt = clock.now();
    const next = new Map<string, DomainKeys>();
    const used = new Set<number>();
    for (const [domain, rows] of chooseKeyRows(listEnabledDkimKeyRows(options.db))) {
      const rsa = rows.rsa && signingKeyOf(rows.rsa);
      const ed25519 = rows.ed25519 && signingKeyOf(rows.ed25519);
      if (rows.rsa && rsa) used.add(rows.rsa.id);
      if (rows.ed25519 && ed25519) used.add(rows.ed25519.id);
      if (rsa || ed25519) next.set(domain, { domain, rsa: rsa ?? null, ed25519: ed25519 ?? null });
    }
    for (const id of parsed.keys()) if (!used.has(id)) parsed.delete(id);
    domains = next;
    pool?.setKeys([...domains.values()]);
    log.info('DKIM keys loaded', {
      domains: [...domains.values()].map((d) => ({
        domain: d.domain,
        rsa: d.rsa?.selector ?? null,
        ed25519: d.ed25519?.selector ?? null,
      })),
    });
  }

  function signingKeyOf(row: DkimKeyRow): SigningKey | null {
    let pem: string;
    try {
      pem = readKeyFile(row.key_path);
    } catch (err) {
      log.error('DKIM private key file cannot be read: the key is not used', {
        domain: row.domain,
        selector: row.selector,
        file: row.key_path,
        err,
      });
      return null;
    }
    const hit = parsed.get(row.id);
    if (hit && hit.pem === pem) return hit.signing;
    try {
      const signing = { selector: row.selector, key: parseStoredKey(pem) };
      parsed.set(row.id, { pem, signing });
      return signing;
    } catch (err) {
      log.error('DKIM private key file is not a valid key: the key is not used', {
        domain: row.domain,
        selector: row.selector,
        file: row.key_path,
        err,
      });
      return null;
    }
  }

  load();

  function signingDomain(fromDomain: string): string | null {
    if (clock.now() - checkedAt >= KEYS_CHECK_MS) {
      checkedAt = clock.now();
      if (fingerprintOf() !== fingerprint) load();
    }
    return findSigningDomain(fromDomain, (d) => domains.has(d));
  }

  function started(): DeliveryWorkers {
    if (closed) throw new DkimSignError('the DKIM signer is closed');
    if (!pool) {
      pool = createDeliveryWorkers({ size, spawn, logger: log });
      pool.setKeys([...domains.values()]);
    }
    return pool;
  }

  return {
    async sign(raw, fromDomain) {
      const domain = signingDomain(fromDomain);
      if (!domain) return { raw, dkimDomain: null };
      return started().sign(raw, domain, clock.now());
    },
    signingDomain,
    async composeAndSign(job, templateJson, fromDomain) {
      return started().composeAndSign(job, templateJson, signingDomain(fromDomain), clock.now());
    },
    forget(deliveryId) {
      pool?.forget(deliveryId);
    },
    reload() {
      if (!closed) load();
    },
    async close() {
      closed = true;
      if (pool !== options.pool) await pool?.close();
    },
  };
}
