/**
 * openApp and the API handlers over a real data dir: first-start seed, app.info, listing and paging, errors
 * with registry codes, and the demo delivery run against the built-in sandbox to the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { nodeDns } from '../../src/main/engine/relay/node-dns';
import { chromiumPrinter } from '../../src/main/node/report-printer';
import { DEMO_TEMPLATE, DEMO_THROTTLED_READERS } from '../../src/main/demo/content';
import { THROTTLED_PROFILE } from '../../src/main/engine/sandbox/profiles';
import { silentLogger } from '../../src/main/logger';
import { AppError, type ErrorCode } from '../../src/shared/contract/errors';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';
import { fileSecrets } from '../../src/main/secrets/secret-store';

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

async function rejects(code: ErrorCode, p: () => unknown): Promise<AppError> {
  try {
    await p();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return err as AppError;
  }
  throw new Error(`expected ${code}`);
}

describe('first start', () => {
  it('seeds the demo template, list, default route and demo files once', async () => {
    const seeded = (await app.handlers['samples.lists']({}, ctx)).items[0]?.csv ?? '';
    // The demo profile's rows, and a few hundred readers at the receiver with hidden limits.
    expect(seeded.split('\r\n').filter((l) => l.includes('@throttled.test'))).toHaveLength(
      DEMO_THROTTLED_READERS,
    );
    expect(DEMO_THROTTLED_READERS).toBeGreaterThanOrEqual(200);
    const templates = await app.handlers['templates.list']({}, ctx);
    expect(templates.items).toEqual([expect.objectContaining({ id: '1', ...DEMO_TEMPLATE })]);
    const lists = await app.handlers['samples.lists']({}, ctx);
    expect(lists.items.map((l) => l.name)).toEqual([
      'Demo recipients (sandbox)',
      'Simulation campaign (10,000 recipients across the provider profiles)',
    ]);
    expect(lists.items[1]?.csv.split('\r\n').filter(Boolean)).toHaveLength(10_001);
    expect(fs.readFileSync(path.join(tmp.dir, 'demo/recipients.csv'), 'utf8')).toBe(lists.items[0]?.csv);
    expect(fs.readFileSync(path.join(tmp.dir, 'demo/message.eml'), 'utf8')).toContain(
      'From: Relaydeck Demo <news@relaydeck.test>',
    );
    expect(fs.existsSync(path.join(tmp.dir, 'logs'))).toBe(false); // a logger was injected

    const second = await openApp({
      clock: systemClock,
      dns: nodeDns,
      reportPrinter: chromiumPrinter,
      secrets: fileSecrets,
      dataDir: tmp.dir,
      engine: false,
      sandbox: false,
      logger: silentLogger,
    });
    try {
      expect((await second.handlers['templates.list']({}, ctx)).items).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('reports version, data dir, the running sandbox, the default route and the caller transport', async () => {
    const info = await app.handlers['app.info']({}, { transport: 'ipc' });
    expect(info).toMatchObject({
      dataDir: tmp.dir,
      transport: 'ipc',
      defaultRoute: { kind: 'sandbox' },
      sandbox: {
        running: true,
        host: '127.0.0.1',
        domains: expect.arrayContaining(['inbox.test', 'throttled.test', 'gmail.test', 'corporate.test']),
      },
    });
    expect(info.sandbox.domains.slice(0, 5)).toEqual([
      'inbox.test',
      'mail.test',
      'corp.test',
      'shop.test',
      'throttled.test',
    ]);
    expect(info.sandbox.port).toBe(app.sandbox?.port);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('the demo delivery against the sandbox', () => {
  it('ends with sent, failed (hard and after retries), retried and ignored messages', async () => {
    const list = (await app.handlers['samples.lists']({}, ctx)).items[0];
    const created = await app.handlers['deliveries.create'](
      deliveryRequest({
        name: 'Demo',
        template: DEMO_TEMPLATE,
        // The readers at throttled.test (hidden limits) are left out here: how fast they go is the adaptive
        // shaper's business (test/bench `adaptive`, the engine's shaping tests); this is about every status.
        csv: (list?.csv ?? '')
          .split('\r\n')
          .filter((line) => !line.includes('@throttled.test'))
          .join('\r\n'),
        // 1 day at x20,000: a 4.3 s validity (mailbox-full retries end Failed) with ample room for the
        // greylisting retry (15 ms) even on a loaded machine.
        timeScale: 20_000,
        validityMs: 86_400_000,
      }),
      ctx,
    );
    const id = created.delivery.id;
    expect(created.import.errors).toEqual([
      { line: 40, field: 'email', message: '"karl.at.mail.test" is not an address (expected local@domain)' },
    ]);
    await app.campaign.whenRelayed(Number(id));
    await app.engine.whenIdle();
    const d = await app.handlers['deliveries.get']({ id }, ctx);
    expect(d.state).toBe('completed');
    expect(d.statusCounts).toMatchObject({ pending: 0, taken_into_account: 0, ignored: 3 });
    expect(d.statusCounts.sent).toBeGreaterThan(20);

    const page = (filter: object) =>
      app.handlers['logs.page'](
        { deliveryId: id, filter, sort: { key: 'id', dir: 'asc' }, cursor: null, limit: 100 },
        ctx,
      );
    const greylisted = (await page({ search: 'grey' })).items;
    expect(greylisted.map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
      ['sent', 2],
    ]);
    const attempts = await app.handlers['logs.attempts']({ logId: greylisted[0]?.id ?? '0' }, ctx);
    expect(attempts.items.map((a) => [a.outcome, a.code])).toEqual([
      ['deferred', 451],
      ['accepted', 250],
    ]);
    const full = (await page({ search: 'full' })).items;
    expect(full.map((r) => [r.status, r.failureType, r.reason])).toEqual([
      ['failed', 'soft', 'mailbox_full'],
      ['failed', 'soft', 'mailbox_full'],
    ]);
    expect(full.every((r) => r.attempts >= 2)).toBe(true);
    const failed = await page({ status: ['failed'] });
    expect(failed.total).toBe(d.statusCounts.failed);

    // Later, at the bounce mailbox: the DSN, the complaint and the auto-reply of three accepted messages.
    await vi.waitFor(
      async () => {
        const inbound = await app.handlers['inmail.list']({ cursor: null, limit: 50 }, ctx);
        expect(
          inbound.items
            .filter((m) => m.matched)
            .map((m) => m.kind)
            .sort(),
        ).toEqual(['arf', 'auto_reply', 'dsn']);
        // The list names the recipient each report is about.
        expect(inbound.items.find((m) => m.kind === 'dsn')?.recipients).toEqual(['dsn.mia@mail.test']);
      },
      { timeout: 10_000 },
    );
    const after = await app.handlers['deliveries.get']({ id }, ctx);
    expect(after.reasonCounts).toMatchObject({
      user_unknown: 4, // three refused at RCPT, one found unknown after acceptance (the DSN)
      mailbox_full: 2,
      double: 2,
      address_not_specified: 1,
    });
    const [dsn] = (await page({ search: 'dsn.mia' })).items;
    expect(dsn).toMatchObject({ status: 'failed', failureType: 'hard', reason: 'user_unknown' });
    const [ooo] = (await page({ search: 'ooo.olga' })).items;
    expect(ooo).toMatchObject({ status: 'sent' });
  });
});

describe('the sandbox route', () => {
  it('sends each profile’s domains to that profile’s listener: one sandbox destination per profile', async () => {
    const created = await app.handlers['deliveries.create'](
      deliveryRequest({ name: 'Two profiles', csv: csvOf(['ada@inbox.test', 'reader@throttled.test']) }),
      ctx,
    );
    await app.campaign.whenRelayed(Number(created.delivery.id));
    await app.engine.whenIdle();
    const destinations = (await app.handlers['destinations.list']({}, ctx)).items;
    const of = (domain: string) => destinations.find((d) => d.domains.includes(domain));
    const listeners = app.sandbox?.listeners ?? [];
    expect(of('inbox.test')).toMatchObject({ kind: 'sandbox', key: `smtp:127.0.0.1:${listeners[0]?.port}` });
    expect(of('throttled.test')).toMatchObject({
      kind: 'sandbox',
      key: `smtp:127.0.0.1:${listeners[1]?.port}`,
      lastHour: { accepted: 1 },
    });
    expect(app.sandbox?.received().filter((m) => m.profile === THROTTLED_PROFILE.name)).toHaveLength(1);
  });
});

describe('handlers', () => {
  it('lists deliveries newest first with a keyset cursor and a state filter', async () => {
    for (let i = 0; i < 3; i++) {
      await app.handlers['deliveries.create'](
        deliveryRequest({ name: `Held ${i}`, csv: csvOf([`x${i}@inbox.test`]), start: false }),
        ctx,
      );
    }
    const first = await app.handlers['deliveries.list'](
      { cursor: null, limit: 2, state: ['preparing'] },
      ctx,
    );
    expect(first.items.map((d) => d.name)).toEqual(['Held 2', 'Held 1']);
    expect(first.nextCursor).not.toBeNull();
    const second = await app.handlers['deliveries.list'](
      { cursor: first.nextCursor, limit: 2, state: ['preparing'] },
      ctx,
    );
    expect(second.items.map((d) => d.name)).toEqual(['Held 0']);
    expect(second.nextCursor).toBeNull();
    const all = await app.handlers['deliveries.list']({ cursor: null, limit: 100 }, ctx);
    expect(all.items.map((d) => Number(d.id))).toEqual(
      [...all.items.map((d) => Number(d.id))].sort((a, b) => b - a),
    );
  });

  it('previews a CSV list', async () => {
    const preview = await app.handlers['recipients.preview'](
      { fileName: 'p.csv', csv: 'Email;city\na@inbox.test;Oslo\nbad;X\n' },
      ctx,
    );
    expect(preview).toMatchObject({
      fileName: 'p.csv',
      columns: ['Email', 'city'],
      total: 2,
      valid: 1,
      moreErrors: 0,
    });
    expect(preview.rows).toEqual([{ Email: 'a@inbox.test', city: 'Oslo' }]);
    expect(preview.errors).toEqual([
      { line: 3, field: 'Email', message: '"bad" is not an address (expected local@domain)' },
    ]);
  });

  it('fails with registry codes: not_found, csv_invalid, template_invalid', async () => {
    expect(
      (await rejects('not_found', () => app.handlers['deliveries.get']({ id: '9999' }, ctx))).message,
    ).toBe('Delivery 9999 does not exist');
    await rejects('not_found', () => app.handlers['logs.attempts']({ logId: '99999999' }, ctx));
    await rejects('not_found', () =>
      app.handlers['logs.page'](
        { deliveryId: '9999', filter: {}, sort: { key: 'id', dir: 'asc' }, cursor: null, limit: 1 },
        ctx,
      ),
    );
    const csv = await rejects('csv_invalid', () =>
      app.handlers['deliveries.create'](deliveryRequest({ csv: 'name\nBob\n' }), ctx),
    );
    expect(csv.message).toContain('list.csv has no "email" column');
    const template = await rejects('template_invalid', () =>
      app.handlers['deliveries.create'](
        deliveryRequest({
          template: { fromAddress: 'me@example.test', subject: 'Hi {{nickname}}', text: 'x' },
        }),
        ctx,
      ),
    );
    expect(template.details).toEqual([
      {
        field: 'subject',
        message: 'subject: {{nickname}} is not a column of the recipient list (columns: email, first_name)',
      },
    ]);
  });
});

describe('provider profiles', () => {
  /** The live sandbox's reply to RCPT of `rcpt`, over SMTP. */
  async function rcptReply(rcpt: string): Promise<string> {
    const { openSmtpSession } = await import('../../src/main/engine/relay/smtp-client');
    const address = app.sandbox!.addressFor(rcpt.split('@')[1]!);
    const opened = await openSmtpSession({
      host: address.host,
      port: address.port,
      name: 'test.client',
      starttls: 'offered',
      rejectUnauthorized: false,
      connectMs: 5_000,
      greetingMs: 5_000,
      commandMs: 5_000,
    });
    if (!opened.ok) throw new Error('no session');
    const result = await opened.session.sendMail(
      'news@sender.test',
      [rcpt],
      Buffer.from('Subject: x\r\n\r\nx\r\n'),
      {
        commandMs: 5_000,
        dataMs: 5_000,
      },
    );
    opened.session.close();
    return result.rcpts[0]?.raw ?? '';
  }

  it('saves edited profiles, which the live sandbox serves at once, and resets to the shipped ones', async () => {
    const state = await app.handlers['profiles.get']({}, ctx);
    expect(state.customised).toBe(false);
    expect(state.document.profiles.map((p) => p.id)).toContain('gmail');
    expect(await rcptReply('unknown.a@gmail.test')).toMatch(
      /^550 5\.1\.1 The email account that you tried to reach/,
    );

    const edited = structuredClone(state.document);
    const gmail = edited.profiles.find((p) => p.id === 'gmail')!;
    gmail.replies.unknown_user = { code: 550, text: '5.1.1 <addr>: no such mailbox here' };
    gmail.domains.push('gmail-edited.test');
    const saved = await app.handlers['profiles.save'](edited, ctx);
    expect(saved.customised).toBe(true);
    expect(await rcptReply('unknown.a@gmail.test')).toBe(
      '550 5.1.1 <unknown.a@gmail.test>: no such mailbox here',
    );
    expect(await rcptReply('unknown.b@gmail-edited.test')).toBe(
      '550 5.1.1 <unknown.b@gmail-edited.test>: no such mailbox here',
    );
    expect((await app.handlers['app.info']({}, ctx)).sandbox.port).toBe(app.sandbox!.port);

    const reset = await app.handlers['profiles.reset']({}, ctx);
    expect(reset.customised).toBe(false);
    expect(await rcptReply('unknown.a@gmail.test')).toMatch(
      /^550 5\.1\.1 The email account that you tried to reach/,
    );
  });
});
