/**
 * `relaydeck simulate` as an analyst runs it: the built CLI, a CSV list, an .eml message and two scenario files;
 * the comparison printed, the simulation kept in the data dir; bad scenario files named by file and field.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/store/db';
import { getSimulation, listSimulations } from '../../src/main/store/simulations-repo';
import { makeTempDir, type TempDir } from '../support/store-temp';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const run = promisify(execFile);
let tmp: TempDir;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  tmp = makeTempDir();
  const rows = ['email,first_name'];
  for (let i = 0; i < 40; i++)
    rows.push(`reader${i}@${['gmail.test', 'yahoo.test', 'dead.test', 'corporate.test'][i % 4]},R${i}`);
  fs.writeFileSync(path.join(tmp.dir, 'list.csv'), rows.join('\n'));
  fs.writeFileSync(
    path.join(tmp.dir, 'news.eml'),
    'From: News <news@sender.test>\r\nSubject: Hi {{first_name}}\r\n\r\nHello\r\n',
  );
  fs.writeFileSync(path.join(tmp.dir, 'a.json'), JSON.stringify({ name: 'A: 3.5 days' }));
  fs.writeFileSync(path.join(tmp.dir, 'b.json'), JSON.stringify({ name: 'B: 2 hours', validity: '2h' }));
}, 120_000);
afterAll(() => tmp?.remove());

const relaydeck = (args: string[]) =>
  run(process.execPath, [cli, ...args], { cwd: tmp.dir, timeout: 90_000 });

describe('relaydeck simulate', () => {
  it('prints two scenarios side by side and keeps the simulation in the data dir', async () => {
    const data = path.join(tmp.dir, 'data');
    const { stdout } = await relaydeck([
      'simulate',
      '--data',
      data,
      '--recipients',
      'list.csv',
      '--message',
      'news.eml',
      '--scenario',
      'a.json',
      '--scenario',
      'b.json',
      '--seed',
      '3',
    ]);
    expect(stdout).toMatch(/^Simulation 1 "news": 40 recipients of list\.csv, seed 3/m);
    expect(stdout).toMatch(/^\s+A: 3\.5 days\s+B: 2 hours$/m);
    expect(stdout).toMatch(/^Validity\s+3d 12h\s+2h$/m);
    // The dead domain's 10 fail when their validity ends: after 3.5 days in A, 2 hours in B.
    expect(stdout).toMatch(/^Figures final after\s+3d 12h\s+2h$/m);
    expect(stdout).toMatch(/^ {2}dead\.test\s+0\/10 \(0\.0 %\)\s+0\/10 \(0\.0 %\)$/m);
    const db = openDatabase(path.join(data, 'relaydeck.sqlite'));
    try {
      const [summary] = listSimulations(db, 10);
      expect(summary).toMatchObject({
        state: 'done',
        recipients: 40,
        seed: 3,
        scenarioNames: ['A: 3.5 days', 'B: 2 hours'],
      });
      const simulation = getSimulation(db, Number(summary!.id))!;
      expect(simulation.results.map((r) => r.expired)).toEqual([10, 10]);
      // The rules in force were recorded with each scenario.
      expect(simulation.results[0]!.scenario.rules?.format).toBe('relaydeck-rules');
    } finally {
      db.close();
    }
    // No scratch store is left behind.
    expect(fs.readdirSync(path.join(data, 'simulations'))).toEqual([]);
  }, 120_000);

  it('names the file and the field of a bad scenario', async () => {
    fs.writeFileSync(path.join(tmp.dir, 'bad.json'), JSON.stringify({ name: 'C', validity: '5 weeks' }));
    fs.writeFileSync(path.join(tmp.dir, 'bad2.json'), JSON.stringify({ name: 'D', reporting: 'loud' }));
    const args = [
      'simulate',
      '--data',
      path.join(tmp.dir, 'data2'),
      '--recipients',
      'list.csv',
      '--message',
      'news.eml',
    ];
    await expect(relaydeck([...args, '--scenario', 'bad.json'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/bad\.json: validity: /),
    });
    await expect(relaydeck([...args, '--scenario', 'bad2.json'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/bad2\.json: reporting: /),
    });
    await expect(relaydeck([...args])).rejects.toMatchObject({
      stderr: expect.stringContaining('--scenario'),
    });
  }, 60_000);
});
