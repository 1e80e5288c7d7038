/**
 * PDF reports in the desktop app: the report view loaded in a hidden, hardened window (same preload, so it
 * reads the data over the same IPC contract), printed with Chromium's own `printToPDF` once the view sets
 * `data-report-ready` (A4: landscape for the wide kinds of PDF_LANDSCAPE and a simulation's comparison, else portrait).
 */
import { BrowserWindow } from 'electron';
import { AppError } from '../../shared/contract/errors';
import {
  footerTemplate,
  PDF_LANDSCAPE,
  PDF_MARGINS_MM,
  READY_SELECTOR,
  READY_TIMEOUT_MS,
  reportRoute,
  simulationReportRoute,
  type ReportPrinter,
} from '../reports/pdf/printer';

const MM_PER_INCH = 25.4;

/** Runs in the page: resolves with null when the view is ready, or with its error message. */
const waitForView = (timeoutMs: number) => `new Promise((resolve) => {
  const check = () => {
    if (document.querySelector(${JSON.stringify(READY_SELECTOR)})) return resolve(null), true;
    const failed = document.querySelector('[data-report-error]');
    if (failed) return resolve(failed.getAttribute('data-report-error') || 'error'), true;
    return false;
  };
  if (check()) return;
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  setTimeout(() => { observer.disconnect(); resolve('the report view did not finish loading'); }, ${timeoutMs});
})`;

export function createElectronReportPrinter(o: { indexHtml: string; preload: string }): ReportPrinter {
  const printRoute = async (route: string, landscape: boolean): Promise<Buffer> => {
    const win = new BrowserWindow({
      show: false,
      width: landscape ? 1400 : 1000,
      height: landscape ? 1000 : 1400,
      webPreferences: {
        preload: o.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    try {
      await win.loadFile(o.indexHtml, { hash: route });
      const failure = (await win.webContents.executeJavaScript(waitForView(READY_TIMEOUT_MS))) as
        string | null;
      if (failure) throw new AppError('internal', `The report view failed: ${failure}`);
      const name = (await win.webContents.executeJavaScript(
        `document.querySelector('[data-testid="report-title"]')?.textContent ?? ''`,
      )) as string;
      return await win.webContents.printToPDF({
        pageSize: 'A4',
        landscape,
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: footerTemplate(name),
        margins: {
          top: PDF_MARGINS_MM.top / MM_PER_INCH,
          bottom: PDF_MARGINS_MM.bottom / MM_PER_INCH,
          left: PDF_MARGINS_MM.left / MM_PER_INCH,
          right: PDF_MARGINS_MM.right / MM_PER_INCH,
        },
      });
    } finally {
      win.destroy();
    }
  };
  return {
    print: (deliveryId, kind) => printRoute(reportRoute(deliveryId, kind), PDF_LANDSCAPE[kind]),
    printSimulation: (simulationId) => printRoute(simulationReportRoute(simulationId), true),
  };
}
