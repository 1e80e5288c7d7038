/**
 * A delivery's list is written a batch per transaction (the event loop runs between batches), yet all or
 * nothing: a real kill -9 of `relaydeck deliver` while its 200,000-row list is being written leaves a
 * journaled, unstartable preparation, and the next process to open the data dir removes it with every row
 * it had written.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME, openDatabase } from '../../src/main/store/db';
import { unfinishedImports } from '../../src/main/store/imports-repo';
import { buildCli, CLI, killAfter } from '../support/cli-process';
import { makeTempDir, type TempDir } from '../support/store-temp';

const run = promisify(execFile);
const ROWS = 200_000;
let tmp: TempDir;

beforeAll(() => {
  buildCli();
  tmp = makeTempDir();
});
afterAll(() => tmp?.remove());

function inspect(data: string) {
  const db = openDatabase(path.join(data, DB_FILE_NAME));
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      deliveries: count('SELECT count(*) AS n FROM deliveries'),
      logRows: count('SELECT count(*) AS n FROM delivery_log'),
      unfinished: unfinishedImports(db, 'delivery'),
      abandoned: count(`SELECT count(*) AS n FROM imports WHERE kind = 'delivery' AND status = 'abandoned'`),
    };
  } finally {
    db.close();
  }
}

describe('relaydeck deliver, killed with SIGKILL while its list is written', () => {
  it('leaves nothing once the data dir is opened again', async () => {
    const data = path.join(tmp.dir, 'data');
    const list = path.join(tmp.dir, 'big.csv');
    const lines = ['email,first_name'];
    for (let i = 0; i < ROWS; i++) lines.push(`user${i}@example.test,N${i}`);
    fs.writeFileSync(list, `${lines.join('\n')}\n`);
    const message = path.join(tmp.dir, 'm.eml');
    fs.writeFileSync(message, 'From: me@sender.test\r\nSubject: Hello {{first_name}}\r\n\r\nHello\r\n');
    await run(process.execPath, [CLI, 'quarantine', 'list', '--data', data], { timeout: 60_000 });

    const crashed = await killAfter(
      ['deliver', '--recipients', list, '--message', message, '--data', data],
      tmp.dir,
      /big\.csv: \d+ row\(s\) written/,
      120_000,
    );
    expect(crashed.child.signalCode).toBe('SIGKILL');

    // Killed mid-way: part of the list was committed, under an unfinished journal entry.
    const killed = inspect(data);
    expect(killed.deliveries).toBe(1);
    expect(killed.unfinished).toHaveLength(1);
    expect(killed.logRows).toBeGreaterThanOrEqual(20_000);
    expect(killed.logRows).toBeLessThan(ROWS);

    // The next process to open the data dir removes the partial delivery and closes its journal entry.
    await run(process.execPath, [CLI, 'quarantine', 'list', '--data', data], { timeout: 60_000 });
    expect(inspect(data)).toEqual({ deliveries: 0, logRows: 0, unfinished: [], abandoned: 1 });
  });
});
