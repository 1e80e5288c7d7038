/**
 * Issue 14.1 and 14.8 (CSV part) in the console: a Windows-1252 list from Excel uploaded on New delivery
 * previews with "Zoë" and "Encoding: Windows-1252 (detected)"; reading it as UTF-8 instead shows the problem
 * plainly, with its lines, exactly once on the screen (also after a refused "Create"), and no internal code;
 * back to the detected encoding, the delivery is created.
 * A list without an email column is said once too, before and after Create.
 * Screenshots: test-results/e2e/csv-encoding-{detected,utf8-refused,create-refused}.png, csv-no-email-column.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import {
  ROOT,
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
  createAndStart,
} from '../support/e2e';

const CP1252 = fs.readFileSync(path.join(ROOT, 'test/fixtures/csv/excel-cp1252.csv'));
const PROBLEM = 'excel.csv cannot be read as UTF-8';

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const text = async (id: string) => (await page.locator(byTestId(id)).first().textContent())?.trim() ?? '';
/** How many times the page's text says it: the CSV error must be said once. */
const occurrences = (needle: string) =>
  page.evaluate((n) => document.body.innerText.split(n).length - 1, needle);

describe('a Windows-1252 list on New delivery', () => {
  it('is detected, can be read in another encoding, and its error is shown once, plainly', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('deliveries-empty'));
    await page.click(byTestId('empty-new-delivery'));
    await page.waitForSelector(byTestId('new-delivery-form'));

    await page.fill(byTestId('delivery-name'), 'Excel list');
    await page.fill(byTestId('from-address'), 'news@relaydeck.test');
    await page.fill(byTestId('subject'), 'Hello {{first_name}}');
    await page.fill(byTestId('body-text'), 'Hello {{first_name}} {{last_name}}: {{offer}}');
    await page.setInputFiles(byTestId('recipients-file-input'), {
      name: 'excel.csv',
      mimeType: 'text/csv',
      buffer: CP1252,
    });
    await page.waitForSelector(byTestId('recipients-preview'));
    expect(await text('recipients-encoding')).toBe('Windows-1252 (detected)');
    expect(await text('preview-rows')).toContain('Zoë');
    expect(await text('preview-rows')).toContain('€ 5 off');
    expect(await text('preview-valid')).toBe('5');
    expect(await text('preview-subject')).toBe('Hello Zoë');
    await page.screenshot({ path: path.join(SHOTS, 'csv-encoding-detected.png'), fullPage: true });

    // Read as UTF-8: refused, naming the lines, nothing replaced; said once, without an internal code.
    await page.selectOption(byTestId('recipients-encoding-select'), 'utf-8');
    await page.waitForSelector(byTestId('recipients-list-error'));
    expect(await text('recipients-encoding')).toBe('UTF-8 (chosen)');
    const listError = await text('recipients-list-error');
    expect(listError).toContain('excel.csv cannot be read as UTF-8: lines 2, 3, 4, 5, 6');
    expect(listError).toContain('It looks like Windows-1252');
    expect(listError).toContain('Line 2');
    expect(listError).toContain('byte 0xEB cannot be read as UTF-8');
    expect(await page.locator(byTestId('recipients-preview')).count()).toBe(0);
    expect(await occurrences(PROBLEM)).toBe(1);
    expect(await occurrences('csv_invalid')).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'csv-encoding-utf8-refused.png'), fullPage: true });

    // Create anyway: the server refuses the same list; still said once, in the Recipients card.
    await page.click(byTestId('submit-delivery'));
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="submit-delivery"]')?.textContent?.includes('Create and'),
    );
    await page.waitForSelector(byTestId('recipients-list-error'));
    expect(await occurrences(PROBLEM)).toBe(1);
    expect(await occurrences('csv_invalid')).toBe(0);
    expect(await page.locator(byTestId('error-banner')).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'csv-encoding-create-refused.png'), fullPage: true });

    // Back to the detected encoding: the preview returns and the delivery is created.
    await page.selectOption(byTestId('recipients-encoding-select'), '');
    await page.waitForSelector(byTestId('recipients-preview'));
    expect(await text('recipients-encoding')).toBe('Windows-1252 (detected)');
    expect(await page.locator(byTestId('recipients-list-error')).count()).toBe(0);
    await createAndStart(page);
    expect(errors).toEqual([]);
  });

  it('says why a list cannot be read once, without the internal code, also after Create', async () => {
    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('transport-badge'));
    await page.evaluate(() => (location.hash = '#/deliveries/new'));
    await page.waitForSelector(byTestId('new-delivery-form'));
    await page.fill(byTestId('delivery-name'), 'No email column');
    await page.fill(byTestId('from-address'), 'news@relaydeck.test');
    await page.fill(byTestId('subject'), 'Hello');
    await page.fill(byTestId('body-text'), 'Hello');
    await page.setInputFiles(byTestId('recipients-file-input'), {
      name: 'names.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,city\nZoë,Zürich\n'),
    });
    const said = 'names.csv has no "email" column';
    await page.waitForFunction((t) => document.body.innerText.includes(t), said);
    expect(await occurrences(said)).toBe(1);
    await page.click(byTestId('submit-delivery'));
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="submit-delivery"]')?.textContent?.includes('Create and'),
    );
    await page.waitForFunction((t) => document.body.innerText.includes(t), said);
    expect(await occurrences(said)).toBe(1);
    expect(await occurrences('the header row must contain an "email" column')).toBe(1);
    expect(await occurrences('csv_invalid')).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'csv-no-email-column.png'), fullPage: true });
  });
});
