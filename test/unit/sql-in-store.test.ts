/**
 * No SQL outside src/main/store (issue 11): the store's repositories and ports (`EngineStore`, the ledger,
 * the report queries) hold every statement, so a schema change is a change in one folder. The check reads the
 * sources as text: an SQL statement's opening words, or a statement prepared or run on a database handle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const SQL_RE =
  /\b(?:SELECT\s+(?:[\w*]+\s*(?:,|FROM\b)|DISTINCT\b|COUNT\()|INSERT\s+(?:OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(?:TABLE|INDEX|TRIGGER|VIEW)\b)|\b(?:db|database)\.(?:prepare|exec)\(/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** `file:line` of each line that looks like SQL. */
function sqlLines(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (SQL_RE.test(line) ? [`${path.relative(ROOT, file)}:${i + 1}`] : [])),
  );
}

describe('SQL lives in src/main/store', () => {
  it('recognises SQL where it is', () => {
    expect(sqlLines(sources(path.join(ROOT, 'src/main/store'))).length).toBeGreaterThan(50);
  });

  it('has none outside it (src/main and src/shared)', () => {
    const outside = [
      ...sources(path.join(ROOT, 'src/main')),
      ...sources(path.join(ROOT, 'src/shared')),
    ].filter((f) => !f.startsWith(path.join(ROOT, 'src/main/store') + path.sep));
    expect(sqlLines(outside)).toEqual([]);
  });
});
