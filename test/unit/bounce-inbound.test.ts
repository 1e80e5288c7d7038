import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce';
import { parseInbound, qualifyInbound, MAX_PARSE_BYTES } from '../../src/main/inmail/parse';
import type { InboundReport } from '../../src/main/inmail/parse';

const FIXTURES = path.resolve(__dirname, '../fixtures/bounces');
const fixture = (f: string) => fs.readFileSync(path.join(FIXTURES, f));
const classifier = createClassifier();

function dsn(
  recipientFields: string,
  returned = 'From: a@shop.test\r\nX-Relaydeck-Id: 3.9\r\nMessage-ID: <x@shop.test>\r\n\r\nhi\r\n',
) {
  return [
    'From: MAILER-DAEMON@mx.test',
    'To: bounces+3.9@return.shop.test',
    'Subject: Undelivered Mail Returned to Sender',
    'Content-Type: multipart/report; report-type=delivery-status; boundary=B',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'failed',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.test',
    '',
    recipientFields,
    '--B',
    'Content-Type: message/rfc822',
    '',
    returned,
    '--B--',
    '',
  ].join('\r\n');
}

describe('parseInbound: RFC 3464 DSN', () => {
  it('reads per-recipient fields and the identifiers of the returned message (genuine Postfix DSN)', async () => {
    const report = await parseInbound(fixture('postfix/postfix-user-unknown.eml'));
    expect(report).toMatchObject({
      kind: 'dsn',
      format: 'rfc3464',
      envelopeTo: 'bounces+postfix-user-unknown@capture.test',
      recipients: [
        {
          recipient: 'postfix-user-unknown@dest.test',
          originalRecipient: 'postfix-user-unknown@dest.test',
          action: 'failed',
          status: '5.1.1',
          code: 550,
          remoteMta: '127.0.0.1',
        },
      ],
      original: { messageId: '<fixture-postfix-user-unknown@shop.test>', relaydeckId: '1.1' },
    });
    expect(report.recipients[0]?.diagnostic).toMatch(
      /^550 5\.1\.1 <postfix-user-unknown@dest\.test>: Recipient address rejected/,
    );
  });

  it('reads several recipients and prefers the reply enhanced code over a generic X.0.0 status', async () => {
    const report = await parseInbound(
      dsn(
        'Final-Recipient: rfc822; a@x.test\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\nFinal-Recipient: rfc822; b@x.test\r\nAction: delayed\r\nStatus: 4.2.2\r\nDiagnostic-Code: smtp; 452 4.2.2 over quota',
      ),
    );
    expect(report.recipients.map((r) => [r.recipient, r.action, r.status, r.code])).toEqual([
      ['a@x.test', 'failed', '5.1.1', 550],
      ['b@x.test', 'delayed', '4.2.2', 452],
    ]);
    expect(qualifyInbound(report, classifier).map((v) => [v.recipient, v.type, v.reason])).toEqual([
      ['a@x.test', 'hard', 'user_unknown'],
      ['b@x.test', 'soft', 'mailbox_full'],
    ]);
  });

  it('treats success notifications as ignored', async () => {
    const report = await parseInbound(
      dsn('Final-Recipient: rfc822; ok@x.test\r\nAction: delivered\r\nStatus: 2.0.0'),
    );
    expect(qualifyInbound(report, classifier)).toMatchObject([
      { type: 'ignored', reason: 'error_ignored', ruleId: 'dsn:delivered' },
    ]);
  });

  it('reports a bounce of a bounce as unknown, with the reason', async () => {
    const inner = 'From: MAILER-DAEMON@other.test\r\nContent-Type: text/plain\r\n\r\nearlier bounce\r\n';
    const report = await parseInbound(
      dsn('Final-Recipient: rfc822; a@x.test\r\nAction: failed\r\nStatus: 5.1.1', inner),
    );
    expect(report.kind).toBe('unknown');
    expect(report.note).toMatch(/bounce of a bounce/);
    expect(qualifyInbound(report, classifier)).toEqual([]);
  });
});

describe('parseInbound: other kinds', () => {
  it('reads an ARF complaint: feedback fields, recipient, original ids; qualifies Refused/Hard class 90', async () => {
    const report = await parseInbound(fixture('written/arf-yahoo.eml'));
    expect(report).toMatchObject({
      kind: 'arf',
      feedback: { feedbackType: 'abuse', userAgent: 'Yahoo!-Mail-Feedback/2.0', sourceIp: '203.0.113.5' },
      recipients: [{ recipient: 'complainer@yahoo.com' }],
      original: { relaydeckId: '7.70' },
    });
    expect(qualifyInbound(report, classifier)).toMatchObject([
      { type: 'hard', reason: 'refused', bounceClass: 90 },
    ]);
  });

  it('falls back to the returned message To when the complaint has no Original-Rcpt-To (JMRP)', async () => {
    const report = await parseInbound(fixture('written/arf-microsoft-jmrp.eml'));
    expect(report.recipients.map((r) => r.recipient)).toEqual(['reporter@hotmail.com']);
  });

  it('recognises auto-replies by header and by subject in other languages and charsets', async () => {
    for (const [file, who] of [
      ['written/auto-de.eml', 'klaus@beispiel.test'],
      ['written/auto-ru.eml', 'ivan@primer.test'],
      ['written/auto-ja.eml', 'taro@rei.test'],
    ] as const) {
      const report = await parseInbound(fixture(file));
      expect(report.kind, file).toBe('auto_reply');
      expect(report.recipients[0]?.recipient).toBe(who);
      expect(qualifyInbound(report, classifier)).toMatchObject([
        { type: 'ignored', reason: 'error_ignored', bounceClass: 60 },
      ]);
    }
    expect((await parseInbound(fixture('written/auto-ru.eml'))).subject).toBe('Автоматический ответ');
  });

  it('reads plain-text bounces: Exim with X-Failed-Recipients and the inline copy of the message', async () => {
    const report = await parseInbound(fixture('written/exim-unknown.eml'));
    expect(report).toMatchObject({
      kind: 'bounce_nonstandard',
      format: 'exim',
      recipients: [{ recipient: 'nosuchuser@exim.test', code: 550, status: '5.1.1' }],
      original: { relaydeckId: '7.40', messageId: '<m-40@shop.test>' },
    });
  });

  it('reads Amazon SES notifications, also inside an SNS envelope', async () => {
    expect(await parseInbound(fixture('written/ses-sns-mailbox-full.eml'))).toMatchObject({
      kind: 'bounce_nonstandard',
      format: 'ses',
      recipients: [{ recipient: 'stuffed@ses-dest.test', status: '5.2.2', code: 552 }],
    });
    expect(await parseInbound(fixture('written/ses-complaint.eml'))).toMatchObject({
      kind: 'arf',
      format: 'ses',
    });
  });

  it('keeps the SMTP envelope recipient as the VERP address when given', async () => {
    const report = await parseInbound(fixture('written/qmail-unknown.eml'), {
      envelopeTo: 'b+42@return.shop.test',
    });
    expect(report.envelopeTo).toBe('b+42@return.shop.test');
  });
});

describe('parseInbound: robustness', () => {
  const unknown = (r: InboundReport) => [r.kind, r.recipients.length];

  it('cuts huge messages and still reads the report parts in front', async () => {
    const big = dsn(
      'Final-Recipient: rfc822; a@x.test\r\nAction: failed\r\nStatus: 5.1.1',
      `Subject: big\r\n\r\n${'x'.repeat(MAX_PARSE_BYTES + 10)}`,
    );
    const report = await parseInbound(Buffer.from(big));
    expect(report.truncated).toBe(true);
    expect(report.recipients[0]?.recipient).toBe('a@x.test');
  });

  it('reports mail loops and non-messages as unknown with a reason', async () => {
    const loop = `${'Received: from a by b\r\n'.repeat(60)}From: x@y.test\r\nSubject: hi\r\n\r\nbody`;
    const looped = await parseInbound(loop);
    expect(unknown(looped)).toEqual(['unknown', 0]);
    expect(looped.note).toMatch(/mail loop/);
    expect((await parseInbound('')).note).toMatch(/not an email message/);
    expect((await parseInbound(Buffer.from([0xff, 0xfe, 0, 1, 2]))).kind).toBe('unknown');
  });

  it('survives a missing boundary and an unknown charset', async () => {
    const raw =
      'From: MAILER-DAEMON@mx.test\r\nSubject: Undeliverable\r\nContent-Type: multipart/report; report-type=delivery-status\r\n\r\nno parts here\r\n';
    expect((await parseInbound(raw)).kind).toBe('dsn');
    const charset =
      'From: MAILER-DAEMON@mx.test\r\nSubject: failure notice\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nHi. This is the qmail-send program\r\n\r\n<z@q.test>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n';
    expect((await parseInbound(charset)).recipients[0]).toMatchObject({
      recipient: 'z@q.test',
      status: '5.1.1',
    });
  });
});
