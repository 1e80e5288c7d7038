/**
 * `relaydeck quarantine import` is all or nothing: a real kill -9 in the middle of a 200,000-row import
 * leaves the quarantine list as it was (no partial import), and the next run imports the whole file.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME, openDatabase } from '../../src/main/store/db';
import { quarantineCounts } from '../../src/main/store/quarantine-repo';
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

function quarantined(data: string): number {
  const db = openDatabase(path.join(data, DB_FILE_NAME));
  try {
    return Object.values(quarantineCounts(db)).reduce((a, b) => a + b, 0);
  } finally {
    db.close();
  }
}

describe('relaydeck quarantine import, killed with SIGKILL mid-way', () => {
  it('leaves no row of the file; the next run imports all of it', async () => {
    const data = path.join(tmp.dir, 'data');
    const file = path.join(tmp.dir, 'big.csv');
    const lines = ['address,status,note'];
    for (let i = 0; i < ROWS; i++) lines.push(`user${i}@example.test,quarantine,imported`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    // The data dir exists (migrated) before the import starts.
    await run(process.execPath, [CLI, 'quarantine', 'list', '--data', data], { timeout: 60_000 });

    const crashed = await killAfter(
      ['quarantine', 'import', '--file', file, '--data', data],
      tmp.dir,
      / 5000 of 200000 row\(s\) applied/,
      60_000,
    );
    expect(crashed.child.signalCode).toBe('SIGKILL');
    expect(quarantined(data)).toBe(0);

    const again = await run(process.execPath, [CLI, 'quarantine', 'import', '--file', file, '--data', data], {
      timeout: 120_000,
    });
    expect(again.stdout).toContain(`${ROWS} of ${ROWS} row(s) imported`);
    expect(quarantined(data)).toBe(ROWS);
    // Two imports of 200,000 rows: each address is also put in the search's trigram index (migration 18).
  }, 180_000);
});
