/**
 * Forged reports change nothing (issue 16, item 1). A report is tied to a message only by an identifier its
 * author cannot have guessed: a VERP address whose HMAC tag verifies, or the row's 128-bit Message-ID token
 * (quoted in the trace header or the Message-ID). Forged DSNs, ARF complaints and multi-recipient bounces that
 * quote real but guessable ids (the old `X-Relaydeck-Id: <deliveryId>.<logId>`, an old 48-bit Message-ID, a
 * wrong token) are kept unmatched: no status, counter, quarantine or qualification row moves. A genuine
 * per-message identifier vouches for its own row only, whatever other recipients the report names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { traceValue } from '../../src/main/engine/bounce/trace';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

interface Row {
  id: number;
  delivery_id: number;
  email: string;
  message_id: string;
}

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({ ...TEST_APP, dataDir: tmp.dir, sandbox: false });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

let seq = 0;
/** A delivery whose rows are Sent (as if relayed and accepted), with fresh addresses. */
async function sentDelivery(n: number): Promise<Row[]> {
  const s = ++seq;
  const addresses = Array.from({ length: n }, (_, i) => `r${i}.s${s}@example.net`);
  const created = await app.handlers['deliveries.create'](
    deliveryRequest({ csv: csvOf(addresses), start: false }),
    ctx,
  );
  const id = Number(created.delivery.id);
  app.db.prepare("UPDATE delivery_log SET status = 'sent' WHERE delivery_id = ?").run(id);
  app.db.prepare('UPDATE deliveries SET n_pending = 0, n_sent = ?, n_success = ? WHERE id = ?').run(n, n, id);
  return app.db
    .prepare('SELECT id, delivery_id, email, message_id FROM delivery_log WHERE delivery_id = ? ORDER BY id')
    .all(id) as Row[];
}

/** Everything a report could change: the rows, the delivery's counters, the quarantine, the qualification table. */
function snapshot(deliveryId: number): unknown {
  return {
    rows: app.db
      .prepare(
        'SELECT email, status, reason, failure_type FROM delivery_log WHERE delivery_id = ? ORDER BY id',
      )
      .all(deliveryId),
    delivery: app.db
      .prepare('SELECT n_sent, n_failed, n_success, n_complaints FROM deliveries WHERE id = ?')
      .get(deliveryId),
    quarantine: app.db.prepare('SELECT addr_key, status FROM quarantine ORDER BY addr_key').all(),
    qualification: app.db.prepare('SELECT norm_key, occurrences FROM qualification ORDER BY norm_key').all(),
  };
}

function dsn(o: { to: string; rcpts: readonly string[]; original: string }): Buffer {
  const blocks = o.rcpts.flatMap((r) => [
    `Final-Recipient: rfc822; ${r}`,
    'Action: failed',
    'Status: 5.1.1',
    `Diagnostic-Code: smtp; 550 5.1.1 <${r}>: User unknown`,
    '',
  ]);
  return Buffer.from(
    [
      'From: MAILER-DAEMON@mx.example.net',
      `To: ${o.to}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn-${++seq}@mx.example.net>`,
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
      ...blocks,
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      o.original,
      '',
      '--b--',
      '',
    ].join('\r\n'),
  );
}

function arf(o: { rcpt: string; original: string }): Buffer {
  return Buffer.from(
    [
      'From: fbl@isp.example.org',
      'To: fbl@example.test',
      'Subject: Abuse report',
      `Message-ID: <arf-${++seq}@isp.example.org>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '',
      '--b',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: ISP-FBL/1.0',
      'Version: 1',
      `Original-Rcpt-To: ${o.rcpt}`,
      '',
      '--b',
      'Content-Type: message/rfc822',
      '',
      o.original,
      'From: sender@example.test',
      `To: ${o.rcpt}`,
      'Subject: Hello',
      '',
      'Hello',
      '',
      '--b--',
      '',
    ].join('\r\n'),
  );
}

async function receive(raw: Buffer, envelopeTo: string | null = null) {
  return app.bounce.inmail.receive(raw, { source: 'import', envelopeTo });
}

describe('forged reports are kept unmatched and change nothing', () => {
  it('a DSN quoting the guessable trace header of real rows, or a wrong token, matches nothing', async () => {
    const [ann] = await sentDelivery(1);
    const before = snapshot(ann!.delivery_id);
    const forged = [
      `X-Relaydeck-Id: ${ann!.delivery_id}.${ann!.id}`,
      `X-Relaydeck-Id: ${ann!.delivery_id}.${ann!.id}.${'0'.repeat(32)}`,
      `X-Relaydeck-Id: ${ann!.delivery_id}.${ann!.id}.${'ab'.repeat(16)}`,
    ];
    for (const original of forged) {
      const result = await receive(dsn({ to: 'bounces@example.test', rcpts: [ann!.email], original }));
      expect(result).toMatchObject({ matched: false, error: null });
    }
    expect(snapshot(ann!.delivery_id)).toEqual(before);
    const listed = await app.handlers['inmail.list']({ cursor: null, limit: 3, matched: false }, ctx);
    expect(listed.items.map((m) => m.outcome)).toEqual([
      'unmatched: kept',
      'unmatched: kept',
      'unmatched: kept',
    ]);
  });

  it('a Message-ID without a 128-bit token (mail sent before tokens existed) is not trusted', async () => {
    const [bob] = await sentDelivery(1);
    // A row prepared before the change: its Message-ID had 48 random bits.
    const old = `<${bob!.id}.${bob!.delivery_id}.0123456789ab@example.test>`;
    app.db.prepare('UPDATE delivery_log SET message_id = ? WHERE id = ?').run(old, bob!.id);
    const before = snapshot(bob!.delivery_id);
    const result = await receive(
      dsn({ to: 'bounces@example.test', rcpts: [bob!.email], original: `Message-ID: ${old}` }),
    );
    expect(result.matched).toBe(false);
    expect(snapshot(bob!.delivery_id)).toEqual(before);
  });

  it('an ARF complaint quoting the guessable trace header denylists nobody', async () => {
    const [cy] = await sentDelivery(1);
    const before = snapshot(cy!.delivery_id);
    const result = await receive(
      arf({ rcpt: cy!.email, original: `X-Relaydeck-Id: ${cy!.delivery_id}.${cy!.id}` }),
    );
    expect(result.matched).toBe(false);
    expect(snapshot(cy!.delivery_id)).toEqual(before);
  });

  it('a multi-recipient bounce quoting one guessable id fails none of the five rows it names', async () => {
    const rows = await sentDelivery(5);
    const before = snapshot(rows[0]!.delivery_id);
    const result = await receive(
      dsn({
        to: 'bounces@example.test',
        rcpts: rows.map((r) => r.email),
        original: `X-Relaydeck-Id: ${rows[0]!.delivery_id}.${rows[0]!.id}\r\nMessage-ID: <${rows[0]!.id}.${rows[0]!.delivery_id}.0123456789ab@example.test>`,
      }),
    );
    expect(result.matched).toBe(false);
    expect(snapshot(rows[0]!.delivery_id)).toEqual(before);
  });
});

describe('a genuine identifier vouches for its own row only', () => {
  it('a genuine trace header fails its row; the other recipients the report names are recorded only', async () => {
    const rows = await sentDelivery(5);
    const [first] = rows;
    const result = await receive(
      dsn({
        to: 'bounces@example.test',
        rcpts: rows.map((r) => r.email),
        original: `X-Relaydeck-Id: ${traceValue(first!.delivery_id, first!.id, first!.message_id)}`,
      }),
    );
    expect(result.matched).toBe(true);
    const after = app.db
      .prepare('SELECT email, status FROM delivery_log WHERE delivery_id = ? ORDER BY id')
      .all(first!.delivery_id) as { email: string; status: string }[];
    expect(after.map((r) => r.status)).toEqual(['failed', 'sent', 'sent', 'sent', 'sent']);
    const quarantined = app.db
      .prepare(
        'SELECT addr_key FROM quarantine WHERE addr_key IN (SELECT email FROM delivery_log WHERE delivery_id = ?)',
      )
      .pluck()
      .all(first!.delivery_id);
    expect(quarantined).toEqual([first!.email]);
    const message = await app.handlers['inmail.get']({ id: String(result.id) }, ctx);
    expect(message.recipients.map((r) => r.logId)).toEqual([String(first!.id), null, null, null, null]);
  });

  it('a genuine Message-ID and a verified per-message VERP do the same', async () => {
    const rows = await sentDelivery(3);
    const [a, b, c] = rows;
    const byMessageId = await receive(
      dsn({
        to: 'bounces@example.test',
        rcpts: [a!.email, b!.email],
        original: `Message-ID: ${a!.message_id}`,
      }),
    );
    expect(byMessageId.matched).toBe(true);
    const verp = app.bounce.envelopeSender.forMessage('sender@example.test', b!.id, b!.delivery_id);
    const byVerp = await receive(
      dsn({ to: verp, rcpts: [b!.email, c!.email], original: 'Subject: hi' }),
      verp,
    );
    expect(byVerp.matched).toBe(true);
    const statuses = app.db
      .prepare('SELECT status FROM delivery_log WHERE delivery_id = ? ORDER BY id')
      .pluck()
      .all(a!.delivery_id);
    expect(statuses).toEqual(['failed', 'failed', 'sent']);
  });

  it('a genuine ARF complaint (tokened trace header) denylists its address', async () => {
    const [d] = await sentDelivery(1);
    const result = await receive(
      arf({
        rcpt: d!.email,
        original: `X-Relaydeck-Id: ${traceValue(d!.delivery_id, d!.id, d!.message_id)}`,
      }),
    );
    expect(result.matched).toBe(true);
    expect(app.db.prepare('SELECT status FROM quarantine WHERE addr_key = ?').pluck().get(d!.email)).toBe(
      'denylisted',
    );
  });
});
