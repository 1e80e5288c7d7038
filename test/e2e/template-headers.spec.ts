/**
 * Template headers in the console (issue 15 item 1), in Debian's Chromium against `relaydeck serve`: on New
 * delivery, the Headers section refuses one-click without an https link and a custom header the engine sets,
 * on their fields; filled in (Reply-To, unsubscribe email and link with {{fields}}, one-click, a custom
 * header), "View full message" shows them in the Headers tab, and the sent message (log drawer) carries them.
 * Screenshots: test-results/e2e/template-headers-{form,errors,viewer,sent}-light.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import {
  byTestId,
  createAndStart,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

const CSV = ['email,first_name,token', 'alice@inbox.test,Alice,t1', 'bob@mail.test,Bob,t2'].join('\n');

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

const shoot = (name: string) =>
  page.screenshot({ path: path.join(SHOTS, `template-headers-${name}-light.png`) });
const text = async (id: string) => (await page.locator(byTestId(id)).first().textContent())?.trim() ?? '';

describe('template headers', () => {
  it('are edited on New delivery, checked on their fields, shown in the viewer and sent', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('deliveries-empty'));
    await page.click(byTestId('empty-new-delivery'));
    await page.waitForSelector(byTestId('new-delivery-form'));
    await page.fill(byTestId('delivery-name'), 'Headers');
    await page.setInputFiles(byTestId('recipients-file-input'), {
      name: 'headers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    await page.waitForSelector(byTestId('recipients-preview'));
    await page.fill(byTestId('from-name'), 'Relaydeck News');
    await page.fill(byTestId('from-address'), 'news@relaydeck.test');
    await page.fill(byTestId('subject'), 'Your statement, {{first_name}}');
    await page.fill(byTestId('body-text'), 'Hi {{first_name}},\nyour statement is ready.');

    // Problems first: one-click without a link, a header the engine sets.
    await page.check(byTestId('one-click'));
    await page.click(byTestId('add-header'));
    await page.fill(byTestId('header-name-0'), 'Subject');
    await page.fill(byTestId('header-value-0'), 'x');
    await page.click(byTestId('submit-delivery'));
    await page.waitForSelector(byTestId('error-one-click'));
    expect(await text('error-one-click')).toBe(
      'One-click unsubscribe needs an https unsubscribe link (RFC 8058): add one, or turn one-click off',
    );
    expect(await text('error-header-name-0')).toBe('Header Subject is set by the engine');
    await page.locator(byTestId('template-headers')).scrollIntoViewIfNeeded();
    await shoot('errors');

    await page.fill(byTestId('reply-to'), 'Support <support@relaydeck.test>');
    await page.fill(byTestId('unsubscribe-mailto'), 'unsubscribe@relaydeck.test');
    await page.fill(byTestId('unsubscribe-https'), 'https://relaydeck.test/u?e={{email}}&t={{token}}');
    await page.fill(byTestId('header-name-0'), 'X-Campaign');
    await page.fill(byTestId('header-value-0'), 'December {{first_name}}');
    await page.waitForSelector(byTestId('error-one-click'), { state: 'detached' });
    await page.locator(byTestId('template-headers')).scrollIntoViewIfNeeded();
    await shoot('form');

    await page.click(byTestId('view-full-message'));
    await page.waitForSelector(byTestId('message-viewer'));
    await page.click('#message-tab-headers');
    const headers = page.locator(byTestId('message-headers'));
    await expect.poll(() => headers.textContent()).toContain('List-Unsubscribe-Post');
    const shown = (await headers.textContent()) ?? '';
    expect(shown).toContain('Support <support@relaydeck.test>');
    expect(shown).toContain(
      '<mailto:unsubscribe@relaydeck.test>, <https://relaydeck.test/u?e=alice%40inbox.test&t=t1>',
    );
    expect(shown).toContain('List-Unsubscribe=One-Click');
    expect(shown).toContain('December Alice');
    await shoot('viewer');
    await page.click(byTestId('drawer-close'));

    await createAndStart(page); // the analysis finds errors (the spec's DNS publishes nothing): confirmed

    await page.waitForSelector(`${byTestId('state-badge')}:has-text("Completed")`, { timeout: 90_000 });
    await page.click('#delivery-tab-log');
    await page.locator(byTestId('log-row'), { hasText: 'bob@mail.test' }).click();
    await page.waitForSelector(byTestId('log-drawer'));
    await page.click(byTestId('view-message'));
    await page.waitForSelector(`${byTestId('message-drawer')} ${byTestId('message-viewer')}`);
    await page.click(`${byTestId('message-drawer')} #message-tab-headers`);
    const sent = page.locator(`${byTestId('message-drawer')} ${byTestId('message-headers')}`);
    await expect.poll(() => sent.textContent()).toContain('https://relaydeck.test/u?e=bob%40mail.test&t=t2');
    expect(await sent.textContent()).toContain('December Bob');
    await shoot('sent');
    expect(errors).toEqual([]);
  });
});
