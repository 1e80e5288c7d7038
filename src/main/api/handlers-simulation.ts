/**
 * Handlers of the campaign simulator (SPEC §8): the sandbox's provider profiles, and simulations run by the
 * app's simulation service (`src/main/simulate/service.ts`) in a worker thread. The PDF of a comparison is the
 * console's printable view printed by the injected report printer.
 */
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/contract/errors';
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
  | 'simulations.exportPdf'
>;

export function createSimulationHandlers(deps: HandlerDeps): SimulationHandlers {
  const { db, simulations } = deps;
  /** The live sandbox serves the profiles in force once they are saved (its listeners restarted). */
  const applied = async <T>(state: T): Promise<T> => {
    try {
      await deps.sandbox?.reload(profilesInForce(db).document);
    } catch (err) {
      deps.logger.error('the sandbox could not be restarted with the saved profiles', { err });
    }
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
    'simulations.exportPdf': async (input) => {
      const simulation = simulations.get(input.id);
      if (simulation.state !== 'done')
        throw new AppError(
          'conflict',
          simulation.state === 'running'
            ? `Simulation ${input.id} is still running: its comparison can be printed once every scenario is done`
            : `Simulation ${input.id} failed: there is no comparison to print`,
        );
      const pdf = await deps.reportPrinter.printSimulation(input.id);
      return {
        fileName: `relaydeck-simulation-${simulation.id}-comparison.pdf`,
        mimeType: 'application/pdf',
        bytes: pdf.length,
        contentBase64: pdf.toString('base64'),
      };
    },
  };
}
