/**
 * Handlers of the bounce side (SPEC §4.2-§4.4): qualification table, bounce rules, inMail and quarantine.
 * (Being implemented: every method answers `unavailable` until its store lands.)
 */
import { AppError } from '../../shared/contract/errors';
import type { Handlers } from '../../shared/contract';
import { bounceMethods } from '../../shared/contract/bounce';
import type { HandlerDeps } from './handlers';

type BounceMethods = keyof typeof bounceMethods;

export function createBounceHandlers(_deps: HandlerDeps): Pick<Handlers, BounceMethods> {
  const pending = (): never => {
    throw new AppError('unavailable', 'the bounce side is not available yet');
  };
  return Object.fromEntries(Object.keys(bounceMethods).map((name) => [name, pending])) as unknown as Pick<
    Handlers,
    BounceMethods
  >;
}
