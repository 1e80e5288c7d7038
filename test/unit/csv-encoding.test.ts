import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  SAMPLE_BYTES,
  base64Reader,
  bufferReader,
  createDecoder,
  decodeCsvBytes,
  detectEncoding,
  type ByteReader,
} from '../../src/main/campaign/csv-encoding';
import { previewRecipients } from '../../src/main/campaign/csv-import';
import { AppError } from '../../src/shared/contract/errors';
import { describeEncoding } from '../../src/shared/domain/text-encoding';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'csv');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));
const detect = (bytes: Uint8Array) => detectEncoding(bufferReader(bytes));

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the list to be refused');
}

const FIRST_ROW = {
  email: 'zoe@example.test',
  first_name: 'Zoë',
  last_name: 'Saldaña',
  city: 'Zürich',
  offer: '€ 5 off',
};

describe('CSV encoding detection', () => {
  it.each([
    ['names-utf8.csv', 'utf-8', 'utf-8'],
    ['names-utf8-bom.csv', 'utf-8', 'bom'],
    ['excel-unicode-utf16le.csv', 'utf-16le', 'bom'],
    ['names-utf16be-bom.csv', 'utf-16be', 'bom'],
    ['excel-cp1252.csv', 'windows-1252', 'detector'],
    ['excel-cp1252-iconv.csv', 'windows-1252', 'detector'],
  ])('%s is %s (%s)', (name, encoding, basis) => {
    expect(detect(fixture(name))).toMatchObject({ detected: encoding, basis });
  });

  it('reads ISO-8859-1 text as Windows-1252 (the same letters; Windows-1252 also has € and curly quotes)', () => {
    expect(detect(fixture('latin1-plain.csv'))).toMatchObject({
      detected: 'windows-1252',
      basis: 'detector',
    });
  });

  it('keeps a valid UTF-8 (or plain ASCII) file in UTF-8 whatever the detector guesses', () => {
    const ascii = Buffer.from('email,name\nbob@example.test,Bob\n');
    expect(chardet.analyse(ascii)[0]?.name).not.toBe('UTF-8');
    expect(detect(ascii)).toEqual({ detected: 'utf-8', basis: 'ascii' });
  });

  it('finds UTF-16 without a byte order mark from its NUL bytes', () => {
    const text = 'email,name\r\nzoe@example.test,Zoë\r\n';
    expect(detect(iconv.encode(text, 'utf-16le'))).toMatchObject({ detected: 'utf-16le' });
    expect(detect(iconv.encode(text, 'utf-16be'))).toMatchObject({ detected: 'utf-16be' });
  });

  it('reads UTF-8 with one damaged line as UTF-8 (the line is refused, not the rest misread)', () => {
    expect(detect(fixture('mixed-utf8-cp1252.csv'))).toMatchObject({ detected: 'utf-8', basis: 'detector' });
  });

  it('reads a bounded sample of a long list: its start, middle and end', () => {
    // 6 MB of ASCII rows with one Windows-1252 name in the middle.
    const row = Buffer.from('someone@example.test,Plain Name\n');
    const half = Buffer.alloc(3_000_000, 0);
    for (let at = 0; at + row.length <= half.length; at += row.length) row.copy(half, at);
    const middle = iconv.encode('zoe@example.test,Zoë\n', 'windows-1252');
    const bytes = Buffer.concat([Buffer.from('email,name\n'), half, middle, half]);
    let read = 0;
    const inner = bufferReader(bytes);
    const counting: ByteReader = {
      size: inner.size,
      read: (pos, length) => {
        const b = inner.read(pos, length);
        read += b.length;
        return b;
      },
      close: () => undefined,
    };
    expect(detectEncoding(counting)).toMatchObject({ detected: 'windows-1252' });
    expect(read).toBeLessThanOrEqual(3 * SAMPLE_BYTES + 4);
  });
});

describe('CSV decoding', () => {
  it.each([
    'names-utf8.csv',
    'names-utf8-bom.csv',
    'excel-unicode-utf16le.csv',
    'names-utf16be-bom.csv',
    'excel-cp1252.csv',
    'excel-cp1252-iconv.csv',
  ])('%s previews with the names as written', (name) => {
    const preview = previewRecipients({ fileName: name, file: path.join(FIXTURES, name) });
    expect(preview.columns).toEqual(['email', 'first_name', 'last_name', 'city', 'offer']);
    expect(preview.rows[0]).toEqual(FIRST_ROW);
    expect(preview.rows.map((r) => r.last_name)).toEqual([
      'Saldaña',
      'Müller',
      'Lefèvre',
      'Ångström',
      'Gonçalves',
    ]);
    expect(preview.rows[1]?.offer).toBe('“Spring” sale');
    expect(preview.rows[2]?.offer).toBe('L’été – 20 %');
    expect(preview.valid).toBe(5);
    expect(preview.errors).toEqual([]);
  });

  it('says how the list was decoded', () => {
    const cp1252 = previewRecipients({ fileName: 'l.csv', file: path.join(FIXTURES, 'excel-cp1252.csv') });
    expect(cp1252.encoding).toMatchObject({
      detected: 'windows-1252',
      basis: 'detector',
      used: 'windows-1252',
    });
    expect(describeEncoding(cp1252.encoding!)).toBe('Windows-1252 (detected)');
    const bom = previewRecipients({ fileName: 'l.csv', file: path.join(FIXTURES, 'names-utf8-bom.csv') });
    expect(describeEncoding(bom.encoding!)).toBe('UTF-8 (detected: byte order mark)');
    // A list sent as text has no encoding to tell.
    expect(previewRecipients({ fileName: 'l.csv', csv: 'email\na@example.test\n' }).encoding).toBeUndefined();
  });

  it('decodes base64 uploads like files, window by window', () => {
    const bytes = fixture('excel-cp1252.csv');
    const preview = previewRecipients({ fileName: 'up.csv', data: bytes.toString('base64') });
    expect(preview.rows[0]).toEqual(FIRST_ROW);
    const reader = base64Reader('up.csv', bytes.toString('base64'));
    expect(reader.size).toBe(bytes.length);
    for (const [pos, len] of [
      [0, 5],
      [1, 7],
      [2, 100],
      [310, 50],
    ] as const)
      expect(reader.read(pos, len)).toEqual(bytes.subarray(pos, pos + len));
    expect(refusal(() => base64Reader('up.csv', 'not base64!')).code).toBe('invalid_input');
  });

  it('refuses a Windows-1252 list read as UTF-8, naming every line, nothing replaced', () => {
    const err = refusal(() =>
      previewRecipients({
        fileName: 'excel.csv',
        file: path.join(FIXTURES, 'excel-cp1252.csv'),
        encoding: 'utf-8',
      }),
    );
    expect(err.code).toBe('csv_invalid');
    expect(err.message).toBe(
      'excel.csv cannot be read as UTF-8: lines 2, 3, 4, 5, 6 have bytes that are not UTF-8 text. ' +
        'Nothing was imported. It looks like Windows-1252: read it in that encoding.',
    );
    expect(err.details?.map((d) => d.line)).toEqual([2, 3, 4, 5, 6]);
    expect(err.details?.[0]).toEqual({
      line: 2,
      field: 'encoding',
      message: 'byte 0xEB cannot be read as UTF-8 (in "zoe@example.test,Zo[0xEB],Salda?a,Z?rich,? 5 off")',
    });
    expect(JSON.stringify(err)).not.toContain('\ufffd');
  });

  it('names the one damaged line of a UTF-8 list', () => {
    const err = refusal(() =>
      previewRecipients({ fileName: 'mixed.csv', file: path.join(FIXTURES, 'mixed-utf8-cp1252.csv') }),
    );
    expect(err.message).toContain(
      'mixed.csv cannot be read as UTF-8: line 4 has bytes that are not UTF-8 text',
    );
    expect(err.details).toEqual([
      {
        line: 4,
        field: 'encoding',
        message: 'byte 0xEB cannot be read as UTF-8 (in "zoe@example.test,Zo[0xEB]")',
      },
    ]);
  });

  it('reports C1 control codes read as ISO-8859-1 with what Windows-1252 reads there', () => {
    const err = refusal(() =>
      previewRecipients({
        fileName: 'excel.csv',
        file: path.join(FIXTURES, 'excel-cp1252.csv'),
        encoding: 'iso-8859-1',
      }),
    );
    expect(err.details?.[0]?.message).toBe(
      'byte 0x80 is a control code in ISO-8859-1, not a character (Windows-1252 reads it as "€") ' +
        '(in "zoe@example.test,Zoë,Saldaña,Zürich,[0x80] 5 off")',
    );
  });

  it('reports bytes Windows-1252 has no character for, NUL bytes and a cut UTF-8 character', () => {
    const cp = createDecoder('windows-1252');
    cp.write(Buffer.from([0x61, 0x0a, 0x62, 0x81, 0x63, 0x0a]));
    cp.end();
    expect(cp.problems).toEqual([
      { line: 2, message: 'byte 0x81 is not a character in Windows-1252 (in "b[0x81]c")' },
    ]);
    const nul = createDecoder('utf-8');
    nul.write(Buffer.from('a\nb\0c\n'));
    nul.end();
    expect(nul.problems[0]).toMatchObject({
      line: 2,
      message: expect.stringContaining('is the file UTF-16?'),
    });
    const cut = createDecoder('utf-8');
    cut.write(Buffer.from([0x61, 0x0a, 0x0a, 0x5a, 0x6f, 0xc3]));
    cut.end();
    expect(cut.problems).toEqual([{ line: 3, message: 'byte 0xC3 cannot be read as UTF-8 (in "Zo[0xC3]")' }]);
  });

  it('rejects overlong forms and surrogates in UTF-8', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const d = createDecoder('utf-8');
      d.write(Buffer.from([0x61, ...bad, 0x0a]));
      d.end();
      expect(d.problemLines, bad.join(' ')).toBe(1);
    }
  });

  it('reports unpaired surrogates and an odd length in UTF-16', () => {
    const d = createDecoder('utf-16le');
    d.write(Buffer.from([0x61, 0, 0x0a, 0, 0x00, 0xd8, 0x62, 0, 0x0a, 0, 0x63]));
    d.end();
    expect(d.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(d.problems[1]?.message).toContain('odd number of bytes');
  });

  it('keeps characters whole across read chunks (1 MiB) in UTF-8 and UTF-16', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-enc-'));
    try {
      for (const [encoding, name] of [
        ['utf-8', 'Zoë 😀'],
        ['utf-16le', 'Zoë 😀'],
      ] as const) {
        const lines = ['email,name'];
        for (let i = 0, chars = 0; chars < 1_100_000; i++) {
          lines.push(`u${i}@example.test,${name}`);
          chars += (lines[lines.length - 1] as string).length + 1;
        }
        const file = path.join(dir, `${encoding}.csv`);
        fs.writeFileSync(file, iconv.encode(`${lines.join('\n')}\n`, encoding, { addBOM: true }));
        const rows: string[] = [];
        const { text, encoding: info } = decodeCsvBytes('big.csv', bufferReader(fs.readFileSync(file)));
        expect(info.used).toBe(encoding);
        for (const line of text.split('\n').slice(1, -1)) rows.push(line.slice(line.indexOf(',') + 1));
        expect(rows.length).toBe(lines.length - 1);
        expect(rows.every((r) => r === name)).toBe(true);
        const preview = previewRecipients({ fileName: 'big.csv', file });
        expect(preview.valid).toBe(lines.length - 1);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
