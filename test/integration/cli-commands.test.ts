/**
 * The long-running CLI commands and the queue hand-over: `deliver` without --wait then `run --until-idle`,
 * and `sandbox` / `serve` printing their address and stopping cleanly on SIGINT.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const run = promisify(execFile);
let tmp: TempDir;
let server: ScriptedServer;

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  tmp = makeTempDir();
  server = await startScriptedServer();
});
afterAll(async () => {
  await server?.close();
  tmp?.remove();
});

const relaydeck = (args: string[]) =>
  run(process.execPath, [cli, ...args], { cwd: tmp.dir, timeout: 45_000 });

/** Starts a long-running command, resolves with its stdout once `ready` matches, then stops it with SIGINT. */
async function runUntilReady(
  args: string[],
  ready: RegExp,
): Promise<{ output: string; exitCode: number | null }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time; output so far: ${output}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`exited early: ${output}`)));
  });
  child.kill('SIGINT');
  return { output, exitCode: await exited };
}

describe('relaydeck deliver (no --wait) then run --until-idle', () => {
  it('queues the messages, then delivers them in a later process', async () => {
    const data = path.join(tmp.dir, 'queued');
    fs.writeFileSync(path.join(tmp.dir, 'two.csv'), 'email\nok.one@example.test\nunknown.two@example.test\n');
    fs.writeFileSync(path.join(tmp.dir, 'm.eml'), 'From: me@sender.test\r\nSubject: Hello\r\n\r\nHello\r\n');
    const queued = await relaydeck([
      'deliver',
      '--data',
      data,
      '--recipients',
      'two.csv',
      '--message',
      'm.eml',
      '--route',
      `*=127.0.0.1:${server.port}`,
    ]);
    expect(queued.stdout).toBe(
      'Delivery 1 "m": 2 message(s) queued, 0 ignored, 0 import error(s). Run "relaydeck run" or "relaydeck serve" to deliver them.\n',
    );
    expect(server.messages).toHaveLength(0);

    await relaydeck(['run', '--data', data, '--until-idle']);
    const report = JSON.parse(
      (await relaydeck(['report', '--data', data, '--delivery', '1', '--format', 'json'])).stdout,
    ) as {
      delivery: { state: string };
      rows: { email: string; status: string; reason: string | null }[];
    };
    expect(report.delivery.state).toBe('completed');
    expect(report.rows.map((r) => [r.email, r.status, r.reason])).toEqual([
      ['ok.one@example.test', 'sent', null],
      ['unknown.two@example.test', 'failed', 'user_unknown'],
    ]);
  });
});

describe('long-running commands', () => {
  it('sandbox prints its address, domains and behaviours, and stops on SIGINT', async () => {
    const { output, exitCode } = await runUntilReady(['sandbox', '--port', '0'], /Press Ctrl-C/);
    expect(output).toMatch(/^Sandbox SMTP listening on 127\.0\.0\.1:\d+$/m);
    expect(output).toContain('Demo domains: inbox.test, mail.test, corp.test, shop.test');
    expect(output).toContain('refused as unknown users');
    expect(output).toMatch(
      /^ {2}Gmail-like on 127\.0\.0\.1:\d+ \(gmail\.test, googlemail\.test\): unknown user 3 %/m,
    );
    expect(output).toMatch(/^ {2}Dead domain refuses connections at 127\.0\.0\.1:\d+ \(dead\.test/m);
    expect(exitCode).toBe(0);
  });

  it('serve prints the console URL with its token and stops on SIGINT', async () => {
    const { output, exitCode } = await runUntilReady(
      ['serve', '--data', path.join(tmp.dir, 'served'), '--port', '0'],
      /Relaydeck console: \S+\n/,
    );
    expect(output).toMatch(/^Relaydeck console: http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/m);
    expect(exitCode).toBe(0);
  });
});
