/**
 * A small stand-in for the real handlers, for unit tests of the transports: the methods a test needs are
 * given, every other method fails with `unavailable`.
 */
import { AppError, METHOD_NAMES, type Handlers } from '../../src/shared/contract';

export function fakeHandlers(implemented: Partial<Handlers>): Handlers {
  const handlers: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    handlers[method] =
      implemented[method] ??
      (() => {
        throw new AppError('unavailable', `${method} is not implemented by this fake`);
      });
  }
  return handlers as Handlers;
}

export const fakeAppInfo = {
  version: '0.0.0-test',
  dataDir: '/tmp/relaydeck-fake',
  transport: 'http' as const,
  sandbox: { running: false, host: '127.0.0.1', port: null, domains: [] },
  defaultRoute: { kind: 'sandbox' as const },
};
