/**
 * Handlers of the report methods (SPEC §7): the data of the printable report view and exports of every
 * kind and format. PDFs are printed by the injected printer (Electron's hidden window, or a headless Chromium
 * over an in-process console server: src/main/node/report-printer.ts).
 */
import type { Handlers } from '../../shared/contract';
import { exportReport } from '../reports/export';
import { buildReportView } from '../reports/report-view';
import type { HandlerDeps } from './handler-deps';

type ReportMethods = 'reports.view' | 'reports.export';

export function createReportHandlers(deps: HandlerDeps): Pick<Handlers, ReportMethods> {
  const { db, clock, reportPrinter } = deps;
  return {
    'reports.view': (input) => buildReportView(db, input, clock.now()),
    'reports.export': (input) => exportReport(input, { db, now: clock.now(), printer: reportPrinter }),
  };
}
