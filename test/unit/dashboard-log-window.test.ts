/**
 * The log window that starts anywhere in the list (a seek): its rows are capped by what is left of the list from
 * its start, and its pages chain forward from the seek cursor.
 */
import { describe, expect, it } from 'vitest';
import { PagedWindow, type PageResult } from '../../src/renderer/features/deliveries/paged-window';

const TOTAL = 1050;

/** Rows 0..TOTAL-1, keyset by value; the cursor is the last value seen. */
function fetchPage(cursor: string | null, limit: number): Promise<PageResult<number>> {
  const after = cursor === null ? -1 : Number(cursor);
  const items = Array.from(
    { length: Math.max(0, Math.min(limit, TOTAL - after - 1)) },
    (_, i) => after + 1 + i,
  );
  const last = items.at(-1);
  return Promise.resolve({
    items,
    nextCursor: last !== undefined && last < TOTAL - 1 ? String(last) : null,
    total: TOTAL,
  });
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('PagedWindow started at a list position', () => {
  it('shows the rows from its start, chains pages forward and ends at the end of the list', async () => {
    const win = new PagedWindow(fetchPage, { pageSize: 100, start: { cursor: '899', position: 900 } });
    win.start();
    win.setVisibleRange(0, 20);
    await settle();
    expect(win.offset).toBe(900);
    expect(win.row(0)).toBe(900);
    // The loaded page plus placeholders for the next one, capped by the 150 rows left from position 900.
    expect(win.rowCount).toBe(150);
    expect(win.row(100)).toBeUndefined();
    win.setVisibleRange(100, 149);
    await settle();
    expect(win.row(149)).toBe(1049);
    expect(win.rowCount).toBe(150);
    win.dispose();
  });

  it('caps the placeholder rows by what is left of the list after its start', async () => {
    const win = new PagedWindow(fetchPage, { pageSize: 100, start: { cursor: '999', position: 1000 } });
    win.start();
    await settle();
    expect(win.rowCount).toBe(50);
    expect(win.row(49)).toBe(1049);
    win.dispose();
  });
});
