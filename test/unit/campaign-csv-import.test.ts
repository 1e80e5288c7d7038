import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectDelimiter,
  MAX_FIELD_CHARS,
  MAX_ROW_CHARS,
  previewRecipients,
  readRecipients,
  type Recipient,
} from '../../src/main/campaign/csv-import';
import type { ImportError } from '../../src/main/store/import-errors-repo';
import { AppError } from '../../src/shared/contract/errors';

/** Every row the streaming reader hands out, in order (duplicates found with a Set). */
function parseRecipients(fileName: string, csv: string) {
  let columns: readonly string[] = [];
  const recipients: Recipient[] = [];
  const errors: ImportError[] = [];
  const seen = new Set<string>();
  const counts = readRecipients(
    { fileName, csv },
    {
      columns: (c) => (columns = c),
      seen: (key) => seen.has(key) || !seen.add(key),
      recipient: (r) => recipients.push(r),
      error: (e) => errors.push(e),
    },
  );
  return { columns, recipients, errors, counts };
}

const kinds = (csv: string) =>
  parseRecipients('list.csv', csv).recipients.map((r) => [r.line, r.kind, r.email]);

describe('CSV recipient import', () => {
  it('reads a BOM, CRLF and an Email header in any case, keeping other columns as fields', () => {
    const parsed = parseRecipients(
      'list.csv',
      '\ufeffEMAIL,first_name\r\nann@inbox.test,Ann\r\nbob@MAIL.TEST,Bob\r\n',
    );
    expect(parsed.columns).toEqual(['EMAIL', 'first_name']);
    expect(parsed.recipients.map((r) => [r.email, r.domain, r.fields.first_name])).toEqual([
      ['ann@inbox.test', 'inbox.test', 'Ann'],
      ['bob@mail.test', 'mail.test', 'Bob'],
    ]);
    expect(parsed.errors).toEqual([]);
  });

  it.each([
    [',', 'email,name,city\n'],
    [';', 'email;name;city\n'],
    ['\t', 'email\tname\tcity\n'],
    [';', '"e,mail";name\n'],
  ])('detects the %j delimiter from the header', (delimiter, header) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });

  it('reads semicolon files with quoted fields holding delimiters, quotes and newlines', () => {
    const csv =
      'email;note\na@inbox.test;"one; two"\nb@inbox.test;"say ""hi"""\nc@inbox.test;"multi\nline"\nd@inbox.test;x\n';
    const parsed = parseRecipients('list.csv', csv);
    expect(parsed.recipients.map((r) => [r.line, r.fields.note])).toEqual([
      [2, 'one; two'],
      [3, 'say "hi"'],
      [4, 'multi\nline'],
      [6, 'x'],
    ]);
  });

  it('keeps quoted commas inside a field of a comma file', () => {
    const parsed = parseRecipients('list.csv', 'email,company\na@inbox.test,"Acme, Inc."\n');
    expect(parsed.recipients[0]?.fields.company).toBe('Acme, Inc.');
  });

  it('reports every bad row with its exact line number, reason and raw text, and goes on', () => {
    const csv = [
      'email,name', // 1
      'ok1@inbox.test,A', // 2
      'too@inbox.test,B,extra', // 3
      'bad"quote@inbox.test,C', // 4
      '', // 5 (blank lines are skipped)
      'not-an-address,D', // 6
      'ok2@inbox.test,"E', // 7: quote never closed, swallows the rest
      'ok3@inbox.test,F', // 8
    ].join('\r\n');
    const parsed = parseRecipients('people.csv', csv);
    expect(parsed.recipients.map((r) => [r.line, r.email])).toEqual([[2, 'ok1@inbox.test']]);
    expect(parsed.errors.map((e) => [e.line, e.field, e.raw])).toEqual([
      [3, undefined, 'too@inbox.test,B,extra'],
      [4, undefined, 'bad"quote@inbox.test,C'],
      [6, 'email', 'not-an-address,D'],
      [7, undefined, 'ok2@inbox.test,"E\r\nok3@inbox.test,F'],
    ]);
    expect(parsed.errors.map((e) => e.message)).toEqual([
      'expected 2 fields as in the header, found 3',
      expect.stringContaining('quote'),
      expect.stringContaining('"not-an-address" is not an address'),
      expect.stringContaining('never closed'),
    ]);
    expect(parsed.counts).toEqual({ total: 5, valid: 1, duplicates: 0, noAddress: 0, errors: 4 });
  });

  it('marks duplicates by case-insensitive address and rows without address, keeping them', () => {
    const csv = 'email,n\na@inbox.test,1\n,2\nA@Inbox.Test,3\n  ,4\nb@inbox.test,5\na@inbox.test,6\n';
    expect(kinds(csv)).toEqual([
      [2, 'valid', 'a@inbox.test'],
      [3, 'no_address', ''],
      [4, 'duplicate', 'A@inbox.test'],
      [5, 'no_address', ''],
      [6, 'valid', 'b@inbox.test'],
      [7, 'duplicate', 'a@inbox.test'],
    ]);
    expect(parseRecipients('l.csv', csv).counts).toEqual({
      total: 6,
      valid: 2,
      duplicates: 2,
      noAddress: 2,
      errors: 0,
    });
  });

  it('refuses a list without an email column, naming the file and the header it found', () => {
    let error: unknown;
    try {
      parseRecipients('customers.csv', 'mail,name\na@inbox.test,A\n');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'csv_invalid' });
    expect((error as AppError).message).toBe(
      'customers.csv has no "email" column in its header row (line 1: "mail", "name")',
    );
  });

  it('refuses an empty file', () => {
    expect(() => parseRecipients('empty.csv', '\ufeff\r\n')).toThrow(/empty.csv is empty/);
  });

  it('previews columns, the first 20 rows, counts and the first 100 errors', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `u${i}@inbox.test,${i}`);
    const bad = Array.from({ length: 105 }, (_, i) => `bad${i},x`);
    const preview = previewRecipients({ fileName: 'big.csv', csv: ['email,n', ...rows, ...bad].join('\n') });
    expect(preview.columns).toEqual(['email', 'n']);
    expect(preview.rows).toHaveLength(20);
    expect(preview.rows[0]).toEqual({ email: 'u0@inbox.test', n: '0' });
    expect([preview.total, preview.valid, preview.errors.length, preview.moreErrors]).toEqual([
      135, 30, 100, 5,
    ]);
    expect(preview.errors[0]).toEqual({
      line: 32,
      field: 'email',
      message: '"bad0" is not an address (expected local@domain)',
    });
  });
});

describe('streaming across chunk boundaries (lists larger than one 1M-character chunk)', () => {
  // Every row names its own line; every 7th has a quoted note over two lines (CRLF inside the quotes), every
  // 1,000th a bad quote: rows and errors straddle the chunk boundaries wherever they fall.
  const lines: string[] = ['email,line,note'];
  const expected: { line: number; kind: string }[] = [];
  let line = 2;
  let size = 0;
  for (let i = 0; size < 2_500_000; i++) {
    if (i % 1000 === 999) {
      lines.push(`bad"${i}@inbox.test,${line},x`);
      expected.push({ line, kind: 'error' });
      line++;
    } else if (i % 7 === 0) {
      lines.push(`u${i}@inbox.test,${line},"two\r\nlines"`);
      expected.push({ line, kind: 'valid' });
      line += 2;
    } else {
      lines.push(`u${i}@inbox.test,${line},plain`);
      expected.push({ line, kind: 'valid' });
      line++;
    }
    size += (lines.at(-1)?.length ?? 0) + 2;
  }
  const csv = `\ufeff${lines.join('\r\n')}\r\n`;

  function check(parsed: ReturnType<typeof parseRecipients>) {
    const rows = [
      ...parsed.recipients.map((r) => ({ line: r.line, kind: r.kind, own: Number(r.fields.line) })),
      ...parsed.errors.map((e) => ({
        line: e.line,
        kind: 'error',
        own: Number(/,(\d+),x$/.exec(e.raw)?.[1]),
      })),
    ].sort((a, b) => a.line - b.line);
    expect(rows.map(({ line, kind }) => ({ line, kind }))).toEqual(expected);
    expect(rows.every((r) => r.own === r.line)).toBe(true);
    expect(parsed.recipients.find((r) => r.line === 2)?.fields.note).toBe('two\r\nlines');
  }

  it('from a text', () => {
    check(parseRecipients('big.csv', csv));
  });

  it('from a file, with the same rows', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-csv-'));
    try {
      const file = path.join(dir, 'big.csv');
      fs.writeFileSync(file, csv);
      let n = 0;
      const errors: ImportError[] = [];
      const counts = readRecipients(
        { fileName: 'big.csv', file },
        { columns: () => undefined, seen: () => false, recipient: () => n++, error: (e) => errors.push(e) },
      );
      const fromText = parseRecipients('big.csv', csv);
      const { encoding, ...fileCounts } = counts;
      expect(encoding).toEqual({ detected: 'utf-8', basis: 'bom', used: 'utf-8' });
      expect([n, fileCounts]).toEqual([fromText.recipients.length, fromText.counts]);
      expect(errors).toEqual(fromText.errors);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CSV limits and unbalanced quotes (issue 16)', () => {
  const caught = (fn: () => unknown): AppError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return err as AppError;
    }
    throw new Error('expected an error');
  };

  it('refuses a field longer than the limit, naming the file, the line and the column', () => {
    const huge = 'x'.repeat(MAX_FIELD_CHARS + 1);
    const err = caught(() =>
      parseRecipients('list.csv', `email,bio\na@inbox.test,short\nb@inbox.test,${huge}\nc@inbox.test,ok\n`),
    );
    expect(err.code).toBe('csv_invalid');
    expect(err.message).toBe(`list.csv line 3: a field is longer than ${MAX_FIELD_CHARS} characters`);
    expect(err.details).toEqual([
      { line: 3, field: 'bio', message: `a field is longer than ${MAX_FIELD_CHARS} characters` },
    ]);
  });

  it('refuses a huge field inside a quote that never closes, naming the line where it opened', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `u${i}@inbox.test,name ${i}`);
    const err = caught(() =>
      parseRecipients('list.csv', ['email,name', 'a@inbox.test,ok', 'b@inbox.test,"Bob', ...rows].join('\n')),
    );
    expect(err.message).toMatch(
      /^list\.csv line 3: a field is longer than \d+ characters \(inside the quote opened on line 3 and not closed since: an unbalanced quote\?\)$/,
    );
  });

  it('refuses a row longer than the limit', () => {
    const fields = Array.from({ length: 5 }, () => 'z'.repeat(MAX_FIELD_CHARS - 10));
    const err = caught(() =>
      parseRecipients('list.csv', `email,a,b,c,d,e\nq@inbox.test,${fields.join(',')}\n`),
    );
    expect(err.message).toBe(`list.csv line 2: a row is longer than ${MAX_ROW_CHARS} characters`);
  });

  it('an unbalanced quote closed lines later: an error naming the line it opened and the lines it took, no row silently merged', () => {
    const csv = [
      'email,name', // 1
      'a@inbox.test,Ann', // 2
      'b@inbox.test,"Bob', // 3: the quote opens here
      'c@inbox.test,Carl', // 4
      'd@inbox.test,Dan', // 5
      'e@inbox.test,Eve', // 6
      'f@inbox.test,Fay', // 7
      'g@inbox.test,Gus"', // 8: and closes here
      'h@inbox.test,Hal', // 9
    ].join('\n');
    const parsed = parseRecipients('list.csv', csv);
    expect(parsed.recipients.map((r) => [r.line, r.email])).toEqual([
      [2, 'a@inbox.test'],
      [9, 'h@inbox.test'],
    ]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({
      line: 3,
      field: 'name',
      message:
        'the quote opened on line 3 closes only on line 8: lines 4-8 were read inside this field as text, not imported as rows (an unbalanced quote?)',
    });
    expect(parsed.counts).toMatchObject({ total: 3, valid: 2, errors: 1 });
  });

  it('a quote that never closes: an error naming the line it opened and every line it took', () => {
    const csv = [
      'email,name',
      'a@inbox.test,Ann',
      'b@inbox.test,"Bob',
      'c@inbox.test,Carl',
      'd@inbox.test,Dan',
      '',
    ].join('\n');
    const parsed = parseRecipients('list.csv', csv);
    expect(parsed.recipients.map((r) => r.line)).toEqual([2]);
    expect(parsed.errors.map((e) => [e.line, e.message])).toEqual([
      [
        3,
        'the quote opened on line 3 is never closed: lines 4-5 (the rest of the file) were read inside it, none of them imported',
      ],
    ]);
  });

  it('keeps multi-line quoted values that are not rows (a postal address)', () => {
    const parsed = parseRecipients(
      'list.csv',
      'email,address\na@inbox.test,"1 Main St\nSpringfield, IL"\nb@inbox.test,x\n',
    );
    expect(parsed.errors).toEqual([]);
    expect(parsed.recipients.map((r) => r.fields.address)).toEqual(['1 Main St\nSpringfield, IL', 'x']);
  });
});
