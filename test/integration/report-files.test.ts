/**
 * Issue 14 point 12 (the export half): the files an analyst opens. A CSV holds one table: a report of several
 * tables exports as a ZIP of one CSV per table (each UTF-8 with a BOM); XLSX times are Excel dates with a date
 * format (the events' time, the report sheet's period and generation time), never text. The PDFs (landscape
 * for wide kinds, human headers) are checked in report-pdf.test.ts, which needs the built console.
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportReport } from '../../src/main/reports/export';
import type { ReportFormat, ReportKind } from '../../src/shared/contract/reports';
import { applySmtp, relay } from '../support/efs-events';
import { insertDelivery, insertRecipients, openTempDb, type TempDb } from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 11, 1, 9, 30);
let t: TempDb;
let d: number;
beforeEach(() => {
  t = openTempDb();
  d = insertDelivery(t.db, { now: T0 });
  const ids = insertRecipients(t.db, d, ['ada@inbox.test', 'bob@inbox.test', 'cy@mail.test'], T0);
  relay(t.db, d, ids, T0);
  applySmtp(t.db, 'accepted', ids[0]!, d, T0 + 1_000);
  applySmtp(t.db, 'user_unknown', ids[1]!, d, T0 + 2_000);
  applySmtp(t.db, 'greylisted', ids[2]!, d, T0 + 3_000);
});
afterEach(() => t.cleanup());

const noPrinter = { print: () => Promise.reject(new Error('no PDF in this test')) };

async function exported(kind: ReportKind, format: Exclude<ReportFormat, 'pdf'>) {
  const file = await exportReport(
    { deliveryId: String(d), kind, format },
    { db: t.db, now: T0 + 60_000, printer: noPrinter },
  );
  return { ...file, content: Buffer.from(file.contentBase64, 'base64') };
}

/** A CSV file holds one table: a header row, then rows of as many cells (no blank line, no second header). */
function oneTable(bytes: Buffer): string[][] {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString('utf8').slice(1);
  expect(text).not.toMatch(/\r?\n\r?\n/);
  return parse(text, { relax_column_count: false }) as string[][];
}

describe('CSV exports: one table per file', () => {
  it('exports a report of several tables as a ZIP of one UTF-8 CSV (with BOM) per table', async () => {
    const file = await exported('bounces', 'csv');
    expect(file.fileName).toBe(`relaydeck-delivery-${d}-bounces.zip`);
    expect(file.mimeType).toBe('application/zip');
    const zip = await JSZip.loadAsync(file.content);
    const names = Object.keys(zip.files).sort();
    expect(names).toEqual(
      ['by-domain', 'by-reason', 'complaints', 'recipients', 'retrying'].map(
        (s) => `relaydeck-delivery-${d}-bounces-${s}.csv`,
      ),
    );
    const table = async (s: string) =>
      oneTable(await zip.file(`relaydeck-delivery-${d}-bounces-${s}.csv`)!.async('nodebuffer'));
    expect((await table('by-reason'))[0]).toEqual(['reason', 'code', 'label', 'type', 'messages', 'share']);
    const recipients = await table('recipients');
    expect(recipients.slice(1).map((r) => r[0])).toEqual(['bob@inbox.test']);
    expect((await table('retrying')).slice(1).map((r) => r[0])).toEqual(['unreachable']);

    const summary = await JSZip.loadAsync((await exported('summary', 'csv')).content);
    expect(Object.keys(summary.files).sort()).toEqual(
      ['delivery', 'health', 'kpis', 'reasons', 'statuses'].map(
        (s) => `relaydeck-delivery-${d}-summary-${s}.csv`,
      ),
    );
  });

  it('keeps a report of one table a plain CSV file', async () => {
    for (const kind of ['domains', 'events', 'log', 'throughput', 'quarantine'] as const) {
      const file = await exported(kind, 'csv');
      expect(file.fileName).toBe(`relaydeck-delivery-${d}-${kind}.csv`);
      expect(file.mimeType).toMatch(/^text\/csv/);
      expect(oneTable(file.content)[0]!.length).toBeGreaterThan(1);
    }
  });
});

describe('XLSX exports: times are Excel dates', () => {
  it('writes the events’ time and the report sheet’s times as dates with a date format, the CSV as ISO 8601', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exported('events', 'xlsx')).content as unknown as ArrayBuffer);
    const events = wb.getWorksheet('Events')!;
    const headers = (events.getRow(1).values as unknown[]).slice(1);
    expect(headers).toContain('Time');
    expect(headers).not.toContain('raw_response');
    const time = headers.indexOf('Time') + 1;
    const cell = events.getRow(2).getCell(time);
    expect(cell.value).toBeInstanceOf(Date);
    expect(cell.numFmt).toMatch(/yyyy-mm-dd/);
    const times = [];
    for (let r = 2; r <= events.rowCount; r++)
      times.push((events.getRow(r).getCell(time).value as Date).getTime());
    expect(times).toContain(T0 + 2_000);

    const about = wb.getWorksheet('Report')!;
    const byLabel = new Map<string, ExcelJS.Cell>();
    about.eachRow((row) => byLabel.set(String(row.getCell(1).value), row.getCell(2)));
    for (const label of ['Period start', 'Period end', 'Generated at']) {
      expect(byLabel.get(label)?.value, label).toBeInstanceOf(Date);
      expect(byLabel.get(label)?.numFmt, label).toMatch(/yyyy-mm-dd/);
    }
    expect((byLabel.get('Generated at')?.value as Date).getTime()).toBe(T0 + 60_000);

    // CSV and JSON lines keep the ISO 8601 time of the webhook field names.
    const csv = oneTable((await exported('events', 'csv')).content);
    const at = csv[0]!.indexOf('timestamp');
    expect(csv.slice(1).map((r) => r[at])).toContain(new Date(T0 + 2_000).toISOString());
  });
});
