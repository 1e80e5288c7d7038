/**
 * The deliveries list's search, filters and sort as page state, kept in the URL (`#/deliveries?q=…&state=…`)
 * so Back from a delivery returns to the same list; pure, free of React.
 */
import {
  DELIVERY_ROUTE_KINDS,
  DELIVERY_SORTS,
  type DeliveriesListInput,
  type DeliveryRouteKind,
  type DeliverySort,
  type SortDirection,
} from '../../../shared/contract/deliveries-list';
import {
  DELIVERY_STATES,
  REPORTING_MODES,
  type DeliveryState,
  type ReportingMode,
} from '../../../shared/domain/statuses';

export interface DeliveriesListState {
  search: string;
  states: DeliveryState[];
  reporting: ReportingMode | null;
  route: DeliveryRouteKind | null;
  /** Local calendar days, `YYYY-MM-DD`, both included; '' for none. */
  from: string;
  to: string;
  sort: DeliverySort;
  dir: SortDirection;
}

export const DEFAULT_LIST_STATE: DeliveriesListState = {
  search: '',
  states: [],
  reporting: null,
  route: null,
  from: '',
  to: '',
  sort: 'created',
  dir: 'desc',
};

export const SORT_LABELS: Record<DeliverySort, string> = {
  created: 'Created',
  name: 'Name',
  success: 'Success rate',
  recipients: 'Messages to deliver',
};

export const ROUTE_LABELS: Record<DeliveryRouteKind, string> = {
  sandbox: 'Sandbox only',
  real: 'Real servers',
};

export const REPORTING_LABELS: Record<ReportingMode, string> = { efs: 'EFS', classic: 'Classic' };

/** The direction a sort starts with when it is chosen: newest, highest first; names from A. */
export const FIRST_DIRECTION: Record<DeliverySort, SortDirection> = {
  created: 'desc',
  name: 'asc',
  success: 'desc',
  recipients: 'desc',
};

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const isOneOf = <T extends string>(list: readonly T[], v: string | null): v is T =>
  v !== null && (list as readonly string[]).includes(v);

/** The list state of a URL query (`q`, `state`, `reporting`, `route`, `from`, `to`, `sort`, `dir`). */
export function parseListQuery(query: string): DeliveriesListState {
  const p = new URLSearchParams(query);
  const day = (v: string | null) => (v !== null && DAY_RE.test(v) && dayStart(v) !== null ? v : '');
  const sortParam = p.get('sort');
  const sort = isOneOf(DELIVERY_SORTS, sortParam) ? sortParam : DEFAULT_LIST_STATE.sort;
  const dir = p.get('dir');
  return {
    search: p.get('q') ?? '',
    states: (p.get('state') ?? '').split(',').filter((s): s is DeliveryState => isOneOf(DELIVERY_STATES, s)),
    reporting: isOneOf(REPORTING_MODES, p.get('reporting')) ? (p.get('reporting') as ReportingMode) : null,
    route: isOneOf(DELIVERY_ROUTE_KINDS, p.get('route')) ? (p.get('route') as DeliveryRouteKind) : null,
    from: day(p.get('from')),
    to: day(p.get('to')),
    sort,
    dir: dir === 'asc' || dir === 'desc' ? dir : FIRST_DIRECTION[sort],
  };
}

/** The URL query of a list state: only what differs from the default, in a stable order. */
export function toListQuery(s: DeliveriesListState): string {
  const p = new URLSearchParams();
  if (s.search.trim()) p.set('q', s.search.trim());
  if (s.states.length) p.set('state', s.states.join(','));
  if (s.reporting) p.set('reporting', s.reporting);
  if (s.route) p.set('route', s.route);
  if (s.from) p.set('from', s.from);
  if (s.to) p.set('to', s.to);
  if (s.sort !== DEFAULT_LIST_STATE.sort || s.dir !== DEFAULT_LIST_STATE.dir) {
    p.set('sort', s.sort);
    p.set('dir', s.dir);
  }
  return p.toString();
}

/** Epoch ms of the start of a local calendar day `YYYY-MM-DD`, or null for a day that does not exist. */
export function dayStart(day: string, plusDays = 0): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d + plusDays);
  if (plusDays === 0 && (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d))
    return null;
  return date.getTime();
}

/** A problem with the date range, in words, or null. */
export function dateRangeProblem(s: DeliveriesListState): string | null {
  if (s.from && s.to && s.to < s.from) return 'The “to” date is before the “from” date.';
  return null;
}

/** Whether anything narrows the list (the empty state then says so). */
export const isFiltered = (s: DeliveriesListState): boolean =>
  s.search.trim() !== '' ||
  s.states.length > 0 ||
  s.reporting !== null ||
  s.route !== null ||
  !!s.from ||
  !!s.to;

/** The `deliveries.list` input of a list state (the search as typed; dates as local days, `to` included). */
export function toListInput(s: DeliveriesListState): Omit<DeliveriesListInput, 'cursor' | 'limit'> {
  const from = s.from ? dayStart(s.from) : null;
  const to = s.to ? dayStart(s.to, 1) : null;
  const validRange = dateRangeProblem(s) === null;
  return {
    ...(s.search.trim() ? { search: s.search.trim() } : {}),
    ...(s.states.length ? { state: s.states } : {}),
    ...(s.reporting ? { reporting: s.reporting } : {}),
    ...(s.route ? { route: s.route } : {}),
    ...(from !== null && validRange ? { createdFrom: from } : {}),
    ...(to !== null && validRange ? { createdTo: to } : {}),
    sort: s.sort,
    dir: s.dir,
  };
}

/** A click on a sortable header: the same key flips its direction, another starts in its first direction. */
export function nextSort(
  s: DeliveriesListState,
  key: DeliverySort,
): Pick<DeliveriesListState, 'sort' | 'dir'> {
  if (s.sort === key) return { sort: key, dir: s.dir === 'asc' ? 'desc' : 'asc' };
  return { sort: key, dir: FIRST_DIRECTION[key] };
}
