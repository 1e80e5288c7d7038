/** `relaydeck inmail import` and `relaydeck quarantine ...` in process, on a temp data dir. */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main/node/cli';
import { makeTempDir, type TempDir } from '../support/store-temp';

let tmp: TempDir;
let data: string;

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  return { stream, text: () => text };
}

async function relaydeck(args: string[]) {
  const out = sink();
  const err = sink();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

beforeAll(() => {
  tmp = makeTempDir();
  data = path.join(tmp.dir, 'data');
});
afterAll(() => tmp?.remove());

describe('relaydeck inmail and quarantine', () => {
  it('imports an .eml that matches nothing: stored and counted unmatched', async () => {
    const file = path.join(tmp.dir, 'reply.eml');
    fs.writeFileSync(
      file,
      'From: someone@example.org\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nAway.\r\n',
    );
    const r = await relaydeck(['inmail', 'import', '--json', '--data', data, file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      file,
      messages: 1,
      matched: 0,
      unmatched: 1,
      duplicates: 0,
      errors: [],
    });
    expect(
      (await relaydeck(['inmail', 'import', '--data', data, path.join(tmp.dir, 'missing.eml')])).code,
    ).toBe(2);
  });

  it('imports the same file twice: stored once; shows, sets and applies the retention', async () => {
    const dir = path.join(tmp.dir, 'retention');
    const file = path.join(tmp.dir, 'big.mbox');
    const body = `${'z'.repeat(76)}\n`.repeat(5_500);
    fs.writeFileSync(
      file,
      [1, 2, 3]
        .map((i) => `From x Thu Jan  1 00:00:00 2026\nFrom: a@example.org\nSubject: big ${i}\n\n${body}\n`)
        .join(''),
    );
    expect((await relaydeck(['inmail', 'import', '--data', dir, file])).stdout).toMatch(
      /3 message\(s\), 0 matched, 3 unmatched, 0 already received\n$/,
    );
    expect((await relaydeck(['inmail', 'import', '--data', dir, file])).stdout).toMatch(
      /3 message\(s\), 0 matched, 0 unmatched, 3 already received\n$/,
    );
    expect((await relaydeck(['inmail', 'retention', '--data', dir])).stdout).toBe(
      'inbound mail kept 90 day(s), at most 512 MB; 0 message(s) deleted\n',
    );
    expect((await relaydeck(['inmail', 'retention', '--max-mb', '1', '--data', dir])).stdout).toBe(
      'inbound mail kept 90 day(s), at most 1 MB; 1 message(s) deleted\n',
    );
    expect((await relaydeck(['inmail', 'retention', '--days', '7', '--data', dir])).stdout).toBe(
      'inbound mail kept 7 day(s), at most 1 MB; 0 message(s) deleted\n',
    );
    const bad = await relaydeck(['inmail', 'retention', '--days', '0', '--data', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--days 0: expected a whole number from 1 to 36500');
  });

  it('sets, lists, exports, removes and imports quarantine entries', async () => {
    expect(
      (
        await relaydeck([
          'quarantine',
          'set',
          '--address',
          'Ann@Example.com',
          '--status',
          'denylisted',
          '--data',
          data,
        ])
      ).stdout,
    ).toBe('ann@example.com: denylisted\n');
    const listed = await relaydeck(['quarantine', 'list', '--json', '--data', data]);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      address: 'ann@example.com',
      status: 'denylisted',
      source: 'manual',
    });
    const file = path.join(tmp.dir, 'q.csv');
    expect((await relaydeck(['quarantine', 'export', '--file', file, '--data', data])).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\uFEFFaddress,status,/);
    expect(
      (await relaydeck(['quarantine', 'remove', '--address', 'ann@example.com', '--data', data])).stdout,
    ).toBe('ann@example.com: removed\n');
    fs.appendFileSync(file, 'broken,quarantine\r\n');
    const imported = await relaydeck(['quarantine', 'import', '--file', file, '--data', data]);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toMatch(/1 of 2 row\(s\) imported\n {2}line 3 \(address\): /);
    expect(
      (await relaydeck(['quarantine', 'set', '--address', 'a@b.c', '--status', 'nope', '--data', data])).code,
    ).toBe(2);
  });
});
