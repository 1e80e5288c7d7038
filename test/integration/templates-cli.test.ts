/** `relaydeck templates list` in process: the saved templates of a data dir, as a table and as JSON. */
import { Writable } from 'node:stream';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main/node/cli';
import { openDatabase } from '../../src/main/store/db';
import { insertTemplate } from '../../src/main/store/templates-repo';
import { makeTempDir, type TempDir } from '../support/store-temp';

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.remove());

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function templates(args: string[]) {
  const out = collector();
  const err = collector();
  const code = await main(['templates', ...args], { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('relaydeck templates list', () => {
  it('lists the saved templates after the demo one, as a table and as JSON', async () => {
    const data = path.join(tmp.dir, 'data');
    expect((await templates(['list', '--data', data])).code).toBe(0); // creates the data dir (demo template)
    const db = openDatabase(path.join(data, 'relaydeck.sqlite'));
    insertTemplate(
      db,
      'December statement',
      { fromName: 'News', fromAddress: 'news@example.test', subject: 'Your statement', text: 'Hi', html: '' },
      1,
    );
    db.close();
    const table = await templates(['list', '--data', data]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID {2}NAME/);
    expect(table.stdout).toMatch(/\n2 {3}December statement +News <news@example\.test> {2}Your statement\n$/);
    const json = await templates(['list', '--json', '--data', data]);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ id: '1' }),
      expect.objectContaining({ id: '2', name: 'December statement', text: 'Hi' }),
    ]);
    expect((await templates(['show'])).stderr).toMatch(/unknown subcommand "show": expected list/);
  });
});
