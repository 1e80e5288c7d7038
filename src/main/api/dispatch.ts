/**
 * The one entry point both transports (Electron IPC and HTTP) call: looks the method up in the contract,
 * validates the input, runs the handler, validates the output and turns every failure into an
 * `ApiErrorShape`. Stack traces go to the log, never to the caller.
 */
import {
  AppError,
  contract,
  isMethodName,
  type ApiErrorShape,
  type CallContext,
  type Handlers,
  type MethodName,
} from '../../shared/contract';
import type { BridgeResult } from '../../shared/client/ipc-transport';
import { issueDetails } from '../../shared/contract/issues';
import { createLogger, type Logger } from '../logger';

/** Used when a caller passes no logger: failures still leave their stack somewhere. */
const stderrLogger = createLogger({ stderrLevel: 'error' });

/** What a transport sends back: the same `{ok, value | error}` object on IPC and (unwrapped) on HTTP. */
export type DispatchResult = BridgeResult;

export async function dispatch(
  handlers: Handlers,
  method: string,
  rawInput: unknown,
  ctx: CallContext,
  logger: Logger = stderrLogger,
): Promise<DispatchResult> {
  if (!isMethodName(method)) {
    return fail(new AppError('unknown_method', `No API method "${method}"`));
  }
  const spec = contract[method];
  const input = spec.input.safeParse(rawInput ?? {});
  if (!input.success) {
    const details = issueDetails(input.error);
    const first = details[0];
    // Plain sentences naming the fields (`plain-errors.ts`); the field paths stay in the details for machines.
    const more =
      details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
    const where = first?.field ? ` [${first.field}]` : '';
    const summary = first ? `${first.message}${where}${more}` : 'the request does not match the API';
    return fail(new AppError('invalid_input', `${method} refused: ${summary}`, details));
  }

  let value: unknown;
  try {
    value = await callHandler(handlers, method, input.data, ctx);
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    logger.error(`API method ${method} failed`, { method, transport: ctx.transport, err });
    return fail(new AppError('internal', `Unexpected error in ${method} (see the log)`));
  }

  const output = spec.output.safeParse(value);
  if (!output.success) {
    logger.error(`API method ${method} returned a value that does not match its output schema`, {
      method,
      transport: ctx.transport,
      issues: issueDetails(output.error),
    });
    return fail(new AppError('internal', `Unexpected result from ${method} (see the log)`));
  }
  return { ok: true, value: output.data };
}

/** Handlers are typed per method; the method name and parsed input are correlated by the contract. */
function callHandler(
  handlers: Handlers,
  method: MethodName,
  input: unknown,
  ctx: CallContext,
): Promise<unknown> {
  const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
  return Promise.resolve(handler(input, ctx));
}

function fail(err: AppError): DispatchResult {
  const error: ApiErrorShape = err.toJSON();
  return { ok: false, error };
}
