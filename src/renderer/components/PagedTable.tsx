/**
 * A DataTable over a keyset-paged list (`usePagedList`): the list's load error with Retry, the previous
 * filter's rows dimmed until the new answer arrives, "Loading…" before the first answer and the page's empty
 * state after it, and the footer with the count and "Load more".
 */
import { useCallback, type ReactNode } from 'react';
import type { KeysetPage, PagedList } from '../api/use-paged-list';
import { Button } from './Button';
import { DataTable, type DataTableProps } from './DataTable';
import { ErrorBanner } from './ErrorBanner';

type MoreList = Pick<PagedList<KeysetPage<unknown>>, 'nextCursor' | 'loadingMore' | 'loadMore'>;

/** The footer of a paged list: what is shown, and "Load more" while there is more. */
export function LoadMoreFooter({
  list,
  count,
  countTestId,
  moreTestId,
}: {
  list: MoreList;
  count: ReactNode;
  countTestId?: string;
  moreTestId: string;
}) {
  return (
    <footer className="card-footer">
      <span className="muted num" data-testid={countTestId}>
        {count}
      </span>
      {list.nextCursor !== null && (
        <Button onClick={() => void list.loadMore()} disabled={list.loadingMore} testId={moreTestId}>
          {list.loadingMore ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </footer>
  );
}

export function PagedTable<T>({
  list,
  errorTitle,
  loadingText,
  empty,
  count,
  countTestId,
  moreTestId,
  ...table
}: Omit<DataTableProps<T>, 'rowCount' | 'getRow' | 'empty'> & {
  list: PagedList<KeysetPage<T>>;
  errorTitle: string;
  loadingText: string;
  /** Shown when the first answer has no rows. */
  empty: ReactNode;
  count: ReactNode;
  countTestId: string;
  moreTestId: string;
}) {
  const { items } = list;
  const getRow = useCallback((i: number) => items[i], [items]);
  return (
    <>
      {list.error && (
        <ErrorBanner
          error={list.error}
          title={errorTitle}
          action={<Button onClick={list.reload}>Retry</Button>}
        />
      )}
      <div className={list.stale ? 'is-stale' : undefined}>
        <DataTable<T>
          {...table}
          rowCount={items.length}
          getRow={getRow}
          empty={list.loaded ? empty : <div className="loading">{loadingText}</div>}
        />
      </div>
      <LoadMoreFooter list={list} count={count} countTestId={countTestId} moreTestId={moreTestId} />
    </>
  );
}
