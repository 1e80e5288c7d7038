/**
 * Keyboard and failure paths of the console (issue 5, polish), in Debian's Chromium over the browser console
 * on an ephemeral port with a temp data dir:
 * - the delivery log's detail drawer by keyboard: Enter on the focused table opens it, Escape closes it and
 *   focus returns to the table;
 * - stopping the server shows the shell's "lost connection — retrying" banner; a server back on the same
 *   port (same token) clears it and the screen refetches.
 * - the printable report switches kinds (route `#/deliveries/:id/report/:kind`).
 * Screenshots: test-results/e2e/{report-events,report-bounces-empty,connection-lost}-<light|dark>.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/main/api/http-server';
import { openApp, type App } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { nodeDns } from '../../src/main/engine/relay/node-dns';
import { chromiumPrinter } from '../../src/main/node/report-printer';
import { CreateDeliveryInput, type CallContext } from '../../src/shared/contract';
import { byTestId, createWorkspace, launchChromium, RENDERER, SHOTS, type Workspace } from '../support/e2e';
import { fileSecrets } from '../../src/main/secrets/secret-store';

const CTX: CallContext = { transport: 'http' };

let workspace: Workspace;
let app: App;
let server: HttpServer | null = null;
let browser: Browser;
let page: Page;
let deliveryId: string;

async function shoot(name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function startServer(port?: number, token?: string): Promise<HttpServer> {
  return startHttpServer({
    handlers: app.handlers,
    bus: app.bus,
    logger: app.logger,
    staticDir: RENDERER,
    ...(port ? { port } : {}),
    ...(token ? { token } : {}),
  });
}

beforeAll(async () => {
  workspace = createWorkspace();
  app = await openApp({
    clock: systemClock,
    dns: nodeDns,
    reportPrinter: chromiumPrinter,
    secrets: fileSecrets,
    dataDir: workspace.dataDir,
    logger: workspace.logger,
  });
  const created = await app.handlers['deliveries.create'](
    CreateDeliveryInput.parse({
      name: 'Keyboard check',
      template: { fromAddress: 'news@relaydeck.test', subject: 'Hello', text: 'Hi' },
      recipients: {
        fileName: 'list.csv',
        csv: ['email', ...Array.from({ length: 8 }, (_, i) => `user${i}@inbox.test`)].join('\n'),
      },
      timeScale: 100_000,
    }),
    CTX,
  );
  deliveryId = created.delivery.id;
  await app.campaign.whenRelayed(Number(deliveryId));
  await app.engine.whenIdle();
  server = await startServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  workspace?.remove();
});

describe('console polish', () => {
  it('opens the log drawer with Enter from the table, closes it with Escape, and returns focus', async () => {
    if (!server) throw new Error('no server');
    await page.goto(server.consoleUrl);
    await page.evaluate((h) => (window.location.hash = h), `#/deliveries/${deliveryId}`);
    await page.click('#delivery-tab-log');
    await page.waitForSelector(byTestId('log-row'));
    const table = page.locator(byTestId('log-table'));
    await table.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector(byTestId('log-drawer'));
    // The second row (ArrowDown from the first) is the one opened.
    expect(await page.locator(`${byTestId('log-drawer')} h2`).textContent()).toBe('user1@inbox.test');
    // Focus is inside the modal drawer, on a control with a visible focus ring.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForSelector(byTestId('log-drawer'), { state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('log-table');
  });

  it('switches the printable report between kinds: title block, then the kind’s tables or their empty state', async () => {
    if (!server) throw new Error('no server');
    await page.evaluate((h) => (window.location.hash = h), `#/deliveries/${deliveryId}/report`);
    await page.waitForSelector('[data-report-ready="true"][data-report-kind="summary"]');
    await page.selectOption(byTestId('report-kind-select'), 'events');
    await page.waitForSelector('[data-report-ready="true"][data-report-kind="events"]');
    expect(await page.evaluate(() => window.location.hash)).toBe(`#/deliveries/${deliveryId}/report/events`);
    expect(await page.locator(byTestId('report-kind')).textContent()).toContain('Per-message events');
    expect(await page.locator(byTestId('report-section-events')).textContent()).toContain('user0@inbox.test');
    await shoot('report-events');
    await page.selectOption(byTestId('report-kind-select'), 'bounces');
    await page.waitForSelector('[data-report-ready="true"][data-report-kind="bounces"]');
    // Nothing failed: each table says so instead of an empty grid.
    expect(await page.locator(byTestId('report-section-recipients')).textContent()).toContain('No rows.');
    await shoot('report-bounces-empty');
  });

  it('shows a lost-connection banner when the server stops and clears it when the server is back', async () => {
    if (!server) throw new Error('no server');
    const { port, token } = server;
    await page.evaluate((h) => (window.location.hash = h), '#/deliveries');
    await page.waitForSelector(byTestId('deliveries-page'));
    expect(await page.locator(byTestId('connection-banner')).count()).toBe(0);

    await server.close();
    server = null;
    await page.waitForSelector(byTestId('connection-banner'), { timeout: 15_000 });
    expect(await page.locator(byTestId('connection-banner')).textContent()).toContain(
      'Lost connection to Relaydeck — reconnecting',
    );
    await shoot('connection-lost');

    // Back on the same port with the same token (as a restarted `relaydeck serve --port` would be).
    server = await startServer(port, token);
    await page.waitForSelector(byTestId('connection-banner'), { state: 'detached', timeout: 15_000 });
    await page.waitForSelector(byTestId('deliveries-page'));
  }, 60_000);
});
