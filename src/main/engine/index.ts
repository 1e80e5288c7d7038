/**
 * The engine's composition root, wiring only. A leased message goes through the pipeline
 * (`pipeline/process.ts`): router -> shaper -> sender -> shaping -> classifier + retry policy -> ledger.
 * Everything outside (clock, DNS, relay transport, store, logger) comes in through `deps`.
 */
import { createFeedbackBuffer } from './feedback/feedback-buffer';
import { createMessageReader } from './pipeline/messages';
import { createMessagePipeline } from './pipeline/process';
import { createShapingStep } from './pipeline/shaping';
import type { EngineRegistration } from '../store/engine-instances-repo';
import { createIdleWatch } from './queue/idle-watch';
import { createScheduler } from './queue/scheduler';
import { createComposer } from './relay/compose';
import { createDestinationPool } from './relay/destination-pool';
import { createInProcessSender } from './relay/in-process-sender';
import { createMxResolver } from './relay/mx';
import { createRouter } from './relay/routing';
import { createShaper } from './shaper/shaper';
import { createDestinationHistory } from './shaper/history';
import { DEFAULT_ENGINE_OPTIONS, type Engine, type EngineDeps, type EngineExtras } from './types';

export { applyOutcomes, type MessageOutcome } from './feedback/apply-outcomes';
export { createSmtpRelayFactory, type SmtpRelayOptions } from './relay/smtp-relay';
export { nodeDns } from './relay/node-dns';
export { systemClock, ManualClock, type Clock } from '../clock';
export * from './types';

/** How often (of the engine's clock) the reputation history is written, at most. */
const HISTORY_FLUSH_MS = 5_000;

export function createEngine(deps: EngineDeps & EngineExtras): Engine {
  const options = { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
  const random = deps.random ?? Math.random;
  const { clock, store, logger: log, signer } = deps;
  const { queue } = store;
  const composer = createComposer();
  const messages = createMessageReader(store);
  const idle = createIdleWatch({ clock, queued: () => queue.count(), recheckMs: options.idleRecheckMs });

  // The main thread's sender exists (and is closed) even with delivery workers, which then send instead.
  const inProcess = createInProcessSender({
    composer,
    signer,
    pool: createDestinationPool({
      relayFactory: deps.relayFactory,
      clock,
      logger: log,
      idleMs: options.relayIdleMs,
    }),
  });
  const sender = deps.sender ?? inProcess;
  // The reputation history: counted by the shaper, written with the ledger's batches (at most every
  // HISTORY_FLUSH_MS of the clock) and at stop.
  const history = createDestinationHistory({ store, clock, logger: log });
  let historyFlushedAt = clock.now();
  const flushHistory = () => {
    historyFlushedAt = clock.now();
    history.flush((key) => shaper.learntLimits(key));
  };
  const shaper = createShaper({
    store,
    clock,
    logger: log,
    revisions: deps.revisions,
    rules: store.loadRules(),
    shortWaitMs: options.shortWaitMs,
    waitersPerDestination: options.waitersPerDestination,
    random,
    history,
    openSessions: (key) => sender.openConnections(key),
    parked: (delta) => scheduler.parked(delta),
    wake: () => scheduler.wake(),
  });
  const ledger = createFeedbackBuffer({
    store,
    clock,
    notify: deps.notify,
    logger: log,
    flushMs: options.feedbackFlushMs,
    maxBatch: options.feedbackBatchSize,
    retryMs: options.feedbackRetryMs,
    leaseMs: options.leaseMs,
    onFlushed(result) {
      for (const id of result.completed) {
        composer.forget(id);
        signer?.forget(id);
        sender.forget(id);
        messages.forget(id);
      }
      if (clock.now() - historyFlushedAt >= HISTORY_FLUSH_MS) flushHistory();
      scheduler.wake();
      idle.check();
    },
  });
  const pipeline = createMessagePipeline({
    clock,
    random,
    logger: log,
    queue,
    messages,
    recipients: (logIds) => store.recipients(logIds),
    router: createRouter({
      mx: createMxResolver({ dns: deps.dns, clock, cacheMs: options.mxCacheMs, random }),
      defaultRoute: deps.defaultRoute,
      sandboxAddress: deps.sandboxAddress,
    }),
    shaper,
    shaping: createShapingStep({
      clock,
      logger: log,
      queue,
      shaper,
      feedback: ledger,
      classifier: deps.bounceClassifier,
      leaseMs: options.leaseMs,
    }),
    composer,
    sender,
    signing: (fromDomain, envelopeDomain) => signer?.choose(fromDomain, envelopeDomain) ?? null,
    signingSelectors: (domain) => signer?.selectors?.(domain) ?? null,
    envelopeSender: deps.envelopeSender,
    classifier: deps.bounceClassifier,
    ledger,
    adopt: (logIds, done) => scheduler.adopt(logIds, done),
    sandboxAddress: deps.sandboxAddress,
    leaseMs: options.leaseMs,
    internalErrorRetryMs: options.internalErrorRetryMs,
  });
  const scheduler = createScheduler({
    clock,
    queue,
    logger: log,
    maxInFlight: options.maxInFlight,
    maxParked: options.maxParked,
    leaseBatch: options.leaseBatch,
    leaseMs: options.leaseMs,
    foreignWritesCheckMs: options.foreignWritesCheckMs,
    excludedDomains: () => shaper.excludedDomains(),
    process: (item) => pipeline.process(item),
  });

  let registration: EngineRegistration | null = null;
  return {
    start() {
      if (!registration) {
        registration = store.registerEngine({ now: clock.now() });
        if (registration.reclaimed > 0)
          log.info('no other engine is running: freed the leases of a previous run', {
            reclaimed: registration.reclaimed,
          });
      }
      log.info('engine started', { queued: queue.count() });
      scheduler.start();
    },
    wake() {
      scheduler.wake();
      idle.check();
    },
    async stop() {
      shaper.cancelWaits();
      idle.close();
      await scheduler.stop();
      ledger.flush();
      ledger.close();
      flushHistory();
      await inProcess.close();
      registration?.unregister();
      registration = null;
      log.info('engine stopped', { queued: queue.count() });
    },
    whenIdle: () => idle.wait(),
    queued: () => queue.count(),
    reloadRules() {
      shaper.reload(store.loadRules());
      log.info('rules reloaded');
    },
    destinations() {
      return shaper.all().map((d) => {
        d.openConnections = sender.openConnections(d.key);
        return shaper.snapshot(d, queue.countDomains([...d.domains]));
      });
    },
  };
}
