import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch';
import { AppError } from '../../src/shared/contract';
import { fakeAppInfo, fakeHandlers } from '../support/api-fake-handlers';
import { captureLogger } from '../support/api-test-logger';

const ctx = { transport: 'http' as const };

describe('dispatch', () => {
  it('runs the handler with the parsed input (defaults applied) and the call context', async () => {
    const seen: unknown[] = [];
    const handlers = fakeHandlers({
      'deliveries.list': (input, c) => {
        seen.push(input, c);
        return { items: [], nextCursor: null };
      },
    });
    const result = await dispatch(handlers, 'deliveries.list', {}, ctx, captureLogger());
    expect(result).toEqual({ ok: true, value: { items: [], nextCursor: null } });
    expect(seen).toEqual([{ cursor: null, limit: 100 }, ctx]);
  });

  it('treats a missing input as an empty object', async () => {
    const handlers = fakeHandlers({ 'app.info': () => fakeAppInfo });
    expect(await dispatch(handlers, 'app.info', undefined, ctx, captureLogger())).toEqual({
      ok: true,
      value: fakeAppInfo,
    });
  });

  it('answers unknown_method for a name outside the contract, including prototype keys', async () => {
    const handlers = fakeHandlers({});
    for (const name of ['deliveries.destroy', 'toString', '__proto__', '']) {
      const result = await dispatch(handlers, name, {}, ctx, captureLogger());
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_method', retryable: false } });
    }
  });

  it('reports each invalid field by its dotted path', async () => {
    let called = false;
    const handlers = fakeHandlers({
      'deliveries.create': () => {
        called = true;
        throw new Error('not reached');
      },
    });
    const result = await dispatch(
      handlers,
      'deliveries.create',
      {
        name: 'x',
        template: { fromAddress: 1, subject: 'Hi' },
        recipients: { csv: 'email\n' },
        routes: [{ mask: 'not a mask!', target: { kind: 'sandbox' } }],
      },
      ctx,
      captureLogger(),
    );
    expect(called).toBe(false);
    if (result.ok) throw new Error('expected a failure');
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.details?.map((d) => d.field)).toEqual(['template.fromAddress', 'routes.0.mask']);
    expect(result.error.details?.every((d) => d.message.length > 0)).toBe(true);
    expect(result.error.message).toBe(
      'deliveries.create refused: Sender address must be text [template.fromAddress] (and 1 more problem)',
    );
  });

  it('reports a non-object input without a field', async () => {
    const result = await dispatch(fakeHandlers({}), 'app.info', 'hello', ctx, captureLogger());
    if (result.ok) throw new Error('expected a failure');
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.details).toEqual([{ message: expect.any(String) }]);
  });

  it('passes an AppError thrown by a handler through as its shape, without logging an error', async () => {
    const logger = captureLogger();
    const handlers = fakeHandlers({
      'deliveries.get': () => {
        throw new AppError('not_found', 'No delivery 7', [{ field: 'id', message: 'unknown id' }]);
      },
    });
    const result = await dispatch(handlers, 'deliveries.get', { id: '7' }, ctx, logger);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'not_found',
        message: 'No delivery 7',
        retryable: false,
        details: [{ field: 'id', message: 'unknown id' }],
      },
    });
    expect(logger.records.filter((r) => r.level === 'error')).toEqual([]);
  });

  it('turns any other exception into internal, logging the stack but never returning it', async () => {
    const logger = captureLogger();
    const handlers = fakeHandlers({
      'templates.list': async () => {
        throw new TypeError('secret detail at /home/someone/file.ts:12');
      },
    });
    const result = await dispatch(handlers, 'templates.list', {}, { transport: 'ipc' }, logger);
    if (result.ok) throw new Error('expected a failure');
    expect(result.error).toEqual({ code: 'internal', message: expect.any(String), retryable: false });
    expect(JSON.stringify(result)).not.toMatch(/secret|file\.ts|TypeError/);
    const logged = logger.records.find((r) => r.level === 'error');
    expect(logged?.fields).toMatchObject({ method: 'templates.list', transport: 'ipc' });
    expect((logged?.fields.err as Error).stack).toMatch(/secret detail/);
  });

  it('validates outputs: a handler returning the wrong shape is an internal error, logged with the issues', async () => {
    const logger = captureLogger();
    const handlers = fakeHandlers({ 'app.info': () => ({ ...fakeAppInfo, version: 42 }) as never });
    const result = await dispatch(handlers, 'app.info', {}, ctx, logger);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    const logged = logger.records.find((r) => r.level === 'error');
    expect(logged?.fields.issues).toEqual([{ field: 'version', message: expect.any(String) }]);
  });

  it('returns the parsed output, dropping fields outside the contract', async () => {
    const handlers = fakeHandlers({
      'app.info': () => ({ ...fakeAppInfo, internalPath: '/secret' }) as never,
    });
    const result = await dispatch(handlers, 'app.info', {}, ctx, captureLogger());
    expect(result).toEqual({ ok: true, value: fakeAppInfo });
  });
});
