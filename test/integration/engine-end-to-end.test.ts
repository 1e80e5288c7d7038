import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine, createSmtpRelayFactory } from '../../src/main/engine';
import { ManualClock } from '../../src/main/clock';
import { startSandbox, type Sandbox } from '../../src/main/engine/sandbox';
import type { Engine } from '../../src/main/engine/types';
import { silentLogger } from '../../src/main/logger';
import {
  attemptsOf,
  logByEmail,
  openTempDb,
  readDelivery,
  recordingNotifier,
  relayedDelivery,
  type TempDb,
  engineStorePorts,
} from '../support/engine-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { getQuarantineState } from '../../src/main/store/quarantine-repo';
import { noDns } from '../support/dns-fixtures';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
let t: TempDb;
let engine: Engine | null = null;
let sandbox: Sandbox | null = null;
let server: ScriptedServer | null = null;
beforeEach(() => {
  t = openTempDb();
});
afterEach(async () => {
  await engine?.stop();
  await sandbox?.close();
  await server?.close();
  engine = null;
  sandbox = null;
  server = null;
  t.cleanup();
});

describe('engine end to end against the sandbox', () => {
  it('shows every status of the demo: sent, failed (hard, spam, domain), greylisted then sent, mailbox full until expiry', async () => {
    const clock = new ManualClock(T0);
    sandbox = await startSandbox({ clock });
    const running = sandbox;
    const recipients = [
      'ok@inbox.test',
      'grey@mail.test',
      'unknown@corp.test',
      'full@shop.test',
      'spam@inbox.test',
      'x@nowhere.test',
    ];
    const { deliveryId } = relayedDelivery(t.db, recipients, {
      now: T0,
      validityMs: 3_600_000,
      timeScale: 1,
    });
    const notify = recordingNotifier();
    engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify,
      defaultRoute: () => ({ kind: 'sandbox' }),
      sandboxAddress: () => ({ host: running.host, port: running.port }),
      random: () => 0.5,
      options: { feedbackFlushMs: 0 },
    });
    engine.start();
    const log = (email: string) => logByEmail(t.db, deliveryId, email);

    await vi.waitFor(() => expect(recipients.every((r) => log(r).attempts === 1)).toBe(true), {
      timeout: 10_000,
    });
    expect(log('ok@inbox.test')).toMatchObject({ status: 'sent', mx_host: '127.0.0.1', mx_ip: '127.0.0.1' });
    expect(log('unknown@corp.test')).toMatchObject({
      status: 'failed',
      reason: 'user_unknown',
      failure_type: 'hard',
      bounce_class: 10,
    });
    expect(log('unknown@corp.test').last_reply).toBe(
      '550 5.1.1 <unknown@corp.test>: Recipient address rejected: User unknown in virtual mailbox table',
    );
    // SPEC §4.1: a refusal of the content fails the message (5xx) but says nothing about the address: Soft.
    expect(log('spam@inbox.test')).toMatchObject({
      status: 'failed',
      reason: 'refused',
      failure_type: 'soft',
      bounce_class: 52,
    });
    expect(log('x@nowhere.test')).toMatchObject({
      status: 'failed',
      reason: 'invalid_domain',
      failure_type: 'soft',
    });
    expect(log('grey@mail.test')).toMatchObject({
      status: 'taken_into_account',
      reason: 'unreachable',
      bounce_class: 20,
    });
    expect(log('full@shop.test')).toMatchObject({ status: 'taken_into_account', reason: 'mailbox_full' });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({ n_in_mta: 2, n_soft_in_progress: 2, n_hard: 1 });

    clock.advance(5 * MIN);
    await vi.waitFor(() => expect(log('grey@mail.test').status).toBe('sent'), { timeout: 10_000 });
    expect(attemptsOf(t.db, log('grey@mail.test').id).map((a) => a.code)).toEqual([451, 250]);

    clock.advance(55 * MIN); // the end of the 1 h validity: mailbox full is still deferred
    await engine.whenIdle();
    expect(log('full@shop.test')).toMatchObject({ status: 'failed', reason: 'mailbox_full', attempts: 1 });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      state: 'completed',
      n_sent: 2,
      n_failed: 4,
      n_success: 2,
      n_in_mta: 0,
      n_soft_in_progress: 0,
    });
    const received = running.received();
    expect(received.map((m) => m.to[0]).sort()).toEqual(['grey@mail.test', 'ok@inbox.test']);
    expect(received.find((m) => m.to[0] === 'ok@inbox.test')?.messageId).toBe(
      log('ok@inbox.test').message_id,
    );
    expect(notify.deliveries).toContain(String(deliveryId));
  });

  it('defers with a clear reason while the sandbox is not running', async () => {
    const clock = new ManualClock(T0);
    const { deliveryId } = relayedDelivery(t.db, ['ok@inbox.test'], { now: T0 });
    engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify: recordingNotifier(),
      defaultRoute: () => ({ kind: 'sandbox' }),
      sandboxAddress: () => null,
      options: { feedbackFlushMs: 0 },
    });
    engine.start();
    await vi.waitFor(() => expect(logByEmail(t.db, deliveryId, 'ok@inbox.test').attempts).toBe(1));
    expect(logByEmail(t.db, deliveryId, 'ok@inbox.test')).toMatchObject({
      status: 'taken_into_account',
      reason: 'unreachable',
      last_reply: 'route to the built-in sandbox, but the sandbox is not running',
    });
  });
});

/** An engine with no default route and no sandbox: messages go where the delivery's routes send them. */
function startRoutedEngine(clock: ManualClock, options: { feedbackFlushMs?: number } = {}): Engine {
  const started = createEngine({
    clock,
    dns: noDns,
    relayFactory: createSmtpRelayFactory({ clock }),
    ...engineStorePorts(t.db, clock),
    logger: silentLogger,
    notify: recordingNotifier(),
    defaultRoute: () => null,
    sandboxAddress: () => null,
    options,
  });
  started.start();
  return started;
}

describe('engine end to end: the type of a bounce decides the address, a 5xx the message (SPEC §4.1)', () => {
  it('fails every 5xx message, quarantines only the unknown user, and leaves an unrecognised reply to qualify', async () => {
    const clock = new ManualClock(T0);
    server = await startScriptedServer();
    const recipients = ['unknown@example.com', 'blocked@example.com', 'odd@example.com'];
    const { deliveryId } = relayedDelivery(t.db, recipients, {
      now: T0,
      routes: [{ mask: '*.com', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
    });
    engine = startRoutedEngine(clock, { feedbackFlushMs: 0 });
    await vi.waitFor(() => expect(readDelivery(t.db, deliveryId).n_failed).toBe(3), { timeout: 10_000 });
    const log = (email: string) => logByEmail(t.db, deliveryId, email);
    expect(log('unknown@example.com')).toMatchObject({
      status: 'failed',
      reason: 'user_unknown',
      failure_type: 'hard',
    });
    expect(log('blocked@example.com')).toMatchObject({
      status: 'failed',
      reason: 'refused',
      failure_type: 'soft',
    });
    expect(log('odd@example.com')).toMatchObject({
      status: 'failed',
      reason: 'not_defined',
      failure_type: 'not_defined',
    });
    expect(readDelivery(t.db, deliveryId)).toMatchObject({ n_hard: 1, n_failed: 3 });
    // Only the reply that proves the address bad quarantines it.
    expect(getQuarantineState(t.db, 'unknown@example.com')?.status).toBe('quarantine');
    expect(getQuarantineState(t.db, 'blocked@example.com')).toBeNull();
    expect(getQuarantineState(t.db, 'odd@example.com')).toBeNull();
    // The unrecognised reply waits in the qualification table for an analyst; the others are qualified.
    const rows = t.db
      .prepare('SELECT first_raw, status, rule_id, why FROM qualification ORDER BY first_raw')
      .all() as { first_raw: string; status: string; rule_id: string; why: string }[];
    expect(rows.map((r) => [r.first_raw.slice(0, 12), r.status, r.rule_id])).toEqual([
      ['550 5.1.1 <u', 'keep', 'user-unknown'],
      ['550 Requeste', 'to_qualify', 'code:5xx'],
      ['554 5.7.1 Se', 'keep', 'dnsbl-block'],
    ]);
    expect(rows[2]?.why).toContain('the reply says "blocked using"');
  });
});

describe('engine end to end against a scripted server (route, classic reporting, composed message)', () => {
  it('composes the message from the template and reports in classic mode', async () => {
    const clock = new ManualClock(T0);
    server = await startScriptedServer();
    const { deliveryId } = relayedDelivery(
      t.db,
      [
        { email: 'ok@example.com', fields: { first: 'Ann <&>', team: 'Ops' } },
        { email: 'unknown@example.com', fields: { first: 'Bob', team: 'Ops' } },
      ],
      {
        now: T0,
        reporting: 'classic',
        routes: [{ mask: '*.com', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
      },
    );
    expect(readDelivery(t.db, deliveryId)).toMatchObject({ n_sent: 2, n_success: 2 });
    engine = startRoutedEngine(clock);
    clock.advance(50); // the feedback batch is written 50 ms (of the clock) after the first outcome
    await vi.waitFor(
      () => {
        clock.advance(50);
        expect(engine?.queued()).toBe(0);
      },
      { timeout: 10_000 },
    );
    expect(readDelivery(t.db, deliveryId)).toMatchObject({
      n_sent: 1,
      n_failed: 1,
      n_success: 1,
      state: 'completed',
    });
    const raw = server.messages[0]?.raw ?? '';
    const row = logByEmail(t.db, deliveryId, 'ok@example.com');
    expect(raw).toContain(`Message-ID: ${row.message_id}`);
    // Header names are case-insensitive; nodemailer writes this one as X-Relaydeck-ID.
    // The trace header carries the row's Message-ID token (128 random bits), so it cannot be guessed.
    const token = /\.([0-9a-f]{32})@/.exec(row.message_id ?? '')?.[1];
    expect(token).toBeDefined();
    expect(raw).toMatch(new RegExp(`^X-Relaydeck-Id: ${deliveryId}\\.${row.id}\\.${token}\r$`, 'im'));
    expect(raw).toContain('Subject: Hello Ann <&>');
    expect(raw).toMatch(/From: Relaydeck Ops <news@sender\.test>/);
    expect(raw).toContain('<p>Dear Ann &#60;&#38;&#62;</p>');
  });
});
