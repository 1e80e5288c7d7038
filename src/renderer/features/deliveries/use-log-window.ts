import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { LogFilter, LogRow } from '../../../shared/contract';
import type { LOG_SORT_KEYS } from '../../../shared/contract/schemas';
import { useClient } from '../../api/client-context';
import { useInvalidation } from '../../api/hooks';
import { PagedWindow } from './paged-window';

export type LogSort = { key: (typeof LOG_SORT_KEYS)[number]; dir: 'asc' | 'desc' };

/** How often at most the visible log rows are refetched while `logs.changed` events keep arriving. */
const LIVE_REFRESH_MS = 1000;

export const LOG_PAGE_SIZE = 200;

/** Where the window starts in the log (a `logs.seek` result) and the row to bring into view there. */
export interface LogWindowStart {
  cursor: string | null;
  position: number;
  /** Index in the window to scroll to once it shows (the row the analyst asked for). */
  focus: number;
  /** The log's size when the window moved (shown until the moved window has loaded its own). */
  total: number | null;
}

const TOP: LogWindowStart = { cursor: null, position: 0, focus: 0, total: null };

/**
 * The delivery log of one query (filter + sort) as a PagedWindow, refreshed live on `logs.changed`. The window
 * starts at the top and moves with `jumpTo(position)` (a `logs.seek`), so any row of a million is reachable
 * while the browser only ever lays out a window of the log.
 */
export function useLogWindow(deliveryId: string, filter: LogFilter, sort: LogSort) {
  const client = useClient();
  const queryKey = JSON.stringify({ deliveryId, filter, sort });
  const [start, setStart] = useState<{ key: string; at: LogWindowStart }>({ key: queryKey, at: TOP });
  const at = start.key === queryKey ? start.at : TOP;

  const win = useMemo(() => {
    const query = JSON.parse(queryKey) as { deliveryId: string; filter: LogFilter; sort: LogSort };
    return new PagedWindow<LogRow>((cursor, limit) => client.call('logs.page', { ...query, cursor, limit }), {
      pageSize: LOG_PAGE_SIZE,
      maxPages: 10,
      start: { cursor: at.cursor, position: at.position },
    });
  }, [client, queryKey, at]);

  // Jumps answer in any order (a key held on the scrollbar starts many): only the latest one moves the window.
  const latestJump = useRef(0);
  /** Moves the window so that list row `position` shows (the window starts a little before it). */
  const jumpTo = useCallback(
    async (position: number) => {
      const jump = ++latestJump.current;
      const query = JSON.parse(queryKey) as { deliveryId: string; filter: LogFilter; sort: LogSort };
      const target = Math.max(0, position);
      const windowStart = Math.max(0, target - LOG_PAGE_SIZE / 2);
      const seek = await client.call('logs.seek', { ...query, position: windowStart });
      if (jump !== latestJump.current) return;
      const focus = Math.min(target, Math.max(0, seek.total - 1)) - seek.position;
      setStart({
        key: queryKey,
        at: { cursor: seek.cursor, position: seek.position, focus: Math.max(0, focus), total: seek.total },
      });
    },
    [client, queryKey],
  );

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
  return { win, start: at, jumpTo };
}
