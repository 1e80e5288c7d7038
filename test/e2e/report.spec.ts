/**
 * Reports in the browser console: `relaydeck serve` on a temp data dir, Debian's Chromium driven by
 * playwright-core. From the delivery page's Export menu, downloads the summary as CSV (a ZIP of one UTF-8 CSV
 * with BOM per table) and the bounces as XLSX; opens the printable report and waits for it to be ready; screenshots (the report view, light
 * and dark console themes: the report keeps its paper colours) go to test-results/e2e/.
 * Needs the built renderer (`node scripts/build.mjs`, which `npm test` runs first).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import { CreateDeliveryInput } from '../../src/shared/contract/schemas';
import JSZip from 'jszip';
import { csvOf } from '../support/campaign-fixtures';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;
let id: string;
const errors: string[] = [];

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace);
  const created = await served.app.handlers['deliveries.create'](
    CreateDeliveryInput.parse({
      name: 'Report e2e',
      template: { fromAddress: 'news@sender.test', subject: 'Hi {{first_name}}', text: 'Hello' },
      recipients: {
        fileName: 'list.csv',
        csv: csvOf(['ann@inbox.test', 'bob@mail.test', 'unknown.cy@shop.test', 'grey.di@corp.test']),
      },
      // 1 day at x20,000: a 4.3 s validity, ample for first attempts and greylisting retries on a loaded machine
      timeScale: 20_000,
      validityMs: 86_400_000,
    }),
    { transport: 'http' },
  );
  id = created.delivery.id;
  await served.app.campaign.whenRelayed(Number(id));
  await served.app.engine.whenIdle();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => errors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

async function download(testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(byTestId(testId))]);
  const target = path.join(workspace.dir, file.suggestedFilename());
  await file.saveAs(target);
  return { name: file.suggestedFilename(), bytes: fs.readFileSync(target) };
}

describe('reports in the console', () => {
  it('exports from the delivery page menu: summary CSV with a BOM, bounces XLSX', async () => {
    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('nav-deliveries'));
    await page.evaluate((hash) => {
      window.location.hash = hash;
    }, `#/deliveries/${id}`);
    await page.waitForSelector(byTestId('delivery-detail'));
    await page.click(byTestId('export-button'));
    await page.waitForSelector(byTestId('export-menu'));
    await page.screenshot({ path: path.join(SHOTS, 'report-export-menu.png') });

    // The summary has several tables: a ZIP of one CSV (UTF-8 with BOM) per table.
    const csv = await download('export-summary-csv');
    expect(csv.name).toBe(`relaydeck-delivery-${id}-summary.zip`);
    const kpis = await (
      await JSZip.loadAsync(csv.bytes)
    )
      .file(`relaydeck-delivery-${id}-summary-kpis.csv`)
      ?.async('nodebuffer');
    expect([...(kpis ?? Buffer.alloc(0)).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(kpis?.toString('utf8')).toContain('success');

    await page.click(byTestId('export-button'));
    await page.waitForSelector(byTestId('export-menu'));
    const xlsx = await download('export-bounces-xlsx');
    expect(xlsx.name).toBe(`relaydeck-delivery-${id}-bounces.xlsx`);
    expect(xlsx.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  }, 30_000);

  it('opens the printable report from the menu and draws it', async () => {
    await page.click(byTestId('export-button'));
    await page.click(byTestId('printable-report-link'));
    await page.waitForSelector('[data-report-ready="true"]');
    expect(await page.locator(byTestId('report-title')).textContent()).toBe('Report e2e');
    expect(await page.locator(byTestId('report-health')).textContent()).toContain('Hard bounces');
    expect(await page.locator(byTestId('report-failed')).textContent()).toContain('unknown.cy@shop.test');
    await page.locator(byTestId('report-throughput')).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'report-view.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.screenshot({ path: path.join(SHOTS, 'report-view-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    expect(errors).toEqual([]);
  }, 30_000);
});
