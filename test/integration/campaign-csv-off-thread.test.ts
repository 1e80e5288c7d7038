/**
 * Recipient lists are read off the main thread (issue 16): while the console previews or a delivery is
 * prepared from a large list, the main thread's event loop keeps running (a timer keeps firing: counted, not
 * timed). Errors found in the worker come back as the same AppErrors, naming the line; a header that does not
 * fit the template is refused before any row is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { MAX_FIELD_CHARS } from '../../src/main/campaign/csv-import';
import { unfinishedImports } from '../../src/main/store/imports-repo';
import { AppError } from '../../src/shared/contract/errors';
import { TEST_APP } from '../support/app-options';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({ ...TEST_APP, dataDir: tmp.dir, engine: false, sandbox: false, inmail: false });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

const ROWS = 150_000;
const bigList = () => csvOf(Array.from({ length: ROWS }, (_, i) => `user${i}@inbox.test`));

async function caught(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

/** Counts the ticks of a 1 ms interval timer while `work` runs. */
async function ticksDuring<T>(work: () => Promise<T> | T): Promise<{ value: T; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const value = await work();
    return { value, ticks };
  } finally {
    clearInterval(timer);
  }
}

describe('CSV lists are parsed off the main thread', () => {
  it('the preview of a large list: the main event loop keeps running', async () => {
    const csv = bigList();
    const { value, ticks } = await ticksDuring(() =>
      app.handlers['recipients.preview']({ fileName: 'big.csv', csv }, ctx),
    );
    expect(value).toMatchObject({ total: ROWS, valid: ROWS, columns: ['email', 'first_name'] });
    // Parsed on the main thread, the timer could not fire once before the result.
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('a delivery prepared from a large list: the main event loop keeps running; every row is written', async () => {
    const csv = bigList();
    const { value, ticks } = await ticksDuring(() =>
      app.handlers['deliveries.create'](deliveryRequest({ csv, start: false }), ctx),
    );
    expect(value.import).toMatchObject({ total: ROWS, accepted: ROWS, duplicates: 0 });
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('while the rows are written, batch by batch: the main event loop keeps running; the delivery cannot start meanwhile', async () => {
    const csv = bigList();
    let writingTicks = 0;
    let refusal: unknown = null;
    const timer = setInterval(() => {
      const [running] = unfinishedImports(app.db, 'delivery');
      if (!running) return;
      writingTicks++;
      if (refusal) return;
      const id = running.source.slice('delivery:'.length);
      try {
        app.campaign.act(Number(id), 'start');
        refusal = 'started';
      } catch (err) {
        refusal = err;
      }
    }, 1);
    try {
      const created = await app.handlers['deliveries.create'](deliveryRequest({ csv, start: false }), ctx);
      expect(created.import).toMatchObject({ total: ROWS, accepted: ROWS });
      expect(created.delivery.state).toBe('preparing');
    } finally {
      clearInterval(timer);
    }
    expect(writingTicks).toBeGreaterThanOrEqual(5);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).message).toMatch(/is being prepared: its list is still being written/);
  });

  it('a write failing after some batches were committed removes the delivery and every row it had written', async () => {
    const before = await app.handlers['deliveries.list']({ cursor: null, limit: 100 }, ctx);
    const base = (app.db.prepare('SELECT coalesce(max(id), 0) AS n FROM delivery_log').get() as { n: number })
      .n;
    app.db.exec(
      `CREATE TEMP TRIGGER fail_log BEFORE INSERT ON delivery_log WHEN NEW.id > ${base + 5_000}
       BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    try {
      const csv = csvOf(Array.from({ length: 20_000 }, (_, i) => `w${i}@inbox.test`));
      const err = await caught(() => app.handlers['deliveries.create'](deliveryRequest({ csv }), ctx));
      expect((err as Error).message).toMatch(/disk full/);
    } finally {
      app.db.exec('DROP TRIGGER fail_log');
    }
    const after = await app.handlers['deliveries.list']({ cursor: null, limit: 100 }, ctx);
    expect(after.items).toHaveLength(before.items.length);
    expect(
      (app.db.prepare('SELECT count(*) AS n FROM delivery_log WHERE id > ?').get(base) as { n: number }).n,
    ).toBe(0);
    expect(unfinishedImports(app.db, 'delivery')).toEqual([]);
  });

  it('duplicates are found across the worker batches, against the rows already written', async () => {
    const addresses = Array.from({ length: 6_000 }, (_, i) => `u${i % 4_500}@inbox.test`);
    const created = await app.handlers['deliveries.create'](
      deliveryRequest({ csv: csvOf(addresses), start: false }),
      ctx,
    );
    expect(created.import).toMatchObject({ total: 6_000, accepted: 4_500, duplicates: 1_500 });
  });

  it('a field over the limit: the AppError from the worker names the file and the line', async () => {
    const csv = `email,first_name\na@inbox.test,A\nb@inbox.test,${'x'.repeat(MAX_FIELD_CHARS + 1)}\n`;
    const err = await caught(() => app.handlers['deliveries.create'](deliveryRequest({ csv }), ctx));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'csv_invalid',
      message: expect.stringMatching(/^list\.csv line 3: a field/),
    });
    const preview = await caught(() => app.handlers['recipients.preview']({ fileName: 'p.csv', csv }, ctx));
    expect(preview).toMatchObject({ code: 'csv_invalid', message: expect.stringMatching(/^p\.csv line 3:/) });
  });

  it('a header without the template fields is refused at once; nothing is written', async () => {
    const before = await app.handlers['deliveries.list']({ cursor: null, limit: 100 }, ctx);
    const csv = csvOf(['a@inbox.test'], 'email,city');
    const err = await caught(() => app.handlers['deliveries.create'](deliveryRequest({ csv }), ctx));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/first_name/);
    const after = await app.handlers['deliveries.list']({ cursor: null, limit: 100 }, ctx);
    expect(after.items).toHaveLength(before.items.length);
  });
});
