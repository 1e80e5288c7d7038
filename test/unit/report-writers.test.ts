/** The tabular writers: CSV (BOM, header rows, RFC 4180 quoting, typed cells, sections), JSON lines, sheet names. */
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/main/reports/types';
import { writeReport, type TabularFormat } from '../../src/main/reports/writers';
import { CappedBuffer, endStream, Output } from '../../src/main/reports/writers/output';
import { sheetName } from '../../src/main/reports/writers/xlsx';

const AT = Date.UTC(2026, 4, 17, 9, 30, 5);

function fixture(document?: Record<string, unknown>): Report {
  return {
    kind: 'bounces',
    deliveryId: '7',
    title: 'Bounces — Spring',
    fileBase: 'relaydeck-delivery-7-bounces',
    header: [{ label: 'Delivery', value: 'Spring (#7)' }],
    ...(document ? { document } : {}),
    sections: [
      {
        id: 'recipients',
        title: 'Failed recipients',
        columns: [
          { key: 'email', header: 'Recipient', type: 'text' },
          { key: 'reply', header: 'Last reply', type: 'text' },
          { key: 'at', header: 'At', type: 'date' },
          { key: 'rate', header: 'Rate', type: 'percent' },
          { key: 'n', header: 'N', type: 'int' },
          { key: 'async', header: 'Async', type: 'bool' },
        ],
        rows: () => [
          {
            email: 'zoé@exemple.fr',
            reply: '550 5.1.1 "unknown", sorry\nbye',
            at: AT,
            rate: 1 / 3,
            n: 2,
            async: true,
          },
          { email: 'bob@example.test', reply: null, at: null, rate: null, n: 0, async: false },
        ],
      },
      {
        id: 'by_domain',
        title: 'By domain',
        columns: [{ key: 'domain', header: 'Domain', type: 'text' }],
        rows: () => [{ domain: 'exemple.fr' }],
      },
    ],
  };
}

async function render(report: Report, format: TabularFormat): Promise<Buffer> {
  const sink = new CappedBuffer(1_000_000, () => new Error('too large'));
  await writeReport(report, format, new Output(sink));
  await endStream(sink);
  return sink.contents();
}

describe('CSV', () => {
  it('starts with a UTF-8 BOM, writes a header row of keys, quotes commas, quotes and newlines', async () => {
    const one = fixture();
    const bytes = await render({ ...one, sections: one.sections.slice(0, 1) }, 'csv');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(parse(text)).toEqual([
      ['email', 'reply', 'at', 'rate', 'n', 'async'],
      [
        'zoé@exemple.fr',
        '550 5.1.1 "unknown", sorry\nbye',
        '2026-05-17T09:30:05.000Z',
        '0.333333',
        '2',
        'true',
      ],
      ['bob@example.test', '', '', '', '0', 'false'],
    ]);
    expect(text).toContain('"550 5.1.1 ""unknown"", sorry\nbye"');
  });

  it('writes a report of several tables as a ZIP of one CSV per table, each with its BOM', async () => {
    const zip = await JSZip.loadAsync(await render(fixture(), 'csv'));
    expect(Object.keys(zip.files).sort()).toEqual([
      'relaydeck-delivery-7-bounces-by-domain.csv',
      'relaydeck-delivery-7-bounces-recipients.csv',
    ]);
    const byDomain = await zip.file('relaydeck-delivery-7-bounces-by-domain.csv')!.async('nodebuffer');
    expect([...byDomain.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parse(byDomain.toString('utf8').slice(1))).toEqual([['domain'], ['exemple.fr']]);
    const recipients = await zip.file('relaydeck-delivery-7-bounces-recipients.csv')!.async('string');
    expect(parse(recipients.slice(1))[1]?.[0]).toBe('zoé@exemple.fr');
  });
});

describe('JSON lines', () => {
  it('writes one object per row, keys in column order, tagged by section when there are several', async () => {
    const lines = (await render(fixture(), 'json')).toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        section: 'recipients',
        email: 'zoé@exemple.fr',
        reply: '550 5.1.1 "unknown", sorry\nbye',
        at: '2026-05-17T09:30:05.000Z',
        rate: 0.333333,
        n: 2,
        async: true,
      },
      {
        section: 'recipients',
        email: 'bob@example.test',
        reply: null,
        at: null,
        rate: null,
        n: 0,
        async: false,
      },
      { section: 'by_domain', domain: 'exemple.fr' },
    ]);
    expect(Object.keys(JSON.parse(lines[0] ?? '{}') as object)).toEqual([
      'section',
      'email',
      'reply',
      'at',
      'rate',
      'n',
      'async',
    ]);
  });

  it('writes a report document (the summary) as one object on one line', async () => {
    const text = (
      await render(fixture({ report: 'summary', kpis: { success: { count: 3 } } }), 'json')
    ).toString('utf8');
    expect(text).toBe('{"report":"summary","kpis":{"success":{"count":3}}}\n');
  });
});

describe('size cap', () => {
  it('fails the export as soon as the cap is crossed', async () => {
    const sink = new CappedBuffer(40, () => new Error('over the cap'));
    sink.on('error', () => undefined);
    await expect(
      (async () => {
        await writeReport(fixture(), 'csv', new Output(sink));
        await endStream(sink);
      })(),
    ).rejects.toThrow('over the cap');
  });
});

describe('XLSX sheet names', () => {
  it('drops forbidden characters, keeps 31 characters and makes names unique', () => {
    const taken = new Set<string>();
    expect(sheetName('By reason: hard/soft [all]', taken)).toBe('By reason  hard soft  all');
    expect(sheetName('A very long section title that goes on and on', taken)).toBe(
      'A very long section title that',
    );
    expect(sheetName('Report', taken)).toBe('Report');
    expect(sheetName('report', taken)).toBe('report 2');
  });
});
