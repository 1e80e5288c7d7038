/**
 * inMail without the sandbox: an .mbox import with matched (trace header, Message-ID) and unmatched messages,
 * a forged VERP kept unmatched, an unparseable message stored anyway, a DSN over real SMTP to the listener,
 * and the IMAP poller driven through an injected fake client (there is no IMAP server here).
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { ManualClock } from '../../src/main/clock';
import { traceValue } from '../../src/main/engine/bounce/trace';
import { createImapPoller, type ImapSession } from '../../src/main/inmail/imap-poller';
import { silentLogger } from '../../src/main/logger';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;
let rows: { id: number; delivery_id: number; email: string; message_id: string }[];

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({
    ...TEST_APP,
    dataDir: tmp.dir,
    sandbox: false,
  });
  const created = await app.handlers['deliveries.create'](
    deliveryRequest({ csv: csvOf(['ann@example.net', 'bob@example.net', 'cy@example.net']), start: false }),
    ctx,
  );
  rows = app.db
    .prepare('SELECT id, delivery_id, email, message_id FROM delivery_log WHERE delivery_id = ? ORDER BY id')
    .all(Number(created.delivery.id)) as typeof rows;
  // As if relayed and accepted (EFS): the rows are Sent.
  app.db
    .prepare("UPDATE delivery_log SET status = 'sent' WHERE delivery_id = ?")
    .run(Number(created.delivery.id));
  app.db
    .prepare('UPDATE deliveries SET n_pending = 0, n_sent = 3, n_success = 3 WHERE id = ?')
    .run(Number(created.delivery.id));
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

function dsn(opts: {
  to: string;
  rcpt: string;
  original: string;
  status?: string;
  action?: string;
  diagnostic?: string;
}): string {
  return [
    'From: MAILER-DAEMON@mx.example.net',
    `To: ${opts.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Message-ID: <dsn-1@mx.example.net>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'Delivery failed.',
    '',
    '--b',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${opts.rcpt}`,
    `Action: ${opts.action ?? 'failed'}`,
    `Status: ${opts.status ?? '5.1.1'}`,
    `Diagnostic-Code: smtp; ${opts.diagnostic ?? `550 5.1.1 <${opts.rcpt}>: User unknown`}`,
    '',
    '--b',
    'Content-Type: text/rfc822-headers',
    '',
    opts.original,
    '',
    '--b--',
    '',
  ].join('\r\n');
}

describe('inMail import and matching', () => {
  it('imports an .mbox: matches by trace header and Message-ID, keeps unmatched and unreadable mail', async () => {
    const [ann, bob] = rows;
    const messages = [
      dsn({
        to: 'bounces@example.test',
        rcpt: ann!.email,
        original: `Subject: hi\r\nX-Relaydeck-Id: ${traceValue(ann!.delivery_id, ann!.id, ann!.message_id)}`,
      }),
      dsn({
        to: 'bounces@example.test',
        rcpt: bob!.email,
        status: '4.2.2',
        action: 'delayed',
        diagnostic: '452 4.2.2 Mailbox full, try again later',
        original: `Subject: hi\r\nMessage-ID: ${bob!.message_id}`,
      }),
      dsn({ to: 'bounces+1.1.0000000000@example.test', rcpt: 'zed@example.net', original: 'Subject: other' }),
      'Subject: just a note\r\n\r\nHello there\r\n',
    ];
    const mbox = messages.map((m) => `From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n${m}\n`).join('');
    const file = path.join(tmp.dir, 'bounces.mbox');
    fs.writeFileSync(file, mbox);
    const result = await app.handlers['inmail.import'](
      { fileName: 'bounces.mbox', contentBase64: fs.readFileSync(file).toString('base64') },
      ctx,
    );
    expect(result).toEqual({ messages: 4, matched: 2, unmatched: 2, duplicates: 0, errors: [] });

    const list = await app.handlers['inmail.list']({ cursor: null, limit: 10 }, ctx);
    expect(list.items.map((m) => [m.source, m.matched, m.matchedBy]).reverse()).toEqual([
      ['import', true, 'trace_header'],
      ['import', true, 'message_id'],
      ['import', false, null],
      ['import', false, null],
    ]);
    const unmatched = await app.handlers['inmail.list']({ cursor: null, limit: 10, matched: false }, ctx);
    expect(unmatched.items).toHaveLength(2);

    const logs = await app.handlers['logs.page'](
      {
        deliveryId: String(ann!.delivery_id),
        filter: {},
        sort: { key: 'id', dir: 'asc' },
        cursor: null,
        limit: 10,
      },
      ctx,
    );
    expect(logs.items.map((r) => [r.email, r.status, r.reason])).toEqual([
      ['ann@example.net', 'failed', 'user_unknown'],
      ['bob@example.net', 'sent', 'mailbox_full'],
      ['cy@example.net', 'sent', null],
    ]);
    const d = await app.handlers['deliveries.get']({ id: String(ann!.delivery_id) }, ctx);
    expect(d.statusCounts).toMatchObject({ sent: 2, failed: 1 });
    expect(d.kpi).toMatchObject({ success: 2, hardBounces: 1 });

    const first = await app.handlers['inmail.get']({ id: list.items.at(-1)!.id }, ctx);
    expect(first.recipients[0]).toMatchObject({
      recipient: 'ann@example.net',
      reason: 'user_unknown',
      logId: String(ann!.id),
    });
    expect(first.raw).toContain('multipart/report');
  });

  it('receives a DSN over SMTP at the listener and answers nothing back', async () => {
    const cy = rows[2]!;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: app.bounce.listener!.port,
      ignoreTLS: true,
    });
    try {
      await transport.sendMail({
        envelope: { from: '', to: ['whoever@example.test'] },
        raw: dsn({
          to: 'x@example.test',
          rcpt: cy.email,
          original: `X-Relaydeck-Id: ${traceValue(cy.delivery_id, cy.id, cy.message_id)}`,
        }),
      });
    } finally {
      transport.close();
    }
    const status = await app.handlers['inmail.status']({}, ctx);
    expect(status).toMatchObject({ listener: { running: true }, messages: 5, unmatched: 2 });
    const newest = (await app.handlers['inmail.list']({ cursor: null, limit: 1 }, ctx)).items[0];
    expect(newest).toMatchObject({ source: 'smtp', envelopeTo: 'whoever@example.test', matched: true });
    expect(await app.handlers['quarantine.list']({ cursor: null, limit: 10 }, ctx)).toMatchObject({
      counts: { quarantine: 2, with_errors: 0 },
    });
  });

  it('polls IMAP through the injected client: stores, then flags seen; errors are reported', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    let fail = false;
    const session: ImapSession = {
      fetchUnseen: async () =>
        fail
          ? Promise.reject(new Error('auth failed'))
          : [{ uid: 7, source: Buffer.from('Subject: x\r\n\r\nbody\r\n') }],
      markSeen: async (_m, uids) => void seen.push(...uids),
      close: async () => undefined,
    };
    const config = {
      host: 'imap.example',
      port: 993,
      tls: true,
      user: 'u',
      password: 'p',
      mailbox: 'INBOX',
      intervalSec: 60,
      enabled: true,
    };
    const poller = createImapPoller({
      config: () => config,
      inmail: app.bounce.inmail,
      clock,
      logger: silentLogger,
      connect: async () => session,
    });
    await poller.pollNow();
    expect(seen).toEqual([7]);
    expect(poller.status()).toMatchObject({ state: 'idle', lastFetched: 1, lastError: null });
    fail = true;
    await poller.pollNow();
    expect(poller.status()).toMatchObject({ state: 'error', lastError: 'auth failed' });
    await poller.stop();
    const newest = (await app.handlers['inmail.list']({ cursor: null, limit: 1 }, ctx)).items[0];
    expect(newest).toMatchObject({ source: 'imap', matched: false });
  });

  it('keeps the IMAP password write-only', async () => {
    const saved = await app.handlers['inmail.imapSave'](
      {
        host: 'imap.example',
        port: 993,
        tls: true,
        user: 'u',
        password: 'secret',
        mailbox: 'INBOX',
        intervalSec: 300,
        enabled: false,
      },
      ctx,
    );
    expect(saved).toEqual({
      host: 'imap.example',
      port: 993,
      tls: true,
      user: 'u',
      mailbox: 'INBOX',
      intervalSec: 300,
      enabled: false,
      passwordSet: true,
    });
    expect(JSON.stringify(await app.handlers['inmail.imapGet']({}, ctx))).not.toContain('secret');
  });
});
