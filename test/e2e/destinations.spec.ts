/**
 * The Destinations page's learnt limits and reputation history end to end: a data dir whose store already
 * holds a destination with learnt limits, shaping events with learnt-limit causes and ten days of history
 * (written through the store's functions before `relaydeck serve` starts, as a previous run would have left
 * them), then Debian's Chromium driven by playwright-core. The destination, not met by the running engine,
 * is listed from the store; selecting it shows the rule's limits against the learnt ones, the causes of the
 * changes and the per-day chart. Screenshots (light and dark) go to test-results/e2e/destinations-history*.png.
 * Needs the built renderer (`node scripts/build.mjs`, which `npm test` runs first).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Served } from '../../src/main/node/serve';
import { CreateDeliveryInput } from '../../src/shared/contract/schemas';
import { DB_FILE_NAME, openDatabase } from '../../src/main/store/db';
import { recordDestinationDays, utcDay } from '../../src/main/store/destination-days-repo';
import { createEngineStore } from '../../src/main/store/engine-store';
import {
  byTestId,
  createWorkspace,
  launchChromium,
  serveConsole,
  SHOTS,
  type Workspace,
} from '../support/e2e';

const KEY = 'mx:mx1.hidden-limits.test,mx2.hidden-limits.test';
const QUIET = 'mx:mx.quiet.test';
const DAY = 86_400_000;

let workspace: Workspace;
let served: Served;
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** What a previous run left: learnt limits, the changes that taught them, and ten days of answers. */
function seed(dataDir: string): void {
  const db = openDatabase(path.join(dataDir, DB_FILE_NAME));
  try {
    const now = Date.now();
    const store = createEngineStore(db);
    store.saveDestinationChanges(
      KEY,
      {
        suspendedUntil: null,
        ratePerHour: 1200,
        maxConnections: null,
        throttledUntil: null,
        reason: null,
        learntMaxConnections: 3,
        learntMessagesPerConnection: 20,
        suspensionLevel: 1,
        learntAt: now - 2 * 3_600_000,
      },
      [
        {
          kind: 'slowed',
          cause: '421 4.7.0 Too many concurrent SMTP connections from this IP (3 sessions were accepted)',
          detail: { limit: 'connections', from: 10, to: 3 },
        },
        {
          kind: 'slowed',
          cause: '421 4.7.0 Connection closed after 20 messages on one session',
          detail: { limit: 'messagesPerConnection', from: 100, to: 20 },
        },
        {
          kind: 'slowed',
          cause: '450 4.7.1 Rate limit exceeded, try again later',
          detail: { limit: 'rate', from: 45_000, to: 1200 },
        },
      ],
      now - 2 * 3_600_000,
    );
    // A destination with a kept state and no history.
    store.saveDestinationChanges(
      QUIET,
      {
        suspendedUntil: null,
        ratePerHour: null,
        maxConnections: null,
        throttledUntil: null,
        reason: null,
        learntMaxConnections: null,
        learntMessagesPerConnection: null,
        suspensionLevel: 0,
        learntAt: null,
      },
      [],
      now,
    );
    const shares: [number, number, number, number][] = [
      // accepted, deferred, failed, refused sessions
      [120, 380, 2, 22],
      [400, 210, 5, 9],
      [820, 140, 6, 4],
      [1500, 60, 9, 1],
      [1900, 20, 7, 0],
      [2100, 12, 11, 0],
      [2000, 8, 4, 0],
      [2400, 15, 6, 0],
      [2600, 5, 3, 0],
      [2900, 2, 5, 0],
    ];
    recordDestinationDays(
      db,
      shares.map(([accepted, deferred, failed, refusedSessions], i) => {
        const daysAgo = shares.length - 1 - i;
        return {
          destination: KEY,
          day: utcDay(now - daysAgo * DAY),
          accepted,
          deferred,
          failed,
          refusedSessions,
          maxConnections: i < 2 ? 10 : 3,
          maxMessagesPerConnection: i < 3 ? null : 20,
          messagesPerHour: i < 1 ? null : Math.min(45_000, 600 * (i + 1)),
        };
      }),
      now,
    );
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  workspace = createWorkspace();
  seed(workspace.dataDir);
  served = await serveConsole(workspace);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1900 } });
  page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
  workspace?.remove();
});

const row = `${byTestId('destination-row')}:has-text("mx1.hidden-limits.test")`;
const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? '';

async function shoot(name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.waitForSelector(`${byTestId('history-chart')}[data-theme-drawn="dark"] canvas`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('Destinations page: learnt limits and history', () => {
  it('lists a stored destination with its learnt limits next to the rule', async () => {
    await page.goto(served.consoleUrl);
    await page.click(byTestId('nav-destinations'));
    await page.waitForSelector(row);

    const connections = await text(`${row} ${byTestId('destination-limit-connections')}`);
    expect(connections).toMatch(/^learnt\s*3\s*\/\s*10 rule$/);
    expect(await text(`${row} ${byTestId('destination-limit-messagesPerConnection')}`)).toMatch(
      /learnt\s*20\s*\//,
    );
    expect(await text(`${row} ${byTestId('destination-limit-rate')}`)).toBe('learnt1,200/h / unlimited rule');
    expect(await page.locator(`${row} ${byTestId('learnt-marker')}`).count()).toBe(3);
    const tooltip = await page
      .locator(`${row} .dt-cell`, { has: page.locator(byTestId('destination-limit-connections')) })
      .getAttribute('title');
    expect(tooltip).toMatch(/^Learnt connections limit: 3, from the receiver's answers on .+\. Rule: 10\./);
  });

  it('opens the detail: rule vs learnt vs in force, the causes and the per-day chart', async () => {
    await page.click(row);
    await page.waitForSelector(byTestId('destination-detail'));
    const limit = (id: string) => `${byTestId(`limit-${id}`)} td`;
    expect(await page.locator(limit('connections')).allTextContents()).toEqual([
      'Connections',
      '10',
      '3',
      '3',
    ]);
    expect(await page.locator(limit('messagesPerConnection')).allTextContents()).toEqual([
      'Messages per connection',
      '100',
      '20',
      '20',
    ]);
    expect(await page.locator(limit('rate')).allTextContents()).toEqual([
      'Rate',
      'unlimited',
      '1,200/h',
      '1,200/h',
    ]);
    expect(await text(byTestId('destination-suspension-level'))).toBe('1 suspension');
    expect(await text(`${byTestId('destination-detail')} ${byTestId('destination-rate')}`)).toBe('0/h');

    // The change log is filtered to the destination and reads each learnt change with its cause.
    await page.waitForSelector(`${byTestId('shaping-filter')}:has-text("hidden-limits")`);
    await expect
      .poll(() => page.locator(byTestId('shaping-limit-change')).allTextContents(), { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([
          'connections 10 → 3',
          'messages per connection 100 → 20',
          'rate 45,000/h → 1,200/h',
        ]),
      );
    expect(await text(byTestId('shaping-log'))).toContain('Too many concurrent SMTP connections');

    await page.waitForSelector(`${byTestId('history-chart')} canvas`);
    expect(await page.locator(byTestId('history-row')).count()).toBe(10);
    // The window's shares: the legend sums every day's answers.
    expect(await text(byTestId('history-legend'))).toMatch(/Accepted\s*9\d(\.\d)?\s*%/);
    // Hovering the last bar shows that day's shares in the legend.
    const over = page.locator(`${byTestId('history-chart')} .u-over`);
    const box = await over.boundingBox();
    if (!box) throw new Error('the chart has no plotting area');
    await page.mouse.move(box.x + box.width - 8, box.y + box.height / 2);
    await expect
      .poll(() => text(byTestId('history-legend')), { timeout: 5_000 })
      .toMatch(/Accepted\s*99\.8%/);
    await page.mouse.move(0, 0);

    const newest = await page.locator(byTestId('history-row')).first().locator('td').allTextContents();
    expect(newest.slice(1)).toEqual(['2,907', '99.8%', '0.1%', '0.2%', '0', '3', '20', '6,000/h']);

    await page.locator(byTestId('destination-detail')).scrollIntoViewIfNeeded();
    await shoot('destinations-history');
    expect(errors).toEqual([]);
  });

  it('narrows the window, and shows a clear empty state for a destination without history', async () => {
    await page.selectOption(byTestId('history-window'), '7');
    await expect.poll(() => page.locator(byTestId('history-row')).count(), { timeout: 10_000 }).toBe(7);

    await page.click(`${byTestId('destination-row')}:has-text("mx.quiet.test")`);
    await page.waitForSelector(`${byTestId('destination-detail')}:has-text("mx.quiet.test")`);
    await page.waitForSelector(byTestId('history-empty'));
    expect(await page.locator(`${byTestId('limit-connections')} td`).allTextContents()).toEqual([
      'Connections',
      '10',
      '—',
      '10',
    ]);
    await page.locator(byTestId('destination-detail')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'destinations-history-empty.png'), fullPage: true });

    await page.click(byTestId('destination-detail-close'));
    await page.waitForSelector(byTestId('destination-detail'), { state: 'detached' });
  });
});

describe('Destinations page: limits learnt from the sandbox receiver with hidden limits', () => {
  it('a delivery to throttled.test teaches its limits, shown with their causes and the day’s history', async () => {
    // throttled.test: 3 connections, 20 messages per connection (Exim 421 at MAIL), 20 recipients/s (Postfix
    // 450 at RCPT), a penalty box; the engine is told none of it (shipped rules).
    const csv = ['email', ...Array.from({ length: 120 }, (_, i) => `reader${i}@throttled.test`)].join('\n');
    const created = await served.app.handlers['deliveries.create'](
      CreateDeliveryInput.parse({
        name: 'E2E hidden limits',
        template: { fromAddress: 'news@relaydeck.test', subject: 'Hello', text: 'Hello' },
        recipients: { fileName: 'throttled.csv', csv },
      }),
      { transport: 'http' },
    );
    await served.app.campaign.whenRelayed(Number(created.delivery.id));
    await served.app.engine.whenIdle();
    const d = await served.app.handlers['deliveries.get']({ id: created.delivery.id }, { transport: 'http' });
    expect(d.statusCounts.sent).toBe(120);

    const throttled = served.app.engine.destinations().find((x) => x.domains.includes('throttled.test'));
    expect(throttled?.learnt.maxMessagesPerConnection).toBe(20);

    await page.goto(served.consoleUrl);
    await page.click(byTestId('nav-destinations'));
    const live = `${byTestId('destination-row')}:has-text("throttled.test")`;
    await page.waitForSelector(live);
    await page.click(live);
    await page.waitForSelector(`${byTestId('destination-detail')}:has-text("throttled.test")`);
    expect(await page.locator(`${byTestId('limit-messagesPerConnection')} td`).allTextContents()).toEqual([
      'Messages per connection',
      '10,000',
      '20',
      '20',
    ]);
    // The change and its cause (the receiver's own reply), and today's answers in the history.
    await page.waitForSelector(`${byTestId('shaping-row')}:has-text("too many messages in this connection")`);
    await expect
      .poll(() => page.locator(byTestId('history-row')).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await shoot('destinations-learnt-live');
    expect(errors).toEqual([]);
  }, 180_000);
});
