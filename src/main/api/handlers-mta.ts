/**
 * Handlers of the MTA-side methods (SPEC §6, §7): the rules document (MX rules, automation rules, adaptive
 * settings), the state of the destinations (live, and from the store for those with a history the running
 * engine has not met), their reputation history per day, the log of automatic changes and the throughput series.
 *
 * Saving rules is one transaction (the rules and the `rules_changed` event), then the engine reloads them:
 * changes apply at once, without a restart.
 */
import type { Handlers, RulesDocument } from '../../shared/contract';
import { describeRules } from '../../shared/contract/rules-json';
import { DEFAULT_RULES } from '../defaults/mx-rules';
import { writeTransaction, type Db } from '../store/db';
import { destinationDays, historyWindow, storedDestinations } from '../store/destination-days-repo';
import { loadRules, saveRules } from '../store/rules-repo';
import { listShapingEvents, recordShapingEvent } from '../store/shaping-events-repo';
import { throughputSeries } from '../store/throughput-repo';
import type { HandlerDeps } from './handler-deps';
import { withStoredDestinations } from './stored-destinations';

type MtaMethods =
  | 'rules.get'
  | 'rules.save'
  | 'rules.reset'
  | 'destinations.list'
  | 'destinations.history'
  | 'shaping.events'
  | 'throughput.series';

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
  return writeTransaction(db, () => {
    const saved = saveRules(db, doc, now);
    recordShapingEvent(db, {
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
  const { db, engine, clock } = deps;

  const replace = (doc: RulesDocument, source: RulesSource): RulesDocument => {
    const saved = replaceRules(db, doc, source, clock.now());
    engine.reloadRules();
    return saved;
  };

  return {
    'rules.get': () => loadRules(db),
    'rules.save': (input) => replace(input, 'console'),
    'rules.reset': () => replace(DEFAULT_RULES, 'defaults'),
    'destinations.list': () => {
      const now = clock.now();
      const items = withStoredDestinations(
        engine.destinations(),
        storedDestinations(db),
        loadRules(db).mxRules,
        now,
      );
      return { at: now, items };
    },
    'destinations.history': ({ destination, days }) => {
      const now = clock.now();
      return { ...historyWindow(days, now), items: destinationDays(db, destination, days, now) };
    },
    'shaping.events': (input) => listShapingEvents(db, input),
    'throughput.series': (input) => ({ points: throughputSeries(db, input) }),
  };
}
