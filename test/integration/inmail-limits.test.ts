/**
 * The bounce mailbox is bounded (issue 16, item 5): the SMTP listener caps connections (the next one gets
 * 421), closes idle connections and connections over the session time limit (injected clock), refuses a
 * message over the size cap with 552 and stores nothing of it; the same message received or imported twice
 * is stored (and applied) once; retention deletes messages older than its days, then the oldest beyond its
 * size, on the injected clock.
 */
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp } from '../../src/main/app';
import { ManualClock } from '../../src/main/clock';
import { traceValue } from '../../src/main/engine/bounce/trace';
import { createStoredClassifier, verpKeyOf } from '../../src/main/inmail';
import { createFileSecretStore } from '../../src/main/secrets/secret-store';
import { startInmailListener, type InmailListener } from '../../src/main/inmail/listener';
import { createInmail, RETENTION_CHECK_MS, type Inmail } from '../../src/main/inmail/receive';
import { silentLogger } from '../../src/main/logger';
import { setSetting } from '../../src/main/store/settings-repo';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, openTempDb, type TempDb } from '../support/store-temp';

const DAY = 86_400_000;
let t: TempDb;
let clock: ManualClock;
let inmail: Inmail;
let listener: InmailListener | null = null;
const sockets: net.Socket[] = [];

beforeEach(() => {
  t = openTempDb();
  clock = new ManualClock();
  inmail = createInmail({
    db: t.db,
    clock,
    classifier: createStoredClassifier(t.db, { clock }),
    verpKey: verpKeyOf(createFileSecretStore(t.dir)),
    notify: {
      deliveryChanged: () => undefined,
      logsChanged: () => undefined,
      quarantineChanged: () => undefined,
      inmailReceived: () => undefined,
    },
    logger: silentLogger,
  });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await listener?.close();
  listener = null;
  t.dispose();
});

async function listen(o: {
  maxBytes?: number;
  maxClients?: number;
  idleMs?: number;
  maxSessionMs?: number;
  inmail?: Inmail;
}): Promise<InmailListener> {
  listener = await startInmailListener({
    inmail,
    logger: silentLogger,
    clock,
    port: 0,
    spoolDir: spool(),
    ...o,
  });
  return listener;
}

const spool = () => path.join(t.dir, 'inmail-spool');

/** A raw SMTP client: every reply line received, and the socket's end. */
function client(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    text: () => text,
    closed,
    /** Waits until the replies so far match `re`. */
    until: (re: RegExp, timeout = 5_000) =>
      vi.waitFor(() => expect(text).toMatch(re), { timeout, interval: 5 }),
    send: (line: string) => socket.write(`${line}\r\n`),
  };
}

function stored(): number {
  return t.db.prepare('SELECT count(*) FROM inbound_messages').pluck().get() as number;
}

function note(i: number, body = 'Hello'): Buffer {
  return Buffer.from(
    `From: someone@example.org\r\nSubject: note ${i}\r\nMessage-ID: <n${i}@x>\r\n\r\n${body}\r\n`,
  );
}

describe('the inMail SMTP listener', () => {
  it('answers the connection over the cap with 421 and closes it', async () => {
    const { port } = await listen({ maxClients: 2 });
    const a = client(port);
    const b = client(port);
    await a.until(/^220 /m);
    await b.until(/^220 /m);
    const c = client(port);
    await c.closed;
    expect(c.text()).toMatch(/^421 /m);
    // The first two are still served.
    a.send('EHLO test');
    await a.until(/^250 /m);
  });

  it('closes a connection idle longer than the idle limit with 421', async () => {
    const { port } = await listen({ idleMs: 200 });
    const a = client(port);
    await a.until(/^220 /m);
    await a.closed;
    expect(a.text()).toMatch(/^421 /m);
  });

  it('closes a connection over the session time limit (injected clock) with 421, even while it is active', async () => {
    const { port } = await listen({ maxSessionMs: 60_000 });
    const a = client(port);
    await a.until(/^220 /m);
    a.send('EHLO test');
    await a.until(/^250 /m);
    clock.advance(59_000);
    a.send('NOOP');
    await a.until(/^250 .*\r\n[\s\S]*^250 /m);
    expect(a.text()).not.toMatch(/^421 /m);
    clock.advance(1_000);
    await a.closed;
    expect(a.text()).toMatch(/^421 4\.4\.2 /m);
  });

  it('refuses a message over the size cap with 552 and stores nothing of it', async () => {
    const { port } = await listen({ maxBytes: 2_000 });
    // Without SIZE at MAIL FROM: the data is read, dropped, and refused at its end.
    const a = client(port);
    await a.until(/^220 /m);
    a.send('EHLO test');
    await a.until(/^250 /m);
    a.send('MAIL FROM:<>');
    a.send('RCPT TO:<bounces@example.test>');
    a.send('DATA');
    await a.until(/^354 /m);
    a.socket.write(`Subject: big\r\n\r\n${'x'.repeat(70).concat('\r\n').repeat(200)}.\r\n`);
    await a.until(/^552 /m);
    // A SIZE declared at MAIL FROM is refused there, before any data.
    a.send('MAIL FROM:<> SIZE=5000');
    await a.until(/^552 [\s\S]*^552 /m);
    // A message under the cap is stored.
    a.send('RSET');
    a.send('MAIL FROM:<>');
    a.send('RCPT TO:<bounces@example.test>');
    a.send('DATA');
    await a.until(/^354 [\s\S]*^354 /m);
    a.socket.write('Subject: small\r\n\r\nhello\r\n.\r\n');
    await a.until(/^250 2\.0\.0 Ok: stored as /m);
    expect(stored()).toBe(1);
    expect(t.db.prepare('SELECT size FROM inbound_messages').pluck().get()).toBeLessThan(100);
  });

  it('spools message data to an owner-only file and stores one message at a time, however many clients send', async () => {
    // A receive that reports how many run at once and what the spool holds while it runs.
    let running = 0;
    let most = 0;
    const seen: { files: number; mode: number }[] = [];
    const counting: Inmail = {
      ...inmail,
      async receive(raw, meta) {
        running++;
        most = Math.max(most, running);
        const files = fs.readdirSync(spool());
        seen.push({
          files: files.length,
          mode: fs.statSync(path.join(spool(), files[0] ?? '.')).mode & 0o777,
        });
        try {
          return await inmail.receive(raw, meta);
        } finally {
          running--;
        }
      },
    };
    fs.mkdirSync(spool(), { recursive: true });
    fs.writeFileSync(path.join(spool(), 'left-by-a-crash.eml'), 'partial');
    const { port } = await listen({ inmail: counting });
    expect(fs.readdirSync(spool())).toEqual([]);
    expect(fs.statSync(spool()).mode & 0o777).toBe(0o700);

    const body = 'y'.repeat(76).concat('\r\n').repeat(20_000); // about 1.5 MB each
    const clients = [1, 2, 3].map(() => client(port));
    for (const [i, c] of clients.entries()) {
      await c.until(/^220 /m);
      c.send('EHLO test');
      c.send('MAIL FROM:<>');
      c.send('RCPT TO:<bounces@example.test>');
      c.send('DATA');
      await c.until(/^354 /m);
      c.socket.write(`Subject: large ${i}\r\n\r\n${body}.\r\n`);
    }
    for (const c of clients) await c.until(/^250 2\.0\.0 Ok: stored as /m, 30_000);
    expect(stored()).toBe(3);
    expect(most).toBe(1);
    expect(seen.every((s) => s.files >= 1 && s.mode === 0o600)).toBe(true);
    await vi.waitFor(() => expect(fs.readdirSync(spool())).toEqual([]));
  });

  it('stores a message received twice (an SMTP retry after a lost reply) once', async () => {
    const first = await inmail.receive(note(1), { source: 'smtp' });
    const again = await inmail.receive(note(1), { source: 'smtp' });
    expect(again).toEqual({ id: first.id, matched: false, error: null, duplicate: true });
    expect(stored()).toBe(1);
  });
});

describe('messages stored by an older version but never processed', () => {
  it('are processed at start (resumeUnprocessed)', async () => {
    // Before migration 11 a message was stored, then parsed and processed: a kill in between left this.
    const id = Number(
      t.db
        .prepare(
          "INSERT INTO inbound_messages (received_at, source, envelope_to, size) VALUES (?, 'import', NULL, 40)",
        )
        .run(clock.now()).lastInsertRowid,
    );
    t.db.prepare('INSERT INTO inbound_raw (message_id, raw) VALUES (?, ?)').run(id, note(9));
    expect(await inmail.resumeUnprocessed()).toBe(1);
    expect(t.db.prepare('SELECT subject, processed_at FROM inbound_messages WHERE id = ?').get(id)).toEqual({
      subject: 'note 9',
      processed_at: clock.now(),
    });
    expect(await inmail.resumeUnprocessed()).toBe(0);
  });
});

describe('retention of inbound mail', () => {
  it('deletes messages older than the retention days, on the injected clock', async () => {
    setSetting(t.db, 'inmail.retention', { days: 30, maxMegabytes: 100 });
    await inmail.receive(note(1), { source: 'import' });
    clock.advance(20 * DAY);
    await inmail.receive(note(2), { source: 'import' });
    expect(stored()).toBe(2);
    clock.advance(11 * DAY);
    // Retention runs after storing (at most once per RETENTION_CHECK_MS of the clock).
    await inmail.receive(note(3), { source: 'import' });
    const subjects = t.db.prepare('SELECT subject FROM inbound_messages ORDER BY id').pluck().all();
    expect(subjects).toEqual(['note 2', 'note 3']);
    expect(t.db.prepare('SELECT count(*) FROM inbound_raw').pluck().get()).toBe(2);
  });

  it('deletes the oldest messages beyond the retention size', async () => {
    setSetting(t.db, 'inmail.retention', { days: 365, maxMegabytes: 1 });
    const body = 'y'.repeat(400 * 1024);
    for (let i = 1; i <= 3; i++) {
      clock.advance(RETENTION_CHECK_MS);
      await inmail.receive(note(i, body), { source: 'import' });
    }
    const subjects = t.db.prepare('SELECT subject FROM inbound_messages ORDER BY id').pluck().all();
    expect(subjects).toEqual(['note 2', 'note 3']);
    expect(inmail.applyRetention()).toBe(0);
  });
});

describe('import of the same mbox twice', () => {
  it('stores and applies each message once', async () => {
    const tmp = makeTempDir();
    const app = await openApp({ ...TEST_APP, dataDir: tmp.dir, sandbox: false, inmail: false });
    try {
      const ctx = { transport: 'http' as const };
      const created = await app.handlers['deliveries.create'](
        deliveryRequest({ csv: csvOf(['ann@example.net', 'bob@example.net']), start: false }),
        ctx,
      );
      const deliveryId = Number(created.delivery.id);
      app.db.prepare("UPDATE delivery_log SET status = 'sent' WHERE delivery_id = ?").run(deliveryId);
      app.db
        .prepare('UPDATE deliveries SET n_pending = 0, n_sent = 2, n_success = 2 WHERE id = ?')
        .run(deliveryId);
      const ann = app.db
        .prepare("SELECT id, message_id FROM delivery_log WHERE email = 'ann@example.net'")
        .get() as { id: number; message_id: string };
      const dsn = [
        'From: MAILER-DAEMON@mx.example.net',
        'To: bounces@example.test',
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.net',
        '',
        'Final-Recipient: rfc822; ann@example.net',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 <ann@example.net>: User unknown',
        '',
        '--b',
        'Content-Type: text/rfc822-headers',
        '',
        `X-Relaydeck-Id: ${traceValue(deliveryId, ann.id, ann.message_id)}`,
        '',
        '--b--',
        '',
      ].join('\r\n');
      const messages = [dsn, 'Subject: a note\r\n\r\nHello\r\n', 'Subject: another\r\n\r\nHi\r\n'];
      const file = path.join(tmp.dir, 'bounces.mbox');
      fs.writeFileSync(
        file,
        messages.map((m) => `From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n${m}\n`).join(''),
      );
      const input = { fileName: 'bounces.mbox', contentBase64: fs.readFileSync(file).toString('base64') };
      const first = await app.handlers['inmail.import'](input, ctx);
      expect(first).toEqual({ messages: 3, matched: 1, unmatched: 2, duplicates: 0, errors: [] });
      const counters = () =>
        app.db
          .prepare('SELECT n_sent, n_failed, n_success, n_hard FROM deliveries WHERE id = ?')
          .get(deliveryId);
      const before = counters();
      const second = await app.handlers['inmail.import'](input, ctx);
      expect(second).toEqual({ messages: 3, matched: 0, unmatched: 0, duplicates: 3, errors: [] });
      expect(app.db.prepare('SELECT count(*) FROM inbound_messages').pluck().get()).toBe(3);
      expect(counters()).toEqual(before);
    } finally {
      await app.close();
      tmp.remove();
    }
  });
});
