/**
 * DKIM coverage on the delivery page (issue 15 item 3): the overview says who signs ("Signed by … (rsa-sha256 +
 * ed25519)", or the return-path domain's key "not aligned with From"), and the log's DKIM column gives each
 * message's d=. `relaydeck serve` on a temp data dir (the sandbox on loopback), Debian's Chromium.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import { setSetting } from '../../src/main/store/settings-repo';
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

async function deliver(name: string, fromAddress: string): Promise<string> {
  const created = await served.app.handlers['deliveries.create'](
    CreateDeliveryInput.parse({
      name,
      template: { fromAddress, subject: 'Hello', text: 'Hi' },
      recipients: { fileName: 'list.csv', csv: 'email\nana@inbox.test\nbob@inbox.test\ncyd@inbox.test' },
      timeScale: 20_000,
    }),
    CTX,
  );
  return created.delivery.id;
}

async function openDelivery(id: string, sent: number): Promise<void> {
  await page.goto(`${served.url}#/deliveries/${id}`);
  await page.waitForFunction(
    ([sel, n]) => document.querySelector(sel!)?.textContent?.trim() === n,
    [byTestId('count-sent'), String(sent)],
    { timeout: 60_000 },
  );
  await page.waitForSelector(byTestId('dkim-signing'));
}

async function dkimColumn(): Promise<string[]> {
  await page.click('#delivery-tab-log');
  await page.waitForSelector(byTestId('log-row'));
  const header = await page.locator('[role="columnheader"]').allInnerTexts();
  const index = header.findIndex((h) => h.trim() === 'DKIM');
  expect(index).toBeGreaterThan(0);
  return page
    .locator(byTestId('log-row'))
    .evaluateAll(
      (rows, i) =>
        rows.map((r) =>
          (r.querySelectorAll('[role="cell"], [role="gridcell"]')[i] as HTMLElement)?.innerText.trim(),
        ),
      index,
    );
}

describe('DKIM coverage on the delivery page', () => {
  it('says who signed: aligned with From, or the return-path domain not aligned; the log has a DKIM column', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.consoleUrl);
    for (const [domain, selector, algorithm] of [
      ['relaydeck.test', 'rd1', 'rsa-sha256'],
      ['relaydeck.test', 'rd2', 'ed25519-sha256'],
      ['bounce.example.net', 'b1', 'rsa-sha256'],
    ] as const)
      await served.app.handlers['dkim.generate']({ domain, selector, algorithm, bits: 2048 }, CTX);
    setSetting(served.app.db, 'returnPath', 'bounces@bounce.example.net');

    const aligned = await deliver('Aligned', 'news@relaydeck.test');
    await openDelivery(aligned, 3);
    expect(await page.locator(byTestId('dkim-signing')).innerText()).toContain(
      'DKIM: Signed by relaydeck.test (rsa-sha256 + ed25519)',
    );
    await page
      .locator(byTestId('dkim-signing'))
      .screenshot({ path: path.join(SHOTS, 'dkim-signing-aligned.png') });
    expect(await dkimColumn()).toEqual(['relaydeck.test', 'relaydeck.test', 'relaydeck.test']);

    const fallback = await deliver('Fallback', 'news@shop.test');
    await openDelivery(fallback, 3);
    const line = await page.locator(byTestId('dkim-signing')).innerText();
    expect(line).toContain('DKIM: Signed by bounce.example.net (rsa-sha256): not aligned with From');
    expect(line).toContain('shop.test has no RSA key');
    await page.screenshot({ path: path.join(SHOTS, 'dkim-signing-fallback.png') });
    expect(await dkimColumn()).toEqual(['bounce.example.net', 'bounce.example.net', 'bounce.example.net']);
    await page.screenshot({ path: path.join(SHOTS, 'dkim-log-column.png') });
    await page.click(byTestId('log-row'));
    await page.waitForSelector(byTestId('log-drawer'));
    expect(await page.locator(byTestId('log-drawer')).innerText()).toContain('bounce.example.net');
    expect(errors).toEqual([]);
  });
});
