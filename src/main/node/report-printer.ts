/**
 * PDF reports without Electron (`relaydeck serve`, the CLI), beside Electron's printer
 * (src/main/electron/report-printer.ts) with the same interface: the report view printed by a headless Chromium
 * driven by playwright-core. The view is served by a console HTTP server started in-process on an ephemeral
 * loopback port for the time of the print (over the same handlers, so the same data dir), with its own
 * per-launch token. In src/main/node because it starts an API server: the report code stays below the API.
 */
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/contract/errors';
import { createEventBus } from '../api/event-bus';
import { startHttpServer } from '../api/http-server';
import type { Logger } from '../logger';
import { defaultRendererDir } from '../paths';
import {
  footerTemplate,
  PDF_LANDSCAPE,
  PDF_MARGINS_MM,
  READY_SELECTOR,
  READY_TIMEOUT_MS,
  reportRoute,
  simulationReportRoute,
  type ReportPrinter,
  type ReportPrinterFactory,
} from '../reports/pdf/printer';

export const CHROMIUM_ENV = 'RELAYDECK_CHROMIUM';
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** `$RELAYDECK_CHROMIUM`, else the first installed of the usual paths. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, exists = fs.existsSync): string {
  const configured = env[CHROMIUM_ENV]?.trim();
  if (configured) {
    if (!exists(configured))
      throw new AppError('unavailable', `${CHROMIUM_ENV} is set to ${configured}, which does not exist`);
    return configured;
  }
  const found = CHROMIUM_CANDIDATES.find((p) => exists(p));
  if (!found)
    throw new AppError(
      'unavailable',
      `PDF reports need Chromium: none found at ${CHROMIUM_CANDIDATES.join(', ')}; set ${CHROMIUM_ENV} to a Chromium or Chrome executable`,
    );
  return found;
}

export interface ChromiumPrinterOptions {
  /** The handlers the report view calls (the app's), read when printing (see `ReportPrinterFactory`). */
  handlers: () => Handlers;
  logger: Logger;
  /** The built renderer, looked up at each print (null = not built: printing fails clearly). */
  rendererDir: () => string | null;
  env?: NodeJS.ProcessEnv;
}

/** The node printer for `openApp`, over the built renderer found next to the running code. */
export const chromiumPrinter: ReportPrinterFactory = ({ handlers, logger }) =>
  createChromiumPrinter({ handlers, logger, rendererDir: defaultRendererDir });

export function createChromiumPrinter(o: ChromiumPrinterOptions): ReportPrinter {
  /** Opens the console at `route` in a headless Chromium over an in-process server and prints it. */
  const printRoute = async (
    handlers: Handlers,
    route: string,
    footerName: string,
    landscape: boolean,
  ): Promise<Buffer> => {
    const executablePath = findChromium(o.env);
    const staticDir = o.rendererDir();
    if (!staticDir)
      throw new AppError(
        'unavailable',
        'PDF reports print the console’s report view, and the console is not built (run npm run build)',
      );
    const bus = createEventBus();
    const server = await startHttpServer({ handlers, bus, logger: o.logger, staticDir });
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage({
        viewport: landscape ? { width: 1400, height: 1000 } : { width: 1024, height: 1400 },
      });
      await page.goto(server.consoleUrl);
      // The console keeps the token and drops it from the address; then open the report route.
      await page.waitForFunction(() => !window.location.hash.startsWith('#token='));
      await page.evaluate((hash) => {
        window.location.hash = hash;
      }, `#${route}`);
      const shown = await page.waitForSelector(`${READY_SELECTOR}, [data-report-error]`, {
        timeout: READY_TIMEOUT_MS,
      });
      const failure = await shown?.getAttribute('data-report-error');
      if (failure) throw new AppError('internal', `The report view failed: ${failure}`);
      await page.emulateMedia({ media: 'print' });
      return await page.pdf({
        format: 'A4',
        landscape,
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: footerTemplate(footerName),
        margin: {
          top: `${PDF_MARGINS_MM.top}mm`,
          bottom: `${PDF_MARGINS_MM.bottom}mm`,
          left: `${PDF_MARGINS_MM.left}mm`,
          right: `${PDF_MARGINS_MM.right}mm`,
        },
      });
    } finally {
      await browser.close().catch(() => undefined);
      await server.close();
      bus.close();
    }
  };

  return {
    async print(deliveryId, kind) {
      // The delivery must exist before Chromium starts (a clear not_found instead of a timeout).
      const handlers = o.handlers();
      const delivery = await handlers['deliveries.get']({ id: deliveryId }, { transport: 'http' });
      return printRoute(handlers, reportRoute(deliveryId, kind), delivery.name, PDF_LANDSCAPE[kind]);
    },
    async printSimulation(simulationId) {
      const handlers = o.handlers();
      const simulation = await handlers['simulations.get']({ id: simulationId }, { transport: 'http' });
      return printRoute(handlers, simulationReportRoute(simulationId), simulation.name, true);
    },
  };
}
