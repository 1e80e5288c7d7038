/**
 * The delivery log's drawer shows the reports received after a message's SMTP attempts (issue 14 point 6): a
 * sandbox receiver accepts (250), then sends a DSN 5.1.1 to the inMail listener; the drawer lists "Accepted
 * 250", then "Bounced later: DSN 5.1.1 …", then the status Failed, and opens that DSN in Inbound mail.
 * `relaydeck serve` on a temp data dir (sandbox and inMail listener on loopback), Debian's Chromium.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import { CreateDeliveryInput, type CallContext } from '../../src/shared/contract';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

const CTX: CallContext = { transport: 'http' };
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

describe('log drawer', () => {
  it('shows the attempts and the DSN received later, in time order, and opens the DSN in Inbound mail', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const created = await served.app.handlers['deliveries.create'](
      CreateDeliveryInput.parse({
        name: 'Async bounce',
        template: { fromAddress: 'news@relaydeck.test', subject: 'Hello', text: 'Hi' },
        recipients: { fileName: 'one.csv', csv: 'email\ndsn.bob@inbox.test' },
        timeScale: 20_000,
      }),
      CTX,
    );
    const id = created.delivery.id;
    await page.goto(served.consoleUrl);
    await page.goto(`${served.url}#/deliveries/${id}`);
    // The DSN arrives after the 250: the row ends Failed.
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === '1',
      byTestId('count-failed'),
      { timeout: 60_000 },
    );
    await page.click('#delivery-tab-log');
    await page.waitForSelector(byTestId('log-row'));
    await page.click(byTestId('log-row'));
    await page.waitForSelector(byTestId('report-event'));
    const items = await page
      .locator(`${byTestId('attempts')} > li`)
      .evaluateAll((lis) => lis.map((li) => (li as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^Accepted .* 250 /);
    expect(items[1]).toMatch(
      /^Bounced later .* Open in Inbound mail DSN 550 5\.1\.1 .*User unknown \(Hard\) The message became Failed$/,
    );
    expect(items[2]).toBe('Now Failed User unknown (Hard)');
    await page
      .locator(byTestId('log-drawer'))
      .screenshot({ path: path.join(SHOTS, 'log-drawer-reports.png') });
    await page.screenshot({ path: path.join(SHOTS, 'log-drawer-reports-page.png') });

    await page.click(byTestId('report-open-inmail'));
    await page.waitForSelector(byTestId('inmail-recipient'));
    expect(page.url()).toMatch(/#\/inmail\/\d+$/);
    expect(await page.locator(byTestId('inmail-recipient')).first().textContent()).toContain(
      'dsn.bob@inbox.test',
    );
    await page.screenshot({ path: path.join(SHOTS, 'log-drawer-reports-inmail.png') });
    expect(errors).toEqual([]);
  });
});
