/**
 * The message viewer end to end (issue 14 point 10), in Debian's Chromium against `relaydeck serve`: the New
 * delivery page's "View full message" (HTML in a sandboxed frame that fetches nothing: an <img> pointing at a
 * loopback HTTP server is never requested, by Chromium's request events and by the server's own count), the
 * text, headers and source tabs with the DKIM signature, the .eml download (the bytes of the source tab), a
 * proof through the sandbox route, "Save as template" and the template picker; then, once the delivery is
 * sent, "View message" from a log row's drawer shows the message as sent.
 * Screenshots: test-results/e2e/message-{preview,new-delivery,sent,sent-source}-{light,dark}.png.
 */
import fs from 'node:fs';
import http from 'node:http';
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

const CSV = ['email,first_name', 'alice@inbox.test,Alice', 'bob@mail.test,Bob'].join('\n');

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;
/** A loopback "tracker": counts every request it gets. */
let tracker: http.Server;
let trackerHits = 0;
let trackerUrl = '';

beforeAll(async () => {
  workspace = createWorkspace();
  served = await serveConsole(workspace);
  tracker = http.createServer((_req, res) => {
    trackerHits++;
    res.writeHead(200, { 'content-type': 'image/gif' }).end();
  });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  const address = tracker.address();
  trackerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/open.gif`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await new Promise<void>((resolve) => (tracker ? tracker.close(() => resolve()) : resolve()));
  workspace?.remove();
});

async function shoot(name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const text = async (id: string) => (await page.locator(byTestId(id)).first().textContent())?.trim() ?? '';

describe('message viewer', () => {
  it('previews, proofs and saves a draft, then shows the sent message from the log drawer', async () => {
    const errors: string[] = [];
    const requested: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requested.push(r.url()));
    await served.app.handlers['dkim.generate'](
      { domain: 'relaydeck.test', selector: 'e2e', algorithm: 'rsa-sha256', bits: 1024 },
      { transport: 'http' },
    );

    await page.goto(served.consoleUrl);
    await page.waitForSelector(byTestId('deliveries-empty'));
    await page.click(byTestId('empty-new-delivery'));
    await page.waitForSelector(byTestId('new-delivery-form'));
    await page.fill(byTestId('delivery-name'), 'Message viewer');
    await page.setInputFiles(byTestId('recipients-file-input'), {
      name: 'viewer.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    await page.waitForSelector(byTestId('recipients-preview'));
    await page.fill(byTestId('from-name'), 'Relaydeck News');
    await page.fill(byTestId('from-address'), 'news@relaydeck.test');
    await page.fill(byTestId('subject'), 'Your December statement, {{first_name}}');
    await page.fill(byTestId('body-text'), 'Hi {{first_name}},\nyour statement is ready.');
    await page.click('#body-tab-html');
    await page.fill(
      byTestId('body-html'),
      `<h2 style="color:#2f5fd0">Hi {{first_name}}</h2><p>Your statement is ready.</p><img src="${trackerUrl}" alt="" width="1" height="1"><p><a href="https://example.com/statement">Open it</a></p>`,
    );

    // The preview: HTML in a sandboxed frame that loads nothing remote.
    await page.click(byTestId('view-full-message'));
    await page.waitForSelector(byTestId('message-viewer'));
    expect(await text('message-subject')).toBe('Your December statement, Alice');
    expect(await text('message-to')).toBe('alice@inbox.test');
    expect(await text('message-dkim')).toMatch(/Signed by relaydeck\.test \(selector e2e\)/);
    expect(await text('remote-blocked')).toMatch(/Remote images blocked \(1 in this message\)/);
    const frame = page.locator(byTestId('message-html-frame'));
    expect(await frame.getAttribute('sandbox')).toBe('');
    const body = page.frameLocator(byTestId('message-html-frame')).locator('h2');
    await body.waitFor();
    expect(await body.textContent()).toBe('Hi Alice');
    await shoot('message-preview');
    // Another row of the list.
    await page.selectOption(byTestId('preview-recipient'), { label: 'bob@mail.test' });
    await expect.poll(() => text('message-to')).toBe('bob@mail.test');
    expect(await text('message-subject')).toBe('Your December statement, Bob');
    await page.selectOption(byTestId('preview-recipient'), { label: 'alice@inbox.test' });
    await expect.poll(() => text('message-to')).toBe('alice@inbox.test');

    await page.click('#message-tab-text');
    expect(await text('message-text')).toContain('your statement is ready.');
    await page.click('#message-tab-headers');
    expect(await text('message-headers')).toMatch(/DKIM-Signature.*d=relaydeck\.test/s);
    await page.click('#message-tab-source');
    const source = await page.locator(byTestId('message-source')).textContent();
    expect(source).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256;/);

    // .eml download: the source's bytes.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(byTestId('download-eml')),
    ]);
    expect(download.suggestedFilename()).toBe('preview.eml');
    const file = await download.path();
    expect(fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n')).toBe((source ?? '').replace(/\r\n/g, '\n'));

    // A proof through the sandbox route.
    await page.fill(byTestId('proof-addresses'), 'proof.reader@inbox.test');
    await page.click(byTestId('proof-send'));
    await page.waitForSelector(byTestId('proof-result'));
    expect(await text('proof-result')).toMatch(/Accepted\s*proof\.reader@inbox\.test/);
    await page.keyboard.press('Escape');
    await page.waitForSelector(byTestId('message-drawer'), { state: 'detached' });

    // Save as template, then find it in the picker.
    await page.click(byTestId('save-template'));
    await page.fill(byTestId('template-name'), 'December statement');
    await page.click(byTestId('save-template-confirm'));
    await page.waitForSelector(byTestId('template-saved'));
    await expect
      .poll(() => page.locator(`${byTestId('saved-templates')} option`).allTextContents())
      .toContain('December statement');
    await page.locator(byTestId('view-full-message')).scrollIntoViewIfNeeded();
    await shoot('message-new-delivery');

    // Sent: the log drawer's "View message" shows the message as sent.
    await createAndStart(page);
    await page.waitForSelector(`${byTestId('state-badge')}:has-text("Completed")`, { timeout: 90_000 });
    await page.click('#delivery-tab-log');
    await page.waitForSelector(byTestId('log-row'));
    await page.locator(byTestId('log-row'), { hasText: 'alice@inbox.test' }).click();
    await page.waitForSelector(byTestId('log-drawer'));
    await page.click(byTestId('view-message'));
    await page.waitForSelector(`${byTestId('message-drawer')} ${byTestId('message-viewer')}`);
    expect(await text('message-subject')).toBe('Your December statement, Alice');
    expect(await page.locator(byTestId('message-viewer')).textContent()).toContain('As sent');
    await page.frameLocator(byTestId('message-html-frame')).locator('h2').waitFor();
    await shoot('message-sent');
    await page.click('#message-tab-source');
    await shoot('message-sent-source');

    expect(trackerHits).toBe(0);
    expect(requested.filter((u) => u.startsWith(trackerUrl))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
