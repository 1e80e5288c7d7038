/**
 * Issue 14 points 2 and 4 in the console (docs/kpi.md): Deliveries → a delivery → Domains tab of a finished
 * sandbox delivery where one message was greylisted then delivered, two were unknown users, and one list row had
 * no address. The domain's row reads delivered 8 · 80 %, hard bounces 2 · 20 %, soft bounces 0 · 0 % (the
 * greylisted message is Delivered, not a soft bounce; no soft-bounce badge), and there is no blank-domain row.
 * Screenshots: test-results/e2e/domain-figures-*.png. Needs the built renderer.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDeliveryInput, type CallContext } from '../../src/shared/contract';
import type { Served } from '../../src/main/node/serve';
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

describe('Domains tab figures', () => {
  it('shows shares of processed that add up, a greylisted-then-delivered message as delivered, no blank domain', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const rows = [
      ...Array.from({ length: 7 }, (_, i) => `user${i}@mail.test,User${i}`),
      'grey.cal@mail.test,Cal',
      'unknown.dan@mail.test,Dan',
      'unknown.eve@mail.test,Eve',
      ...Array.from({ length: 5 }, (_, i) => `reader${i}@inbox.test,Reader${i}`),
      ',Nobody', // a list row with no address: excluded at preparation, no domain
    ];
    const input = CreateDeliveryInput.parse({
      name: 'Figures that add up',
      template: { fromAddress: 'news@relaydeck.test', subject: 'Hello {{first}}', text: 'Hi {{first}}' },
      recipients: { fileName: 'figures.csv', csv: ['email,first', ...rows].join('\n') },
      // 1 day at x1,000: an 86 s validity, ample for the greylisting retry on a loaded machine; the delivery
      // completes as soon as every message has its outcome.
      timeScale: 1_000,
      validityMs: 86_400_000,
    });
    const { delivery } = await served.app.handlers['deliveries.create'](input, CTX);

    await page.goto(served.consoleUrl);
    await page.evaluate((h) => (window.location.hash = h), `#/deliveries/${delivery.id}`);
    await page.waitForSelector(`${byTestId('state-badge')}:has-text("Completed")`, { timeout: 90_000 });
    await page.waitForSelector(byTestId('kpi-soft-bounces'));
    // grey.cal was greylisted (451), then accepted on its retry.
    expect(
      served.app.db
        .prepare(
          `SELECT a.outcome FROM attempts a JOIN delivery_log l ON l.id = a.log_id
            WHERE l.email = 'grey.cal@mail.test' ORDER BY a.at, a.id`,
        )
        .pluck()
        .all(),
    ).toEqual(['deferred', 'accepted']);
    expect(await page.getAttribute(byTestId('flag-domain-soft-bounces'), 'data-alert')).toBe('false');
    await page.screenshot({ path: path.join(SHOTS, 'domain-figures-overview.png') });

    await page.click('#delivery-tab-domains');
    await page.waitForSelector(`${byTestId('domain-row')}[data-key="mail.test"]`);
    const keys = await page
      .locator(byTestId('domain-row'))
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(keys.sort()).toEqual(['inbox.test', 'mail.test']);
    const mail = page.locator(`${byTestId('domain-row')}[data-key="mail.test"]`);
    const cells = (await mail.locator('[role="cell"], [role="gridcell"], td').allTextContents()).map((c) =>
      c.replace(/\s+/g, ' ').trim(),
    );
    const row = cells.join(' | ');
    expect(row).toContain('8 · 80');
    expect(row).toContain('2 · 20');
    expect(row).toContain('0 · 0');
    expect(row).not.toContain('soft > 10 %');
    expect(await page.textContent(byTestId('domains'))).toContain('2 domains');
    await page.screenshot({ path: path.join(SHOTS, 'domain-figures-domains.png') });
    expect(errors).toEqual([]);
  }, 120_000);
});
