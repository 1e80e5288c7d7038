/**
 * A keyset-paged list with "Load more", for any method answering `{items, nextCursor}`. A change of filter
 * (`filterKey`) starts again from the first page; a matching push event reloads what is shown from the top, as
 * many rows as were loaded, in one consistent snapshot (so rows move and counters change in place).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { PAGE_LIMIT_MAX } from '../../shared/contract/schemas';
import type { AppError } from '../../shared/contract/errors';
import { toAppError, useInvalidation, type Invalidation } from './hooks';

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedListOptions {
  pageSize?: number;
  invalidateOn?: Invalidation;
  coalesceMs?: number;
}

export interface PagedList<P extends KeysetPage<unknown>> {
  items: P['items'];
  /** The latest first page as answered (for extra fields such as counts). */
  head: P | null;
  nextCursor: string | null;
  /** A first answer has arrived (or failed). */
  loaded: boolean;
  /** The rows shown are those of the previous filter, until the new answer arrives. */
  stale: boolean;
  error: AppError | null;
  loadingMore: boolean;
  loadMore(): Promise<void>;
  reload(): void;
}

export function usePagedList<P extends KeysetPage<unknown>>(
  load: (cursor: string | null, limit: number) => Promise<P>,
  filterKey: string,
  options: PagedListOptions = {},
): PagedList<P> {
  const pageSize = options.pageSize ?? 100;
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const [state, setState] = useState<{
    key: string;
    items: P['items'];
    head: P | null;
    nextCursor: string | null;
    error: AppError | null;
  } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  /** How many rows a reload fetches: what is on screen for the current filter. */
  const want = useRef({ key: filterKey, rows: pageSize });
  if (want.current.key !== filterKey) want.current = { key: filterKey, rows: pageSize };

  useEffect(() => {
    let cancelled = false;
    const rows = Math.max(pageSize, want.current.rows);
    (async () => {
      let head: P | null = null;
      const items: P['items'] = [];
      let cursor: string | null = null;
      do {
        const page: P = await loadRef.current(cursor, Math.min(PAGE_LIMIT_MAX, rows - items.length));
        head ??= page;
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null && items.length < rows && !cancelled);
      return { head, items, nextCursor: cursor };
    })().then(
      (result) => {
        if (!cancelled) setState({ key: filterKey, ...result, error: null });
      },
      (err: unknown) => {
        if (!cancelled)
          setState((s) => ({
            key: filterKey,
            items: s?.key === filterKey ? s.items : [],
            head: s?.key === filterKey ? s.head : null,
            nextCursor: s?.key === filterKey ? s.nextCursor : null,
            error: toAppError(err),
          }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [filterKey, pageSize, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  useInvalidation(options.invalidateOn, reload, options.coalesceMs ?? 300);

  const current = state?.key === filterKey ? state : null;
  const nextCursor = current?.nextCursor ?? null;
  const shown = current?.items.length ?? 0;

  const loadMore = useCallback(async () => {
    if (nextCursor === null) return;
    setLoadingMore(true);
    try {
      const page = await loadRef.current(nextCursor, pageSize);
      setState((s) =>
        s && s.key === filterKey
          ? { ...s, items: [...s.items, ...page.items], nextCursor: page.nextCursor, error: null }
          : s,
      );
      want.current = { key: filterKey, rows: shown + page.items.length };
    } catch (err) {
      setState((s) => (s ? { ...s, error: toAppError(err) } : s));
    } finally {
      setLoadingMore(false);
    }
  }, [filterKey, nextCursor, pageSize, shown]);

  return {
    items: state?.items ?? [],
    head: state?.head ?? null,
    nextCursor,
    loaded: state !== null,
    stale: state !== null && current === null,
    error: current?.error ?? null,
    loadingMore,
    loadMore,
    reload,
  };
}
