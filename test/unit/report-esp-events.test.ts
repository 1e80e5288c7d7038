/** Per-message events with ESP-webhook fields: one record per thing that happened, in time order. */
import { describe, expect, it } from 'vitest';
import {
  ESP_EVENT_TYPES,
  ESP_FIELDS,
  EVENT_FIELDS,
  EVENT_TYPES,
  messageEvents,
} from '../../src/main/reports/esp-events';
import type { InboundEvent } from '../../src/main/store/report-queries';
import type { AttemptDbRow, LogDbRow } from '../../src/main/store/mappers';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

function row(over: Partial<LogDbRow> = {}): LogDbRow {
  return {
    id: 41,
    delivery_id: 3,
    line: 2,
    email: 'Ann@Example.test',
    addr_key: 'ann@example.test',
    domain: 'example.test',
    fields_json: '{}',
    status: 'sent',
    failure_type: null,
    reason: null,
    bounce_class: null,
    last_reply: null,
    attempts: 0,
    first_attempt_at: null,
    last_attempt_at: null,
    mx_host: null,
    mx_ip: null,
    dkim_domain: null,
    message_id: '<m41@example.test>',
    relayed_at: T0,
    updated_at: T0,
    ...over,
  };
}

function attempt(
  n: number,
  outcome: AttemptDbRow['outcome'],
  code: number,
  enhanced: string,
  text: string,
): AttemptDbRow {
  return {
    id: n,
    log_id: 41,
    at: T0 + n * 60_000,
    outcome,
    code,
    enhanced,
    text,
    command: 'RCPT TO',
    mx_host: 'mx1.example.test',
    ip: '192.0.2.7',
    tls: 1,
    duration_ms: 40,
  };
}

describe('messageEvents', () => {
  it('maps relay and every attempt, with the qualification on the reply that set it', () => {
    const events = messageEvents(
      row({ status: 'failed', failure_type: 'soft', reason: 'mailbox_full', bounce_class: 22, attempts: 2 }),
      '3',
      [
        attempt(1, 'deferred', 452, '4.2.2', 'Mailbox full'),
        attempt(2, 'failed', 552, '5.2.2', 'Mailbox full, giving up'),
      ],
      [],
    );
    expect(events.map((e) => [e.type, e.attempt, e.reason])).toEqual([
      ['relayed', 0, null],
      ['deferred', 1, null],
      ['bounced', 2, 'mailbox_full'],
    ]);
    expect(events[2]).toMatchObject({
      timestamp: new Date(T0 + 120_000).toISOString(),
      timestamp_unix: (T0 + 120_000) / 1000,
      delivery_id: '3',
      message_id: '<m41@example.test>',
      log_id: '41',
      recipient: 'Ann@Example.test',
      domain: 'example.test',
      bounce_type: 'soft',
      bounce_class: 22,
      bounce_class_label: 'Mailbox Full',
      reason_code: 5,
      smtp_code: 552,
      enhanced_status: '5.2.2',
      raw_response: '552 5.2.2 Mailbox full, giving up',
      mx: 'mx1.example.test',
      ip: '192.0.2.7',
      tls: true,
      async: false,
    });
    expect(Object.keys(events[0] ?? {})).toEqual([...EVENT_FIELDS]);
  });

  it('adds a bounce at the end of the validity when no reply failed the message', () => {
    const events = messageEvents(
      row({
        status: 'failed',
        failure_type: 'soft',
        reason: 'unreachable',
        bounce_class: 24,
        last_reply: '451 4.4.1 timeout',
        updated_at: T0 + 3_600_000,
      }),
      '3',
      [attempt(1, 'deferred', 451, '4.4.1', 'timeout')],
      [],
    );
    expect(events.map((e) => e.type)).toEqual(['relayed', 'deferred', 'bounced']);
    expect(events[2]).toMatchObject({ reason: 'unreachable', raw_response: '451 4.4.1 timeout', attempt: 1 });
  });

  it('adds asynchronous reports (DSN, complaint, auto-reply) in time order, marked async', () => {
    const inbound: InboundEvent[] = [
      {
        at: T0 + 600_000,
        kind: 'arf',
        reason: 'refused',
        type: 'hard',
        bounceClass: 90,
        code: null,
        diagnostic: null,
      },
      {
        at: T0 + 300_000,
        kind: 'auto_reply',
        reason: 'error_ignored',
        type: 'ignored',
        bounceClass: 60,
        code: null,
        diagnostic: null,
      },
      {
        at: T0 + 900_000,
        kind: 'unknown',
        reason: null,
        type: null,
        bounceClass: null,
        code: null,
        diagnostic: null,
      },
    ];
    const events = messageEvents(
      row({ attempts: 1 }),
      '3',
      [attempt(1, 'accepted', 250, '2.0.0', 'OK')],
      inbound,
    );
    expect(events.map((e) => [e.type, e.async])).toEqual([
      ['relayed', false],
      ['delivered', false],
      ['auto_reply', true],
      ['complaint', true],
    ]);
    expect(events[3]).toMatchObject({ reason: 'refused', bounce_class: 90, bounce_type: 'hard' });
  });

  it('an asynchronous DSN is the bounce of a message failed after acceptance (no expiry event)', () => {
    const events = messageEvents(
      row({ status: 'failed', failure_type: 'hard', reason: 'user_unknown', bounce_class: 10 }),
      '3',
      [attempt(1, 'accepted', 250, '2.0.0', 'OK')],
      [
        {
          at: T0 + 120_000,
          kind: 'dsn',
          reason: 'user_unknown',
          type: 'hard',
          bounceClass: 10,
          code: 550,
          diagnostic: '550 5.1.1 no such user',
        },
      ],
    );
    expect(events.map((e) => e.type)).toEqual(['relayed', 'delivered', 'bounced']);
    expect(events[2]).toMatchObject({ async: true, smtp_code: 550, raw_response: '550 5.1.1 no such user' });
  });

  it('excluded and cancelled messages have one event each', () => {
    expect(
      messageEvents(
        row({ status: 'ignored', failure_type: 'ignored', reason: 'double', relayed_at: null }),
        '3',
        [],
        [],
      ).map((e) => [e.type, e.reason]),
    ).toEqual([['dropped', 'double']]);
    expect(
      messageEvents(row({ status: 'cancelled', relayed_at: null }), '3', [], []).map((e) => e.type),
    ).toEqual(['cancelled']);
  });
});

describe('ESP correspondence tables', () => {
  it('name every event type and every field', () => {
    expect(Object.keys(ESP_EVENT_TYPES).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(ESP_FIELDS)).toEqual([...EVENT_FIELDS]);
    expect(ESP_EVENT_TYPES.delivered).toMatchObject({
      sparkpost: 'delivery',
      sendgrid: 'delivered',
      mailgun: 'delivered',
    });
    expect(ESP_EVENT_TYPES.complaint).toMatchObject({
      sparkpost: 'spam_complaint',
      sendgrid: 'spamreport',
      mailgun: 'complained',
    });
    expect(ESP_FIELDS.recipient).toEqual({ sparkpost: 'rcpt_to', sendgrid: 'email', mailgun: 'recipient' });
  });
});
