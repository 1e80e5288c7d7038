/** Handlers of the MTA-side methods: rules, destinations, shaping events, throughput. */
import { AppError } from '../../shared/contract/errors';
import type { Handlers } from '../../shared/contract';
import type { HandlerDeps } from './handlers';

type MtaMethods =
  'rules.get' | 'rules.save' | 'rules.reset' | 'destinations.list' | 'shaping.events' | 'throughput.series';

export function createMtaHandlers(_deps: HandlerDeps): Pick<Handlers, MtaMethods> {
  const notYet = (): never => {
    throw new AppError('unavailable', 'MX rules and destination state are being built');
  };
  return {
    'rules.get': notYet,
    'rules.save': notYet,
    'rules.reset': notYet,
    'destinations.list': notYet,
    'shaping.events': notYet,
    'throughput.series': notYet,
  };
}
