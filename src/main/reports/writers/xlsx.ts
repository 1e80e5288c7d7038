/**
 * XLSX with exceljs's streaming workbook writer (rows are committed as they come, so the workbook is never
 * whole in memory): a "Report" sheet with the header block, then one sheet per section with a styled, frozen
 * header row, column widths, and typed cells (dates as dates in UTC, rates with a % format, counts as
 * integers).
 */
import ExcelJS from 'exceljs';
import type { Cell, Column, Report } from '../types';
import type { Output } from './output';

const NUM_FMT: Record<Column['type'], string | undefined> = {
  text: undefined,
  int: '#,##0',
  number: '0.000',
  percent: '0.00%',
  date: 'yyyy-mm-dd hh:mm:ss',
  bool: undefined,
};

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F3A5F' } };
const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FFFFFFFF' } };

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\ , unique in the workbook. */
export function sheetName(title: string, taken: Set<string>): string {
  const base =
    title
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31)
      .trim() || 'Sheet';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++)
    name = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

function cellValue(column: Column, value: Cell): ExcelJS.CellValue {
  if (value === null) return null;
  if (column.type === 'date' && typeof value === 'number') return new Date(value);
  // An ISO 8601 text in a date column (never written by the kinds, but a date must never land as text).
  if (column.type === 'date' && typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? value : new Date(at);
  }
  return value;
}

export async function writeXlsx(report: Report, out: Output): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out.stream as unknown as import('node:stream').Stream,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Relaydeck';
  workbook.title = report.title;
  const taken = new Set<string>();

  const about = workbook.addWorksheet(sheetName('Report', taken));
  about.columns = [
    { key: 'label', width: 18 },
    { key: 'value', width: 80 },
  ];
  const title = about.addRow([report.title]);
  title.font = { bold: true, size: 14 };
  title.commit();
  about.addRow([]).commit();
  for (const item of report.header) {
    const row = about.addRow([item.label, item.at === undefined ? item.value : new Date(item.at)]);
    row.getCell(1).font = { bold: true };
    if (item.at !== undefined) {
      row.getCell(2).numFmt = NUM_FMT.date ?? '';
      row.getCell(2).alignment = { horizontal: 'left' };
    }
    row.commit();
  }
  about.addRow([]).commit();
  about.addRow(['Sheets', report.sections.map((s) => s.title).join(', ')]).commit();
  about.addRow(['Times', 'UTC']).commit();
  about.commit();

  for (const section of report.sections) {
    const sheet = workbook.addWorksheet(sheetName(section.title, taken), {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = section.columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width ?? 14,
      ...(NUM_FMT[c.type] ? { style: { numFmt: NUM_FMT[c.type] } } : {}),
    }));
    const header = sheet.getRow(1);
    header.font = HEADER_FONT;
    header.fill = HEADER_FILL;
    header.alignment = { vertical: 'middle' };
    header.commit();
    let n = 0;
    const dateColumns = section.columns.flatMap((c, i) => (c.type === 'date' ? [i + 1] : []));
    for (const row of section.rows()) {
      const added = sheet.addRow(section.columns.map((c) => cellValue(c, row[c.key] ?? null)));
      // The number format on each date cell, not only on its column: readers that ignore column styles
      // (and exceljs's own reader) see a date, never a bare serial number.
      for (const i of dateColumns) added.getCell(i).numFmt = NUM_FMT.date ?? '';
      added.commit();
      if (++n % 1000 === 0) {
        out.check();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (n > 0)
      sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: section.columns.length } };
    sheet.commit();
  }
  await workbook.commit();
  out.check();
}
