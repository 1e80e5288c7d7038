/**
 * The log of automatic changes as keyset pages (newest first) with "Load more". `refresh` reloads what is
 * shown from the top, as many rows as were loaded, so new changes appear above the ones already read.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ShapingEvent } from '../../../shared/contract';
import type { AppError } from '../../../shared/contract/errors';
import { PAGE_LIMIT_MAX } from '../../../shared/contract/schemas';
import { useClient } from '../../api/client-context';
import { toAppError } from '../../api/hooks';

const PAGE_SIZE = 50;

interface LogState {
  key: string;
  items: ShapingEvent[];
  nextCursor: string | null;
  error: AppError | null;
}

export function useShapingLog(destination: string | null) {
  const client = useClient();
  const key = destination ?? '';
  const [state, setState] = useState<LogState | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  const wantRef = useRef(PAGE_SIZE);

  useEffect(() => {
    let cancelled = false;
    const want = Math.max(PAGE_SIZE, wantRef.current);
    const filter = destination === null ? {} : { destination };
    (async () => {
      const items: ShapingEvent[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: ShapingEvent[]; nextCursor: string | null } = await client.call(
          'shaping.events',
          {
            ...filter,
            cursor,
            limit: Math.min(PAGE_LIMIT_MAX, want - items.length),
          },
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null && items.length < want && !cancelled);
      return { items, nextCursor: cursor };
    })().then(
      (result) => {
        if (!cancelled) setState({ key, ...result, error: null });
      },
      (err: unknown) => {
        if (!cancelled)
          setState((s) => ({
            key,
            items: s?.key === key ? s.items : [],
            nextCursor: null,
            error: toAppError(err),
          }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, destination, key, version]);

  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const current = state?.key === key ? state : null;

  const loadMore = useCallback(async () => {
    if (!current || current.nextCursor === null) return;
    setLoadingMore(true);
    try {
      const page = await client.call('shaping.events', {
        ...(destination === null ? {} : { destination }),
        cursor: current.nextCursor,
        limit: PAGE_SIZE,
      });
      setState((s) =>
        s && s.key === key
          ? { ...s, items: [...s.items, ...page.items], nextCursor: page.nextCursor, error: null }
          : s,
      );
      wantRef.current = current.items.length + page.items.length;
    } catch (err) {
      setState((s) => (s ? { ...s, error: toAppError(err) } : s));
    } finally {
      setLoadingMore(false);
    }
  }, [client, current, destination, key]);

  return {
    items: current?.items ?? [],
    nextCursor: current?.nextCursor ?? null,
    loaded: current !== null,
    error: current?.error ?? null,
    loadingMore,
    loadMore,
    refresh,
  };
}
