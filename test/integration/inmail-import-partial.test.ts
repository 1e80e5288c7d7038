/**
 * `relaydeck inmail import` of an mbox cannot be one transaction (each message is stored and applied on its
 * own), so it is journaled: a real kill -9 mid-way leaves a visible partial import, which the next run reports
 * and resumes after the messages already done; nothing is lost and nothing is imported twice (at most the one
 * message the kill interrupted between its store and its journal entry).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME, openDatabase } from '../../src/main/store/db';
import { inboundCounts } from '../../src/main/store/inbound-repo';
import { unfinishedImports } from '../../src/main/store/imports-repo';
import { buildCli, CLI, killAfter } from '../support/cli-process';
import { makeTempDir, type TempDir } from '../support/store-temp';

const run = promisify(execFile);
const MESSAGES = 1_000;
let tmp: TempDir;

beforeAll(() => {
  buildCli();
  tmp = makeTempDir();
});
afterAll(() => tmp?.remove());

function state(data: string) {
  const db = openDatabase(path.join(data, DB_FILE_NAME));
  try {
    return { messages: inboundCounts(db).messages, unfinished: unfinishedImports(db, 'mbox') };
  } finally {
    db.close();
  }
}

describe('relaydeck inmail import of an mbox, killed with SIGKILL mid-way', () => {
  it('leaves a partial import that the next run reports and resumes', async () => {
    const data = path.join(tmp.dir, 'data');
    const file = path.join(tmp.dir, 'replies.mbox');
    const messages: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      messages.push(
        `From someone${i}@example.org Sat Dec  5 12:00:00 2026\n` +
          `From: someone${i}@example.org\nSubject: Out of office ${i}\nMessage-ID: <ooo${i}@example.org>\n` +
          `Auto-Submitted: auto-replied\n\nAway ${i}.\n`,
      );
    }
    fs.writeFileSync(file, messages.join('\n'));
    await run(process.execPath, [CLI, 'quarantine', 'list', '--data', data], { timeout: 60_000 });

    const crashed = await killAfter(
      ['inmail', 'import', '--data', data, file],
      tmp.dir,
      /: 200 message\(s\) imported so far/,
      60_000,
    );
    expect(crashed.child.signalCode).toBe('SIGKILL');

    // Visible: one unfinished import of the file, with the messages it had done.
    const killed = state(data);
    expect(killed.unfinished).toHaveLength(1);
    const [partial] = killed.unfinished;
    expect(partial).toMatchObject({ source: file, status: 'running' });
    expect(partial!.done).toBeGreaterThanOrEqual(200);
    expect(partial!.done).toBeLessThan(MESSAGES);
    expect(killed.messages - partial!.done).toBeGreaterThanOrEqual(0);
    expect(killed.messages - partial!.done).toBeLessThanOrEqual(1);

    // Another import reports it before doing its own work.
    const other = path.join(tmp.dir, 'one.eml');
    fs.writeFileSync(other, 'From: x@example.org\nSubject: hi\nAuto-Submitted: auto-replied\n\nAway.\n');
    const reported = await run(process.execPath, [CLI, 'inmail', 'import', '--data', data, other], {
      timeout: 60_000,
    });
    expect(reported.stderr).toContain(`partial import: ${file} stopped after ${partial!.done} message(s)`);

    // Importing the file again resumes after the messages already done.
    const resumed = await run(process.execPath, [CLI, 'inmail', 'import', '--data', data, file], {
      timeout: 120_000,
    });
    expect(resumed.stderr).toContain(`resuming a partial import`);
    expect(resumed.stderr).toContain(
      `its first ${partial!.done} message(s) were imported then and are skipped`,
    );
    expect(resumed.stdout).toContain(`${file}: ${MESSAGES - partial!.done} message(s)`);
    const after = state(data);
    expect(after.unfinished).toEqual([]);
    // Every message once, plus the .eml, plus at most the one the kill interrupted before its journal entry.
    expect(after.messages - (MESSAGES + 1)).toBeGreaterThanOrEqual(0);
    expect(after.messages - (MESSAGES + 1)).toBeLessThanOrEqual(killed.messages - partial!.done);
  });
});
