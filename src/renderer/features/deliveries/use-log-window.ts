import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { LogFilter, LogRow } from '../../../shared/contract';
import type { LOG_SORT_KEYS } from '../../../shared/contract/schemas';
import { useClient } from '../../api/client-context';
import { useInvalidation } from '../../api/hooks';
import { PagedWindow } from './paged-window';

export type LogSort = { key: (typeof LOG_SORT_KEYS)[number]; dir: 'asc' | 'desc' };

/** How often at most the visible log rows are refetched while `logs.changed` events keep arriving. */
const LIVE_REFRESH_MS = 1000;

/** The delivery log of one query (filter + sort) as a PagedWindow, refreshed live on `logs.changed`. */
export function useLogWindow(deliveryId: string, filter: LogFilter, sort: LogSort) {
  const client = useClient();
  const queryKey = JSON.stringify({ deliveryId, filter, sort });

  const win = useMemo(() => {
    const query = JSON.parse(queryKey) as { deliveryId: string; filter: LogFilter; sort: LogSort };
    return new PagedWindow<LogRow>((cursor, limit) => client.call('logs.page', { ...query, cursor, limit }), {
      pageSize: 200,
      maxPages: 10,
    });
  }, [client, queryKey]);

  useEffect(() => {
    win.start();
    return () => win.dispose();
  }, [win]);

  useSyncExternalStore(win.subscribe, win.getVersion);
  useInvalidation(
    { 'logs.changed': (p) => p.deliveryId === deliveryId },
    () => void win.refresh(),
    LIVE_REFRESH_MS,
  );
  return { win };
}
