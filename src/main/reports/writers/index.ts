/** Writes a report in a tabular format (PDF is printed from the report view: see ../pdf). */
import type { ReportFormat } from '../../../shared/contract/reports';
import type { Report } from '../types';
import { csvIsZip, writeCsv } from './csv';
import { writeJsonLines } from './jsonl';
import type { Output } from './output';
import { writeXlsx } from './xlsx';

export type TabularFormat = Exclude<ReportFormat, 'pdf'>;

export async function writeReport(report: Report, format: TabularFormat, out: Output): Promise<void> {
  switch (format) {
    case 'csv':
      return writeCsv(report, out);
    case 'json':
      return writeJsonLines(report, out);
    case 'xlsx':
      return writeXlsx(report, out);
  }
}

export const MIME_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

export const EXTENSIONS: Record<ReportFormat, string> = {
  csv: 'csv',
  json: 'jsonl',
  xlsx: 'xlsx',
  pdf: 'pdf',
};

/** The extension and MIME type of a report's export: a CSV of several tables is a ZIP of one CSV per table. */
export function exportFileType(
  report: Pick<Report, 'sections'> | null,
  format: ReportFormat,
): { extension: string; mimeType: string } {
  if (format === 'csv' && report && csvIsZip(report))
    return { extension: 'zip', mimeType: 'application/zip' };
  return { extension: EXTENSIONS[format], mimeType: MIME_TYPES[format] };
}
