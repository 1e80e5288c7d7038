/**
 * Runs a simulation: one campaign, one scenario after another, each on its own scratch store and its own
 * virtual clock (`VirtualClock`), against the sandbox's provider profiles through the virtual network.
 *
 * Everything above the network is the product's own code, composed as `openApp` composes it: the campaign
 * (preparation, exclusions, relay), the engine (routing by MX, MX rules, adaptive shaping, retries, expiry), the
 * bounce side (classifier, inMail for the asynchronous DSNs, complaints and auto-replies) and the quarantine.
 *
 * Discrete-event time: the driver (`settle`, `drive`) lets every consequence of the current instant run to its
 * end (promises, the store's writes, streams), then moves the clock to the next timer and fires it. Nothing
 * reads the wall clock, every draw is seeded (recipients' fates by address, the engine's jitter by a PRNG), so
 * two runs of a scenario give the same figures; a 3.5-day validity takes seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import type {
  HistoryEvent,
  OutcomeGroup,
  ProfileOutcome,
  Scenario,
  ScenarioResult,
  SandboxProfilesDocument,
  TimelinePoint,
} from '../../shared/contract/simulation';
import type { MessageTemplate } from '../../shared/contract/schemas';
import { REASONS, type ReasonId } from '../../shared/domain/reasons';
import { createEventBus } from '../api/event-bus';
import { createCampaign } from '../campaign/campaign';
import { prepareDelivery } from '../campaign/prepare';
import { VirtualClock } from '../clock';
import { createEngine, createSmtpRelayFactory } from '../engine';
import { startBounceSide } from '../inmail';
import type { Logger } from '../logger';
import { createFileSecretStore } from '../secrets/secret-store';
import { openScratchDatabase, type Db } from '../store/db';
import { deliveryProgress, getDelivery } from '../store/deliveries-repo';
import { listDeliveryDomains, reasonBreakdown } from '../store/domains-repo';
import { createEngineStore } from '../store/engine-store';
import { createRevisionWatcher } from '../store/revision-watcher';
import { saveRules } from '../store/rules-repo';
import { setSetting } from '../store/settings-repo';
import { attemptsOf, inboundEventsOf } from '../store/report-queries';
import {
  attemptCounts,
  expiredCount,
  outcomeGroups,
  quarantineByReason,
  shapingEventsByKind,
} from '../store/simulation-queries';
import type { SimulationProgress } from '../store/simulations-repo';
import { createVirtualNetwork } from './virtual-network';

/**
 * Where every scenario's virtual clock starts: a fixed instant (Monday 5 January 2026, 09:00 UTC), so that
 * day boundaries (quarantine windows, the reputation history's days) fall at the same simulated times in
 * every run.
 */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);
/** After the validity, how long the clock may still run (the last expiries, late asynchronous mail). */
const GRACE_MS = 6 * 3_600_000;
/** Timeline points: one per simulated hour. */
const TIMELINE_STEP_MS = 3_600_000;
/** Progress reports: at most one per real 250 ms. */
const PROGRESS_EVERY_MS = 250;
/** Macrotask turns `settle` waits at most for a quiet instant (a bound, never reached in practice). */
const MAX_SETTLE_TURNS = 100_000;

export interface RunSimulationOptions {
  /** The simulation, its profiles and seed resolved. */
  input: SimulationInputResolved;
  scratchDir: string;
  logger: Logger;
  onProgress: (progress: SimulationProgress) => void;
  /** Stops the run between two events (the scenario then fails with "cancelled"). */
  signal?: AbortSignal;
}

export interface SimulationInputResolved {
  name: string;
  template: MessageTemplate;
  recipients: { fileName: string; csv: string };
  scenarios: Scenario[];
  profiles: SandboxProfilesDocument;
  seed: number;
}

export async function runSimulation(o: RunSimulationOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const [index, scenario] of o.input.scenarios.entries()) {
    const dir = path.join(o.scratchDir, `scenario-${index + 1}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      results.push(
        await runScenario({
          ...o,
          scenario,
          dir,
          onProgress: (simulatedMs) =>
            o.onProgress({ scenario: index, simulatedMs, validityMs: scenario.validityMs }),
        }),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/** A small seeded PRNG (mulberry32): the engine's jitter and tie-breaks, the same in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs the current instant to its end: macrotask turns until one found no work left (no timer set or fired
 * during it, no immediate, file or stream operation pending). Promise chains and `nextTick`s run to their end
 * before a turn does, so a quiet turn means every consequence of the instant has run; what remains waits for
 * the virtual clock.
 */
export async function settle(clock: VirtualClock): Promise<void> {
  let quiet = 0;
  let mark = -1;
  for (let i = 0; i < MAX_SETTLE_TURNS; i++) {
    await turn();
    const now = clock.scheduled + clock.fired;
    if (now === mark && !pendingWork()) {
      if (++quiet >= 1) return;
    } else quiet = 0;
    mark = now;
  }
  throw new Error('the simulation did not settle: something keeps running without the virtual clock');
}

/** Work of the event loop that is not a timer: immediates, file system and stream requests in flight. */
function pendingWork(): boolean {
  return process
    .getActiveResourcesInfo()
    .some(
      (r) => r === 'Immediate' || r.startsWith('FSReq') || r === 'FileHandleCloseReq' || r === 'WriteWrap',
    );
}

interface ScenarioRun extends Omit<RunSimulationOptions, 'onProgress'> {
  scenario: Scenario;
  dir: string;
  onProgress: (simulatedMs: number) => void;
}

async function runScenario(o: ScenarioRun): Promise<ScenarioResult> {
  const { scenario, input } = o;
  const realStart = performance.now();
  const clock = new VirtualClock(SIMULATION_EPOCH);
  const start = clock.now();
  const logger = o.logger.child({ scenario: scenario.name });
  const db = openScratchDatabase();
  const closers: (() => Promise<void> | void)[] = [
    () => {
      db.close();
    },
  ];
  try {
    // The scenario's rules; no default route: every domain is resolved by MX, through the virtual DNS.
    if (scenario.rules) saveRules(db, scenario.rules, start);
    setSetting(db, 'defaultRoute', null);
    const bus = createEventBus();
    closers.push(() => bus.close());
    const revisions = createRevisionWatcher({ db, clock });
    const bounce = await startBounceSide({
      db,
      clock,
      revisions,
      secrets: createFileSecretStore(o.dir),
      logger,
      notify: bus,
      spoolDir: path.join(o.dir, 'inmail-spool'),
      listen: false,
    });
    closers.push(() => bounce.close());
    const network = createVirtualNetwork({
      profiles: input.profiles.profiles,
      seed: input.seed,
      clock,
      sendAsync: async (mailFrom, raw) => {
        await bounce.inmail.receive(Buffer.from(raw, 'utf8'), {
          source: 'smtp',
          envelopeFrom: '',
          envelopeTo: mailFrom,
        });
      },
    });
    closers.push(() => network.close());
    const engine = createEngine({
      clock,
      dns: network.dns,
      relayFactory: createSmtpRelayFactory({
        clock,
        name: 'relay.relaydeck.test',
        openSession: network.open,
      }),
      store: createEngineStore(db),
      logger,
      notify: bus,
      defaultRoute: () => null,
      sandboxAddress: () => null,
      revisions,
      bounceClassifier: bounce.classifier,
      envelopeSender: bounce.envelopeSender,
      random: seededRandom(input.seed),
      // The scratch store has no other writer: no look for foreign writes every second of simulated time.
      options: { foreignWritesCheckMs: null },
    });
    closers.push(() => engine.stop());
    const campaign = createCampaign({ db, engine, bus, clock, logger });
    closers.push(() => campaign.close());
    engine.start();

    // The list is prepared on this thread (no worker: nothing may run beside the virtual clock).
    const prepared = prepareDelivery(
      db,
      {
        name: `${input.name} · ${scenario.name}`,
        template: input.template,
        recipients: input.recipients,
        routes: [],
        smarthost: null,
        validityMs: scenario.validityMs,
        reporting: scenario.reporting,
        timeScale: 1,
        recipientsPerTransaction: scenario.recipientsPerTransaction,
        start: false,
      },
      start,
    );
    const deliveryId = prepared.deliveryId;
    campaign.act(deliveryId, 'start');

    const timeline: TimelinePoint[] = [];
    const point = (): TimelinePoint => {
      const d = getDelivery(db, deliveryId, clock.now());
      return {
        atMs: clock.now() - start,
        delivered: d.kpi.success,
        failed: d.kpi.errors,
        inProgress: d.inMta,
      };
    };
    const isFinal = () => {
      if (network.asyncPending() > 0) return false;
      const progress = deliveryProgress(db, deliveryId);
      return progress !== undefined && progress.relayedAt !== null && progress.inMta === 0;
    };

    const deadline = start + scenario.validityMs + GRACE_MS;
    let nextPoint = start;
    let lastProgress = performance.now();
    let finalAfterMs: number | null = null;
    for (;;) {
      if (o.signal?.aborted) throw new Error('cancelled: the app stopped while the simulation ran');
      await settle(clock);
      while (clock.now() >= nextPoint) {
        timeline.push(point());
        nextPoint += TIMELINE_STEP_MS;
      }
      if (isFinal()) {
        finalAfterMs = clock.now() - start;
        break;
      }
      const next = clock.nextAt();
      if (next === null || next > deadline) break;
      // Timeline points between this instant and the next event (nothing changes in between).
      while (nextPoint < next) {
        clock.jumpTo(nextPoint);
        timeline.push(point());
        nextPoint += TIMELINE_STEP_MS;
      }
      clock.fireNext();
      if (performance.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = performance.now();
        o.onProgress(clock.now() - start);
        // Lets the app serve its console between two stretches of simulation.
        await turn();
      }
    }
    const last = point();
    if (timeline.at(-1)?.atMs !== last.atMs) timeline.push(last);
    o.onProgress(clock.now() - start);

    const delivery = getDelivery(db, deliveryId, clock.now());
    const attempts = attemptCounts(db, deliveryId);
    const result: ScenarioResult = {
      scenario,
      delivery,
      reasons: reasonBreakdown(db, deliveryId),
      domains: [...listDeliveryDomains(db, deliveryId)],
      finalAfterMs,
      simulatedMs: clock.now() - start,
      realMs: Math.round(performance.now() - realStart),
      events: clock.fired,
      attempts: attempts.attempts,
      deferredAttempts: attempts.deferred,
      expired: expiredCount(db, deliveryId),
      quarantines: quarantineByReason(db).map((q) => ({
        reason: q.reason,
        label: REASONS[q.reason as ReasonId]?.label ?? q.reason,
        count: q.count,
      })),
      shaping: shapingEventsByKind(db),
      profiles: network.stats().map((s): ProfileOutcome => ({
        profile: s.profile.id,
        name: s.profile.name,
        messagesAccepted: s.accepted,
        connectionsAccepted: s.limits.connectionsAccepted,
        connectionsRefused: s.limits.connectionsRefused,
        mailDeferred: s.limits.mailDeferred,
        rcptDeferred: s.limits.rcptDeferred,
        penaltyBoxed: s.limits.penaltyBoxed,
        penaltyRefusals: s.limits.penaltyRefusals,
        peakConnections: s.limits.peakConnections,
        asyncSent: s.asyncSent,
      })),
      timeline,
      outcomes: explainedOutcomes(db, deliveryId, start),
    };
    logger.info('scenario simulated', {
      simulatedMs: result.simulatedMs,
      realMs: result.realMs,
      events: result.events,
      finalAfterMs,
    });
    return result;
  } finally {
    for (const close of closers.reverse()) {
      try {
        // Closing waits for sends in flight, which wait for the virtual clock: keep it moving meanwhile.
        await drivenUntil(clock, Promise.resolve(close()));
      } catch (err) {
        logger.warn('simulation: closing failed', { err });
      }
    }
  }
}

/** Each outcome group of the delivery with its first recipient's history (attempts and inbound mail). */
function explainedOutcomes(db: Db, deliveryId: number, start: number): OutcomeGroup[] {
  const groups = outcomeGroups(db, deliveryId);
  const attempts = attemptsOf(
    db,
    groups.map((g) => g.exampleLogId),
  );
  const inbound = inboundEventsOf(db, deliveryId);
  return groups.map((g) => {
    const history: HistoryEvent[] = [
      ...(attempts.get(g.exampleLogId) ?? []).map((a): HistoryEvent => ({
        atMs: a.at - start,
        kind: 'attempt',
        outcome: a.outcome,
        command: a.command,
        code: a.code,
        text: a.text,
      })),
      ...(inbound.get(g.exampleLogId) ?? []).map((e): HistoryEvent => ({
        atMs: e.at - start,
        kind: 'inbound',
        outcome: e.kind,
        command: null,
        code: e.code,
        text: e.diagnostic ?? '',
      })),
    ].sort((a, b) => a.atMs - b.atMs);
    return {
      domain: g.domain,
      status: g.status,
      failureType: g.failureType,
      reason: g.reason,
      count: g.count,
      example: { email: g.exampleEmail, quarantined: g.exampleQuarantined, history },
    };
  });
}

/** Moves the clock from event to event until `promise` settles (a bounded number of events). */
export async function drivenUntil<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const settled = promise.finally(() => (done = true));
  for (let i = 0; i < 100_000 && !done; i++) {
    await settle(clock);
    if (done || clock.fireNext() === 0) break;
  }
  return settled;
}

/** Records of a CSV text (lines that are not blank, minus the header). */
export function countCsvRecords(csv: string): number {
  let n = 0;
  for (const line of csv.split(/\r?\n/)) if (line.trim() !== '') n++;
  return Math.max(0, n - 1);
}
