/**
 * Picks the transport at start: the preload bridge in Electron (`window.relaydeck`), otherwise HTTP/WebSocket
 * to the origin that served the console, authenticated by the per-launch token. The token arrives once in the
 * URL fragment (`#token=...`); it is then kept in sessionStorage and removed from the address bar.
 */
import { createClient, type Client, type Transport } from '../../shared/client';
import { createHttpTransport } from '../../shared/client/http-transport';
import { createIpcTransport, type RelaydeckBridge } from '../../shared/client/ipc-transport';
import {
  createConnectionMonitor,
  monitorTransport,
  RETRY_MAX_MS,
  RETRY_MS,
  type ConnectionMonitor,
} from './connection';

const TOKEN_KEY = 'relaydeck.token';

export type Connection =
  { ok: true; client: Client; monitor: ConnectionMonitor } | { ok: false; reason: 'missing_token' };

type HostWindow = Window & { relaydeck?: RelaydeckBridge };

export function connect(win: HostWindow): Connection {
  if (win.relaydeck) return monitored(() => createIpcTransport(win.relaydeck as RelaydeckBridge));
  const token = takeToken(win);
  if (!token) return { ok: false, reason: 'missing_token' };
  return monitored((monitor) =>
    createHttpTransport({
      baseUrl: win.location.origin,
      token,
      onSocketState: (open) => (open ? monitor.reportOnline() : monitor.reportLost()),
    }),
  );
}

/** A client whose transport reports to a connection monitor (the app shell's lost-connection banner). */
function monitored(make: (monitor: ConnectionMonitor) => Transport): Connection {
  let transport: Transport | null = null;
  const monitor = createConnectionMonitor(
    () => transport?.invoke('app.info', {}) ?? Promise.resolve(),
    RETRY_MS,
    RETRY_MAX_MS,
  );
  transport = monitorTransport(make(monitor), monitor);
  return { ok: true, client: createClient(transport), monitor };
}

/** Reads the token from `#token=...` (removing it from the address bar) or from this tab's session storage. */
function takeToken(win: HostWindow): string | null {
  const match = /^#token=([^&]+)/.exec(win.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    win.sessionStorage.setItem(TOKEN_KEY, token);
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}#/deliveries`);
    return token;
  }
  return win.sessionStorage.getItem(TOKEN_KEY);
}
