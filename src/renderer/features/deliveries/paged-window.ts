/**
 * Client-side model of a server-paged, keyset-cursored list shown in a virtualised table, e.g. a delivery log of
 * a million rows. The list is a chain of fixed-size pages, each keyed by the cursor that fetches it
 * (`cursors[i]` loads page i; page 0's cursor is null). Only pages near the visible range are kept in memory;
 * an evicted page is fetched again by its cursor when it scrolls back into view, so memory stays bounded while
 * the chain can grow in both directions. `refresh()` refetches the visible pages in place (live updates keep
 * the scroll position); a page whose next cursor changed cuts the chain after it.
 *
 * A window may start anywhere in the list (`start`: a cursor from a seek and its position), so a list too long for
 * the browser to scroll through is shown as a window of it, moved by a scaled scrollbar.
 *
 * No React here: the hook `usePagedWindow` subscribes to it.
 */

export interface PageResult<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

export type PageFetcher<T> = (cursor: string | null, limit: number) => Promise<PageResult<T>>;

export interface PagedWindowOptions {
  pageSize?: number;
  /** Pages kept in memory around the visible range. */
  maxPages?: number;
  /**
   * Where the window starts in the whole list: the cursor of its first page and the list position of that
   * page's first row (a seek, for lists too long to scroll through). Default: the start of the list.
   */
  start?: { cursor: string | null; position: number };
}

export class PagedWindow<T> {
  readonly pageSize: number;
  private readonly maxPages: number;
  private cursors: (string | null)[];
  /** List position of the window's first row. */
  readonly offset: number;
  private readonly pages = new Map<number, T[]>();
  private readonly inFlight = new Set<number>();
  /** Number of rows when the last page of the chain is known to be the end; null otherwise. */
  private endRows: number | null = null;
  private totalRows: number | null = null;
  private lastError: unknown = null;
  private visible = { first: 0, last: 0 };
  private active = false;
  private version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    options: PagedWindowOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = Math.max(3, options.maxPages ?? 10);
    this.cursors = [options.start?.cursor ?? null];
    this.offset = options.start?.position ?? 0;
  }

  // ---- observation (useSyncExternalStore) ----

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  // ---- reading ----

  /**
   * Rows of the window: known rows plus placeholders up to the next unloaded page, capped by the rows of the
   * list from the window's start.
   */
  get rowCount(): number {
    if (this.endRows !== null) return this.endRows;
    if (this.totalRows === null) return 0;
    return Math.max(0, Math.min(this.totalRows - this.offset, this.cursors.length * this.pageSize));
  }

  /** Total rows matching the query, as last reported by the server; null before the first page. */
  get total(): number | null {
    return this.totalRows;
  }

  get error(): unknown {
    return this.lastError;
  }

  get loadedPages(): number {
    return this.pages.size;
  }

  row(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  // ---- lifecycle ----

  start(): void {
    if (this.active) return;
    this.active = true;
    this.ensureLoaded();
  }

  dispose(): void {
    this.active = false;
    this.listeners.clear();
  }

  setVisibleRange(first: number, last: number): void {
    this.visible = { first, last };
    this.ensureLoaded();
    this.evict();
  }

  /** Refetches the visible pages in order, keeping what is shown in place. */
  async refresh(): Promise<void> {
    if (!this.active) return;
    const [from, to] = this.visiblePages();
    for (let page = from; page <= to && page < this.cursors.length; page++) {
      await this.load(page, true);
    }
  }

  /** Retries after an error. */
  retry(): void {
    this.lastError = null;
    this.changed();
    this.ensureLoaded();
  }

  // ---- internals ----

  private visiblePages(): [number, number] {
    return [
      Math.floor(this.visible.first / this.pageSize),
      Math.floor(Math.max(this.visible.first, this.visible.last) / this.pageSize),
    ];
  }

  private ensureLoaded(): void {
    if (!this.active || this.lastError !== null) return;
    const [from, to] = this.visiblePages();
    for (let page = from; page <= to && page < this.cursors.length; page++) {
      if (!this.pages.has(page)) void this.load(page, false);
    }
  }

  private async load(page: number, force: boolean): Promise<void> {
    if (this.inFlight.has(page) && !force) return;
    const cursor = this.cursors[page];
    if (cursor === undefined) return;
    this.inFlight.add(page);
    try {
      const result = await this.fetchPage(cursor, this.pageSize);
      // The chain may have been cut while this request was in flight: then the result belongs to nothing.
      if (this.active && this.cursors[page] === cursor) this.apply(page, result);
    } catch (err) {
      if (this.active) {
        this.lastError = err;
        this.changed();
      }
    } finally {
      this.inFlight.delete(page);
    }
  }

  private apply(page: number, result: PageResult<T>): void {
    this.pages.set(page, result.items);
    this.totalRows = result.total;
    this.lastError = null;
    const known = this.cursors[page + 1];
    if (result.nextCursor === null) {
      this.cut(page);
      this.endRows = page * this.pageSize + result.items.length;
    } else if (known !== result.nextCursor) {
      this.cut(page);
      this.cursors.push(result.nextCursor);
      this.endRows = null;
    }
    this.evict();
    this.changed();
    this.ensureLoaded();
  }

  /** Forgets every page after `page` (their cursors no longer describe the list). */
  private cut(page: number): void {
    this.cursors.length = page + 1;
    for (const p of [...this.pages.keys()]) if (p > page) this.pages.delete(p);
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const [from, to] = this.visiblePages();
    const distance = (p: number) => (p < from ? from - p : p > to ? p - to : 0);
    const byDistance = [...this.pages.keys()].sort((a, b) => distance(b) - distance(a));
    for (const p of byDistance.slice(0, this.pages.size - this.maxPages)) {
      if (distance(p) > 0) this.pages.delete(p);
    }
  }
}
