/**
 * CSV: UTF-8 with a BOM (spreadsheet software then reads accents right), a header row of stable column keys,
 * RFC 4180 quoting (csv-stringify). One table per CSV file, as spreadsheet software reads it: a report of one
 * table is one CSV file; a report of several tables (summary, bounces) is a ZIP of one CSV file per table,
 * named `<report>-<table id>.csv` (jszip, the zip library exceljs itself writes workbooks with).
 */
import { stringify } from 'csv-stringify/sync';
import JSZip from 'jszip';
import type { Report, Section } from '../types';
import { cellText } from './cells';
import type { Output } from './output';

const BATCH = 500;

/** Whether the report's CSV export is a ZIP of one CSV per table. */
export const csvIsZip = (report: Pick<Report, 'sections'>): boolean => report.sections.length > 1;

/** The file name of a table's CSV inside the ZIP. */
export const sectionCsvName = (report: Pick<Report, 'fileBase'>, section: Pick<Section, 'id'>): string =>
  `${report.fileBase}-${section.id.replace(/_/g, '-')}.csv`;

async function writeSection(section: Section, write: (chunk: string) => Promise<void>): Promise<void> {
  await write('\ufeff');
  await write(stringify([section.columns.map((c) => c.key)]));
  let batch: string[][] = [];
  for (const row of section.rows()) {
    batch.push(section.columns.map((c) => cellText(c, row[c.key] ?? null)));
    if (batch.length === BATCH) {
      await write(stringify(batch));
      batch = [];
    }
  }
  if (batch.length > 0) await write(stringify(batch));
}

export async function writeCsv(report: Report, out: Output): Promise<void> {
  if (!csvIsZip(report)) {
    const [section] = report.sections;
    if (section) await writeSection(section, (chunk) => out.write(chunk));
    else await out.write('\ufeff');
    return;
  }
  const zip = new JSZip();
  for (const section of report.sections) {
    const chunks: Buffer[] = [];
    await writeSection(section, async (chunk) => {
      chunks.push(Buffer.from(chunk, 'utf8'));
      out.check();
    });
    zip.file(sectionCsvName(report, section), Buffer.concat(chunks));
  }
  await out.write(await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
}
