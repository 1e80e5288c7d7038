import { describe, expect, it } from 'vitest';
import { PagedWindow, type PageResult } from '../../src/renderer/features/deliveries/paged-window';

interface Row {
  id: number;
  status: string;
}

/** A keyset-paged "server" over an array; every request is recorded so tests can await them all. */
function fakeServer(initial: Row[]) {
  let rows = initial;
  const pending = new Set<Promise<unknown>>();
  let fail = false;
  const requests: (string | null)[] = [];
  const fetchPage = (cursor: string | null, limit: number): Promise<PageResult<Row>> => {
    requests.push(cursor);
    const p = (async () => {
      if (fail) throw new Error('server down');
      const after = cursor === null ? -1 : Number(cursor);
      const items = rows.filter((r) => r.id > after).slice(0, limit);
      const last = items.at(-1);
      const more = last !== undefined && rows.some((r) => r.id > last.id);
      return { items, nextCursor: more && last ? String(last.id) : null, total: rows.length };
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  return {
    fetchPage,
    requests,
    setRows: (next: Row[]) => (rows = next),
    setFailing: (value: boolean) => (fail = value),
    /** Awaits every request, including those issued while awaiting (bounded). */
    async settle() {
      for (let i = 0; i < 100 && pending.size > 0; i++) await Promise.allSettled([...pending]);
      expect(pending.size).toBe(0);
    },
  };
}

const makeRows = (n: number): Row[] => Array.from({ length: n }, (_, id) => ({ id, status: 'pending' }));

describe('PagedWindow', () => {
  it('loads the first page on start and announces one more page of placeholders', async () => {
    const server = fakeServer(makeRows(1000));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100 });
    expect(win.rowCount).toBe(0);
    win.start();
    await server.settle();
    expect(win.total).toBe(1000);
    expect(win.rowCount).toBe(200);
    expect(win.row(99)?.id).toBe(99);
    expect(win.row(100)).toBeUndefined();
  });

  it('loads the pages that become visible, by their cursor', async () => {
    const server = fakeServer(makeRows(1000));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100 });
    win.start();
    await server.settle();
    win.setVisibleRange(150, 180);
    await server.settle();
    expect(win.row(150)?.id).toBe(150);
    expect(win.rowCount).toBe(300);
    expect(server.requests).toEqual([null, '99']);
  });

  it('keeps memory bounded while scrolling to the end, and reaches the last row', async () => {
    const server = fakeServer(makeRows(2050));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100, maxPages: 4 });
    win.start();
    await server.settle();
    for (let first = 0; first < win.rowCount; first += 50) {
      win.setVisibleRange(first, Math.min(first + 40, win.rowCount - 1));
      await server.settle();
      expect(win.loadedPages).toBeLessThanOrEqual(4);
    }
    expect(win.rowCount).toBe(2050);
    expect(win.row(2049)?.id).toBe(2049);
    expect(win.row(0)).toBeUndefined();
  });

  it('fetches an evicted page again when it scrolls back into view', async () => {
    const server = fakeServer(makeRows(1000));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100, maxPages: 3 });
    win.start();
    await server.settle();
    for (const first of [100, 200, 300, 400, 500]) {
      win.setVisibleRange(first, first + 30);
      await server.settle();
    }
    expect(win.row(5)).toBeUndefined();
    win.setVisibleRange(0, 30);
    await server.settle();
    expect(win.row(5)?.id).toBe(5);
    expect(server.requests.filter((c) => c === null)).toHaveLength(2);
  });

  it('refreshes the visible rows in place on a live update', async () => {
    const server = fakeServer(makeRows(300));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100 });
    win.start();
    await server.settle();
    win.setVisibleRange(120, 150);
    await server.settle();
    const before = win.rowCount;
    server.setRows(makeRows(300).map((r) => (r.id === 130 ? { ...r, status: 'sent' } : r)));
    const versionBefore = win.getVersion();
    await win.refresh();
    await server.settle();
    expect(win.row(130)?.status).toBe('sent');
    expect(win.rowCount).toBe(before);
    expect(win.getVersion()).toBeGreaterThan(versionBefore);
  });

  it('cuts the chain when the list shrinks under a refresh', async () => {
    const server = fakeServer(makeRows(1000));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100 });
    win.start();
    await server.settle();
    server.setRows(makeRows(40));
    await win.refresh();
    await server.settle();
    expect(win.rowCount).toBe(40);
    expect(win.total).toBe(40);
    expect(win.row(39)?.id).toBe(39);
  });

  it('reports a failed page and recovers on retry', async () => {
    const server = fakeServer(makeRows(10));
    server.setFailing(true);
    const win = new PagedWindow(server.fetchPage, { pageSize: 100 });
    win.start();
    await server.settle();
    expect(win.error).toBeInstanceOf(Error);
    expect(win.rowCount).toBe(0);
    server.setFailing(false);
    win.retry();
    await server.settle();
    expect(win.error).toBeNull();
    expect(win.rowCount).toBe(10);
  });

  it('ignores responses that arrive after dispose', async () => {
    const server = fakeServer(makeRows(10));
    const win = new PagedWindow(server.fetchPage, { pageSize: 100 });
    win.start();
    win.dispose();
    await server.settle();
    expect(win.total).toBeNull();
  });
});
