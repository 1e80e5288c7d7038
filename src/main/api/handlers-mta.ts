/**
 * Handlers of the MTA-side methods (SPEC §6, §7): the rules document (MX rules, automation rules, adaptive
 * settings), the live state of the destinations, the log of automatic changes and the throughput series.
 *
 * Saving rules is one transaction (the rules and the `rules_changed` event), then the engine reloads them:
 * changes apply at once, without a restart.
 */
import {
  AppError,
  type DestinationState,
  type Handlers,
  type MethodOutput,
  type MethodParsedInput,
  type RulesDocument,
  type ShapingEvent,
} from '../../shared/contract';
import { describeRules } from '../../shared/contract/rules-json';
import { systemClock } from '../engine/clock';
import type { Engine } from '../engine/types';
import type { Db } from '../store/db';
import { throughputSeries } from '../store/throughput-repo';
import type { HandlerDeps } from './handlers';

type MtaMethods =
  'rules.get' | 'rules.save' | 'rules.reset' | 'destinations.list' | 'shaping.events' | 'throughput.series';

/** Where a rules document came from, for the `rules_changed` event's cause. */
export type RulesSource = 'console' | 'import' | 'defaults';

const CAUSE: Record<RulesSource, string> = {
  console: 'Rules saved',
  import: 'Rules imported from JSON',
  defaults: 'Default rules restored',
};

/**
 * Saves a rules document and logs the change in one transaction. The caller reloads the engine after the
 * commit, so the engine never reads half-saved rules.
 */
export function replaceRules(db: Db, doc: RulesDocument, source: RulesSource, now: number): RulesDocument {
  return db.transaction(() => {
    const saved = mtaStore.saveRules(db, doc, now);
    mtaStore.recordShapingEvent(db, {
      at: now,
      destination: '*',
      kind: 'rules_changed',
      cause: `${CAUSE[source]}: ${describeRules(saved)}`,
      detail: {
        source,
        mxRules: saved.mxRules.length,
        automationRules: saved.automationRules.length,
      },
    });
    return saved;
  })();
}

export function createMtaHandlers(deps: HandlerDeps): Pick<Handlers, MtaMethods> {
  const { db, engine } = deps;
  const clock = deps.clock ?? systemClock;

  const replace = (doc: RulesDocument, source: RulesSource): RulesDocument => {
    const saved = replaceRules(db, doc, source, clock.now());
    mtaStore.reloadRules(engine);
    return saved;
  };

  return {
    'rules.get': () => mtaStore.loadRules(db),
    'rules.save': (input) => replace(input, 'console'),
    'rules.reset': () => replace(mtaStore.defaultRules(), 'defaults'),
    'destinations.list': () => ({ at: clock.now(), items: mtaStore.destinations(engine) }),
    'shaping.events': (input) => mtaStore.listShapingEvents(db, input),
    'throughput.series': (input) => ({ points: throughputSeries(db, input) }),
  };
}

// ---- Local adapter over the engine and store functions being built in parallel (F: rules-repo,
// shaping-events-repo, DEFAULT_RULES, Engine.reloadRules/destinations). Each entry is
// switched to the real import as it lands; until then the method answers `unavailable`.
const pending = (what: string): never => {
  throw new AppError('unavailable', `${what} is not available yet in this build`);
};
const mtaStore = {
  loadRules: (_db: Db): RulesDocument => pending('Rule storage'),
  saveRules: (_db: Db, _doc: RulesDocument, _now: number): RulesDocument => pending('Rule storage'),
  defaultRules: (): RulesDocument => pending('The default rules'),
  recordShapingEvent: (_db: Db, _event: Omit<ShapingEvent, 'id'>): void => pending('The shaping log'),
  listShapingEvents: (_db: Db, _input: MethodParsedInput<'shaping.events'>): MethodOutput<'shaping.events'> =>
    pending('The shaping log'),
  reloadRules: (engine: Engine): void => {
    (engine as Partial<{ reloadRules(): void }>).reloadRules?.();
  },
  destinations: (engine: Engine): DestinationState[] =>
    (engine as Partial<{ destinations(): DestinationState[] }>).destinations?.() ?? [],
};
