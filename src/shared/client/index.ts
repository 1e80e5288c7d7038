/**
 * Typed client over any transport. The renderer gets a transport at start (preload bridge in Electron,
 * HTTP/WebSocket in the browser) and talks to the main process only through this client.
 */
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../contract';
import { AppError, isApiErrorShape } from '../contract/errors';

export interface Transport {
  readonly kind: 'ipc' | 'http';
  /** Resolves with the method's output; rejects with an ApiErrorShape-like object. */
  invoke(method: string, input: unknown): Promise<unknown>;
  /** Subscribes to push events; returns an unsubscribe function. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

export interface Client {
  readonly transport: Transport['kind'];
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function createClient(transport: Transport): Client {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let unsubscribe: (() => void) | null = null;

  function ensureSubscribed(): void {
    unsubscribe ??= transport.subscribe((event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload);
    });
  }

  return {
    transport: transport.kind,
    async call(method, input) {
      try {
        return (await transport.invoke(method, input)) as never;
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (isApiErrorShape(err)) throw AppError.from(err);
        throw new AppError('unavailable', err instanceof Error ? err.message : String(err));
      }
    },
    on(event, listener) {
      ensureSubscribed();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => {
        set.delete(l);
        if ([...listeners.values()].every((s) => s.size === 0) && unsubscribe) {
          unsubscribe();
          unsubscribe = null;
        }
      };
    },
  };
}
