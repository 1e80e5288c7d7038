/**
 * Handlers of the report methods (SPEC §7): the data of the printable report view and exports of every
 * kind and format. PDFs are printed by the injected printer (Electron's hidden window) or, by default, by a
 * headless Chromium over an in-process console server (src/main/reports/pdf/chromium.ts).
 */
import type { Handlers } from '../../shared/contract';
import { systemClock } from '../engine/clock';
import { exportReport } from '../reports/export';
import { createChromiumPrinter } from '../reports/pdf/chromium';
import type { ReportPrinter } from '../reports/pdf/printer';
import { buildReportView } from '../reports/report-view';
import { silentLogger } from '../logger';
import type { HandlerDeps } from './handlers';

type ReportMethods = 'reports.view' | 'reports.export';

/** `self` gives the complete handlers (the default PDF printer serves them to the report view). */
export function createReportHandlers(deps: HandlerDeps, self: () => Handlers): Pick<Handlers, ReportMethods> {
  const clock = deps.clock ?? systemClock;
  let printer: ReportPrinter | null = deps.reportPrinter ?? null;
  const getPrinter = () =>
    (printer ??= createChromiumPrinter({ handlers: self(), logger: deps.logger ?? silentLogger }));

  return {
    'reports.view': (input) => buildReportView(deps.db, input, clock.now()),
    'reports.export': (input) => exportReport(input, { db: deps.db, now: clock.now(), printer: getPrinter }),
  };
}
