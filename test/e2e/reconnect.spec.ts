/**
 * A stable console URL per data directory (issue 14 point 13): `relaydeck serve` on a temp data dir, a Chromium
 * tab on its console; the server stops (the tab shows it is reconnecting), a delivery is written to the data dir
 * meanwhile, the server starts again on the same data dir: same URL, and the same tab reconnects by itself and
 * shows the delivery written while it was away. Needs the built renderer.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/main/app';
import type { Served } from '../../src/main/node/serve';
import { CreateDeliveryInput } from '../../src/shared/contract';
import { TEST_APP } from '../support/app-options';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

let workspace: Workspace;
let served: Served | null = null;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  workspace = createWorkspace();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

describe('console URL across restarts', () => {
  it('keeps the URL; the open tab reconnects by itself and shows fresh data', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const first = await serveConsole(workspace);
    served = first;
    await page.goto(first.consoleUrl);
    await page.waitForSelector(byTestId('deliveries-empty'));

    await first.close();
    served = null;
    await page.waitForSelector(byTestId('connection-banner'));
    const whileDown = (await page.locator(byTestId('connection-banner')).textContent()) ?? '';
    await page.screenshot({ path: path.join(SHOTS, 'console-reconnecting.png') });

    // Written to the data dir while no server runs (as `relaydeck deliver` would).
    const app = await openApp({
      ...TEST_APP,
      dataDir: workspace.dataDir,
      engine: false,
      sandbox: false,
      inmail: false,
    });
    try {
      await app.handlers['deliveries.create'](
        CreateDeliveryInput.parse({
          name: 'Written while the console was down',
          template: { fromAddress: 'news@relaydeck.test', subject: 'Hello', text: 'Hi' },
          recipients: { fileName: 'one.csv', csv: 'email\nann@inbox.test' },
        }),
        { transport: 'http' },
      );
    } finally {
      await app.close();
    }

    const second = await serveConsole(workspace);
    served = second;
    expect(second.consoleUrl).toBe(first.consoleUrl);
    expect(second.portFallback).toBeNull();
    expect(whileDown).toContain('Lost connection to Relaydeck — reconnecting…');
    // No reload: the same tab finds the server again and refetches what it shows.
    await page.getByText('Written while the console was down').waitFor();
    await page.waitForSelector(byTestId('connection-banner'), { state: 'detached' });
    await page.screenshot({ path: path.join(SHOTS, 'console-reconnected.png') });
    expect(errors).toEqual([]);
  });
});
