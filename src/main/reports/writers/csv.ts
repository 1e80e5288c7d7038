/**
 * CSV: UTF-8 with a BOM (spreadsheet software then reads accents right), a header row of stable column keys,
 * RFC 4180 quoting (csv-stringify). A report with several sections writes them one after the other, each with
 * its header row, separated by an empty line.
 */
import { stringify } from 'csv-stringify/sync';
import type { Report } from '../types';
import { cellText } from './cells';
import type { Output } from './output';

const BATCH = 500;

export async function writeCsv(report: Report, out: Output): Promise<void> {
  await out.write('\ufeff');
  let first = true;
  for (const section of report.sections) {
    if (!first) await out.write('\n');
    first = false;
    await out.write(stringify([section.columns.map((c) => c.key)]));
    let batch: string[][] = [];
    for (const row of section.rows()) {
      batch.push(section.columns.map((c) => cellText(c, row[c.key] ?? null)));
      if (batch.length === BATCH) {
        await out.write(stringify(batch));
        batch = [];
      }
    }
    if (batch.length > 0) await out.write(stringify(batch));
  }
}
