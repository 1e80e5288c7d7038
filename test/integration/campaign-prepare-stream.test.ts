/**
 * Preparation streams its list (text or file) and writes it in batches: duplicates are found across batches
 * (in the rows already written), every unusable row is kept in import_errors (not only the 100 listed), the
 * quarantine still excludes, and a file gives exactly what its text gives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareDelivery, type Prepared } from '../../src/main/campaign/prepare';
import { setQuarantineStatus } from '../../src/main/store/quarantine-repo';
import { AppError } from '../../src/shared/contract/errors';
import { deliveryRequest } from '../support/campaign-fixtures';
import { openTempDb, type TempDb } from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 0, 1);
let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

// 12,000 rows (more than two write batches): every 500th repeats an address from ~5,000 rows earlier (an
// earlier batch), every 50th is not an address (240 errors, more than the 100 listed).
const rows: string[] = [];
for (let i = 0; i < 12_000; i++) {
  if (i % 50 === 49) rows.push(`bad-${i},N${i}`);
  else if (i % 500 === 250 && i > 5_000) rows.push(`USER${i - 5_002}@Inbox.test,N${i}`);
  else rows.push(`user${i}@inbox.test,N${i}`);
}
const csv = `email,first_name\n${rows.join('\n')}\n`;

function stored(deliveryId: number) {
  const q = (sql: string) => t.db.prepare(sql).pluck().get(deliveryId) as number;
  return {
    log: q('SELECT count(*) FROM delivery_log WHERE delivery_id = ?'),
    doubles: q("SELECT count(*) FROM delivery_log WHERE delivery_id = ? AND reason = 'double'"),
    quarantined: q("SELECT count(*) FROM delivery_log WHERE delivery_id = ? AND reason = 'quarantined'"),
    errors: q('SELECT count(*) FROM import_errors WHERE delivery_id = ?'),
    firstErrorLine: q('SELECT min(line) FROM import_errors WHERE delivery_id = ?'),
  };
}

describe('preparing a list in batches', () => {
  it('finds duplicates across batches, keeps every error, excludes the quarantine', () => {
    setQuarantineStatus(t.db, { address: 'user7000@inbox.test', status: 'quarantine', source: 'manual' }, T0);
    const { deliveryId, import: imported } = prepareDelivery(t.db, deliveryRequest({ csv }), T0);
    const doubles = rows.filter((r) => r.startsWith('USER')).length;
    expect(doubles).toBeGreaterThan(10);
    expect(imported).toMatchObject({
      total: 12_000,
      duplicates: doubles,
      noAddress: 0,
      quarantined: 1,
      accepted: 12_000 - 240 - doubles - 1,
      moreErrors: 140,
    });
    expect(imported.errors).toHaveLength(100);
    expect(imported.errors[0]).toMatchObject({ line: 51, field: 'email' });
    expect(stored(deliveryId)).toEqual({
      log: 12_000 - 240,
      doubles,
      quarantined: 1,
      errors: 240,
      firstErrorLine: 51,
    });
  });

  it('reads a file as it reads the same text', () => {
    const file = path.join(t.dir, 'list.csv');
    fs.writeFileSync(file, csv);
    const fromText = prepareDelivery(t.db, deliveryRequest({ csv }), T0);
    const fromFile = prepareDelivery(
      t.db,
      { ...deliveryRequest(), recipients: { fileName: 'list.csv', file } },
      T0,
    );
    // Bytes are decoded, so the file's import also says in which encoding (text is already decoded).
    const { encoding, ...fileCounts } = fromFile.import;
    expect(encoding).toMatchObject({ detected: 'utf-8', used: 'utf-8' });
    expect(fileCounts).toEqual(fromText.import);
    expect(stored(fromFile.deliveryId)).toEqual(stored(fromText.deliveryId));
  });

  it('leaves nothing behind when the list is refused after rows were written', () => {
    const before = t.db.prepare('SELECT count(*) FROM deliveries').pluck().get();
    let error: unknown;
    let prepared: Prepared | undefined;
    try {
      prepared = prepareDelivery(t.db, deliveryRequest({ csv: 'mail,first_name\na@inbox.test,A\n' }), T0);
    } catch (err) {
      error = err;
    }
    expect(prepared).toBeUndefined();
    expect(error).toBeInstanceOf(AppError);
    expect(t.db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(before);
  });
});
