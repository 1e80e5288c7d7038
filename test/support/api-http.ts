/** Raw HTTP and WebSocket helpers for the console server's tests (full control over Host, Origin, paths). */
import http from 'node:http';
import WebSocket from 'ws';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(
  port: number,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path: o.path,
        headers: o.headers,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${o.path} timed out`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Opens a WebSocket; resolves 'open' or the HTTP status the upgrade was refused with. */
export function tryWebSocket(
  url: string,
  origin?: string,
): Promise<{ opened: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ opened: ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Resolves with the first value for which `pick` returns non-undefined, or rejects after `ms`. */
export function waitFor<T>(
  subscribe: (listener: (value: unknown) => void) => () => void,
  pick: (value: unknown) => T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const off = subscribe((value) => {
      const picked = pick(value);
      if (picked === undefined) return;
      clearTimeout(timer);
      off();
      resolve(picked);
    });
  });
}
