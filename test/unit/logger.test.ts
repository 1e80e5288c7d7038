import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main/logger';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The file's text once it contains `marker` (the write stream opens and flushes asynchronously). */
async function readWhen(file: string, marker: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (text.includes(marker)) return text;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${file} never contained ${marker}`);
}

/** Writes one line per level through a logger and returns the levels found in its file. */
async function levelsWritten(options: Parameters<typeof createLogger>[0]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-logger-'));
  dirs.push(dir);
  const file = path.join(dir, 'test.log');
  const log = createLogger({ file, stderrLevel: 'silent', ...options }).child({ component: 'test' });
  log.debug('d');
  log.info('i', { n: 1 });
  log.warn('w');
  log.error('e', { err: new Error('boom') });
  const lines = (await readWhen(file, '"msg":"e"')).trim().split('\n');
  return lines.map((line) => (JSON.parse(line) as { level: string }).level);
}

describe('file logger levels', () => {
  it('writes info and above by default (per-message debug lines stay out of the file)', async () => {
    expect(await levelsWritten({})).toEqual(['info', 'warn', 'error']);
  });

  it('writes debug lines when asked', async () => {
    expect(await levelsWritten({ fileLevel: 'debug' })).toEqual(['debug', 'info', 'warn', 'error']);
  });

  it('keeps fields and error details in each record', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-logger-'));
    dirs.push(dir);
    const file = path.join(dir, 'test.log');
    createLogger({ file, stderrLevel: 'silent' })
      .child({ component: 'engine' })
      .error('failed', { err: new Error('boom') });
    const record = JSON.parse(await readWhen(file, 'boom')) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'error', msg: 'failed', component: 'engine' });
    expect(record.err).toMatchObject({ name: 'Error', message: 'boom' });
  });
});
