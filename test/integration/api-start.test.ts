/**
 * `npm start` where Electron cannot run (no display here): it must say why in one line and serve the browser
 * console, printing the URL with its token; SIGTERM stops it and the server behind it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/api-http';

const root = path.resolve(__dirname, '../..');
let dir: string | null = null;
let child: ChildProcess | null = null;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** Collects a stream's text and resolves the first match of `pattern` (rejects on exit or after `ms`). */
function waitForOutput(
  proc: ChildProcess,
  pattern: RegExp,
  ms: number,
): Promise<{ match: RegExpExecArray; text: () => string }> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} after ${ms} ms; output:\n${text}`)), ms);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ match, text: () => text });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before ${pattern}; output:\n${text}`));
    });
  });
}

describe('npm start without a display', () => {
  it('explains the fallback in one line, serves the browser console and stops on SIGTERM', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
    const env: NodeJS.ProcessEnv = { ...process.env, RELAYDECK_DATA: path.join(dir, 'ignored') };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.RELAYDECK_NO_ELECTRON;
    child = spawn(process.execPath, ['scripts/start.mjs', '--data', path.join(dir, 'data'), '--port', '0'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { match, text } = await waitForOutput(
      child,
      /(http:\/\/127\.0\.0\.1:(\d+)\/)#token=([A-Za-z0-9_-]+)/,
      100_000,
    );
    expect(text()).toMatch(
      /^relaydeck: no display \(DISPLAY and WAYLAND_DISPLAY are not set\): serving the browser console/m,
    );
    const port = Number(match[2]);
    const info = await rawRequest(port, {
      method: 'POST',
      path: '/rpc/app.info',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${match[3]}` },
      body: '{}',
    });
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body).dataDir).toBe(path.join(dir, 'data'));

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(rawRequest(port, { path: '/' })).rejects.toThrow();
  });
});
