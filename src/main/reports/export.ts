/**
 * A report as a file in memory, for the API (`reports.export`): capped at REPORT_EXPORT_MAX_BYTES — the
 * writer stops as soon as the cap is crossed and the caller is told to use the CLI, which streams to a file.
 */
import {
  REPORT_EXPORT_MAX_BYTES,
  type ReportFile,
  type ReportFormat,
  type ReportKind,
} from '../../shared/contract/reports';
import { AppError } from '../../shared/contract/errors';
import type { Db } from '../store/db';
import { getDelivery, parseId } from '../store/deliveries-repo';
import { buildReport } from './build';
import { pdfFileBase } from './kinds/common';
import type { ReportPrinter } from './pdf/printer';
import { exportFileType, writeReport } from './writers';
import { CappedBuffer, endStream, Output } from './writers/output';

export interface ExportRequest {
  deliveryId: string;
  kind: ReportKind;
  format: ReportFormat;
}

export interface ExportDeps {
  db: Db;
  now: number;
  /** Prints PDFs (of delivery reports only). */
  printer: Pick<ReportPrinter, 'print'>;
  maxBytes?: number;
}

export function tooLargeError(r: ExportRequest, maxBytes: number): AppError {
  return new AppError(
    'conflict',
    `This ${r.kind} report is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the console's export limit: ` +
      `export it with the CLI: relaydeck report --delivery ${r.deliveryId} --kind ${r.kind} --format ${r.format} --out FILE`,
  );
}

export async function exportReport(r: ExportRequest, deps: ExportDeps): Promise<ReportFile> {
  const maxBytes = deps.maxBytes ?? REPORT_EXPORT_MAX_BYTES;
  let content: Buffer;
  let fileBase: string;
  let type = exportFileType(null, r.format);
  if (r.format === 'pdf') {
    const delivery = getDelivery(deps.db, parseId(r.deliveryId), deps.now);
    fileBase = pdfFileBase(r.kind, delivery);
    content = await deps.printer.print(delivery.id, r.kind);
    if (content.length > maxBytes) throw tooLargeError(r, maxBytes);
  } else {
    const report = buildReport(deps.db, r.deliveryId, r.kind, deps.now);
    fileBase = report.fileBase;
    type = exportFileType(report, r.format);
    const sink = new CappedBuffer(maxBytes, () => tooLargeError(r, maxBytes));
    // Without a listener, the cap's error would be thrown as an uncaught 'error' event.
    sink.on('error', () => undefined);
    await writeReport(report, r.format, new Output(sink));
    await endStream(sink);
    content = sink.contents();
  }
  return {
    fileName: `${fileBase}.${type.extension}`,
    mimeType: type.mimeType,
    bytes: content.length,
    contentBase64: content.toString('base64'),
  };
}
