/**
 * Issue 14, points 2–4: figures that add up (docs/kpi.md), on a real SQLite file through the real feedback
 * paths (the ledger, the engine's applyOutcomes, inMail's applyReport) and the real report builders and writers.
 * - 2: a message greylisted then delivered is Delivered, not a soft bounce: per-domain shares sum to 100 %, the
 *   soft-bounce flag stays off, and the summary names the same figures as the overview.
 * - 3: the bounces report's "share of failed" has Failed messages only (rows add up to the Failed count, shares
 *   to 100 %); messages retried now and complaints about delivered messages are tables of their own.
 * - 4: a list row with no address makes no domain row (Domains tab, domains report in CSV, JSON lines, XLSX),
 *   and stays counted in the exclusions.
 * Plus migration 15's backfill of the soft bounces of an existing data dir.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportReport } from '../../src/main/reports/export';
import { getDelivery } from '../../src/main/store/deliveries-repo';
import { deliveryHealth, domainsPage, listDeliveryDomains } from '../../src/main/store/domains-repo';
import { insertLogRows } from '../../src/main/store/ledger';
import { nextLogId } from '../../src/main/store/log-repo';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { openDatabase } from '../../src/main/store/db';
import type { ReportFormat, ReportKind } from '../../src/shared/contract/reports';
import { applySmtp, complaint, relay, type SmtpEvent } from '../support/efs-events';
import { insertDelivery, insertRecipients, openTempDb, type TempDb } from '../support/engine-fixtures';
import * as storeTemp from '../support/store-temp';

const T0 = Date.UTC(2026, 11, 1);
let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

/** `n` recipients of a domain, relayed, each meeting the given events in turn. */
function cohort(deliveryId: number, domain: string, n: number, events: SmtpEvent[], offset = 0): number[] {
  const ids = insertRecipients(
    t.db,
    deliveryId,
    Array.from({ length: n }, (_, i) => `u${offset + i}@${domain}`),
    T0,
  );
  relay(t.db, deliveryId, ids, T0);
  events.forEach((e, step) => ids.forEach((id) => applySmtp(t.db, e, id, deliveryId, T0 + step + 1)));
  return ids;
}

const noPrinter = { print: () => Promise.reject(new Error('no PDF in this test')) };

async function exported(deliveryId: number, kind: ReportKind, format: Exclude<ReportFormat, 'pdf'>) {
  const file = await exportReport(
    { deliveryId: String(deliveryId), kind, format },
    { db: t.db, now: T0 + 60_000, printer: noPrinter },
  );
  return { ...file, content: Buffer.from(file.contentBase64, 'base64') };
}

const jsonLines = (content: Buffer): Record<string, unknown>[] =>
  content
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('point 2: a message greylisted then delivered counts as Delivered, never as a soft bounce', () => {
  it('gives corp.test 8 delivered (80 %) and 2 hard (20 %) of 10, shares summing to 100 %, no flag', async () => {
    const d = insertDelivery(t.db, { now: T0 });
    cohort(d, 'corp.test', 7, ['accepted']);
    cohort(d, 'corp.test', 1, ['greylisted', 'accepted'], 100);
    cohort(d, 'corp.test', 2, ['user_unknown'], 200);

    const [corp] = domainsPage(t.db, { deliveryId: d, sort: 'volume', cursor: null, limit: 10 }).items;
    expect(corp).toMatchObject({
      domain: 'corp.test',
      processed: 10,
      inProgress: 0,
      delivered: 8,
      deliveredRate: 0.8,
      hard: 2,
      hardRate: 0.2,
      soft: 0,
      softRate: 0,
      failedOther: 0,
      softAlert: false,
    });
    const shares = [
      corp!.inProgressRate,
      corp!.deliveredRate,
      corp!.hardRate,
      corp!.softRate,
      corp!.failedOtherRate,
    ];
    expect(shares.reduce<number>((a, b) => a + (b ?? 0), 0)).toBeCloseTo(1);
    expect(deliveryHealth(t.db, d).domainSoftBounces).toMatchObject({ alert: false, count: 0 });

    const delivery = getDelivery(t.db, d, T0);
    expect(delivery.kpi).toMatchObject({ softBounces: 0, softInProgress: 0, hardBounces: 2 });
    // The summary report says what the overview says: no soft bounce, nothing retrying.
    const summary = JSON.parse((await exported(d, 'summary', 'json')).content.toString('utf8')) as {
      kpis: Record<string, { count: number }>;
    };
    expect(summary.kpis.soft_bounces?.count).toBe(0);
    expect(summary.kpis.soft_in_progress?.count).toBe(delivery.kpi.softInProgress);
    const domains = jsonLines((await exported(d, 'domains', 'json')).content);
    expect(domains).toEqual([
      expect.objectContaining({ domain: 'corp.test', delivered: 8, hard: 2, soft: 0, soft_rate: 0 }),
    ]);
  });

  it('shows a message retried now as in progress and retrying, not as a soft bounce, and flags real ones', () => {
    const d = insertDelivery(t.db, { now: T0 });
    cohort(d, 'grey.test', 9, ['accepted']);
    cohort(d, 'grey.test', 1, ['greylisted'], 100);
    // A 5xx the rules qualify soft (a policy refusal): Failed, Soft — a soft bounce.
    cohort(d, 'mail.test', 2, ['refused_soft'], 200);
    cohort(d, 'mail.test', 8, ['accepted'], 300);

    const byName = new Map([...listDeliveryDomains(t.db, d)].map((s) => [s.domain, s]));
    expect(byName.get('grey.test')).toMatchObject({
      processed: 10,
      inProgress: 1,
      deferredNow: 1,
      delivered: 9,
      soft: 0,
      softAlert: false,
    });
    expect(byName.get('mail.test')).toMatchObject({ processed: 10, soft: 2, softRate: 0.2, softAlert: true });
    const health = deliveryHealth(t.db, d).domainSoftBounces;
    expect(health).toMatchObject({ alert: true, count: 1 });
    expect(health.worst).toEqual([{ domain: 'mail.test', soft: 2, processed: 10, rate: 0.2 }]);
    expect(getDelivery(t.db, d, T0).kpi).toMatchObject({ softBounces: 2, softInProgress: 1 });
  });
});

describe('point 3: the bounces report’s share of failed has Failed messages only', () => {
  it('adds its rows up to the Failed count and 100 %, with retrying messages and complaints apart', async () => {
    const d = insertDelivery(t.db, { now: T0 });
    cohort(d, 'inbox.test', 2, ['user_unknown']);
    cohort(d, 'inbox.test', 1, ['refused_soft'], 100);
    cohort(d, 'mail.test', 1, ['mailbox_full'], 200); // retried now: not failed
    const [complained] = cohort(d, 'mail.test', 3, ['accepted'], 300);
    complaint(t.db, complained!, T0 + 10); // a complaint about a delivered (Sent) message
    const failed = getDelivery(t.db, d, T0).statusCounts.failed;
    expect(failed).toBe(3);

    const sections = new Map<string, Record<string, unknown>[]>();
    for (const line of jsonLines((await exported(d, 'bounces', 'json')).content)) {
      const list = sections.get(String(line.section)) ?? [];
      list.push(line);
      sections.set(String(line.section), list);
    }
    const byReason = sections.get('by_reason') ?? [];
    expect(byReason.map((r) => [r.reason, r.type, r.messages])).toEqual([
      ['user_unknown', 'hard', 2],
      ['refused', 'soft', 1],
    ]);
    expect(byReason.reduce((n, r) => n + Number(r.messages), 0)).toBe(failed);
    expect(byReason.reduce((n, r) => n + Number(r.share), 0)).toBeCloseTo(1);
    expect(sections.get('retrying')?.map((r) => [r.reason, r.type, r.messages, r.share])).toEqual([
      ['mailbox_full', 'soft', 1, 1],
    ]);
    expect(sections.get('complaints')?.map((r) => [r.email, r.status])).toEqual([['u300@mail.test', 'Sent']]);
    // The summary's reasons are the same Failed-only rows.
    const summary = JSON.parse((await exported(d, 'summary', 'json')).content.toString('utf8')) as {
      reasons: { reason: string; messages: number }[];
    };
    expect(summary.reasons.reduce((n, r) => n + r.messages, 0)).toBe(failed);
  });
});

describe('point 4: recipients with no address make no domain row', () => {
  it('lists no blank domain in the Domains tab or any export, and keeps them in the exclusions', async () => {
    const d = insertDelivery(t.db, { now: T0 });
    cohort(d, 'inbox.test', 3, ['accepted']);
    // What the preparation writes for a list row with no address (campaign/prepare.ts).
    t.db.transaction(() =>
      insertLogRows(
        t.db,
        [
          {
            id: nextLogId(t.db),
            deliveryId: d,
            line: 9,
            email: '',
            addrKey: '',
            domain: '',
            fields: { email: '' },
            status: 'ignored',
            failureType: 'hard',
            reason: 'address_not_specified',
            messageId: null,
          },
        ],
        T0,
      ),
    )();
    expect(getDelivery(t.db, d, T0).kpi).toMatchObject({ initialPopulation: 4, excluded: 1, toDeliver: 3 });

    const page = domainsPage(t.db, { deliveryId: d, sort: 'volume', cursor: null, limit: 10 });
    expect(page.items.map((i) => i.domain)).toEqual(['inbox.test']);
    expect(page.total).toBe(1);
    expect(
      domainsPage(t.db, { deliveryId: d, sort: 'domain', cursor: null, limit: 10 }).items.map(
        (i) => i.domain,
      ),
    ).toEqual(['inbox.test']);

    const csv = (await exported(d, 'domains', 'csv')).content.toString('utf8').replace(/^\ufeff/, '');
    const rows = parse(csv) as string[][];
    expect(rows.slice(1).map((r) => r[0])).toEqual(['inbox.test']);
    expect(jsonLines((await exported(d, 'domains', 'json')).content).map((r) => r.domain)).toEqual([
      'inbox.test',
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exported(d, 'domains', 'xlsx')).content as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('Domains');
    expect(sheet?.rowCount).toBe(2);
    expect(sheet?.getRow(2).getCell(1).value).toBe('inbox.test');
  });
});

describe('migration 15', () => {
  it('counts the soft bounces of an existing data dir as Failed with a soft type', () => {
    const old = storeTemp.openTempDb({ migrations: MIGRATIONS.filter((m) => m.version < 15) });
    try {
      old.db.exec(`
        INSERT INTO deliveries (id, name, state, reporting, template_json, validity_requested_ms, validity_ms,
                                created_at, n_soft)
        VALUES (1, 'd', 'completed', 'efs', '{}', 1, 1, 0, 2);
        INSERT INTO delivery_log (id, delivery_id, line, email, addr_key, domain, fields_json, status,
                                  failure_type, updated_at, soft_counted)
        VALUES (1, 1, 2, 'a@x.test', 'a@x.test', 'x.test', '{}', 'failed', 'soft', 0, 1),
               (2, 1, 3, 'b@x.test', 'b@x.test', 'x.test', '{}', 'sent', NULL, 0, 1),
               (3, 1, 4, 'c@y.test', 'c@y.test', 'y.test', '{}', 'failed', 'hard', 0, 0);
        INSERT INTO delivery_domains (delivery_id, domain, n_total, n_sent, n_failed, n_hard, n_soft)
        VALUES (1, 'x.test', 2, 1, 1, 0, 2), (1, 'y.test', 1, 0, 1, 1, 0);
      `);
      old.db.close();
      const db = openDatabase(old.file);
      try {
        expect(db.prepare('SELECT n_soft_failed FROM deliveries').pluck().get()).toBe(1);
        expect(
          db.prepare('SELECT domain, n_soft_failed FROM delivery_domains ORDER BY domain').all(),
        ).toEqual([
          { domain: 'x.test', n_soft_failed: 1 },
          { domain: 'y.test', n_soft_failed: 0 },
        ]);
      } finally {
        db.close();
      }
    } finally {
      old.dispose();
    }
  });
});
