import { describe, expect, it } from 'vitest';
import { MAX_FIELD_CHARS } from '../../src/main/campaign/csv-import';
import { parseQuarantineCsv } from '../../src/main/quarantine/csv';
import { AppError } from '../../src/shared/contract/errors';

describe('quarantine CSV limits (issue 16)', () => {
  it('refuses a field over the limit inside an unbalanced quote, naming the line where the quote opened', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `u${i}@example.com,quarantine,note ${i}`);
    const csv = [
      'address,status,note',
      'a@example.com,quarantine,ok',
      'b@example.com,quarantine,"open',
      ...rows,
    ].join('\n');
    let error: unknown;
    try {
      parseQuarantineCsv('q.csv', csv);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      `q.csv line 3: a field is longer than ${MAX_FIELD_CHARS} characters (inside the quote opened on line 3 and not closed since: an unbalanced quote?)`,
    );
    expect((error as AppError).details).toEqual([expect.objectContaining({ line: 3, field: 'note' })]);
  });
});
