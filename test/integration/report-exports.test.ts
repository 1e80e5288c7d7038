/**
 * Every report kind in every tabular format from a real delivery run through the sandbox (openApp, the
 * engine, the sandbox's SMTP server, asynchronous DSN/complaint/auto-reply over SMTP to the inMail listener):
 * CSV with BOM and header rows, JSON lines, XLSX read back with exceljs (sheets, header styles, typed cells),
 * the size cap of `reports.export`, and the view data of the printable report.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { exportReport } from '../../src/main/reports/export';
import { REPORT_KINDS, type ReportKind } from '../../src/shared/contract/reports';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };

type Cell = string | number | boolean | null;
interface SummaryDoc {
  delivery: Record<string, Cell>;
  kpis: Record<string, { count: number; rate: number | null }>;
  status_counts: Record<string, number>;
  reasons: Record<string, Cell>[];
  health: { flag: string; level: string }[];
  figures_final: boolean;
}
let tmp: TempDir;
let app: App;
let id: string;

const REPORT_LIST = [
  'ada@inbox.test',
  'bea@inbox.test',
  'grey.cal@mail.test',
  'unknown.dan@shop.test',
  'full.eve@corp.test',
  'spam.fay@mail.test',
  'dsn.gus@inbox.test',
  'complain.hal@mail.test',
  'ooo.ivy@corp.test',
  'ADA@inbox.test',
  'jo@nowhere.example',
];

/** Resolves once `n` inbound messages are processed (bounded wait on the bus). */
function inboundMessages(n: number, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const count = () =>
      (
        app.db.prepare('SELECT count(*) AS n FROM inbound_messages WHERE processed_at IS NOT NULL').get() as {
          n: number;
        }
      ).n;
    if (count() >= n) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`only ${count()} of ${n} inbound messages arrived`));
    }, timeoutMs);
    const off = app.bus.subscribe(() => {
      if (count() < n) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({
    ...TEST_APP,
    dataDir: tmp.dir,
  });
  const created = await app.handlers['deliveries.create'](
    deliveryRequest({
      name: 'Spring “sale”, FR/EN',
      csv: csvOf(REPORT_LIST),
      // 1 day at x20,000: a 4.3 s validity, ample for first attempts and greylisting retries on a loaded machine
      timeScale: 20_000,
      validityMs: 86_400_000,
    }),
    ctx,
  );
  id = created.delivery.id;
  await app.campaign.whenRelayed(Number(id));
  await app.engine.whenIdle();
  await inboundMessages(3);
}, 60_000);
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

const exported = async (kind: ReportKind, format: 'csv' | 'json' | 'xlsx') => {
  const file = await app.handlers['reports.export']({ deliveryId: id, kind, format }, ctx);
  return { ...file, content: Buffer.from(file.contentBase64, 'base64') };
};

const csvTable = (bytes: Buffer): string[][] => {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(bytes.toString('utf8').replace(/^\ufeff/, ''), { relax_column_count: false }) as string[][];
};

/** The tables of a CSV export: one CSV file, or a ZIP of one CSV per table (in the report's order). */
async function csvTables(file: { fileName: string; content: Buffer }): Promise<string[][][]> {
  if (!file.fileName.endsWith('.zip')) return [csvTable(file.content)];
  const zip = await JSZip.loadAsync(file.content);
  return Promise.all(Object.values(zip.files).map(async (f) => csvTable(await f.async('nodebuffer'))));
}

describe('report exports of a sandbox delivery', () => {
  it('writes every kind as CSV with a BOM, a header row and the same rows as JSON lines', async () => {
    for (const kind of REPORT_KINDS) {
      const csv = await exported(kind, 'csv');
      const several = kind === 'summary' || kind === 'bounces';
      expect(csv.fileName).toBe(`relaydeck-delivery-${id}-${kind}.${several ? 'zip' : 'csv'}`);
      expect(csv.mimeType).toMatch(several ? /^application\/zip$/ : /^text\/csv/);
      const tables = await csvTables(csv);
      const json = await exported(kind, 'json');
      const lines = json.content
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      if (kind === 'summary') {
        expect(lines).toHaveLength(1);
      } else {
        const rows = tables.reduce((n, t) => n + t.length - 1, 0);
        expect(lines, kind).toHaveLength(rows);
        for (const t of tables) expect(t[0]?.length, kind).toBeGreaterThan(1);
      }
    }
  });

  it('sums up the delivery in one summary object with KPIs, statuses, reasons and health flags', async () => {
    const json = await exported('summary', 'json');
    const s = JSON.parse(json.content.toString('utf8')) as SummaryDoc;
    expect(s.delivery).toMatchObject({ id, name: 'Spring “sale”, FR/EN', reporting: 'efs' });
    expect(s.kpis.initial_population?.count).toBe(REPORT_LIST.length);
    expect(s.kpis.complaints?.count).toBe(1);
    expect(s.status_counts).toMatchObject({ ignored: 1, pending: 0, taken_into_account: 0 });
    expect(s.reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ reason: 'user_unknown', type: 'hard', code: 1 })]),
    );
    expect(s.health.map((h) => h.flag)).toEqual(['hard_bounces', 'domain_soft_bounces', 'complaints']);
    expect(s.health[0]).toMatchObject({ level: 'alert' });
    expect(s.figures_final).toBe(true);
  });

  it('lists the failed recipients with reason, type, bounce class and last reply', async () => {
    const csv = await exported('bounces', 'csv');
    const [byReason, byDomain, recipients] = await csvTables(csv);
    expect(byReason?.[0]).toEqual(['reason', 'code', 'label', 'type', 'messages', 'share']);
    expect(byDomain?.[0]).toEqual(['domain', 'failed', 'hard', 'soft', 'other', 'top_reason']);
    const header = recipients?.[0] ?? [];
    const rows = (recipients ?? []).slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    const unknown = rows.find((r) => r.email === 'unknown.dan@shop.test');
    expect(unknown).toMatchObject({ reason: 'user_unknown', type: 'Hard', bounce_class: '10' });
    expect(unknown?.last_reply).toMatch(/^550 5\.1\.1 /);
    expect(rows.map((r) => r.email)).toEqual(
      expect.arrayContaining(['unknown.dan@shop.test', 'full.eve@corp.test', 'dsn.gus@inbox.test']),
    );
  });

  it('exports per-message events with ESP webhook fields', async () => {
    const json = await exported('events', 'json');
    const events = json.content
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, Cell>);
    const of = (email: string) => events.filter((e) => e.recipient === email).map((e) => e.type);
    expect(of('ada@inbox.test')).toEqual(['relayed', 'delivered']);
    expect(of('grey.cal@mail.test')).toEqual(['relayed', 'deferred', 'delivered']);
    expect(of('unknown.dan@shop.test')).toEqual(['relayed', 'bounced']);
    expect(of('dsn.gus@inbox.test')).toEqual(['relayed', 'delivered', 'bounced']);
    expect(of('complain.hal@mail.test')).toEqual(['relayed', 'delivered', 'complaint']);
    expect(of('ooo.ivy@corp.test')).toEqual(['relayed', 'delivered', 'auto_reply']);
    expect(of('ADA@inbox.test')).toEqual(['dropped']);
    const bounce = events.find((e) => e.recipient === 'unknown.dan@shop.test' && e.type === 'bounced');
    expect(bounce).toMatchObject({
      delivery_id: id,
      domain: 'shop.test',
      attempt: 1,
      bounce_type: 'hard',
      bounce_class: 10,
      reason: 'user_unknown',
      smtp_code: 550,
      async: false,
    });
    expect(bounce?.raw_response).toMatch(/^550 5\.1\.1 /);
    expect(bounce?.mx).toBeTruthy();
    expect(bounce?.ip).toBe('127.0.0.1');
    expect(new Date(String(bounce?.timestamp)).getTime()).toBe(
      Math.round(Number(bounce?.timestamp_unix) * 1000),
    );
    expect(events.find((e) => e.type === 'bounced' && e.recipient === 'dsn.gus@inbox.test')).toMatchObject({
      async: true,
      reason: 'user_unknown',
    });
  });

  it('reports the quarantine entries the delivery created', async () => {
    const json = await exported('quarantine', 'json');
    const rows = json.content
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, Cell>);
    const byAddress = new Map(rows.map((r) => [r.address, r]));
    expect(byAddress.get('unknown.dan@shop.test')).toMatchObject({
      status: 'quarantine',
      by_this_delivery: true,
    });
    expect(byAddress.get('complain.hal@mail.test')).toMatchObject({ status: 'denylisted' });
    expect(byAddress.has('ada@inbox.test')).toBe(false);
  });

  it('writes XLSX workbooks exceljs reads back: sheets, styled frozen header, typed cells', async () => {
    for (const kind of REPORT_KINDS) {
      const file = await exported(kind, 'xlsx');
      expect(file.fileName).toBe(`relaydeck-delivery-${id}-${kind}.xlsx`);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(file.content as unknown as ArrayBuffer);
      expect(wb.worksheets[0]?.name).toBe('Report');
      expect(wb.worksheets.length).toBeGreaterThan(1);
      expect(String(wb.worksheets[0]?.getCell('A1').value)).toContain('Spring “sale”, FR/EN');
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exported('summary', 'xlsx')).content as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      'Report',
      'Delivery',
      'KPIs',
      'Statuses',
      'Failed by reason',
      'Health',
    ]);
    const kpis = wb.getWorksheet('KPIs');
    expect(kpis?.getRow(1).getCell(1).value).toBe('Metric');
    expect(kpis?.getRow(1).font?.bold).toBe(true);
    expect(kpis?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const success = kpis?.getRows(2, 20)?.find((r) => r.getCell(1).value === 'success');
    expect(typeof success?.getCell(3).value).toBe('number');
    expect(success?.getCell(4).numFmt).toBe('0.00%');

    const bounces = new ExcelJS.Workbook();
    await bounces.xlsx.load((await exported('bounces', 'xlsx')).content as unknown as ArrayBuffer);
    const failed = bounces.getWorksheet('Failed recipients');
    const lastAttempt = failed?.getRow(2).getCell(9);
    expect(lastAttempt?.value).toBeInstanceOf(Date);
    expect(failed?.getColumn(1).width).toBe(32);
  });

  it('refuses exports over the size cap, naming the CLI command to use', async () => {
    await expect(
      exportReport(
        { deliveryId: id, kind: 'events', format: 'csv' },
        {
          db: app.db,
          now: Date.now(),
          printer: { print: () => Promise.reject(new Error('no PDF here')) },
          maxBytes: 200,
        },
      ),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(
        `relaydeck report --delivery ${id} --kind events --format csv --out FILE`,
      ),
    });
    await expect(
      app.handlers['reports.export']({ deliveryId: '999', kind: 'summary', format: 'csv' }, ctx),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('gives the printable view its data: KPIs, health, reasons, top domains and failed recipients', async () => {
    const view = await app.handlers['reports.view'](
      { deliveryId: id, top: 2, kind: 'summary', rowCap: 2000 },
      ctx,
    );
    expect(view.delivery.id).toBe(id);
    expect(view.domains.items).toHaveLength(2);
    expect(view.domains.total).toBeGreaterThan(2);
    expect(view.failed.total).toBe(view.delivery.statusCounts.failed);
    expect(view.failed.items).toHaveLength(2);
    expect(view.summary.health.complaints.count).toBe(1);
    expect(view.summary.newQuarantines).toBeGreaterThanOrEqual(2);
    expect(view.summary.period.from).toBeLessThanOrEqual(view.summary.period.to);
  });
});
