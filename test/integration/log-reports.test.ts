/**
 * The delivery log's drawer shows every event of a message (issue 14 point 6): `logs.attempts` gives the SMTP
 * attempts and the reports received later about the message, each with the inbound message that carried it.
 * Everything real: openApp, the engine, the sandbox's SMTP receivers (which accept, then send a DSN, an ARF
 * complaint or an auto-reply), the inMail listener receiving them over SMTP on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { REPORTS_FOR_LOG_ROW_SQL } from '../../src/main/store/inbound-repo';
import { TEST_APP } from '../support/app-options';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({ ...TEST_APP, dataDir: tmp.dir });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

/** Resolves once `n` inbound messages are stored and processed (bounded wait on the bus). */
function inboundMessages(n: number, timeoutMs = 30_000): Promise<void> {
  const count = () =>
    (
      app.db.prepare('SELECT count(*) AS n FROM inbound_messages WHERE processed_at IS NOT NULL').get() as {
        n: number;
      }
    ).n;
  return new Promise((resolve, reject) => {
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

describe('logs.attempts: attempts and the reports received later', () => {
  it('gives a DSN after "Accepted 250" (the row Failed), a complaint and an auto-reply, with their inbound mail', async () => {
    const list = ['ada@inbox.test', 'dsn.bob@inbox.test', 'complain.cy@mail.test', 'ooo.dee@corp.test'];
    const created = await app.handlers['deliveries.create'](
      deliveryRequest({ name: 'Async', csv: csvOf(list), timeScale: 20_000, validityMs: 86_400_000 }),
      ctx,
    );
    const id = created.delivery.id;
    await app.campaign.whenRelayed(Number(id));
    await app.engine.whenIdle();
    await inboundMessages(3);

    const page = await app.handlers['logs.page'](
      { deliveryId: id, filter: {}, sort: { key: 'id', dir: 'asc' }, cursor: null, limit: 100 },
      ctx,
    );
    const row = (email: string) => {
      const r = page.items.find((x) => x.email === email);
      if (!r) throw new Error(`no row for ${email}`);
      return r;
    };
    const events = (email: string) => app.handlers['logs.attempts']({ logId: row(email).id }, ctx);

    // The DSN: accepted at SMTP time, bounced later; the row is Failed, and the report says why.
    const bob = await events('dsn.bob@inbox.test');
    expect(row('dsn.bob@inbox.test').status).toBe('failed');
    expect(bob.items.map((a) => [a.outcome, a.code])).toEqual([['accepted', 250]]);
    expect(bob.reports).toHaveLength(1);
    const dsn = bob.reports[0]!;
    expect(dsn).toMatchObject({
      kind: 'dsn',
      action: 'failed',
      status: '5.1.1',
      reason: 'user_unknown',
      type: 'hard',
    });
    expect(dsn.applied).toMatch(/^message failed: user_unknown/);
    expect(dsn.at).toBeGreaterThanOrEqual(bob.items[0]!.at);
    const inbound = await app.handlers['inmail.get']({ id: dsn.inboundId }, ctx);
    expect(inbound).toMatchObject({ kind: 'dsn', logId: row('dsn.bob@inbox.test').id, deliveryId: id });

    const cy = await events('complain.cy@mail.test');
    expect(cy.items.map((a) => a.outcome)).toEqual(['accepted']);
    expect(cy.reports.map((r) => [r.kind, r.reason])).toEqual([['arf', 'refused']]);

    const dee = await events('ooo.dee@corp.test');
    expect(dee.reports.map((r) => r.kind)).toEqual(['auto_reply']);

    const ada = await events('ada@inbox.test');
    expect(ada.items.map((a) => a.outcome)).toEqual(['accepted']);
    expect(ada.reports).toEqual([]);
  });

  it("finds a row's reports through indexes", () => {
    const plan = (
      app.db.prepare(`EXPLAIN QUERY PLAN ${REPORTS_FOR_LOG_ROW_SQL}`).all({
        logId: 1,
        deliveryId: 1,
        logKey: '1',
        limit: 200,
      }) as { detail: string }[]
    ).map((r) => r.detail);
    expect(plan.some((d) => d.includes('USING INDEX inbound_log'))).toBe(true);
    expect(plan.some((d) => d.includes('USING INDEX inbound_delivery'))).toBe(true);
    expect(plan.some((d) => /SCAN inbound_messages(?! USING)/.test(d))).toBe(false);
  });
});
