/**
 * `relaydeck quarantine import` is all or nothing: a real kill -9 in the middle of a 200,000-row import
 * leaves the quarantine list as it was (no partial import), and the next run imports the whole file.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME, openDatabase } from '../../src/main/store/db';
import { quarantineCounts } from '../../src/main/store/quarantine-repo';
import { makeTempDir, type TempDir } from '../support/store-temp';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const run = promisify(execFile);
const ROWS = 200_000;
let tmp: TempDir;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
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
    await run(process.execPath, [cli, 'quarantine', 'list', '--data', data], { timeout: 60_000 });

    const child = spawn(process.execPath, [cli, 'quarantine', 'import', '--file', file, '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line; stderr: ${stderr}`)), 60_000);
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (/ 5000 of 200000 row\(s\) applied/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`exited before the kill; stderr: ${stderr}`)));
    });
    child.kill('SIGKILL');
    // The import was stopped mid-way (it had not finished on its own).
    expect(await exited).toBe('SIGKILL');
    expect(quarantined(data)).toBe(0);

    const again = await run(process.execPath, [cli, 'quarantine', 'import', '--file', file, '--data', data], {
      timeout: 120_000,
    });
    expect(again.stdout).toContain(`${ROWS} of ${ROWS} row(s) imported`);
    expect(quarantined(data)).toBe(ROWS);
  });
});
