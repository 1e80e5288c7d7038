/** Handlers of the DKIM key methods. */
import { AppError } from '../../shared/contract/errors';
import type { Handlers } from '../../shared/contract';
import type { HandlerDeps } from './handlers';

type DkimMethods = 'dkim.list' | 'dkim.generate' | 'dkim.import' | 'dkim.setEnabled' | 'dkim.remove';

export function createDkimHandlers(_deps: HandlerDeps): Pick<Handlers, DkimMethods> {
  const notYet = (): never => {
    throw new AppError('unavailable', 'DKIM keys are being built');
  };
  return {
    'dkim.list': notYet,
    'dkim.generate': notYet,
    'dkim.import': notYet,
    'dkim.setEnabled': notYet,
    'dkim.remove': notYet,
  };
}
