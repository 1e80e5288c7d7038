/**
 * Inbound crash safety (issue 16, item 5): a REAL `relaydeck inmail import` process (the built CLI) is killed
 * with SIGKILL in the middle of a large mbox. A message is stored and processed in one transaction, so the
 * killed import leaves no message stored but unprocessed (before, each message was stored first and processed
 * after parsing: the kill left one stored forever unprocessed, listed as plain unmatched mail). Running the
 * import again completes it and stores each message once; a third run stores nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli, CLI } from '../support/cli-process';
import { makeTempDir, type TempDir } from '../support/store-temp';

const N = 600;

let tmp: TempDir;

beforeAll(() => {
  buildCli();
  tmp = makeTempDir();
});
afterAll(() => tmp?.remove());

function importProcess(file: string) {
  const child = spawn(process.execPath, [CLI, 'inmail', 'import', '--json', '--data', 'data', file], {
    cwd: tmp.dir,
    env: { ...process.env, RELAYDECK_DATA: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // `output`: both streams (for failure messages); `json`: the --json line on stdout (progress goes to stderr).
  return { child, exited, output: () => out, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

/** N distinct DSNs for addresses nobody sent to (parsing is most of the work per message). */
function writeMbox(file: string): void {
  const parts: string[] = [];
  for (let i = 0; i < N; i++) {
    parts.push(
      [
        'From MAILER-DAEMON Thu Jan  1 00:00:00 2026',
        'From: MAILER-DAEMON@mx.example.net',
        'To: bounces@example.test',
        `Subject: Undelivered Mail Returned to Sender ${i}`,
        `Message-ID: <dsn-${i}@mx.example.net>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        `Delivery to user${i}@example.net failed. ${'The mail system could not deliver it. '.repeat(20)}`,
        '',
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.net',
        '',
        `Final-Recipient: rfc822; user${i}@example.net`,
        'Action: failed',
        'Status: 5.1.1',
        `Diagnostic-Code: smtp; 550 5.1.1 <user${i}@example.net>: User unknown`,
        '',
        '--b--',
        '',
        '',
      ].join('\n'),
    );
  }
  fs.writeFileSync(file, parts.join(''));
}

describe('kill -9 of a real inmail import', () => {
  it('leaves no stored message unprocessed; a re-run completes it and stores each message once', async () => {
    const file = path.join(tmp.dir, 'bounces.mbox');
    writeMbox(file);
    const killed = importProcess(file);
    let db: Database.Database | null = null;
    const open = () =>
      (db ??= new Database(path.join(tmp.dir, 'data', 'relaydeck.sqlite'), {
        fileMustExist: true,
        timeout: 5_000,
      }));
    const count = (sql: string) => open().prepare(sql).pluck().get() as number;
    try {
      await vi.waitFor(
        () => expect(count('SELECT count(*) FROM inbound_messages')).toBeGreaterThanOrEqual(50),
        {
          timeout: 60_000,
          interval: 2,
        },
      );
      killed.child.kill('SIGKILL');
      await killed.exited;
      expect(killed.child.signalCode).toBe('SIGKILL');
      const atKill = count('SELECT count(*) FROM inbound_messages');
      expect(atKill).toBeLessThan(N);
      expect(count('SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL')).toBe(0);

      const rerun = importProcess(file);
      await rerun.exited;
      expect(rerun.child.exitCode, rerun.output()).toBe(0);
      // The import journal resumes after the messages recorded done; a message stored in the same instant as
      // the kill (stored, not yet journaled) is read again and found already stored.
      expect(rerun.output()).toMatch(/resuming a partial import/);
      const result = rerun.json() as { messages: number; duplicates: number };
      const skipped = N - result.messages;
      expect(skipped).toBeGreaterThan(0);
      expect(skipped).toBeLessThanOrEqual(atKill);
      expect(result.duplicates).toBe(atKill - skipped);
      expect(result.duplicates).toBeLessThanOrEqual(1);
      expect(count('SELECT count(*) FROM inbound_messages')).toBe(N);
      expect(count('SELECT count(DISTINCT subject) FROM inbound_messages')).toBe(N);
      expect(count('SELECT count(*) FROM inbound_messages WHERE processed_at IS NULL')).toBe(0);

      const third = importProcess(file);
      await third.exited;
      expect(third.child.exitCode, third.output()).toBe(0);
      expect(third.json()).toMatchObject({ messages: N, duplicates: N });
      expect(count('SELECT count(*) FROM inbound_messages')).toBe(N);
    } finally {
      if (killed.child.exitCode === null && !killed.child.signalCode) killed.child.kill('SIGKILL');
      (db as Database.Database | null)?.close();
    }
  }, 180_000);
});
