/**
 * Data hooks over the typed client. Queries refetch when a matching push event arrives (events are
 * invalidations, never snapshots); refetches are coalesced so a burst of events costs one request.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../shared/contract';
import { AppError } from '../../shared/contract/errors';
import { useClient } from './client-context';
import { useConnection } from './connection';

/** Which push events make a query stale: `true` for any payload, or a predicate on the payload. */
export type Invalidation = { [E in EventName]?: true | ((payload: EventPayload<E>) => boolean) };

export interface QueryOptions {
  invalidateOn?: Invalidation;
  /** Skip the request while false (data stays undefined). */
  enabled?: boolean;
  /** At most one refetch per this many ms while events keep arriving. */
  coalesceMs?: number;
}

export interface QueryState<T> {
  data: T | undefined;
  error: AppError | null;
  /** True until the first response for the current input arrives. */
  loading: boolean;
  refetch(): void;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('internal', err instanceof Error ? err.message : String(err));
}

export function useQuery<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  options: QueryOptions = {},
): QueryState<MethodOutput<M>> {
  const client = useClient();
  const enabled = options.enabled ?? true;
  const inputJson = JSON.stringify(input);
  const key = `${method} ${inputJson}`;
  const [state, setState] = useState<{ key: string; data?: MethodOutput<M>; error: AppError | null } | null>(
    null,
  );
  const [version, setVersion] = useState(0);
  const refetch = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    client.call(method, JSON.parse(inputJson) as MethodInput<M>).then(
      (data) => {
        if (!cancelled) setState({ key, data, error: null });
      },
      (err: unknown) => {
        if (!cancelled)
          setState((prev) => ({
            key,
            data: prev?.key === key ? prev.data : undefined,
            error: toAppError(err),
          }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, method, inputJson, key, enabled, version]);

  useInvalidation(options.invalidateOn, refetch, options.coalesceMs ?? 200);

  const current = state?.key === key ? state : null;
  return {
    data: current?.data,
    error: current?.error ?? null,
    loading: enabled && current === null,
    refetch,
  };
}

/** Calls `onStale` (coalesced) when one of the given events arrives and its predicate accepts the payload. */
export function useInvalidation(
  invalidateOn: Invalidation | undefined,
  onStale: () => void,
  coalesceMs: number,
): void {
  const client = useClient();
  const latest = useRef({ invalidateOn, onStale });
  useEffect(() => {
    latest.current = { invalidateOn, onStale };
  });
  // Back from a lost connection: the invalidations sent meanwhile were missed, so everything is stale.
  const { epoch } = useConnection();
  const seenEpoch = useRef(epoch);
  useEffect(() => {
    if (seenEpoch.current === epoch) return;
    seenEpoch.current = epoch;
    latest.current.onStale();
  }, [epoch]);
  const eventNames = Object.keys(invalidateOn ?? {})
    .sort()
    .join(',');

  useEffect(() => {
    if (eventNames === '') return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const offs = (eventNames.split(',') as EventName[]).map((name) =>
      client.on(name, (payload) => {
        const match = latest.current.invalidateOn?.[name] as true | ((p: unknown) => boolean) | undefined;
        if (!match || (typeof match === 'function' && !match(payload))) return;
        timer ??= setTimeout(() => {
          timer = null;
          latest.current.onStale();
        }, coalesceMs);
      }),
    );
    return () => {
      if (timer) clearTimeout(timer);
      for (const off of offs) off();
    };
  }, [client, eventNames, coalesceMs]);
}

export interface MutationState<M extends MethodName> {
  mutate(input: MethodInput<M>): Promise<Result<MethodOutput<M>>>;
  pending: boolean;
  error: AppError | null;
  reset(): void;
}

/** A call that changes something. `mutate` never throws: it resolves with a Result and records the error. */
export function useMutation<M extends MethodName>(method: M): MutationState<M> {
  const client = useClient();
  const [state, setState] = useState<{ pending: boolean; error: AppError | null }>({
    pending: false,
    error: null,
  });
  const mutate = useCallback(
    async (input: MethodInput<M>): Promise<Result<MethodOutput<M>>> => {
      setState({ pending: true, error: null });
      try {
        const value = await client.call(method, input);
        setState({ pending: false, error: null });
        return { ok: true, value };
      } catch (err) {
        const error = toAppError(err);
        setState({ pending: false, error });
        return { ok: false, error };
      }
    },
    [client, method],
  );
  const reset = useCallback(() => setState({ pending: false, error: null }), []);
  return { mutate, reset, ...state };
}
