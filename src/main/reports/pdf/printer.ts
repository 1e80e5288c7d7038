/**
 * PDF reports are the console's printable report view (`#/deliveries/:id/report`, and
 * `#/deliveries/:id/report/:kind` for the other kinds; `#/simulator/:id/report` for a simulation's comparison of
 * scenarios, A4 landscape) printed by Chromium: by
 * Electron's own (a hidden window, src/main/electron/report-printer.ts) or, without Electron, by a Chromium
 * driven with playwright-core (src/main/node/report-printer.ts). The view sets `data-report-ready` once its data
 * and charts are drawn; both printers wait for it. The composition roots build the printer and give it to the
 * app; the report code only knows this interface.
 */
import type { Handlers } from '../../../shared/contract';
import { REPORT_PDF_LANDSCAPE, type ReportKind } from '../../../shared/contract/reports';
import type { Logger } from '../../logger';

export interface ReportPrinter {
  /** The PDF of one kind of a delivery's report. */
  print(deliveryId: string, kind: ReportKind): Promise<Buffer>;
  /** The PDF of a finished simulation's comparison of scenarios (A4 landscape: the tables are wide). */
  printSimulation(simulationId: string): Promise<Buffer>;
}

/**
 * How an entry point gives `openApp` its printer. A factory because the node printer serves the app's own
 * handlers to the report view while being one of their collaborators: it gets them as a getter, read only when
 * it prints (after the app is open).
 */
export type ReportPrinterFactory = (app: { handlers: () => Handlers; logger: Logger }) => ReportPrinter;

/** The hash route of the printable report view of a kind (the summary's is the plain report route). */
export const reportRoute = (deliveryId: string, kind: ReportKind): string =>
  `/deliveries/${encodeURIComponent(deliveryId)}/report${kind === 'summary' ? '' : `/${kind}`}`;

/** The hash route of the printable comparison of a simulation's scenarios. */
export const simulationReportRoute = (simulationId: string): string =>
  `/simulator/${encodeURIComponent(simulationId)}/report`;

/** Whether a kind's PDF is printed on A4 landscape (the shared decision the report view follows too). */
export const PDF_LANDSCAPE = REPORT_PDF_LANDSCAPE;

/** The selector both printers wait on. */
export const READY_SELECTOR = '[data-report-ready="true"]';

/** Longest wait for the view to load its data and draw. */
export const READY_TIMEOUT_MS = 30_000;

/** Page numbers in the footer (Chromium fills the `pageNumber` / `totalPages` spans). */
export function footerTemplate(deliveryName: string): string {
  const escaped = deliveryName.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<div style="font-family: system-ui, sans-serif; font-size: 8px; color: #5b6472; width: 100%;
    padding: 0 12mm; display: flex; justify-content: space-between;">
    <span>Relaydeck · ${escaped}</span>
    <span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}

export const PDF_MARGINS_MM = { top: 12, bottom: 16, left: 12, right: 12 };
