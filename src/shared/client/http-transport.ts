/**
 * Browser-console transport: RPC over HTTP POST, push events over a WebSocket. The same code runs in the
 * browser and in Node tests (which inject `fetch` and the `ws` WebSocket).
 *
 * Wire format:
 *   POST {baseUrl}/rpc/{method}   Authorization: Bearer {token}   body: JSON input
 *     200 -> JSON output;  4xx/5xx -> {error: {code, message, retryable, details?}}
 *   WebSocket {baseUrl as ws}/events?token={token}   server -> client text frames: {"event": name, "payload": {...}}
 */
import type { Transport } from './index';

export interface WebSocketLike {
  onopen?: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface HttpTransportOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  WebSocket?: WebSocketCtor;
  /** First reconnect delay after the event socket closes; doubled at each failed try up to `reconnectMaxMs`. */
  reconnectMs?: number;
  /** Longest reconnect delay (default 8 s). */
  reconnectMaxMs?: number;
  /** Told when the event socket opens (true) and when it closes or fails to connect (false). */
  onSocketState?: (open: boolean) => void;
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl.replace(/\/$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const WS = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketCtor);

  return {
    kind: 'http',
    async invoke(method, input) {
      const res = await doFetch(`${base}/rpc/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify(input ?? {}),
      });
      const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
      if (!res.ok) {
        throw (
          body?.error ?? { code: 'internal', message: `HTTP ${res.status}`, retryable: res.status >= 500 }
        );
      }
      return body;
    },
    subscribe(listener) {
      let socket: WebSocketLike | null = null;
      let closed = false;
      let retry: ReturnType<typeof setTimeout> | null = null;
      const firstDelay = options.reconnectMs ?? 1000;
      let delay = firstDelay;
      const connect = () => {
        const url = `${base.replace(/^http/, 'ws')}/events?token=${encodeURIComponent(options.token)}`;
        socket = new WS(url);
        socket.onopen = () => {
          delay = firstDelay;
          options.onSocketState?.(true);
        };
        socket.onmessage = (ev) => {
          try {
            const msg = JSON.parse(String(ev.data)) as { event: string; payload: unknown };
            listener(msg.event, msg.payload);
          } catch {
            // a malformed frame is dropped; the next invalidation refreshes the view
          }
        };
        socket.onclose = () => {
          if (closed) return;
          options.onSocketState?.(false);
          // Backoff: a server that is down for a while is not hammered, one back soon is found soon.
          retry = setTimeout(connect, delay);
          delay = Math.min(delay * 2, Math.max(firstDelay, options.reconnectMaxMs ?? 8000));
        };
        socket.onerror = () => undefined;
      };
      connect();
      return () => {
        closed = true;
        if (retry) clearTimeout(retry);
        socket?.close();
      };
    },
  };
}
