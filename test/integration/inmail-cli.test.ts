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
