/**
 * The delivery dashboard end to end, and a screenshot of every screen in light and dark: `relaydeck serve` on a
 * temp data dir and an ephemeral port, Debian's Chromium driven by playwright-core.
 * - Stop with SPEC §3's semantics (last: its greylisted messages slow the shared sandbox destination down): a delivery paused after its first relay batch (greylisted addresses at real
 *   time, so they stay in the MTA), stopped from the console through the confirmation: pending messages are
 *   cancelled, the relayed ones are shown as continuing.
 * - The dashboard of a finished sandbox delivery: health flags, reasons chart (selecting a reason filters the
 *   log), per-domain table (selecting a domain filters the log), the log filters and the detail drawer.
 * Screenshots go to test-results/e2e/<screen>-<light|dark>.png. Needs the built renderer.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateDeliveryInput, type CallContext } from '../../src/shared/contract';
import type { Served } from '../../src/main/node/serve';
import { insertLogRows, type NewLogRow } from '../../src/main/store/ledger';
import { nextLogId } from '../../src/main/store/log-repo';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

const CTX: CallContext = { transport: 'http' };
const TEMPLATE = { fromAddress: 'news@relaydeck.test', subject: 'Hello {{first}}', text: 'Hi {{first}}' };

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

function csv(rows: string[]): string {
  return ['email,first', ...rows.map((email) => `${email},${email.split('@')[0]}`)].join('\n');
}

async function create(name: string, rows: string[], extra: Partial<CreateDeliveryInput> = {}) {
  const input = CreateDeliveryInput.parse({
    name,
    template: TEMPLATE,
    recipients: { fileName: `${name}.csv`, csv: csv(rows) },
    ...extra,
  });
  return served.app.handlers['deliveries.create'](input, CTX);
}

async function shoot(name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('delivery dashboard', () => {
  it('shows health flags, reasons, domains and filters of a finished delivery, and every screen', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => `user${i}@inbox.test`),
      ...Array.from({ length: 12 }, (_, i) => `friend${i}@mail.test`),
      ...Array.from({ length: 4 }, (_, i) => `unknown${i}@shop.test`),
      ...Array.from({ length: 3 }, (_, i) => `full${i}@corp.test`),
      'someone@nowhere.invalid',
    ];
    const created = await create('Spring newsletter', rows, { timeScale: 100_000 });
    const id = created.delivery.id;

    await page.goto(served.consoleUrl);
    await page.evaluate((h) => (window.location.hash = h), `#/deliveries/${id}`);
    await page.waitForSelector(byTestId('delivery-detail'));
    await page.waitForSelector(`${byTestId('state-badge')}:has-text("Completed")`, { timeout: 90_000 });

    // Health: 4 user-unknown + 1 invalid domain hard bounces of 50 processed -> alert; soft bounces per domain.
    await page.waitForSelector(byTestId('health-flags'));
    expect(await page.getAttribute(byTestId('flag-hard-bounces'), 'data-alert')).toBe('true');
    expect(await page.getAttribute(byTestId('flag-complaints'), 'data-alert')).toBe('false');
    await page.waitForSelector(byTestId('reason-user_unknown'));
    await shoot('delivery-overview');

    // A reason bar opens the log filtered on it.
    await page.click(`${byTestId('reason-user_unknown')} button`);
    await page.waitForSelector(byTestId('panel-log'));
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === '4 messages match',
      byTestId('log-total'),
    );
    expect(await page.inputValue(byTestId('filter-reason'))).toBe('user_unknown');
    await page.selectOption(byTestId('filter-reason'), '');
    await page.selectOption(byTestId('filter-type'), 'soft');
    await page.waitForFunction(
      (sel) => /match$/.test(document.querySelector(sel)?.textContent?.trim() ?? ''),
      byTestId('log-total'),
    );
    await page.selectOption(byTestId('filter-type'), '');
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === '50 messages',
      byTestId('log-total'),
    );
    await page.click(`${byTestId('log-row')} >> nth=0`);
    await page.waitForSelector(byTestId('log-drawer'));
    await page.waitForSelector(byTestId('attempt'));
    await shoot('delivery-log-drawer');
    await page.keyboard.press('Escape');
    await page.waitForSelector(byTestId('log-drawer'), { state: 'detached' });

    // Domains: by volume, the row opens the log on that domain.
    await page.click('#delivery-tab-domains');
    await page.waitForSelector(byTestId('domain-row'));
    const first = await page.locator(byTestId('domain-row')).first().getAttribute('data-key');
    expect(first).toBe('inbox.test');
    await shoot('delivery-domains');
    await page.click(`${byTestId('domain-row')}[data-key="mail.test"]`);
    await page.waitForSelector(byTestId('filter-domain'));
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === '12 messages match',
      byTestId('log-total'),
    );
    await shoot('delivery-log');

    // Every other screen, light and dark.
    const screens: [string, string, string][] = [
      ['deliveries', '#/deliveries', 'deliveries-page'],
      ['new-delivery', '#/deliveries/new', 'new-delivery-form'],
      ['rules', '#/rules', 'rules-page'],
      ['destinations', '#/destinations', 'destinations-page'],
      ['dkim', '#/dkim', 'dkim-page'],
      ['qualification', '#/qualification', 'qualification-page'],
      ['quarantine', '#/quarantine', 'quarantine-page'],
      ['inmail', '#/inmail', 'inmail-page'],
      ['not-found', `#/deliveries/999999`, 'delivery-not-found'],
    ];
    for (const [name, hash, testId] of screens) {
      await page.evaluate((h) => (window.location.hash = h), hash);
      await page
        .waitForSelector(byTestId(testId), { timeout: 10_000 })
        .catch(() => page.waitForSelector('main h1', { timeout: 10_000 }));
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await shoot(name);
    }
    expect(errors).toEqual([]);
  });

  it('reaches the last row of a 100,000-message log (End key, scaled scrollbar) with bounded memory', async () => {
    const db = served.app.db;
    const n = 100_000;
    const deliveryId = Number(
      db
        .prepare(
          `INSERT INTO deliveries (name, state, reporting, template_json, validity_requested_ms, validity_ms,
                                   created_at, completed_at)
           VALUES ('Big list', 'completed', 'efs', ?, 3600000, 3600000, 0, 0)`,
        )
        .run(JSON.stringify(TEMPLATE)).lastInsertRowid,
    );
    db.transaction(() => {
      let id = nextLogId(db);
      const rows: NewLogRow[] = Array.from({ length: n }, (_, i) => ({
        id: id++,
        deliveryId,
        line: i + 2,
        email: `r${String(i).padStart(6, '0')}@big${i % 50}.test`,
        addrKey: `r${String(i).padStart(6, '0')}@big${i % 50}.test`,
        domain: `big${i % 50}.test`,
        fields: {},
        status: 'sent',
        failureType: null,
        reason: null,
        messageId: null,
      }));
      insertLogRows(db, rows, 0);
      db.prepare('UPDATE deliveries SET n_initial = ?, n_sent = ?, n_success = ? WHERE id = ?').run(
        n,
        n,
        n,
        deliveryId,
      );
    })();
    const lastEmail = `r${String(n - 1).padStart(6, '0')}@big${(n - 1) % 50}.test`;

    await page.evaluate((h) => (window.location.hash = h), `#/deliveries/${deliveryId}`);
    await page.click('#delivery-tab-log');
    await page.waitForSelector(byTestId('log-row'));
    const heap = () =>
      page.evaluate(
        () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
      );
    const heapBefore = await heap();

    // End on the table: the window moves to the end of the log and the last row shows.
    await page.focus(byTestId('log-table'));
    await page.keyboard.press('End');
    await page.waitForSelector(`${byTestId('log-row')}:has-text("${lastEmail}")`);
    // The moved window is a new table: keyboard focus went with it (keys pressed next still reach the log).
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('log-table');
    await shoot('delivery-log-end');
    // Home comes back to the first row.
    await page.focus(byTestId('log-table'));
    await page.keyboard.press('Home');
    await page.waitForSelector(`${byTestId('log-row')}:has-text("r000000@big0.test")`);

    // The scaled scrollbar: to the bottom shows the last row; the middle shows the middle rows.
    await page.focus(byTestId('log-scrollbar'));
    await page.keyboard.press('End');
    await page.waitForSelector(`${byTestId('log-row')}:has-text("${lastEmail}")`);
    // Page Up goes up the log, 10 % at a time: five of them reach the middle, whose rows then show. The bar
    // stays in place (and focused) while each moved window loads.
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageUp');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'log-scrollbar',
    );
    // The window moved there: every row shown is from the middle of the log (the rows around the position).
    await page.waitForFunction((sel) => {
      const n = Number(document.querySelector(sel)?.textContent?.replace(/\D/g, ''));
      return n > 45_000 && n < 55_000;
    }, byTestId('log-position'));
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="log-row"]')].some((r) => r.textContent?.includes('r049')),
    );
    const middle = (await page.locator(byTestId('log-row')).allTextContents()).map((t) =>
      Number(/r(\d{6})@/.exec(t)?.[1]),
    );
    expect(Math.min(...middle)).toBeGreaterThan(45_000);
    expect(Math.max(...middle)).toBeLessThan(55_000);
    await page.focus(byTestId('log-table'));
    await page.keyboard.press('End');
    await page.waitForSelector(`${byTestId('log-row')}:has-text("${lastEmail}")`);

    // Memory: the table lays out a window, not the log.
    expect(await page.locator(byTestId('log-row')).count()).toBeLessThan(120);
    const heapAfter = await heap();
    if (heapBefore > 0) expect(heapAfter - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('stops a paused delivery: pending messages cancelled, relayed ones shown as continuing', async () => {
    // 600 greylisted first (the first relay batch is 500), then 400 more: paused right after the first batch.
    const rows = [
      ...Array.from({ length: 600 }, (_, i) => `grey${i}@corp.test`),
      ...Array.from({ length: 400 }, (_, i) => `user${i}@inbox.test`),
    ];
    const created = await create('Stop me', rows, { timeScale: 1 });
    const id = created.delivery.id;
    await served.app.handlers['deliveries.pause']({ id }, CTX);

    await page.goto(served.consoleUrl);
    await page.evaluate((h) => (window.location.hash = h), `#/deliveries/${id}`);
    await page.waitForSelector(`${byTestId('state-badge')}:has-text("Paused")`);
    await page.waitForSelector(byTestId('action-resume'));
    expect(Number((await text('count-pending')).replace(/\D/g, ''))).toBe(500);
    await page.click(byTestId('action-stop'));
    await page.waitForSelector(byTestId('stop-cancel-count'));
    expect(await text('stop-dialog')).toContain('cannot be recalled');
    await shoot('stop-dialog');
    await page.click(`${byTestId('stop-dialog')} button:has-text("Stop delivery")`);
    await page.waitForSelector(byTestId('stopped-notice'));
    const notice = await text('stopped-notice');
    expect(notice).toMatch(/Stopped/);
    expect(notice).toMatch(/500 relayed messages are still in the MTA and continue to their outcome/);
    expect(Number((await text('count-cancelled')).replace(/\D/g, ''))).toBe(500);
    expect(await page.locator(byTestId('action-stop')).count()).toBe(0);
    await shoot('delivery-stopped');
  });
});
