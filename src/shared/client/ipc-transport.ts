/**
 * Electron transport: wraps the bridge the preload exposes as `window.relaydeck`. The bridge has one function
 * per contract method (nothing else can be called) and an event subscription.
 */
import type { ApiErrorShape } from '../contract/errors';
import type { Transport } from './index';

export type BridgeResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

export interface RelaydeckBridge {
  methods: Readonly<Record<string, (input: unknown) => Promise<BridgeResult>>>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

export function createIpcTransport(bridge: RelaydeckBridge): Transport {
  return {
    kind: 'ipc',
    async invoke(method, input) {
      const fn = bridge.methods[method];
      if (!fn) throw { code: 'unknown_method', message: `no API method ${method}`, retryable: false };
      const result = await fn(input ?? {});
      if (!result.ok) throw result.error;
      return result.value;
    },
    subscribe: (listener) => bridge.onEvent(listener),
  };
}
