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
  | { name: 'inmail' }
  | { name: 'simulations' }
  | { name: 'simulator-profiles' }
  | { name: 'simulation'; id: string }
  | { name: 'simulation-report'; id: string }
  | { name: 'not-found'; path: string };

export const paths = {
  deliveries: () => '#/deliveries',
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
  simulations: () => '#/simulator',
  simulatorProfiles: () => '#/simulator/profiles',
  simulation: (id: string) => `#/simulator/${encodeURIComponent(id)}`,
  simulationReport: (id: string) => `#/simulator/${encodeURIComponent(id)}/report`,
};

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/deliveries';
  if (path === '/deliveries') return { name: 'deliveries' };
  if (path === '/deliveries/new') return { name: 'new-delivery' };
  if (path === '/rules') return { name: 'rules' };
  if (path === '/destinations') return { name: 'destinations' };
  if (path === '/dkim') return { name: 'dkim' };
  if (path === '/qualification') return { name: 'qualification' };
  if (path === '/quarantine') return { name: 'quarantine' };
  if (path === '/inmail') return { name: 'inmail' };
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

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

/** The address the console itself is going to (`navigate`): the unsaved-changes guard lets it through. */
let intended: string | null = null;

/** Goes to `hash` on the console's own decision (after a save, "Leave" in the unsaved-changes dialog). */
export function navigate(hash: string): void {
  intended = hash.startsWith('#') ? hash : `#${hash}`;
  window.location.hash = hash;
}

/** Whether the current address was reached through `navigate` (not a link, the back button or typing). */
export function isIntendedNavigation(): boolean {
  return intended !== null && intended === window.location.hash;
}
