/**
 * Handlers of the campaign simulator (SPEC §8): the sandbox's provider profiles, and simulations run by the
 * app's simulation service (`src/main/simulate/service.ts`) in a worker thread.
 */
import type { Handlers } from '../../shared/contract';
import { profilesInForce, resetProfiles, saveProfiles } from '../store/sandbox-profiles-repo';
import type { HandlerDeps } from './handler-deps';

type SimulationHandlers = Pick<
  Handlers,
  | 'profiles.get'
  | 'profiles.save'
  | 'profiles.reset'
  | 'simulations.start'
  | 'simulations.list'
  | 'simulations.get'
  | 'simulations.remove'
>;

export function createSimulationHandlers(deps: HandlerDeps): SimulationHandlers {
  const { db, simulations } = deps;
  const applied = <T>(state: T): T => {
    void deps.sandbox?.reload(profilesInForce(db).document);
    return state;
  };
  return {
    'profiles.get': () => profilesInForce(db),
    'profiles.save': (input) => applied(saveProfiles(db, input)),
    'profiles.reset': () => applied(resetProfiles(db)),
    'simulations.start': (input) => simulations.start(input),
    'simulations.list': (input) => ({ items: simulations.list(input.limit) }),
    'simulations.get': (input) => simulations.get(input.id),
    'simulations.remove': (input) => ({ removed: simulations.remove(input.id) }),
  };
}
