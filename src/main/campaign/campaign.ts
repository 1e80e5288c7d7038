/**
 * The campaign side at run time: preparation, the relay loops that hand pending messages to the MTA in
 * batches, and the lifecycle actions. Relay runs off the request: a batch per transaction, yielding to the
 * event loop between batches so the API stays responsive, and honouring pause/stop between batches.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AppError } from '../../shared/contract/errors';
import type { EventBus } from '../api/event-bus';
import type { Clock } from '../clock';
import type { Engine } from '../engine/types';
import type { Logger } from '../logger';
import { writeTransaction, type Db } from '../store/db';
import {
  deliveryIdsInState,
  openDeliveryStates,
  requireDeliveryRow,
  updateDelivery,
} from '../store/deliveries-repo';
import { cancelPending, completeIfDone, relay } from '../store/ledger';
import { pendingLogIds } from '../store/log-repo';
import {
  abandonInterruptedPreparations,
  prepareDeliveryOffThread,
  preparing,
  type PrepareRequest,
  type Prepared,
} from './prepare';
import type { DeliveryState } from '../../shared/domain/statuses';
import { nextState, type DeliveryAction } from './state-machine';

export const RELAY_BATCH = 500;

export interface CampaignDeps {
  db: Db;
  engine: Engine;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
}

export interface Campaign {
  /** Prepares a delivery and, when asked, starts relaying it (in the background). */
  /** The list is parsed in a worker thread; the store writes are one transaction. */
  create(input: PrepareRequest, onProgress?: (rowsWritten: number) => void): Promise<Prepared>;
  /** Applies a lifecycle action; says the state it led to and, for stop, how many messages it cancelled. */
  act(deliveryId: number, action: DeliveryAction): ActionResult;
  /** Restarts relay loops of deliveries left `relaying` by a previous run. */
  resumeInterrupted(): void;
  /**
   * Notices, once a second of the clock, lifecycle actions another process took on this data dir (`relaydeck
   * stop|pause|resume`, a second console): tells the console (`delivery.changed`, `logs.changed`) and relays a
   * delivery another process set `relaying`. Reads the states of the deliveries not completed yet (a few rows)
   * and `PRAGMA data_version`, compared only when another connection committed.
   */
  watchOtherProcesses(): void;
  /** Resolves once the delivery's relay loop (if any) has ended. */
  whenRelayed(deliveryId: number): Promise<void>;
  /** Ends every relay loop at its next batch boundary (deliveries stay `relaying` and resume on restart). */
  close(): Promise<void>;
}

export interface ActionResult {
  state: DeliveryState;
  /** Messages not yet relayed that a stop cancelled (0 for the other actions). */
  cancelled: number;
}

export function createCampaign(deps: CampaignDeps): Campaign {
  const { db, engine, bus, clock } = deps;
  const logger = deps.logger.child({ component: 'campaign' });
  const loops = new Map<number, Promise<void>>();
  let closing = false;
  let stopWatching: (() => void) | null = null;

  const changed = (id: number, logs: boolean) => {
    bus.deliveryChanged(String(id));
    if (logs) bus.logsChanged(String(id));
  };

  // A preparation stopped mid-way by a killed process leaves a delivery with part of its list: removed here.
  for (const deliveryId of abandonInterruptedPreparations(db, clock.now())) {
    logger.warn('the preparation of a delivery was interrupted (its process stopped): delivery removed', {
      deliveryId,
    });
  }

  /** Relays one batch; returns false when the loop must end. */
  const relayBatch = writeTransaction(db, (id: number): boolean => {
    const now = clock.now();
    const row = requireDeliveryRow(db, id);
    if (row.state !== 'relaying') return false;
    const logIds = pendingLogIds(db, id, RELAY_BATCH);
    if (logIds.length === 0) {
      updateDelivery(db, id, { state: 'delivering', relayed_at: now });
      completeIfDone(db, id, now);
      return false;
    }
    relay(db, { deliveryId: id, logIds, now });
    return true;
  });

  async function relayLoop(id: number): Promise<void> {
    try {
      while (!closing) {
        const more = relayBatch(id);
        engine.wake();
        changed(id, true);
        if (!more) return;
        await yieldToEventLoop();
      }
    } catch (err) {
      logger.error('relay stopped by an unexpected error; it resumes on the next start', {
        deliveryId: id,
        err,
      });
    }
  }

  function ensureLoop(id: number): void {
    if (closing || loops.has(id)) return;
    const loop = relayLoop(id).finally(() => loops.delete(id));
    loops.set(id, loop);
  }

  const applyAction = writeTransaction(db, (id: number, action: DeliveryAction): ActionResult => {
    const now = clock.now();
    const row = requireDeliveryRow(db, id);
    if (preparing(db, id))
      throw new AppError('conflict', `Delivery ${id} is being prepared: its list is still being written`);
    const state = nextState({ id, state: row.state, startedAt: row.started_at }, action);
    let cancelled = 0;
    switch (action) {
      case 'start':
        updateDelivery(db, id, { state, started_at: now });
        break;
      case 'pause':
      case 'resume':
        updateDelivery(db, id, { state });
        break;
      case 'stop': {
        cancelled = cancelPending(db, id, now);
        updateDelivery(db, id, { state, stopped_at: now });
        completeIfDone(db, id, now);
        logger.info('delivery stopped', { deliveryId: id, cancelled });
        break;
      }
    }
    return { state, cancelled };
  });

  function act(id: number, action: DeliveryAction): ActionResult {
    const result = applyAction(id, action);
    changed(id, action === 'stop');
    if (result.state === 'relaying') ensureLoop(id);
    return result;
  }

  return {
    async create(input, onProgress) {
      const prepared = await prepareDeliveryOffThread(db, input, () => clock.now(), onProgress);
      const { total, accepted, duplicates, noAddress } = prepared.import;
      logger.info('delivery prepared', {
        deliveryId: prepared.deliveryId,
        total,
        accepted,
        duplicates,
        noAddress,
      });
      if (input.start) act(prepared.deliveryId, 'start');
      else changed(prepared.deliveryId, true);
      return prepared;
    },
    act,
    resumeInterrupted() {
      for (const id of deliveryIdsInState(db, 'relaying')) ensureLoop(id);
    },
    watchOtherProcesses() {
      if (stopWatching || closing) return;
      let seen = openDeliveryStates(db);
      const tick = () => {
        try {
          // Read every tick (a few rows: the deliveries not completed), so this process's own changes are
          // absorbed silently; compared only when another connection committed since the last tick.
          const now = openDeliveryStates(db);
          if (now.version !== seen.version) {
            for (const id of new Set([...seen.states.keys(), ...now.states.keys()])) {
              const state = now.states.get(id);
              if (state === seen.states.get(id)) continue;
              changed(id, true);
              if (state?.startsWith('relaying:')) ensureLoop(id);
            }
          }
          seen = now;
        } catch (err) {
          logger.warn('could not read the deliveries for changes made by another process', { err });
        }
        if (!closing) stopWatching = clock.at(clock.now() + 1000, tick);
      };
      stopWatching = clock.at(clock.now() + 1000, tick);
    },
    async whenRelayed(id) {
      await loops.get(id);
    },
    async close() {
      closing = true;
      stopWatching?.();
      await Promise.all([...loops.values()]);
    },
  };
}
