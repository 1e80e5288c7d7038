/**
 * The app's simulation service: `simulations.start` records a simulation and runs it in the background, one
 * scenario after another, each in its own scratch store under `<data dir>/simulations/` on a virtual clock
 * (`run.ts`); the outcome is written to the app's store and announced with `simulation.changed`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Simulation, SimulationInput, SimulationSummary } from '../../shared/contract/simulation';
import { SimulationInput as SimulationInputSchema } from '../../shared/contract/simulation';
import { AppError } from '../../shared/contract/errors';
import type { Logger } from '../logger';
import type { Db } from '../store/db';
import { loadRules } from '../store/rules-repo';
import { profilesInForce } from '../store/sandbox-profiles-repo';
import {
  abandonRunningSimulations,
  deleteSimulation,
  failSimulation,
  finishSimulation,
  getSimulation,
  insertSimulation,
  listSimulations,
  setSimulationProgress,
} from '../store/simulations-repo';
import { parseId } from '../store/deliveries-repo';
import { countCsvRecords, runSimulation } from './run';

export interface SimulationNotifier {
  simulationChanged(id: string): void;
}

export interface SimulationService {
  start(input: SimulationInput): SimulationSummary;
  list(limit: number): SimulationSummary[];
  get(id: string): Simulation;
  remove(id: string): boolean;
  /** Waits for the simulations running in this process (tests, the CLI). */
  idle(): Promise<void>;
  /** Stops the simulations running in this process (they are recorded as failed: "cancelled") and waits. */
  close(): Promise<void>;
}

export interface SimulationServiceOptions {
  db: Db;
  dataDir: string;
  logger: Logger;
  notify: SimulationNotifier;
  /** Real time of the records (created_at); the simulations themselves run on their own virtual clock. */
  now: () => number;
}

export function createSimulationService(o: SimulationServiceOptions): SimulationService {
  const { db, logger } = o;
  const running = new Set<Promise<void>>();
  const stop = new AbortController();
  let queue: Promise<void> = Promise.resolve();
  const abandoned = abandonRunningSimulations(db);
  if (abandoned > 0)
    logger.warn('simulations interrupted by the last stop marked failed', { count: abandoned });

  return {
    start(raw) {
      const input = SimulationInputSchema.parse(raw);
      const profiles = input.profiles ?? profilesInForce(db).document;
      const seed = input.seed ?? profiles.seed;
      // A scenario without rules runs under the rules in force now, recorded with it.
      const stored = loadRules(db);
      const scenarios = input.scenarios.map((s) => ({ ...s, rules: s.rules ?? stored }));
      const id = insertSimulation(db, {
        name: input.name,
        createdAt: o.now(),
        recipients: countCsvRecords(input.recipients.csv),
        seed,
        templateName: input.template.subject,
        fileName: input.recipients.fileName,
        scenarios,
        profiles,
      });
      const key = String(id);
      const scratch = path.join(o.dataDir, 'simulations', key);
      // One simulation at a time: each drives its own virtual clock to quiet instants of the whole process,
      // which two at once would never reach. The next one starts when the last one ended.
      const job = queue
        .then(() => {
          const started = performance.now();
          return runSimulation({
            input: {
              name: input.name,
              template: input.template,
              recipients: input.recipients,
              scenarios,
              profiles,
              seed,
            },
            scratchDir: scratch,
            logger: logger.child({ simulation: key }),
            signal: stop.signal,
            onProgress: (progress) => {
              setSimulationProgress(db, id, progress);
              o.notify.simulationChanged(key);
            },
          }).then((results) => finishSimulation(db, id, results, performance.now() - started));
        })
        .catch((err: unknown) => {
          logger.error('simulation failed', { id: key, err });
          failSimulation(db, id, err instanceof Error ? err.message : String(err));
        })
        .finally(() => {
          fs.rmSync(scratch, { recursive: true, force: true });
          running.delete(job);
          o.notify.simulationChanged(key);
        });
      running.add(job);
      queue = job;
      const summary = listSimulations(db, 1).find((s) => s.id === key);
      if (!summary) throw new Error(`simulation ${key} was not recorded`);
      return summary;
    },
    list: (limit) => listSimulations(db, limit),
    get(id) {
      const found = getSimulation(db, parseId(id));
      if (!found) throw new AppError('not_found', `Simulation ${id} does not exist`);
      return found;
    },
    remove: (id) => deleteSimulation(db, parseId(id)),
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async close() {
      stop.abort();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
