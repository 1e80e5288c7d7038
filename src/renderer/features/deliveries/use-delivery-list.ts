/**
 * The deliveries list as keyset pages with "Load more". A `delivery.changed` event reloads what is shown from
 * the top (newest first), as many rows as were loaded, so new deliveries appear and counters move in place.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeliverySummary } from '../../../shared/contract';
import { PAGE_LIMIT_MAX } from '../../../shared/contract/schemas';
import type { AppError } from '../../../shared/contract/errors';
import { useClient } from '../../api/client-context';
import { toAppError, useInvalidation } from '../../api/hooks';

const PAGE_SIZE = 50;

interface ListState {
  items: DeliverySummary[];
  nextCursor: string | null;
  loaded: boolean;
  error: AppError | null;
}

export function useDeliveryList() {
  const client = useClient();
  const [state, setState] = useState<ListState>({ items: [], nextCursor: null, loaded: false, error: null });
  const [loadingMore, setLoadingMore] = useState(false);
  const [reloadVersion, setReloadVersion] = useState(0);
  /** How many rows a reload fetches: what is on screen. */
  const wantRef = useRef(PAGE_SIZE);

  // Load (or reload) the first `want` rows, page by page, into one consistent snapshot.
  useEffect(() => {
    let cancelled = false;
    const want = Math.max(PAGE_SIZE, wantRef.current);
    (async () => {
      const items: DeliverySummary[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: DeliverySummary[]; nextCursor: string | null } = await client.call(
          'deliveries.list',
          { cursor, limit: Math.min(PAGE_LIMIT_MAX, want - items.length) },
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null && items.length < want && !cancelled);
      return { items, nextCursor: cursor };
    })().then(
      (result) => {
        if (!cancelled) setState({ ...result, loaded: true, error: null });
      },
      (err: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, loaded: true, error: toAppError(err) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, reloadVersion]);

  const reload = useCallback(() => setReloadVersion((v) => v + 1), []);
  useInvalidation({ 'delivery.changed': true }, reload, 300);

  const loadMore = useCallback(async () => {
    if (state.nextCursor === null) return;
    setLoadingMore(true);
    try {
      const page = await client.call('deliveries.list', { cursor: state.nextCursor, limit: PAGE_SIZE });
      setState((s) => ({
        ...s,
        items: [...s.items, ...page.items],
        nextCursor: page.nextCursor,
        error: null,
      }));
      wantRef.current = state.items.length + page.items.length;
    } catch (err) {
      setState((s) => ({ ...s, error: toAppError(err) }));
    } finally {
      setLoadingMore(false);
    }
  }, [client, state.nextCursor, state.items.length]);

  return { ...state, loadingMore, loadMore, reload };
}
