/**
 * The PDF report: the console's printable view printed by Debian's Chromium through playwright-core, over an
 * in-process console server on the same data dir (`reports.export` and `relaydeck report --format pdf`). The
 * PDF is checked with poppler (pdfinfo, pdftotext) and page 1 is rendered to PNG with pdftoppm for a look
 * (test-results/report/).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { findChromium } from '../../src/main/node/report-printer';
import { countChecks, type AnalysisCheck } from '../../src/shared/contract/analysis';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const artifacts = path.join(root, 'test-results/report');
const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;
let id: string;

/** A list that gives every table and chart something to show: 8 domains, every sandbox behaviour. */
function demoList(): string[] {
  const list: string[] = [];
  const domains = ['inbox.test', 'mail.test', 'corp.test', 'shop.test'];
  for (let i = 0; i < 120; i++) list.push(`user${i}@${domains[i % domains.length]}`);
  for (let i = 0; i < 6; i++) list.push(`unknown.u${i}@${domains[i % 4]}`);
  for (let i = 0; i < 5; i++) list.push(`grey.g${i}@mail.test`);
  for (let i = 0; i < 4; i++) list.push(`full.f${i}@corp.test`);
  list.push('spam.s1@mail.test', 'spam.s2@inbox.test', 'dsn.d1@inbox.test', 'complain.c1@mail.test');
  list.push('ooo.o1@corp.test', 'someone@dead-domain.example', 'user1@inbox.test', 'other@nowhere.example');
  return list;
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  fs.mkdirSync(artifacts, { recursive: true });
  tmp = makeTempDir();
  app = await openApp({
    ...TEST_APP,
    dataDir: path.join(tmp.dir, 'data'),
  });
  const created = await app.handlers['deliveries.create'](
    deliveryRequest({
      name: 'Spring newsletter — FR & BE',
      csv: csvOf(demoList()),
      // 1 day at x20,000: a 4.3 s validity, ample for first attempts and greylisting retries on a loaded machine
      timeScale: 20_000,
      validityMs: 86_400_000,
    }),
    ctx,
  );
  id = created.delivery.id;
  await app.campaign.whenRelayed(Number(id));
  await app.engine.whenIdle();
}, 120_000);
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

/** Whether the PDF's first page is wider than high (pdfinfo: `Page size: 841.89 x 595.28 pts (A4)`). */
async function isLandscape(file: string): Promise<boolean> {
  const info = (await run('pdfinfo', [file])).stdout;
  const [, w, h] = /^Page size:\s+([\d.]+) x ([\d.]+)/m.exec(info) ?? [];
  return Number(w) > Number(h);
}

async function checkPdf(file: string, name: string): Promise<string> {
  const pdf = fs.readFileSync(file);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const info = (await run('pdfinfo', [file])).stdout;
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  expect(pages).toBeGreaterThanOrEqual(1);
  expect(info).toMatch(/Page size:.*\(A4\)/);
  const text = (await run('pdftotext', ['-layout', file, '-'])).stdout;
  await run('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '2', file, path.join(artifacts, name)]);
  // pdftoppm pads page numbers to the width of the page count (name-1.png, name-01.png, …).
  const first = new RegExp(`^${name}-0*1\\.png$`);
  expect(fs.readdirSync(artifacts).some((f) => first.test(f))).toBe(true);
  return text;
}

describe('PDF report', () => {
  it('finds Chromium or says which variable to set', () => {
    expect(findChromium({}, (p) => p === '/usr/bin/chromium-browser')).toBe('/usr/bin/chromium-browser');
    expect(() => findChromium({}, () => false)).toThrow(/RELAYDECK_CHROMIUM/);
    expect(() => findChromium({ RELAYDECK_CHROMIUM: '/nope/chrome' }, () => false)).toThrow(
      /RELAYDECK_CHROMIUM is set to \/nope\/chrome/,
    );
  });

  it('prints the report view through reports.export: title, period, KPIs, health, charts, tables, page numbers', async () => {
    const file = await app.handlers['reports.export'](
      { deliveryId: id, kind: 'summary', format: 'pdf' },
      ctx,
    );
    expect(file).toMatchObject({
      fileName: `relaydeck-delivery-${id}-report.pdf`,
      mimeType: 'application/pdf',
    });
    const pdfPath = path.join(artifacts, 'report-api.pdf');
    fs.writeFileSync(pdfPath, Buffer.from(file.contentBase64, 'base64'));
    const text = await checkPdf(pdfPath, 'report-api');
    for (const expected of [
      'Delivery report',
      'Spring newsletter — FR & BE',
      'Period',
      'Success',
      'Hard bounces',
      'Health',
      'Throughput',
      'Failures and exclusions by reason',
      'User unknown',
      'Domains',
      'Failed recipients',
      'unknown.u0@inbox.test',
      'Pre-send analysis',
      'No analysis was run',
      'Generated by Relaydeck',
      'Page 1 of',
    ])
      expect(text.toLowerCase()).toContain(expected.toLowerCase());
  }, 60_000);

  it('prints the pre-send analysis a delivery was created with: each check’s result, title and fix', async () => {
    const checks: AnalysisCheck[] = [
      {
        id: 'message.unsubscribe',
        area: 'message',
        result: 'error',
        title: 'No List-Unsubscribe header',
        explanation: 'Gmail and Yahoo require one-click unsubscription from bulk senders.',
        fix: 'Add List-Unsubscribe and List-Unsubscribe-Post to the template.',
      },
      {
        id: 'dkim.strength',
        area: 'authentication',
        result: 'warning',
        title: 'RSA key of 1024 bits: 2048 advised',
        explanation: '1024-bit keys are considered weak.',
        fix: 'Generate a 2048-bit key on the DKIM page.',
      },
      {
        id: 'message.text',
        area: 'message',
        result: 'pass',
        title: 'Text part present',
        explanation: 'Both parts.',
      },
    ];
    const report = { ranAt: Date.now(), checks, counts: countChecks(checks) };
    const created = await app.handlers['deliveries.create'](
      {
        ...deliveryRequest({ name: 'Analysed delivery', csv: csvOf(['a@inbox.test']), start: false }),
        analysis: { report, acknowledgedErrors: true },
      },
      ctx,
    );
    const file = await app.handlers['reports.export'](
      { deliveryId: created.delivery.id, kind: 'summary', format: 'pdf' },
      ctx,
    );
    const pdfPath = path.join(artifacts, 'report-analysis.pdf');
    fs.writeFileSync(pdfPath, Buffer.from(file.contentBase64, 'base64'));
    const text = (await checkPdf(pdfPath, 'report-analysis')).replace(/\s+/g, ' ');
    expect(text).toContain('PRE-SEND ANALYSIS'); // headings are set in capitals
    for (const expected of [
      '1 error, 1 warning, 1 check passed. The errors were acknowledged: sent anyway.',
      'Error No List-Unsubscribe header Add List-Unsubscribe and List-Unsubscribe-Post to the template.',
      'Warning RSA key of 1024 bits: 2048 advised Generate a 2048-bit key on the DKIM page.',
      'Pass Text part present',
    ])
      expect(text).toContain(expected);
    expect(text).not.toContain('No analysis was run');
  }, 60_000);

  // Each kind: its title in the title block, then a known row of its tables.
  const KIND_PDFS = [
    {
      kind: 'bounces',
      title: 'Non-deliverables and bounces',
      shows: [
        'Failed by reason',
        'Share of failed',
        'Failed by domain',
        'Failed recipients',
        'unknown.u0@inbox.test',
        'dead-domain.example',
        'Retrying now by reason',
        'Complaints',
      ],
      hides: ['Reason id', 'reason_label', 'last_reply'],
      landscape: true,
    },
    {
      kind: 'domains',
      title: 'Per-domain statistics',
      shows: ['Domains', 'inbox.test', 'corp.test', 'Recipients', 'Processed', 'Delivered', 'Retrying'],
      hides: ['deferred_now', 'soft_rate'],
      landscape: true,
    },
    {
      kind: 'throughput',
      title: 'Throughput per minute',
      shows: ['Relayed', 'Accepted', 'Minute'],
      hides: [],
      landscape: false,
    },
    {
      kind: 'events',
      title: 'Per-message events',
      shows: ['relayed', 'delivered', 'user0@inbox.test', 'Reply', 'Time', 'User unknown'],
      hides: ['raw_response', 'timestamp', 'smtp_code', 'user_unknown'],
      landscape: true,
    },
    {
      kind: 'quarantine',
      title: 'Quarantine',
      shows: ['unknown.u0@inbox.test', 'By this delivery', 'Quarantine', 'User unknown'],
      hides: ['user_unknown', 'last_reason'],
      landscape: true,
    },
  ] as const;
  for (const k of KIND_PDFS)
    it(`prints the ${k.kind} report: title block, then its tables`, async () => {
      const file = await app.handlers['reports.export']({ deliveryId: id, kind: k.kind, format: 'pdf' }, ctx);
      expect(file.fileName).toBe(`relaydeck-delivery-${id}-${k.kind}.pdf`);
      const pdfPath = path.join(artifacts, `report-${k.kind}.pdf`);
      fs.writeFileSync(pdfPath, Buffer.from(file.contentBase64, 'base64'));
      const text = (await checkPdf(pdfPath, `report-${k.kind}`)).toLowerCase();
      for (const expected of [k.title, 'Spring newsletter — FR & BE', 'Period', 'Reporting', ...k.shows])
        expect(text).toContain(expected.toLowerCase());
      // Human headers and labels, as in the console: no column id, no reason id.
      for (const id of k.hides) expect(text).not.toContain(id.toLowerCase());
      expect(text).not.toContain('more rows');
      // Wide tables on A4 landscape.
      expect(await isLandscape(pdfPath)).toBe(k.landscape);
    }, 60_000);

  it('caps a kind’s tables in the view and counts the rest', async () => {
    const view = await app.handlers['reports.view'](
      { deliveryId: id, top: 15, kind: 'events', rowCap: 5 },
      ctx,
    );
    const events = view.sections.find((s) => s.id === 'events');
    expect(events?.rows).toHaveLength(5);
    expect(events?.total).toBeGreaterThan(140);
    const bounces = await app.handlers['reports.view'](
      { deliveryId: id, top: 15, kind: 'bounces', rowCap: 3 },
      ctx,
    );
    const failed = bounces.sections.find((s) => s.id === 'recipients');
    expect(failed?.rows).toHaveLength(3);
    expect(failed?.total).toBe(bounces.delivery.statusCounts.failed);
    expect(failed?.columns.map((c) => c.key)).toContain('last_reply');
  });
});

describe('relaydeck report --out', () => {
  const relaydeck = (args: string[]) =>
    run(process.execPath, [cli, ...args], {
      cwd: tmp.dir,
      timeout: 60_000,
      env: { ...process.env, RELAYDECK_DATA: '' },
    });

  it('writes PDF (summary and a kind) and XLSX files; a missing delivery leaves no file', async () => {
    // The CLI opens the data dir in another process: close ours first.
    await app.close();
    const data = path.join(tmp.dir, 'data');
    const pdf = path.join(tmp.dir, 'report.pdf');
    await relaydeck(['report', '--data', data, '--delivery', id, '--format', 'pdf', '--out', pdf]);
    const text = await checkPdf(pdf, 'report-cli');
    expect(text).toContain('Spring newsletter — FR & BE');

    const xlsx = path.join(tmp.dir, 'bounces.xlsx');
    await relaydeck([
      'report',
      '--data',
      data,
      '--delivery',
      id,
      '--format',
      'xlsx',
      '--kind',
      'bounces',
      '--out',
      xlsx,
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      'Report',
      'Failed by reason',
      'Failed by domain',
      'Failed recipients',
      'Retrying now by reason',
      'Complaints',
    ]);
    const failed = wb.getWorksheet('Failed recipients');
    expect(failed?.rowCount).toBeGreaterThan(6);

    const domainsPdf = path.join(tmp.dir, 'domains.pdf');
    await relaydeck([
      'report',
      '--data',
      data,
      '--delivery',
      id,
      '--format',
      'pdf',
      '--kind',
      'domains',
      '--out',
      domainsPdf,
    ]);
    const domainsText = await checkPdf(domainsPdf, 'report-cli-domains');
    expect(domainsText.toLowerCase()).toContain('per-domain statistics');
    expect(domainsText).toContain('shop.test');
    await expect(
      relaydeck([
        'report',
        '--data',
        data,
        '--delivery',
        '999',
        '--format',
        'pdf',
        '--out',
        path.join(tmp.dir, 'x.pdf'),
      ]),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('Delivery 999 does not exist') });
    expect(fs.existsSync(path.join(tmp.dir, 'x.pdf'))).toBe(false);
  }, 90_000);
});
