/**
 * The console end to end: `relaydeck serve` on a temp data dir and an ephemeral port, Debian's Chromium driven by
 * playwright-core. Creates a delivery through the form from a CSV file against the sandbox, watches it finish,
 * checks the status counts, the log table (filter, drawer with attempts) and saves screenshots.
 * Needs the built renderer (`node scripts/build.mjs`, which `npm test` runs first).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
  createAndStart,
} from '../support/e2e';

// Sandbox behaviour by local part: grey* is deferred once then accepted, unknown* is rejected 550 5.1.1.
const CSV = [
  'email,first_name',
  'alice@inbox.test,Alice',
  'bob@mail.test,Bob',
  'grey.carol@corp.test,Carol',
  'unknown.dan@shop.test,Dan',
  'Alice@inbox.test,Alice again',
  'not-an-address,Eve',
].join('\n');

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const text = async (id: string) => (await page.locator(byTestId(id)).first().textContent())?.trim() ?? '';

describe('console', () => {
  it('creates a delivery from a CSV through the form and shows its outcome', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('deliveries-empty'));
    expect(page.url()).not.toContain('token=');
    expect(await text('transport-badge')).toBe('Browser');

    await page.click(byTestId('empty-new-delivery'));
    await page.waitForSelector(byTestId('new-delivery-form'));

    // Client-side checks before anything is sent.
    await page.click(byTestId('submit-delivery'));
    await page.waitForSelector(byTestId('error-delivery-name'));

    await page.fill(byTestId('delivery-name'), 'E2E newsletter');
    await page.setInputFiles(byTestId('recipients-file-input'), {
      name: 'e2e.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    await page.waitForSelector(byTestId('recipients-preview'));
    expect(await text('preview-total')).toBe('6');
    expect(await text('preview-duplicates')).toBe('1');
    expect(
      await page
        .locator(`${byTestId('preview-row-errors')} li`)
        .first()
        .textContent(),
    ).toContain('Line 7');

    await page.fill(byTestId('from-address'), 'news@relaydeck.test');
    await page.click(byTestId('subject'));
    await page.keyboard.type('Hello ');
    await page.click(byTestId('placeholder-first_name'));
    expect(await page.inputValue(byTestId('subject'))).toBe('Hello {{first_name}}');
    expect(await text('preview-subject')).toBe('Hello Alice');
    await page.fill(byTestId('body-text'), 'Hi {{first_name}}, this is a test.');
    await page.screenshot({ path: path.join(SHOTS, 'new-delivery.png') });

    await createAndStart(page);
    await page.waitForSelector(`${byTestId('state-badge')}:has-text("Completed")`, { timeout: 90_000 });

    expect(await text('count-sent')).toBe('3');
    expect(await text('count-failed')).toBe('1');
    expect(await text('count-ignored')).toBe('1');
    expect(await text('count-pending')).toBe('0');
    await page.click('#delivery-tab-log');
    // the log tab fetches its first page when it opens: wait for it (bounded) rather than read 'Loading…'
    await expect.poll(() => text('log-total'), { timeout: 10_000 }).toBe('5 messages');
    await page.waitForSelector(byTestId('log-row'));
    await page.screenshot({ path: path.join(SHOTS, 'delivery-detail.png') });

    // The failed tile filters the log to the rejected recipient; its drawer lists the 550 attempt.
    await page.click(`button:has(${byTestId('count-failed')})`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="log-row"]').length === 1);
    expect(await text('log-row')).toContain('unknown.dan@shop.test');
    await page.click(byTestId('log-row'));
    await page.waitForSelector(byTestId('attempt'));
    expect(await text('attempt')).toContain('550');
    await page.keyboard.press('Escape');

    // Searching by @domain finds the greylisted recipient, accepted on retry (two attempts).
    await page.click(byTestId('filter-clear'));
    await page.fill(byTestId('log-search'), '@corp.test');
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid="log-row"]');
      return rows.length === 1 && rows[0]?.textContent?.includes('grey.carol@corp.test');
    });
    expect(await text('log-row')).toMatch(/Sent.*2/);

    await page.click(byTestId('nav-deliveries'));
    await page.waitForSelector(byTestId('delivery-row'));
    expect(await text('delivery-row')).toContain('E2E newsletter');
    await page.screenshot({ path: path.join(SHOTS, 'deliveries.png') });
    expect(errors).toEqual([]);
  });
});
