/**
 * The engine's delivery workers: a pool of worker threads that compose, DKIM-sign and send messages over
 * SMTP, so a message makes one round trip main -> worker -> main and the main thread keeps only the queue, the
 * shaper and the feedback. Each worker keeps its own SMTP sessions (a destination pool of relays); a
 * delivery's template is sent to each worker once, then a message is only its recipient's values.
 *
 * Worker choice: a destination's connection limit is split between the workers (shares adding up to the
 * limit; each worker's relay holds at most its share of sessions, extra sends wait there for one), and
 * `transmit` picks the worker with the fewest messages in flight to the destination per connection of its
 * share, so one destination uses every worker without ever exceeding its limit. The shaper on the main thread
 * still decides admission (connections, hourly rate) before a message reaches the pool.
 *
 * Requests and replies of one tick cross threads as one post (arrays). A worker that dies is replaced and
 * every request it held is rejected (the engine gives those messages back to the queue): no request is left
 * unsettled. Workers do not keep the process alive while they have nothing to do. `close()` waits for the
 * requests in flight, has every worker QUIT its idle sessions, then terminates them.
 *
 * The pool owns the threads, not the keys: the DKIM keyring (`engine/dkim/keyring.ts`) pushes its keys with
 * `setKeys` on every load (one `keys` message per worker, before the requests that follow).
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger';
import type { Clock } from '../../clock';
import { DkimSignError } from '../dkim/errors';
import type { DomainKeys } from '../dkim/signing';
import { ComposeError } from '../relay/compose';
import type { ComposeJob, Sender, SignResult, TransmitRequest, TransmitResult } from '../types';
import { asBuffer, createBatcher, transferable, type FromWorker, type ToWorker } from './protocol';

/** A request could not be done by a worker (it stopped, or the pool is closed): retry the message later. */
export class DeliveryWorkerError extends Error {
  override name = 'DeliveryWorkerError';
}

export interface DeliveryWorkers extends Sender {
  /** Signs `raw` with the keys of `domain`. `raw`'s memory may be transferred: do not reuse it. */
  sign(raw: Buffer, domain: string, signTime: number): Promise<SignResult>;
  /**
   * Composes `job`'s message from `templateJson` and signs it with the keys of `domain`, in one worker.
   * Rejects with a `ComposeError` when the message cannot be composed, with a `DkimSignError` when signing
   * failed.
   */
  composeAndSign(
    job: ComposeJob,
    templateJson: string,
    domain: string | null,
    signTime: number,
  ): Promise<SignResult>;
  /** Sends new keys to every worker (requests sent afterwards use them). */
  setKeys(keys: DomainKeys[]): void;
  close(): Promise<void>;
}

export interface DeliveryWorkersOptions {
  size: number;
  spawn: () => Worker;
  logger: Logger;
  /** Consecutive worker deaths without a completed request after which the pool gives up. */
  maxCrashes?: number;
  /** A worker's relay to a destination (and its sessions) is closed after this long without work. */
  relayIdleMs?: number;
  /** Bounds the waits of `close()`. */
  clock: Clock;
  /** How long `close()` waits for requests in flight, then for the workers' QUITs. */
  closeTimeoutMs?: number;
}

interface Pending {
  resolve: (value: SignResult | TransmitResult) => void;
  reject: (err: Error) => void;
  /** The error a failure of this request becomes. */
  failure: new (message: string) => Error;
  /** The destination of a transmit request. */
  key: string | null;
}

interface Slot {
  worker: Worker;
  outbox: { push(msg: ToWorker, transfer?: ArrayBuffer[]): void };
  pending: Map<number, Pending>;
  /** The template each delivery's messages are composed from in this worker, as last sent. */
  templates: Map<number, string>;
  /** SMTP sessions the worker reported open, per destination. */
  open: Map<string, number>;
  /** Transmit requests in flight in this worker, per destination. */
  inflight: Map<string, number>;
  /** The share last sent in a `trim`, per destination (so a lowered limit is sent once, not per message). */
  trimmed: Map<string, number>;
  onClosed: (() => void) | null;
}

export function createDeliveryWorkers(options: DeliveryWorkersOptions): DeliveryWorkers {
  const { logger } = options;
  const { clock } = options;
  const size = Math.max(1, Math.floor(options.size));
  const maxCrashes = options.maxCrashes ?? size * 3;
  const closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
  let keys: DomainKeys[] = [];
  let nextId = 1;
  let crashes = 0;
  let closed = false;
  let closing: Promise<void> | null = null;
  let broken: string | null = null;
  const slots: Slot[] = [];
  const drainWaiters: (() => void)[] = [];

  function spawnSlot(): Slot {
    const worker = options.spawn();
    const outbox = createBatcher<ToWorker>((items, transfer) => worker.postMessage(items, transfer));
    const slot: Slot = {
      worker,
      outbox,
      pending: new Map(),
      templates: new Map(),
      open: new Map(),
      inflight: new Map(),
      trimmed: new Map(),
      onClosed: null,
    };
    worker.unref();
    worker.on('message', (batch: FromWorker[]) => {
      for (const msg of batch) settle(slot, msg);
    });
    worker.on('error', (err) => logger.error('delivery worker failed', { threadId: worker.threadId, err }));
    worker.on('exit', (code) => onExit(slot, code));
    outbox.push({ kind: 'config', relayIdleMs: options.relayIdleMs ?? 5_000 });
    outbox.push({ kind: 'keys', keys });
    return slot;
  }

  function pendingCount(): number {
    let n = 0;
    for (const slot of slots) n += slot.pending.size;
    return n;
  }

  function drained(): void {
    if (pendingCount() === 0) for (const resolve of drainWaiters.splice(0)) resolve();
  }

  function take(slot: Slot, id: number): Pending | undefined {
    const pending = slot.pending.get(id);
    if (!pending) return undefined;
    slot.pending.delete(id);
    if (pending.key !== null) slot.inflight.set(pending.key, (slot.inflight.get(pending.key) ?? 1) - 1);
    if (slot.pending.size === 0) slot.worker.unref();
    return pending;
  }

  function settle(slot: Slot, msg: FromWorker): void {
    switch (msg.kind) {
      case 'sessions':
        slot.open.set(msg.key, msg.open);
        return;
      case 'log':
        logger[msg.level](msg.msg, { threadId: slot.worker.threadId, ...msg.fields });
        return;
      case 'closed':
        slot.onClosed?.();
        return;
      case 'signed':
      case 'transmitted':
      case 'failed':
      case 'compose-failed':
        break;
    }
    const pending = take(slot, msg.id);
    if (!pending) return;
    switch (msg.kind) {
      case 'signed':
        crashes = 0;
        pending.resolve({ raw: asBuffer(msg.raw), dkimDomain: msg.dkimDomain });
        break;
      case 'transmitted':
        crashes = 0;
        pending.resolve({
          outcomes: withOtherWorkers(slot, pending.key, msg.outcomes),
          dkimDomain: msg.dkimDomain,
        });
        break;
      case 'failed':
        pending.reject(new pending.failure(`${failureLabel(pending)} failed: ${msg.message}`));
        break;
      case 'compose-failed':
        crashes = 0;
        pending.reject(new ComposeError(msg.message));
        break;
    }
    drained();
  }

  /**
   * A worker knows only its own sessions: the sessions the receiver held for us when it answered include the
   * other workers' (what the shaper lowers a connection limit towards).
   */
  function withOtherWorkers<T extends { session?: { completed: number; concurrent: number } | null }>(
    slot: Slot,
    key: string | null,
    outcomes: T[],
  ): T[] {
    if (key === null || slots.length < 2) return outcomes;
    let others = 0;
    for (const s of slots) if (s !== slot) others += s.open.get(key) ?? 0;
    if (others === 0) return outcomes;
    return outcomes.map((o) =>
      o.session ? { ...o, session: { ...o.session, concurrent: o.session.concurrent + others } } : o,
    );
  }

  function onExit(slot: Slot, code: number): void {
    const index = slots.indexOf(slot);
    if (index !== -1) slots.splice(index, 1);
    const held = [...slot.pending.values()];
    slot.pending.clear();
    slot.onClosed?.();
    if (closed) {
      for (const p of held) p.reject(new p.failure('the delivery workers were closed'));
      drained();
      return;
    }
    crashes += 1;
    logger.error('delivery worker stopped; its messages will be retried', {
      threadId: slot.worker.threadId,
      exitCode: code,
      held: held.length,
    });
    for (const p of held)
      p.reject(new p.failure(`the delivery worker stopped (exit code ${code}); the message will be retried`));
    drained();
    if (crashes > maxCrashes) {
      broken = `the delivery workers stopped ${crashes} times in a row without completing anything`;
      logger.error(broken);
      return;
    }
    slots.push(spawnSlot());
  }

  function fill(): void {
    while (slots.length < size) slots.push(spawnSlot());
  }

  function leastBusy(): Slot {
    fill();
    let best = slots[0] as Slot;
    for (const slot of slots) if (slot.pending.size < best.pending.size) best = slot;
    return best;
  }

  /**
   * A worker's share of a destination's connection limit: the limit is split between the workers (the shares
   * add up to it), so the destination never has more connections than its rule allows, whichever workers hold
   * them. A worker's relay opens at most its share; messages beyond wait there for a session.
   */
  function shareOf(slot: Slot, limit: number): number {
    const i = slots.indexOf(slot);
    return Math.floor(limit / slots.length) + (i >= 0 && i < limit % slots.length ? 1 : 0);
  }

  /** The worker with the fewest messages in flight to `key` per connection of its share (ties: the least busy). */
  function forDestination(key: string, limit: number): Slot {
    fill();
    let best: Slot | null = null;
    let bestLoad = Infinity;
    for (const slot of slots) {
      const share = shareOf(slot, limit);
      if (share === 0) continue;
      const load = ((slot.inflight.get(key) ?? 0) + 1) / share;
      if (load < bestLoad || (load === bestLoad && best && slot.pending.size < best.pending.size)) {
        best = slot;
        bestLoad = load;
      }
    }
    return best ?? leastBusy();
  }

  /**
   * A lowered connection limit reaches every worker holding more sessions than its new share, even one that is
   * sent nothing more to the destination (its idle sessions would otherwise count against the limit at the
   * receiver until they time out).
   */
  function trimAbove(key: string, limit: number): void {
    for (const slot of slots) {
      const share = shareOf(slot, limit);
      if ((slot.open.get(key) ?? 0) <= share) {
        slot.trimmed.delete(key);
        continue;
      }
      if (slot.trimmed.get(key) === share) continue;
      slot.trimmed.set(key, share);
      slot.outbox.push({ kind: 'trim', key, maxConnections: share });
    }
  }

  function sendTemplate(slot: Slot, deliveryId: number, templateJson: string): void {
    if (slot.templates.get(deliveryId) === templateJson) return;
    slot.templates.set(deliveryId, templateJson);
    slot.outbox.push({ kind: 'template', deliveryId, json: templateJson });
  }

  /** Sends a request to `slot`; `build` makes the message once its id is known. */
  function request<T extends SignResult | TransmitResult>(
    failure: new (message: string) => Error,
    choose: () => Slot,
    key: string | null,
    build: (slot: Slot, id: number) => { msg: ToWorker; transfer?: ArrayBuffer[] },
  ): Promise<T> {
    if (closed) return Promise.reject(new failure('the delivery workers are closed'));
    if (broken) return Promise.reject(new failure(broken));
    const slot = choose();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as Pending['resolve'], reject, failure, key });
      if (key !== null) slot.inflight.set(key, (slot.inflight.get(key) ?? 0) + 1);
      if (slot.pending.size === 1) slot.worker.ref();
      const { msg, transfer } = build(slot, id);
      slot.outbox.push(msg, transfer);
    });
  }

  /** Waits until nothing is in flight, or `ms` passed. */
  function whenDrained(ms: number): Promise<void> {
    if (pendingCount() === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = clock.at(clock.now() + ms, resolve);
      drainWaiters.push(() => {
        cancel();
        resolve();
      });
    });
  }

  /** Has a worker QUIT its idle sessions and close its relays; resolves when it answered, or after `ms`. */
  function closeSlot(slot: Slot, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = clock.at(clock.now() + ms, resolve);
      slot.onClosed = () => {
        cancel();
        resolve();
      };
      // Keeps the process alive until the sessions are closed.
      slot.worker.ref();
      slot.outbox.push({ kind: 'close' });
    });
  }

  return {
    sign(raw, domain, signTime) {
      return request(DkimSignError, leastBusy, null, (_slot, id) => {
        const { bytes, transfer } = transferable(raw);
        return { msg: { kind: 'sign', id, raw: bytes, domain, signTime }, transfer };
      });
    },
    composeAndSign(job, templateJson, domain, signTime) {
      return request(DkimSignError, leastBusy, null, (slot, id) => {
        sendTemplate(slot, job.deliveryId, templateJson);
        return { msg: { kind: 'compose', id, job, domain, signTime } };
      });
    },
    transmit(req: TransmitRequest) {
      const key = req.destination.key;
      const limit = req.policy.maxConnections;
      trimAbove(key, limit);
      return request<TransmitResult>(
        DeliveryWorkerError,
        () => forDestination(key, limit),
        key,
        (slot, id) => {
          const deliveryId = req.compose.kind === 'one' ? req.compose.job.deliveryId : req.compose.deliveryId;
          sendTemplate(slot, deliveryId, req.templateJson);
          const { templateJson: _template, ...job } = req;
          const policy = { ...job.policy, maxConnections: Math.max(1, shareOf(slot, limit)) };
          return { msg: { kind: 'transmit', id, job: { ...job, policy } } };
        },
      );
    },
    openConnections(key) {
      let n = 0;
      for (const slot of slots) n += slot.open.get(key) ?? 0;
      return n;
    },
    forget(deliveryId) {
      for (const slot of slots) {
        if (slot.templates.delete(deliveryId)) slot.outbox.push({ kind: 'forget', deliveryId });
      }
    },
    setKeys(next) {
      keys = next;
      for (const slot of slots) slot.outbox.push({ kind: 'keys', keys });
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await whenDrained(closeTimeoutMs);
        await Promise.all(slots.map((slot) => closeSlot(slot, closeTimeoutMs)));
        await Promise.all(slots.map((slot) => slot.worker.terminate()));
      })();
      return closing;
    },
  };
}

function failureLabel(pending: Pending): string {
  return pending.failure === DkimSignError ? 'DKIM signing' : 'delivery';
}
