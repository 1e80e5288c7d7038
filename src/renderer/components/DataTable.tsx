/**
 * The one generic table of the console: virtualised rows (@tanstack/react-virtual), sticky header, sortable
 * columns, keyboard navigation (arrows, Page Up/Down, Home/End, Enter opens). Data is pulled row by row through
 * `getRow`, which may answer `undefined` for a row not loaded yet (a placeholder is drawn and the caller, told
 * the visible range, fetches it), so the same table serves a short list and a server-paged log of a million rows.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

export interface Column<T> {
  id: string;
  header: string;
  /** CSS grid track, e.g. `96px` or `minmax(200px, 2fr)`. */
  width: string;
  align?: 'start' | 'end';
  /** Present when the server can sort by this column. */
  sortKey?: string;
  render(row: T): ReactNode;
  /** Tooltip of the cell (full text of a truncated value). */
  title?(row: T): string | undefined;
}

export interface SortState {
  key: string;
  dir: 'asc' | 'desc';
}

export interface DataTableProps<T> {
  label: string;
  columns: readonly Column<T>[];
  rowCount: number;
  getRow(index: number): T | undefined;
  rowKey(row: T): string;
  onRowActivate?(row: T, index: number): void;
  onVisibleRangeChange?(first: number, last: number): void;
  sort?: SortState;
  onSortChange?(key: string): void;
  /** Height of the scroll area (CSS length). The table never grows the page beyond it. */
  maxHeight: string;
  rowHeight?: number;
  empty?: ReactNode;
  testId?: string;
  rowTestId?: string;
  /** Extra class for a row, e.g. to mark the selected one. */
  rowClassName?(row: T): string | undefined;
  /** Row made active and scrolled into view when the table mounts. */
  initialIndex?: number;
  /**
   * Home / End for a table showing a window of a longer list: return true when the caller moves the window
   * to the start / end of the list itself (the table then does nothing more).
   */
  onEdgeKey?(edge: 'start' | 'end'): boolean;
  /**
   * For a table that its caller remounts (a window moved to another part of a list): shared between the
   * instances, it carries keyboard focus from the table that goes to the one that replaces it, so keys keep
   * reaching the table.
   */
  focusCarrier?: { current: boolean };
}

const HEADER_HEIGHT = 36;

export function DataTable<T>(props: DataTableProps<T>) {
  const { columns, rowCount, getRow, rowKey, onRowActivate, onVisibleRangeChange, sort, onSortChange } =
    props;
  const rowHeight = props.rowHeight ?? 32;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(props.initialIndex ?? 0);
  const idPrefix = `dt${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollMargin: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (last >= first) onVisibleRangeChange?.(first, last);
  }, [first, last, onVisibleRangeChange]);

  // Focus goes with the table when its caller replaces it: the leaving instance records whether it had it (its
  // element is still in the document when the cleanup runs), the new one takes it on mount.
  const focusCarrier = props.focusCarrier;
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!focusCarrier) return;
    if (focusCarrier.current) el?.focus({ preventScroll: true });
    return () => {
      focusCarrier.current = el !== null && el === document.activeElement;
    };
  }, [focusCarrier]);

  // Once, when rows first exist: bring the requested row into view (a window moved to a list position).
  const initialIndex = props.initialIndex ?? 0;
  const scrolledToInitial = useRef(initialIndex === 0);
  useEffect(() => {
    if (scrolledToInitial.current || rowCount <= initialIndex) return;
    scrolledToInitial.current = true;
    virtualizer.scrollToIndex(initialIndex, { align: 'center' });
  }, [rowCount, initialIndex, virtualizer]);

  const template = columns.map((c) => c.width).join(' ');
  const activeIndex = Math.min(active, Math.max(0, rowCount - 1));

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Home / End go to the caller first, rows or not: a window being loaded has none yet, and the key must not
    // be lost.
    const edge = e.key === 'Home' ? 'start' : e.key === 'End' ? 'end' : null;
    if (edge && props.onEdgeKey?.(edge)) {
      e.preventDefault();
      return;
    }
    if (rowCount === 0) return;
    const page = Math.max(
      1,
      Math.floor(((scrollRef.current?.clientHeight ?? 400) - HEADER_HEIGHT) / rowHeight) - 1,
    );
    const moves: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      PageDown: activeIndex + page,
      PageUp: activeIndex - page,
      Home: 0,
      End: rowCount - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      const next = Math.min(rowCount - 1, Math.max(0, target));
      setActive(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
      return;
    }
    if (e.key === 'Enter' || e.key === ' ') {
      const row = getRow(activeIndex);
      if (row !== undefined && onRowActivate) {
        e.preventDefault();
        onRowActivate(row, activeIndex);
      }
    }
  };

  const gridStyle: CSSProperties = { gridTemplateColumns: template };

  return (
    <div
      ref={scrollRef}
      className="dt"
      style={{ maxHeight: props.maxHeight }}
      role="grid"
      aria-label={props.label}
      aria-rowcount={rowCount + 1}
      aria-activedescendant={rowCount > 0 ? `${idPrefix}-row-${activeIndex}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid={props.testId}
    >
      <div className="dt-head" role="row" aria-rowindex={1} style={{ ...gridStyle, height: HEADER_HEIGHT }}>
        {columns.map((c) => {
          const sorted = sort && c.sortKey === sort.key ? sort.dir : null;
          return (
            <div
              key={c.id}
              role="columnheader"
              className={['dt-cell', c.align === 'end' ? 'dt-end' : ''].join(' ')}
              aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
            >
              {c.sortKey && onSortChange ? (
                <button
                  type="button"
                  className={['dt-sort', sorted ? 'is-sorted' : ''].join(' ')}
                  onClick={() => onSortChange(c.sortKey as string)}
                  data-testid={`sort-${c.id}`}
                >
                  {c.header}
                  <span className="dt-sort-icon" aria-hidden="true">
                    {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                  </span>
                </button>
              ) : (
                c.header
              )}
            </div>
          );
        })}
      </div>
      {rowCount === 0 ? (
        <div className="dt-empty">{props.empty}</div>
      ) : (
        <div className="dt-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = getRow(item.index);
            const style: CSSProperties = {
              ...gridStyle,
              height: rowHeight,
              transform: `translateY(${item.start - HEADER_HEIGHT}px)`,
            };
            const isActive = item.index === activeIndex;
            if (row === undefined) {
              return (
                <div
                  key={`placeholder-${item.index}`}
                  id={`${idPrefix}-row-${item.index}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-busy="true"
                  className={['dt-row', 'dt-placeholder', isActive ? 'is-active' : ''].join(' ')}
                  style={style}
                >
                  {columns.map((c) => (
                    <div key={c.id} role="gridcell" className="dt-cell">
                      <span className="skeleton" />
                    </div>
                  ))}
                </div>
              );
            }
            return (
              <div
                key={rowKey(row)}
                id={`${idPrefix}-row-${item.index}`}
                role="row"
                aria-rowindex={item.index + 2}
                className={[
                  'dt-row',
                  isActive ? 'is-active' : '',
                  onRowActivate ? 'is-clickable' : '',
                  props.rowClassName?.(row) ?? '',
                ].join(' ')}
                style={style}
                data-testid={props.rowTestId}
                data-key={rowKey(row)}
                onClick={() => {
                  setActive(item.index);
                  onRowActivate?.(row, item.index);
                }}
              >
                {columns.map((c) => (
                  <div
                    key={c.id}
                    role="gridcell"
                    className={['dt-cell', c.align === 'end' ? 'dt-end' : ''].join(' ')}
                    title={c.title?.(row)}
                  >
                    {c.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
