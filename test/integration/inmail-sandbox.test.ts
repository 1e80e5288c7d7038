/**
 * Issue 4's "Done when": a delivery against the sandbox whose receivers send DSNs and ARF complaints after
 * accepting ends with the right statuses, reasons, complaint count and quarantine entries; a second delivery to
 * the same list excludes them as quarantined / denylisted. Everything real: openApp, the engine, the sandbox's
 * SMTP server, the inMail listener receiving the asynchronous mail over SMTP on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { parseVerp } from '../../src/main/engine/bounce/verp';
import { verpKeyOf } from '../../src/main/inmail';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';
import { createFileSecretStore } from '../../src/main/secrets/secret-store';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({
    ...TEST_APP,
    dataDir: tmp.dir,
  });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

/** Resolves once `n` inbound messages are stored and processed (bounded wait on the bus). */
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

const LIST = [
  'ada@inbox.test',
  'dsn.bob@inbox.test',
  'complain.cy@mail.test',
  'ooo.dee@corp.test',
  'unknown.eve@shop.test',
];

describe('asynchronous bounces from the sandbox', () => {
  it('applies DSNs, complaints and auto-replies received after acceptance, then excludes the addresses', async () => {
    expect(app.bounce.listener?.port).toBeGreaterThan(0);
    const created = await app.handlers['deliveries.create'](
      deliveryRequest({ name: 'Async', csv: csvOf(LIST), timeScale: 20_000, validityMs: 86_400_000 }),
      ctx,
    );
    const id = created.delivery.id;
    await app.campaign.whenRelayed(Number(id));
    await app.engine.whenIdle();
    await inboundMessages(3);
    app.bus.flush();

    // Every message left with a VERP return-path that verifies.
    const received = app.sandbox?.received() ?? [];
    const key = verpKeyOf(createFileSecretStore(app.dataDir));
    expect(received.length).toBe(4);
    for (const m of received) expect(parseVerp(m.from, key)).toMatchObject({ kind: 'message' });

    const page = await app.handlers['logs.page'](
      { deliveryId: id, filter: {}, sort: { key: 'id', dir: 'asc' }, cursor: null, limit: 100 },
      ctx,
    );
    const byEmail = new Map(page.items.map((r) => [r.email, r]));
    expect(byEmail.get('ada@inbox.test')).toMatchObject({ status: 'sent', reason: null });
    expect(byEmail.get('dsn.bob@inbox.test')).toMatchObject({
      status: 'failed',
      reason: 'user_unknown',
      failureType: 'hard',
      bounceClass: 10,
    });
    expect(byEmail.get('dsn.bob@inbox.test')?.lastReply).toMatch(/^550 5\.1\.1 /);
    expect(byEmail.get('complain.cy@mail.test')).toMatchObject({
      status: 'sent',
      reason: 'refused',
      bounceClass: 90,
    });
    expect(byEmail.get('ooo.dee@corp.test')).toMatchObject({ status: 'sent', reason: null });
    expect(byEmail.get('unknown.eve@shop.test')).toMatchObject({ status: 'failed', reason: 'user_unknown' });

    const d = await app.handlers['deliveries.get']({ id }, ctx);
    expect(d.statusCounts).toMatchObject({ sent: 3, failed: 2 });
    expect(d.kpi).toMatchObject({ success: 3, hardBounces: 2 });
    const complaints = app.db
      .prepare('SELECT n_complaints AS n FROM deliveries WHERE id = ?')
      .get(Number(id)) as {
      n: number;
    };
    expect(complaints.n).toBe(1);

    const q = await app.handlers['quarantine.list']({ cursor: null, limit: 100 }, ctx);
    expect(q.items.map((e) => [e.address, e.status, e.lastReason])).toEqual([
      ['complain.cy@mail.test', 'denylisted', 'refused'],
      ['dsn.bob@inbox.test', 'quarantine', 'user_unknown'],
      ['unknown.eve@shop.test', 'quarantine', 'user_unknown'],
    ]);

    const inbound = await app.handlers['inmail.list']({ cursor: null, limit: 100 }, ctx);
    expect(inbound.items.map((m) => [m.kind, m.matched, m.matchedBy]).sort()).toEqual([
      ['arf', true, 'verp'],
      ['auto_reply', true, 'verp'],
      ['dsn', true, 'verp'],
    ]);
    const qualification = await app.handlers['qualification.list'](
      { cursor: null, limit: 100, sort: 'newest', source: 'async' },
      ctx,
    );
    expect(qualification.items.map((r) => [r.reason, r.occurrences])).toEqual([['user_unknown', 1]]);

    // The same list again: the quarantined and denylisted addresses are excluded at preparation.
    const again = await app.handlers['deliveries.create'](
      deliveryRequest({ name: 'Again', csv: csvOf(LIST), start: false }),
      ctx,
    );
    expect(again.import).toMatchObject({ total: 5, accepted: 2, quarantined: 2, denylisted: 1 });
    expect(again.delivery.reasonCounts).toMatchObject({ quarantined: 2, denylisted: 1 });
    expect(again.delivery.kpi.excluded).toBe(3);
  });
});
