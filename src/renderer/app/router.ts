/** A tiny hash router for the console's three screens: no library needed. */
import { useSyncExternalStore } from 'react';
import { REPORT_KINDS, type ReportKind } from '../../shared/contract/reports';

export type Route =
  | { name: 'deliveries' }
  | { name: 'new-delivery' }
  | { name: 'delivery'; id: string }
  | { name: 'delivery-report'; id: string; kind: ReportKind }
  | { name: 'rules' }
  | { name: 'destinations' }
  | { name: 'dkim' }
  | { name: 'qualification' }
  | { name: 'quarantine' }
  | { name: 'inmail'; open?: string }
  | { name: 'simulations' }
  | { name: 'simulator-profiles' }
  | { name: 'simulation'; id: string }
  | { name: 'simulation-report'; id: string }
  | { name: 'not-found'; path: string };

export const paths = {
  /** The deliveries list; `query` (deliveries-list-model's `toListQuery`) keeps its search, filters and sort. */
  deliveries: (query = '') => (query ? `#/deliveries?${query}` : '#/deliveries'),
  newDelivery: () => '#/deliveries/new',
  delivery: (id: string) => `#/deliveries/${encodeURIComponent(id)}`,
  deliveryReport: (id: string, kind: ReportKind = 'summary') =>
    `#/deliveries/${encodeURIComponent(id)}/report${kind === 'summary' ? '' : `/${kind}`}`,
  rules: () => '#/rules',
  destinations: () => '#/destinations',
  dkim: () => '#/dkim',
  qualification: () => '#/qualification',
  quarantine: () => '#/quarantine',
  inmail: () => '#/inmail',
  /** Inbound mail with one message open in its drawer. */
  inmailMessage: (id: string) => `#/inmail/${encodeURIComponent(id)}`,
  simulations: () => '#/simulator',
  simulatorProfiles: () => '#/simulator/profiles',
  simulation: (id: string) => `#/simulator/${encodeURIComponent(id)}`,
  simulationReport: (id: string) => `#/simulator/${encodeURIComponent(id)}/report`,
};

export function parseRoute(hash: string): Route {
  // A query (`#/deliveries?state=paused`) is the page's own state: the route is the path before it.
  const path = hash.replace(/^#/, '').replace(/\?.*$/, '').replace(/\/+$/, '') || '/deliveries';
  if (path === '/deliveries') return { name: 'deliveries' };
  if (path === '/deliveries/new') return { name: 'new-delivery' };
  if (path === '/rules') return { name: 'rules' };
  if (path === '/destinations') return { name: 'destinations' };
  if (path === '/dkim') return { name: 'dkim' };
  if (path === '/qualification') return { name: 'qualification' };
  if (path === '/quarantine') return { name: 'quarantine' };
  if (path === '/inmail') return { name: 'inmail' };
  const inmail = /^\/inmail\/(\d+)$/.exec(path);
  if (inmail?.[1]) return { name: 'inmail', open: inmail[1] };
  if (path === '/simulator') return { name: 'simulations' };
  if (path === '/simulator/profiles') return { name: 'simulator-profiles' };
  const simulation = /^\/simulator\/(\d+)(\/report)?$/.exec(path);
  if (simulation?.[1])
    return simulation[2]
      ? { name: 'simulation-report', id: simulation[1] }
      : { name: 'simulation', id: simulation[1] };
  const detail = /^\/deliveries\/(\d+)$/.exec(path);
  if (detail?.[1]) return { name: 'delivery', id: detail[1] };
  const report = /^\/deliveries\/(\d+)\/report(?:\/([a-z]+))?$/.exec(path);
  const kind = report?.[2] ?? 'summary';
  if (report?.[1] && isReportKind(kind)) return { name: 'delivery-report', id: report[1], kind };
  return { name: 'not-found', path };
}

const isReportKind = (v: string): v is ReportKind => (REPORT_KINDS as readonly string[]).includes(v);

/**
 * The address the console shows. It moves only in the router's own `hashchange` listener, never by reading
 * `location` during a render, so a held navigation (unsaved changes, `holdNavigation`) never reaches the
 * screen, even when something renders between the address change and its event.
 */
let current: string | null = null;
const listeners = new Set<() => void>();
/** Asked before the console leaves the current address; true holds it there. */
const holders = new Set<(to: string) => boolean>();
/** The address the console itself is going to (`navigate`): never held. */
let intended: string | null = null;

function onHashChange(e: HashChangeEvent): void {
  const to = window.location.hash;
  const decided = intended === to;
  intended = null;
  if (!decided && [...holders].some((hold) => hold(to))) {
    // Put the address back without a new history entry: the screen does not change.
    window.history.replaceState(window.history.state, '', e.oldURL);
    return;
  }
  current = to;
  for (const l of listeners) l();
}

function subscribe(onChange: () => void): () => void {
  if (listeners.size === 0) {
    current = window.location.hash;
    window.addEventListener('hashchange', onHashChange);
  }
  listeners.add(onChange);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0) window.removeEventListener('hashchange', onHashChange);
  };
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => current ?? window.location.hash);
  return parseRoute(hash);
}

/**
 * Holds every navigation the console did not decide itself (a link, back / forward, a typed address) while
 * `hold(to)` says so; returns the release. The unsaved-changes guard uses it.
 */
export function holdNavigation(hold: (to: string) => boolean): () => void {
  holders.add(hold);
  return () => holders.delete(hold);
}

/** Goes to `hash` on the console's own decision (after a save, "Leave" in the unsaved-changes dialog). */
export function navigate(hash: string): void {
  intended = hash.startsWith('#') ? hash : `#${hash}`;
  window.location.hash = hash;
}
