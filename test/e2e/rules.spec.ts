/**
 * The MX rules and Destinations pages end to end: `relaydeck serve` on a temp data dir, Debian's Chromium driven
 * by playwright-core. Edits a rule's messages/hour, saves, reloads and sees it persisted; refuses a bad JSON
 * import with its paths; after a small sandbox delivery sees the sandbox destination and the throughput chart.
 * Screenshots of both pages (light and dark) and of the chart go to test-results/e2e/.
 * Needs the built renderer (`node scripts/build.mjs`, which `npm test` runs first).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import { CreateDeliveryInput } from '../../src/shared/contract/schemas';
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
const errors: string[] = [];

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const gmailRow = `${byTestId('mx-rule-row')}[data-rule-id="gmail"]`;

async function shoot(name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
}

describe('MX rules page', () => {
  it('edits a rule, saves it, and finds it persisted after a reload', async () => {
    await page.goto(served.consoleUrl);
    await page.click(byTestId('nav-rules'));
    await page.waitForSelector(gmailRow);
    expect(await page.locator(`${gmailRow} ${byTestId('mx-rule-per-hour')}`).textContent()).not.toBe(
      '12,345/h',
    );
    await shoot('rules');

    await page.click(`${gmailRow} ${byTestId('rule-edit')}`);
    await page.waitForSelector(byTestId('mx-rule-drawer'));
    // The shared schema checks the form before anything is applied.
    await page.fill(byTestId('mx-mask'), 'not a mask!');
    await page.click(byTestId('mx-apply'));
    await page.waitForSelector(byTestId('error-mx-mask'));
    await page.fill(byTestId('mx-mask'), '*.google.com');
    await page.fill(byTestId('mx-per-hour'), '12345');
    await page.screenshot({ path: path.join(SHOTS, 'rules-edit.png') });
    await page.click(byTestId('mx-apply'));
    await page.waitForSelector(byTestId('mx-rule-drawer'), { state: 'detached' });
    await page.waitForSelector(byTestId('unsaved-indicator'));
    expect(await page.locator(`${gmailRow} ${byTestId('mx-rule-per-hour')}`).textContent()).toBe('12,345/h');

    await page.click(byTestId('rules-save'));
    await page.waitForSelector(`${byTestId('rules-notice')}:has-text("Applied at once")`);
    expect(await page.locator(byTestId('unsaved-indicator')).count()).toBe(0);

    await page.reload();
    await page.waitForSelector(gmailRow);
    expect(await page.locator(`${gmailRow} ${byTestId('mx-rule-per-hour')}`).textContent()).toBe('12,345/h');
    const stored = await served.app.handlers['rules.get']({}, { transport: 'http' });
    expect(stored.mxRules.find((r) => r.id === 'gmail')?.messagesPerHour).toBe(12_345);
  });

  it('refuses an invalid JSON import with the problem paths and changes nothing', async () => {
    const doc = await served.app.handlers['rules.get']({}, { transport: 'http' });
    const bad = structuredClone(doc);
    bad.mxRules[2]!.match.mask = 'bad mask!';
    await page.setInputFiles(byTestId('rules-import-input'), {
      name: 'bad-rules.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(bad)),
    });
    await page.waitForSelector(byTestId('import-problems'));
    expect(await page.locator(byTestId('import-problems')).textContent()).toContain(
      'MX rule #3 · Mask must be a host or domain, or a mask like *.google.com or *',
    );
    expect(await page.locator(byTestId('unsaved-indicator')).count()).toBe(0);
  });
});

describe('Destinations page', () => {
  it('shows the sandbox destination after a small delivery, and the throughput chart', async () => {
    await page.click(byTestId('nav-destinations'));
    await page.waitForSelector(byTestId('destinations-empty'));

    const created = await served.app.handlers['deliveries.create'](
      CreateDeliveryInput.parse({
        name: 'E2E destinations',
        template: {
          fromName: 'E2E',
          fromAddress: 'news@relaydeck.test',
          subject: 'Hello',
          text: 'Hello',
          html: '',
        },
        recipients: {
          fileName: 'small.csv',
          csv: 'email\nalice@inbox.test\nbob@mail.test\nunknown.carol@shop.test\n',
        },
      }),
      { transport: 'http' },
    );
    const id = created.delivery.id;
    await served.app.campaign.whenRelayed(Number(id));
    await served.app.engine.whenIdle();

    // Refreshed every 2 s while visible: the row appears without a reload.
    const sandboxRow = `${byTestId('destination-row')}:has(.badge:text-is("sandbox"))`;
    await page.waitForSelector(sandboxRow, { timeout: 15_000 });
    expect(await page.locator(sandboxRow).textContent()).toContain('127.0.0.1');
    await page.waitForSelector(`${byTestId('shaping-row')}:has-text("rules changed")`);
    await shoot('destinations');

    // Selecting a destination filters the change log to it (rule changes concern every destination).
    await page.click(sandboxRow);
    await page.waitForSelector(byTestId('shaping-filter'));
    await page.waitForSelector(byTestId('shaping-empty'));
    await page.click(byTestId('shaping-filter'));
    await page.waitForSelector(byTestId('shaping-row'));

    await page.evaluate((hash) => {
      window.location.hash = hash;
    }, `#/deliveries/${id}`);
    await page.waitForSelector(byTestId('throughput-chart'));
    await page.locator(byTestId('throughput')).scrollIntoViewIfNeeded();
    expect(await page.locator(`${byTestId('throughput')} canvas`).count()).toBe(1);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator(byTestId('throughput')).screenshot({ path: path.join(SHOTS, 'throughput.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForSelector(`${byTestId('throughput-chart')}[data-theme-drawn="dark"]`);
    await page.locator(byTestId('throughput')).screenshot({ path: path.join(SHOTS, 'throughput-dark.png') });
    expect(errors).toEqual([]);
  });
});
