/**
 * Every write transaction in src/main takes SQLite's write lock when it begins (issue 16 item 2): several
 * processes share a data dir, and a deferred transaction (better-sqlite3's `db.transaction(fn)()`) that reads
 * and then writes fails at once with "database is locked" when another process committed in between, without
 * waiting under the busy timeout. So every transaction goes through the store's `writeTransaction` (BEGIN
 * IMMEDIATE, src/main/store/db.ts), the only place that calls `.transaction(`. The check reads the sources as
 * text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const ALLOWED = path.join(ROOT, 'src/main/store/db.ts');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** `file:line` of each line opening a transaction of its own (`.transaction(`). */
function transactionLines(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        /\.transaction\(/.test(line) && !/^\s*(\*|\/\/)/.test(line)
          ? [`${path.relative(ROOT, file)}:${i + 1}`]
          : [],
      ),
  );
}

describe('write transactions are IMMEDIATE', () => {
  it('finds a transaction opened outside writeTransaction', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-immediate-'));
    try {
      const file = path.join(dir, 'sample.ts');
      fs.writeFileSync(
        file,
        'export const f = (db) =>\n  db.transaction(() => {\n    read(); write();\n  })();\n',
      );
      expect(transactionLines([file])).toEqual([`${path.relative(ROOT, file)}:2`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('src/main opens every transaction with writeTransaction (src/main/store/db.ts)', () => {
    const files = sources(path.join(ROOT, 'src/main')).filter((f) => f !== ALLOWED);
    expect(transactionLines(files)).toEqual([]);
  });
});
