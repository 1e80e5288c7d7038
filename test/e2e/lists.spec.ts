/**
 * Lists that scale and charts that read (issue 14 points 11 and 12), in Debian's Chromium over the browser
 * console on an ephemeral port with a temp data dir:
 * - the deliveries list: id column, search, state and reporting filters, sort by a header, all kept in the URL
 *   so Back from a delivery returns to the same list;
 * - the quarantine search: `@corp.test` (one domain) and `corp` (a part of the address);
 * - the throughput chart: y labels ("12,000") inside the chart and apart, x labels apart (measured with the
 *   axis font on the labels the chart drew);
 * - the printable report: chart text at the page's text size on screen and in print.
 * Screenshots: test-results/e2e/{deliveries-filters,quarantine-search,throughput-axes,report-charts}-<light|dark>.png
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/main/api/http-server';
import { openApp, type App } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { nodeDns } from '../../src/main/engine/relay/node-dns';
import { chromiumPrinter } from '../../src/main/node/report-printer';
import { fileSecrets } from '../../src/main/secrets/secret-store';
import { CreateDeliveryInput, type CallContext } from '../../src/shared/contract';
import { byTestId, createWorkspace, launchChromium, RENDERER, SHOTS, type Workspace } from '../support/e2e';

const CTX: CallContext = { transport: 'http' };

let workspace: Workspace;
let app: App;
let server: HttpServer;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};

async function shoot(name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const DELIVERIES = [
  { name: 'Spring sale', reporting: 'efs', subject: 'Spring is here', sandbox: true },
  { name: 'Newsletter 12', reporting: 'classic', subject: 'This week', sandbox: false },
  { name: 'Alpha test', reporting: 'efs', subject: 'Sandbox run', sandbox: true },
  { name: 'spring clean', reporting: 'classic', subject: 'Maintenance', sandbox: true },
] as const;

const rowNames = () =>
  page.$$eval('[data-testid="delivery-row"] [role="gridcell"]:nth-child(2)', (cells) =>
    cells.map((c) => c.textContent ?? ''),
  );

beforeAll(async () => {
  workspace = createWorkspace();
  app = await openApp({
    clock: systemClock,
    dns: nodeDns,
    reportPrinter: chromiumPrinter,
    secrets: fileSecrets,
    dataDir: workspace.dataDir,
    logger: workspace.logger,
  });
  for (const d of DELIVERIES) {
    const created = await app.handlers['deliveries.create'](
      CreateDeliveryInput.parse({
        name: d.name,
        reporting: d.reporting,
        template: { fromAddress: 'news@shop.example', subject: d.subject, text: 'Hi' },
        recipients: { fileName: 'list.csv', csv: 'email\na@inbox.example\nb@inbox.example' },
        routes: d.sandbox
          ? [{ mask: '*', target: { kind: 'sandbox' } }]
          : [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: 9 } }],
        start: false,
      }),
      CTX,
    );
    ids[d.name] = created.delivery.id;
  }
  // Four hours of heavy traffic for the charts: up to 12,000 messages a minute.
  const spring = Number(ids['Spring sale']);
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 240 * 60_000;
  const insert = app.db.prepare(
    `INSERT INTO throughput (delivery_id, destination, minute, relayed, accepted, deferred, bounced)
     VALUES (?, 'inbox.example', ?, ?, ?, ?, ?)`,
  );
  for (let i = 0; i < 240; i++) {
    const wave = Math.round(6000 + 6000 * Math.sin(i / 20));
    insert.run(spring, start + i * 60_000, wave, Math.round(wave * 0.9), Math.round(wave * 0.07), 40);
  }
  server = await startHttpServer({
    handlers: app.handlers,
    bus: app.bus,
    logger: app.logger,
    staticDir: RENDERER,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.consoleUrl);
  await page.waitForSelector(byTestId('deliveries-page'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  workspace?.remove();
});

describe('deliveries list', () => {
  it('shows ids, searches, filters and sorts, and keeps it all across a visit to a delivery', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 4);
    const firstId = await page.$eval('[data-testid="delivery-row"] [role="gridcell"]:first-child', (c) =>
      c.textContent?.trim(),
    );
    expect(firstId?.startsWith(ids['spring clean']!)).toBe(true);

    // Sort by name (A first): the header's button.
    await page.click(byTestId('sort-name'));
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="delivery-row"] [role="gridcell"]:nth-child(2)')]
          .map((c) => c.textContent)
          .join('|') === 'Alpha test|Newsletter 12|spring clean|Spring sale',
    );
    await page.fill(byTestId('deliveries-search'), 'SPRING');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 2);
    expect(await rowNames()).toEqual(['spring clean', 'Spring sale']);
    await shoot('deliveries-filters');
    await page.selectOption(byTestId('deliveries-reporting'), 'classic');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 1);
    expect(await rowNames()).toEqual(['spring clean']);
    const hash = await page.evaluate(() => window.location.hash);
    expect(hash).toContain('q=SPRING');
    expect(hash).toContain('reporting=classic');
    expect(hash).toContain('sort=name');

    await page.click(byTestId('delivery-row'));
    await page.waitForFunction(() => /^#\/deliveries\/\d+$/.test(window.location.hash));
    await page.goBack();
    await page.waitForSelector(byTestId('deliveries-search'));
    expect(await page.inputValue(byTestId('deliveries-search'))).toBe('SPRING');
    expect(await page.inputValue(byTestId('deliveries-reporting'))).toBe('classic');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 1);
    expect(await rowNames()).toEqual(['spring clean']);

    await page.click(byTestId('deliveries-clear'));
    await page.selectOption(byTestId('deliveries-route'), 'real');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="delivery-row"]').length === 1);
    expect(await rowNames()).toEqual(['Newsletter 12']);
    await page.fill(byTestId('deliveries-search'), 'no such delivery');
    await page.waitForSelector(byTestId('deliveries-no-match'));
  });
});

describe('quarantine search', () => {
  it('finds a domain with @corp.test and a part of the address with corp', async () => {
    await app.handlers['quarantine.import'](
      {
        fileName: 'q.csv',
        csv: [
          'address,status',
          'ann@corp.test,quarantine',
          'bob@corp.test,denylisted',
          'cy@mail.corp.test,quarantine',
          'corporal@example.com,with_errors',
          'dee@example.org,quarantine',
        ].join('\n'),
      },
      CTX,
    );
    await page.evaluate(() => (window.location.hash = '#/quarantine'));
    await page.waitForSelector(byTestId('quarantine-row'));
    const addresses = () =>
      page.$$eval('[data-testid="quarantine-row"] [role="gridcell"]:first-child', (c) =>
        c.map((x) => x.textContent ?? ''),
      );
    await page.fill(byTestId('quarantine-search'), '@CORP.test');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="quarantine-row"]').length === 2,
    );
    expect(await addresses()).toEqual(['ann@corp.test', 'bob@corp.test']);
    await page.fill(byTestId('quarantine-search'), 'corp');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="quarantine-row"]').length === 4,
    );
    expect(await addresses()).toEqual([
      'ann@corp.test',
      'bob@corp.test',
      'corporal@example.com',
      'cy@mail.corp.test',
    ]);
    await shoot('quarantine-search');
  });
});

interface Label {
  text: string;
  pos: number;
}

describe('throughput chart axes', () => {
  it('draws y labels (10,000) inside the chart and apart, and x labels apart', async () => {
    await page.evaluate((id) => (window.location.hash = `#/deliveries/${id}`), ids['Spring sale']!);
    await page.waitForSelector(`${byTestId('throughput-chart')} .uplot[data-axis-y][data-axis-x]`);
    const m = await page.$eval(`${byTestId('throughput-chart')} .uplot`, (root) => {
      const el = root as HTMLElement;
      const over = el.querySelector('.u-over') as HTMLElement;
      const r = el.getBoundingClientRect();
      const o = over.getBoundingClientRect();
      const font = `11px ${getComputedStyle(document.documentElement).getPropertyValue('--font-sans').trim() || 'sans-serif'}`;
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = font;
      const measure = (labels: { text: string; pos: number }[]) =>
        labels.map((l) => ({
          ...l,
          width: Math.max(...l.text.split('\n').map((line) => ctx.measureText(line).width)),
        }));
      return {
        y: measure(JSON.parse(el.dataset.axisY ?? '[]') as { text: string; pos: number }[]),
        x: measure(JSON.parse(el.dataset.axisX ?? '[]') as { text: string; pos: number }[]),
        yAxisSpace: o.left - r.left,
        plotLeft: o.left - r.left,
        plotWidth: o.width,
        width: r.width,
      };
    });
    const ys = m.y as (Label & { width: number })[];
    const xs = m.x as (Label & { width: number })[];
    expect(ys.map((l) => l.text)).toContain('10,000');
    expect(ys.every((l) => /^\d{1,3}(,\d{3})*$|^\d+(\.\d)?[kMB]$/.test(l.text))).toBe(true);
    // Each y label (right-aligned before its tick and gap) fits in the space left of the plot.
    for (const l of ys) expect(l.width + 9, l.text).toBeLessThanOrEqual(m.yAxisSpace);
    // Y labels 11 px high, at least 12 px apart; x labels at least 4 px apart and inside the chart.
    const yPos = ys.map((l) => l.pos).sort((a, b) => a - b);
    for (let i = 1; i < yPos.length; i++) expect(yPos[i]! - yPos[i - 1]!).toBeGreaterThanOrEqual(12);
    expect(xs.length).toBeGreaterThan(3);
    for (let i = 1; i < xs.length; i++) {
      const [a, b] = [xs[i - 1]!, xs[i]!];
      expect(b.pos - b.width / 2 - (a.pos + a.width / 2), `${a.text} / ${b.text}`).toBeGreaterThanOrEqual(4);
    }
    for (const l of xs) {
      expect(m.plotLeft + l.pos - l.width / 2).toBeGreaterThanOrEqual(0);
      expect(m.plotLeft + l.pos + l.width / 2).toBeLessThanOrEqual(m.width);
    }
    await page.$eval(byTestId('throughput'), (el) => el.scrollIntoView());
    await shoot('throughput-axes');
  });
});

describe('report charts', () => {
  const textRatios = () =>
    page.evaluate(() => {
      const report = document.querySelector('.report') as HTMLElement;
      const pageText = parseFloat(getComputedStyle(report).fontSize);
      return [...document.querySelectorAll('.report-chart svg')].flatMap((svg) => {
        const s = svg as SVGSVGElement;
        const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
        return [...s.querySelectorAll('text')].map(
          (t) => (parseFloat(getComputedStyle(t).fontSize) * scale) / pageText,
        );
      });
    });

  it('draws chart text at the page’s text size, on screen and in print', async () => {
    await page.evaluate(
      (id) => (window.location.hash = `#/deliveries/${id}/report/throughput`),
      ids['Spring sale']!,
    );
    await page.waitForSelector('[data-report-ready="true"][data-report-kind="throughput"]');
    for (const media of ['screen', 'print'] as const) {
      await page.emulateMedia({ media });
      const ratios = await textRatios();
      expect(ratios.length).toBeGreaterThan(3);
      for (const r of ratios) {
        expect(r, media).toBeGreaterThanOrEqual(0.8);
        expect(r, media).toBeLessThanOrEqual(1.05);
      }
    }
    await page.emulateMedia({ media: 'screen' });
    await page.$eval(byTestId('report-throughput'), (el) => el.scrollIntoView());
    await shoot('report-charts');
  });
});
