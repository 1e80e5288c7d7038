/**
 * What an inbound message is, and how it is qualified, for the shapes the blind set showed: success notices
 * of sending services, vacation(1) answers, challenge-response systems that write like delivery software,
 * automatic answers saying the address is gone, daemons writing in words no format marker knows, filters
 * sending from the null sender, and reply codes among numbers that are not reply codes.
 */
import { describe, expect, it } from 'vitest';
import { createClassifier, parseInboundSync, qualifyInbound } from '../../src/main/engine/bounce';

const classifier = createClassifier();

function qualify(lines: string[]) {
  const report = parseInboundSync(lines.join('\r\n'));
  return { report, verdicts: qualifyInbound(report, classifier) };
}

describe('inbound kinds and their qualification', () => {
  it('reads an Amazon SES delivery notification as a success notice', () => {
    const { report, verdicts } = qualify([
      'From: no-reply@sns.amazonaws.test',
      'To: hooks@sender.test',
      'Subject: Amazon SES Email Event Notification',
      '',
      JSON.stringify({
        notificationType: 'Delivery',
        delivery: { recipients: ['ann@example.com'], smtpResponse: '250 2.0.0 OK queued' },
        mail: { destination: ['ann@example.com'], commonHeaders: { subject: 'News' } },
      }),
    ]);
    expect(report.kind).toBe('dsn');
    expect(verdicts).toMatchObject([
      { recipient: 'ann@example.com', reason: 'error_ignored', type: 'ignored' },
    ]);
  });

  it('knows the answers of the vacation(1) program by their X-Mailer and subject', () => {
    const { report, verdicts } = qualify([
      'From: Dave <dave@example.com>',
      'To: news@sender.test',
      'Subject: away from my mail',
      'Precedence: junk',
      'X-Mailer: vacation 1.2.7',
      '',
      'I will read your message when I get back.',
    ]);
    expect(report.kind).toBe('auto_reply');
    expect(verdicts[0]).toMatchObject({ recipient: 'dave@example.com', reason: 'error_ignored' });
  });

  it('reads a challenge written like delivery software (TMDA) as a challenge from the person, not a bounce', () => {
    const { report, verdicts } = qualify([
      'Return-Path: <>',
      'From: Rob <rob@example.com>',
      'To: news@sender.test',
      'Subject: Please confirm your message',
      'Reply-To: rob-confirm-1157806800.4821.e1d7aa@example.com',
      '',
      'This message was created automatically by mail delivery software (TMDA).',
      '',
      'Your message attached below is being held because the address',
      '  news@sender.test has not been verified.',
      'To release your message for delivery, please confirm your message by replying to this message.',
    ]);
    expect(report.kind).toBe('auto_reply');
    expect(verdicts[0]).toMatchObject({
      recipient: 'rob@example.com',
      reason: 'error_ignored',
      type: 'ignored',
    });
  });

  it('lets an automatic answer that says the address is gone qualify the address', () => {
    const { verdicts } = qualify([
      'From: Jane Roe <jane@example.com>',
      'To: news@sender.test',
      'Subject: Automatic reply: News',
      'Auto-Submitted: auto-replied',
      '',
      'Thank you for your email.',
      'Please note that this email address is no longer active and messages sent to it are not read.',
    ]);
    expect(verdicts[0]).toMatchObject({ reason: 'account_disabled', type: 'soft' });
    expect(verdicts[0]?.why).toMatch(/^an auto-reply that says the address is gone/);
    // An ordinary out-of-office stays ignored.
    const away = qualify([
      'From: Jane Roe <jane@example.com>',
      'Subject: Automatic reply: News',
      'Auto-Submitted: auto-replied',
      '',
      'I am out of the office until Monday and will reply on my return.',
    ]);
    expect(away.verdicts[0]).toMatchObject({ reason: 'error_ignored', type: 'ignored' });
  });

  it('reads a delivery daemon’s message as a bounce even in words no format marker knows', () => {
    const { report, verdicts } = qualify([
      'Return-Path: <>',
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
      'To: bounces@sender.test',
      'Subject: =?KOI8-R?B?7sXEz9PUwdfMxc7Oz8Ugydrxd8Xdxc7JxQ==?=',
      'Auto-Submitted: auto-replied',
      '',
      'Ваше сообщение не доставлено следующим адресатам:',
      '',
      '  olga@example.org',
      '    552 5.2.2 Mailbox full',
    ]);
    expect(report.kind).toBe('bounce_nonstandard');
    expect(verdicts[0]).toMatchObject({ recipient: 'olga@example.org', reason: 'mailbox_full' });
  });

  it('reads a filter’s notice from the null sender as a bounce, the recipient from the returned headers', () => {
    const { report, verdicts } = qualify([
      'Return-Path: <>',
      'From: Content Filter <filter@filter.example.com>',
      'To: bounces@sender.test',
      'Subject: Message rejected',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message was rejected by our content filter and was not delivered.',
      'Reason: spam detected (score 14.2).',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      'From: News <news@sender.test>',
      'To: promo@example.com',
      'Subject: Sale',
      '',
      '--B--',
    ]);
    expect(report.kind).toBe('bounce_nonstandard');
    expect(verdicts[0]).toMatchObject({ recipient: 'promo@example.com', reason: 'refused', type: 'soft' });
  });

  it('does not take a port, a time or an order number for a reply code', () => {
    const { verdicts } = qualify([
      'From: MDaemon@mail.example.test',
      'To: bounces@sender.test',
      'Subject: Permanent Delivery Failure',
      '',
      'The attached message had PERMANENT fatal delivery errors!',
      '',
      ' 10:00:01.190: Connection established 192.0.2.133:25 --> 192.0.2.77:52881',
      ' 10:00:01.250: <-- 220 mx.example.com ESMTP',
      ' 10:00:01.371: --> RCPT To:<maria@example.com>',
      ' 10:00:01.430: <-- 550 5.1.1 <maria@example.com>: Recipient address rejected: User unknown',
      'Subject of your message: Order #48213 has shipped',
    ]);
    expect(verdicts[0]).toMatchObject({ recipient: 'maria@example.com', code: 550, reason: 'user_unknown' });
  });
});
