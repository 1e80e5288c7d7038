/**
 * JSON lines: one object per row, keys in column order (a `section` key first when the report has several
 * sections); the summary is one object on one line.
 */
import type { Report } from '../types';
import { cellJson } from './cells';
import type { Output } from './output';

export async function writeJsonLines(report: Report, out: Output): Promise<void> {
  if (report.document) {
    await out.write(`${JSON.stringify(report.document)}\n`);
    return;
  }
  const tagged = report.sections.length > 1;
  for (const section of report.sections) {
    let lines = '';
    let n = 0;
    for (const row of section.rows()) {
      const record: Record<string, unknown> = tagged ? { section: section.id } : {};
      for (const c of section.columns) record[c.key] = cellJson(c, row[c.key] ?? null);
      lines += `${JSON.stringify(record)}\n`;
      if (++n % 500 === 0) {
        await out.write(lines);
        lines = '';
      }
    }
    if (lines) await out.write(lines);
  }
}
