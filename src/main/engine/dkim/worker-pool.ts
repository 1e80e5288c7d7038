/**
 * A pool of signing worker threads. Each request goes to the worker with the fewest pending requests; the
 * message bytes are transferred, not copied. A message composed in a worker (`composeAndSign`) carries only
 * the recipient's values; its delivery's template is sent to each worker once. A worker that dies is replaced at once and every request it
 * held is rejected with a `DkimSignError` (the engine gives the message back to the queue and retries it):
 * no request is ever left unsettled. Workers do not keep the process alive while they have nothing to do.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger';
import { ComposeError } from '../relay/compose';
import { asBuffer, transferable, type ComposeJob, type FromWorker, type ToWorker } from './protocol';
import type { DomainKeys } from './signing';

export class DkimSignError extends Error {
  override name = 'DkimSignError';
}

export interface SignResult {
  raw: Buffer;
  dkimDomain: string | null;
}

export interface SignPool {
  /** Signs `raw` with the keys of `domain`. `raw`'s memory may be transferred: do not reuse it. */
  sign(raw: Buffer, domain: string, signTime: number): Promise<SignResult>;
  /**
   * Composes `job`'s message from `templateJson` and signs it with the keys of `domain`, in one worker (each
   * worker is sent a delivery's template once). Rejects with a `ComposeError` when the message cannot be
   * composed, with a `DkimSignError` when signing failed.
   */
  composeAndSign(
    job: ComposeJob,
    templateJson: string,
    domain: string | null,
    signTime: number,
  ): Promise<SignResult>;
  /** Drops a delivery's template from the workers (the delivery finished). */
  forget(deliveryId: number): void;
  /** Sends new keys to every worker (requests sent afterwards use them). */
  setKeys(keys: DomainKeys[]): void;
  close(): Promise<void>;
}

export interface SignPoolOptions {
  size: number;
  spawn: () => Worker;
  logger: Logger;
  /** Consecutive worker deaths without a signed message after which the pool gives up. */
  maxCrashes?: number;
}

interface Pending {
  resolve: (result: SignResult) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** The template each delivery's messages are composed from in this worker, as last sent. */
  templates: Map<number, string>;
}

export function createSignPool(options: SignPoolOptions): SignPool {
  const { logger } = options;
  const size = Math.max(1, Math.floor(options.size));
  const maxCrashes = options.maxCrashes ?? size * 3;
  let keys: DomainKeys[] = [];
  let nextId = 1;
  let crashes = 0;
  let closed = false;
  let broken: string | null = null;
  const slots: Slot[] = [];

  function spawnSlot(): Slot {
    const worker = options.spawn();
    const slot: Slot = { worker, pending: new Map(), templates: new Map() };
    worker.unref();
    worker.on('message', (msg: FromWorker) => settle(slot, msg));
    worker.on('error', (err) =>
      logger.error('DKIM signing worker failed', { threadId: worker.threadId, err }),
    );
    worker.on('exit', (code) => onExit(slot, code));
    post(slot, { kind: 'keys', keys });
    return slot;
  }

  function post(slot: Slot, msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    slot.worker.postMessage(msg, transfer);
  }

  function settle(slot: Slot, msg: FromWorker): void {
    const pending = slot.pending.get(msg.id);
    if (!pending) return;
    slot.pending.delete(msg.id);
    if (slot.pending.size === 0) slot.worker.unref();
    switch (msg.kind) {
      case 'signed':
        crashes = 0;
        pending.resolve({ raw: asBuffer(msg.raw), dkimDomain: msg.dkimDomain });
        return;
      case 'failed':
        pending.reject(new DkimSignError(`DKIM signing failed: ${msg.message}`));
        return;
      case 'compose-failed':
        crashes = 0;
        pending.reject(new ComposeError(msg.message));
        return;
    }
  }

  function onExit(slot: Slot, code: number): void {
    const index = slots.indexOf(slot);
    if (index !== -1) slots.splice(index, 1);
    const held = [...slot.pending.values()];
    slot.pending.clear();
    if (closed) {
      for (const p of held) p.reject(new DkimSignError('the DKIM signer was closed'));
      return;
    }
    crashes += 1;
    logger.error('DKIM signing worker stopped; its messages will be retried', {
      threadId: slot.worker.threadId,
      exitCode: code,
      held: held.length,
    });
    for (const p of held)
      p.reject(
        new DkimSignError(`the DKIM signing worker stopped (exit code ${code}); the message will be retried`),
      );
    if (crashes > maxCrashes) {
      broken = `the DKIM signing workers stopped ${crashes} times in a row without signing anything`;
      logger.error(broken);
      return;
    }
    slots.push(spawnSlot());
  }

  function pick(): Slot {
    while (slots.length < size) slots.push(spawnSlot());
    let best = slots[0] as Slot;
    for (const slot of slots) if (slot.pending.size < best.pending.size) best = slot;
    return best;
  }

  /** Sends a request to the least busy worker; `build` makes the message once its id is known. */
  function request(
    build: (slot: Slot, id: number) => { msg: ToWorker; transfer?: ArrayBuffer[] },
  ): Promise<SignResult> {
    if (closed) return Promise.reject(new DkimSignError('the DKIM signer is closed'));
    if (broken) return Promise.reject(new DkimSignError(broken));
    const slot = pick();
    const id = nextId++;
    return new Promise<SignResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.worker.ref();
      const { msg, transfer } = build(slot, id);
      post(slot, msg, transfer);
    });
  }

  return {
    sign(raw, domain, signTime) {
      return request((_slot, id) => {
        const { bytes, transfer } = transferable(raw);
        return { msg: { kind: 'sign', id, raw: bytes, domain, signTime }, transfer };
      });
    },
    composeAndSign(job, templateJson, domain, signTime) {
      return request((slot, id) => {
        if (slot.templates.get(job.deliveryId) !== templateJson) {
          slot.templates.set(job.deliveryId, templateJson);
          post(slot, { kind: 'template', deliveryId: job.deliveryId, json: templateJson });
        }
        return { msg: { kind: 'compose', id, job, domain, signTime } };
      });
    },
    forget(deliveryId) {
      for (const slot of slots) {
        if (slot.templates.delete(deliveryId)) post(slot, { kind: 'forget', deliveryId });
      }
    },
    setKeys(next) {
      keys = next;
      for (const slot of slots) post(slot, { kind: 'keys', keys });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
