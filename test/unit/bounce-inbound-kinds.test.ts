/**
 * What an inbound message is, and how it is qualified, for the shapes the blind set showed: success notices
 * of sending services, vacation(1) answers, challenge-response systems that write like delivery software,
 * automatic answers saying the address is gone, daemons writing in words no format marker knows, filters
 * sending from the null sender, reply codes among numbers that are not reply codes, and (from the fourth
 * blind set) vacation rules' plain replies, VERP return paths, Notes names and authentication failure reports;
 * (from the fifth) forwarded bounces, tagged VERP, message ids in a bounce's words, list rejections and notices,
 * mailers' own charset names and Microsoft complaints with a redacted To.
 */
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce';
import { parseInboundSync, qualifyInbound } from '../../src/main/inmail/parse';

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

  it('reads a read receipt as an answer, and a Sieve reject in the same form as a refusal', () => {
    const mdn = (disposition: string, text: string) =>
      qualify([
        'From: Liz <liz@example.org>',
        'To: news@sender.test',
        'Subject: Read: News',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain',
        '',
        text,
        '--B',
        'Content-Type: message/disposition-notification',
        '',
        'Reporting-UA: mail.example.org; Dovecot Mail Delivery Agent',
        'Final-Recipient: rfc822; liz@example.org',
        `Disposition: ${disposition}`,
        '',
        '--B--',
      ]);
    const read = mdn('manual-action/MDN-sent-manually; displayed', 'Your message was read on Monday.');
    expect(read.report.kind).toBe('auto_reply');
    expect(read.verdicts[0]).toMatchObject({ recipient: 'liz@example.org', reason: 'error_ignored' });
    const rejected = mdn(
      'automatic-action/MDN-sent-automatically; deleted',
      'Your message to <liz@example.org> was automatically rejected: Mail from senders who are not in my address book is rejected by my filter.',
    );
    expect(rejected.report.kind).toBe('bounce_nonstandard');
    expect(rejected.verdicts[0]).toMatchObject({
      recipient: 'liz@example.org',
      reason: 'refused',
      type: 'soft',
    });
  });

  it('reads the reason from the bounce’s own words when the recipient’s lines give none (Domino, in French)', () => {
    const { verdicts } = qualify([
      'Return-Path: <>',
      'From: Postmaster@domino.example.fr',
      'To: bounces@sender.test',
      'Subject: =?ISO-8859-1?Q?=C9CHEC_DE_LA_DISTRIBUTION?=',
      'Content-Type: text/plain; charset=ISO-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Votre message',
      '',
      '  Objet : Nouveaut=E9s',
      '',
      "n'a pas =E9t=E9 remis =E0 :",
      '',
      '  luc@domino.example.fr',
      '',
      'pour la raison suivante :',
      '',
      "  L'utilisateur Luc (luc@domino.example.fr) n'est pas r=E9pertori=E9 dans l'annuaire Domino",
    ]);
    expect(verdicts[0]).toMatchObject({
      recipient: 'luc@domino.example.fr',
      reason: 'user_unknown',
      type: 'hard',
    });
    expect(verdicts[0]?.why).toMatch(/^the bounce's own text: rule "user-unknown-fr"/);
  });

  it('does not read a reason out of a footer (an antivirus banner under a delay warning)', () => {
    const { verdicts } = qualify([
      'From: Mail Delivery System <Mailer-Daemon@mx.example.net>',
      'To: bounces@sender.test',
      'Subject: Warning: message 1Gdrvl-0006Gp-PU delayed 48 hours',
      '',
      'This message was created automatically by mail delivery software.',
      'A message that you sent has not yet been delivered to one or more of its',
      'recipients after more than 48 hours on the queue on mx.example.net.',
      '',
      'The address to which the message has not yet been delivered is:',
      '',
      '  geoffrey@example.org',
      '',
      'No action is required on your part.',
      '',
      '__ Este mensaje ha sido analizado con NOD32 antivirus system __',
    ]);
    expect(verdicts[0]).toMatchObject({
      recipient: 'geoffrey@example.org',
      reason: 'unreachable',
      type: 'soft',
    });
  });

  it('reads a list server’s rejection as a refusal of the list address (Mailman non-member)', () => {
    const { report, verdicts } = qualify([
      'From: news-owner@lists.example.org',
      'To: news@sender.test',
      'Subject: Request to mailing list News rejected',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your request to the News mailing list has been rejected by the list moderator.',
      '"Non-members are not allowed to post messages to this list."',
      'Any questions should be directed to the list administrator at:',
      '    news-request@lists.example.org',
      '--B',
      'Content-Type: message/rfc822',
      '',
      'From: News <news@sender.test>',
      'To: news@lists.example.org',
      'Subject: Sale',
      '',
      'Hello',
      '--B--',
    ]);
    expect(report.kind).toBe('bounce_nonstandard');
    expect(verdicts[0]).toMatchObject({
      recipient: 'news@lists.example.org',
      reason: 'refused',
      type: 'soft',
    });
  });

  it('takes a DSN recipient from X-Actual-Recipient when it is the only recipient field (Sendmail)', () => {
    const { verdicts } = qualify([
      'From: MAILER-DAEMON@mx.example.net',
      'To: bounces@sender.test',
      'Subject: Returned mail: see transcript for details',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'X-Actual-Recipient: rfc822; w.ross@example.net',
      'Action: failed',
      'Status: 5.2.2',
      'Diagnostic-Code: SMTP; 552 5.2.2 Mailbox full',
      '',
      '--B--',
    ]);
    expect(verdicts[0]).toMatchObject({ recipient: 'w.ross@example.net', reason: 'mailbox_full' });
  });

  it('does not take an address inside a link for a failed recipient', () => {
    const { verdicts } = qualify([
      'From: Mail Delivery System <mailer-daemon@mx.example.net>',
      'To: bounces@sender.test',
      'Subject: Undelivered Mail Returned to Sender',
      '',
      'Your message could not be delivered. Release it at',
      'https://release.example.net/verify?email=deals@sender.test&id=12',
      '',
      '  ann@example.org',
      '    550 5.1.1 User unknown',
    ]);
    expect(verdicts.map((v) => v.recipient)).toEqual(['ann@example.org']);
  });

  it('names the protected mailbox of a challenge sent by a service, and the person of one sent from its own domain', () => {
    const challenge = (from: string, text: string) =>
      qualify([
        `From: ${from}`,
        'To: news@sender.test',
        'Subject: Please confirm',
        'Auto-Submitted: auto-replied',
        '',
        text,
      ]).verdicts[0];
    expect(
      challenge(
        'Absender-Check <noreply@check.example.net>',
        'Ihre Nachricht an r.vogel@kanzlei.example.de wurde zurückgehalten. Bitte bestätigen Sie, dass Sie kein Spam-Roboter sind.',
      ),
    ).toMatchObject({ recipient: 'r.vogel@kanzlei.example.de', reason: 'error_ignored' });
    expect(
      challenge(
        'Rob <rob@example.org>',
        'This message was created automatically by mail delivery software (TMDA). Please confirm your message by replying to rob-confirm-1157806800.4821@example.org.',
      ),
    ).toMatchObject({ recipient: 'rob@example.org', reason: 'error_ignored' });
    // A filter address on the mailbox's own domain that says which mailbox our message went to.
    expect(
      challenge(
        'Spamschutz <spamschutz@praxis.example.de>',
        'Ihre E-Mail an info@praxis.example.de wurde zurückgehalten, da dieses Postfach nur E-Mails von bestätigten Absendern annimmt. Bitte bestätigen Sie einmalig Ihre Absenderadresse.',
      ),
    ).toMatchObject({ recipient: 'info@praxis.example.de', reason: 'error_ignored' });
  });

  it('reads a vacation rule’s plain reply (no automatic mark, GroupWise) as an auto-reply, not a human reply', () => {
    const vacation = (subject: string, body: string) =>
      qualify([
        'From: "Linda Thompson" <lthompson@example.net>',
        'To: <news@sender.test>',
        `Subject: ${subject}`,
        'X-Mailer: Novell GroupWise Internet Agent 8.0.2',
        '',
        body,
      ]);
    const answer = vacation(
      'Re: Your weekly deals',
      'I am on vacation and will return on August 29. Your message has not been forwarded.',
    );
    expect(answer.report.kind).toBe('auto_reply');
    expect(answer.verdicts[0]).toMatchObject({ recipient: 'lthompson@example.net', reason: 'error_ignored' });
    // Not a reply, or the absence said only further down: nothing tells it is automatic.
    expect(vacation('Your weekly deals', 'I am on vacation until August 29.').report.kind).toBe('unknown');
    expect(
      vacation(
        'Re: Your weekly deals',
        'Please take me off this list. I am away often and never asked for these.',
      ).report.kind,
    ).toBe('unknown');
  });

  it('takes the recipient a VERP return path encodes, after a + or after a bounce word and -', () => {
    const bounce = (to: string) =>
      qualify([
        'Return-Path: <>',
        'From: Mail Delivery Service <postmaster@mail.example.net>',
        `To: ${to}`,
        'Subject: Undeliverable message',
        '',
        'Your message could not be delivered.',
        'Reason: mailbox does not exist on this server.',
        '',
        '--- Original message headers ---',
        `Return-Path: <${to}>`,
        'Received: from mta1.shop.example.com by mail.example.net with ESMTPS id IlQmlK1bmTFa;',
        '\tMon, 16 May 2011 13:55:02 +0200',
        'From: "Acme Shop" <news@shop.example.com>',
        'To: "Acme Shop customers" <customers@shop.example.com>',
        'Subject: Last chance',
        'Message-ID: <1305546900.6a81d9f3@mta1.shop.example.com>',
      ]).verdicts;
    expect(bounce('bounces+ivan.petrov=example.net@bounce.shop.example.com')).toMatchObject([
      { recipient: 'ivan.petrov@example.net', reason: 'user_unknown' },
    ]);
    expect(bounce('news-bounce-ute.lange=example.org@bounce.shop.example.com')).toMatchObject([
      { recipient: 'ute.lange@example.org', reason: 'user_unknown' },
    ]);
    // Without VERP, the returned To stands.
    expect(bounce('bounces@bounce.shop.example.com')).toMatchObject([
      { recipient: 'customers@shop.example.com' },
    ]);
  });

  it('takes the recipient of a Notes DSN that names a Notes name from the returned message', () => {
    const { verdicts } = qualify([
      'From: Postmaster@example.net',
      'To: bounce@sender.test',
      'Subject: DELIVERY FAILURE: Unable to write to database because database would exceed its disk quota.',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns;mail01.example.net',
      '',
      'Final-Recipient: rfc822;Hans Gruber/Vertrieb/ACME@ACME',
      'Action: failed',
      'Status: 5.0.0',
      'Diagnostic-Code: X-Notes; Unable to write to database because database would exceed its disk quota.',
      '',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      'Received: from out.sender.test by mail01.example.net with ESMTPS id J8iYB85EMGRg',
      '\tfor <hans.gruber@example.net>; Wed, 22 Feb 2012 09:50:02 +0100',
      'From: news@sender.test',
      'To: hans.gruber@example.net',
      'Subject: News',
      '',
      '--b--',
    ]);
    expect(verdicts).toMatchObject([{ recipient: 'hans.gruber@example.net', reason: 'mailbox_full' }]);
  });

  it('names no recipient for an RFC 6591 authentication failure report', () => {
    const { report, verdicts } = qualify([
      'From: dmarc-reports@example.net',
      'To: dmarc@sender.test',
      'Subject: DMARC failure report',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
      '',
      '--b',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: auth-failure',
      'User-Agent: OpenDMARC-Filter/1.4.2',
      'Version: 1',
      'Original-Rcpt-To: someone@example.net',
      'Auth-Failure: dmarc',
      'Reported-Domain: sender.test',
      '',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      'From: news@sender.test',
      'To: someone@example.net',
      'Subject: News',
      '',
      '--b--',
    ]);
    expect(report.kind).toBe('arf');
    expect(verdicts).toMatchObject([{ recipient: null, reason: 'error_ignored', type: 'ignored' }]);
  });

  it('reads a multi-line reply quoted after "reason:" whole (GMX: the cause is on its last line)', () => {
    const { verdicts } = qualify([
      'Return-Path: <>',
      'From: Mail Delivery System <mailer-daemon@gmx.net>',
      'To: bounce@sender.test',
      'Subject: Mail delivery failed: returning message to sender',
      '',
      'This message was created automatically by mail delivery software.',
      '',
      'A message that you sent could not be delivered to one or more of',
      'its recipients. This is a permanent error. The following address(es)',
      'failed:',
      '',
      'kontakt@example.net:',
      'SMTP error from remote server for RCPT TO command, host: mx00.emig.gmx.net (212.227.15.9) reason: 550-Requested action not taken: mailbox unavailable',
      '550 invalid DNS MX or A/AAAA resource record',
    ]);
    expect(verdicts).toMatchObject([{ recipient: 'kontakt@example.net', reason: 'refused', type: 'soft' }]);
  });

  const POSTFIX_DSN = [
    'Return-Path: <>',
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    'To: bounces+tag-ann=example.net@em.sender.test',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="in"',
    '',
    '--in',
    'Content-Type: text/plain',
    '',
    '<ann@example.net>: host mx.example.net[private/dovecot-lmtp] said: 552 5.2.2 Mailbox is full',
    '--in',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    'Final-Recipient: rfc822; ann@example.net',
    'Action: failed',
    'Status: 5.2.2',
    'Diagnostic-Code: smtp; 552 5.2.2 <ann@example.net>: Mailbox is full',
    '--in',
    'Content-Type: text/rfc822-headers',
    '',
    'Return-Path: <bounces+tag-ann=example.net@em.sender.test>',
    'From: news@sender.test',
    'To: ann@example.net',
    'Subject: News',
    '--in--',
  ];

  it('reads the report a sending service or a forwarder attaches, under the address the wrapper names', () => {
    // A sending service's "bounce forwarding": no words of its own that name a bounce format.
    const espForward = qualify([
      'From: Bounce Forwarding <forward@esp.test>',
      'To: bounce@sender.test',
      'Subject: Fwd: your message',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="out"',
      '',
      '--out',
      'Content-Type: text/plain',
      '',
      'Bounce forwarding is enabled for your account. The original is attached.',
      '--out',
      'Content-Type: message/rfc822',
      '',
      ...POSTFIX_DSN,
      '--out--',
    ]);
    expect(espForward.verdicts).toMatchObject([
      { recipient: 'ann@example.net', reason: 'mailbox_full', type: 'soft' },
    ]);
    // A forwarding service: our message went to the alias it names; the attached bounce says why it failed.
    const alias = qualify([
      'Return-Path: <>',
      'From: Alumni Forwarding <fwd-bounces@alumni.test>',
      'To: bounce@sender.test',
      'Subject: Returned: forwarded message could not be delivered',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="out"',
      '',
      '--out',
      'Content-Type: text/plain',
      '',
      'Your message to bob@alumni.test was forwarded to the address on file, but the copy was returned as undeliverable.',
      '--out',
      'Content-Type: message/rfc822',
      '',
      ...POSTFIX_DSN,
      '--out--',
    ]);
    expect(alias.verdicts).toMatchObject([
      { recipient: 'bob@alumni.test', reason: 'mailbox_full', type: 'soft' },
    ]);
  });

  it('takes the returned To over a VERP address that carries a tag before it, and no message id for an address', () => {
    const { verdicts } = qualify([
      'Return-Path: <>',
      'Delivered-To: bounces+ed6854-kim=example.kr@news.sender.test',
      'From: Sophos Email Appliance <postmaster@example.kr>',
      'To: bounces+ed6854-kim=example.kr@news.sender.test',
      'Subject: Message blocked: News',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'The message was blocked because it contains an encrypted attachment.',
      'Message ID: <20170308093000.5B5F8547A8@sender.test>',
      'Identificativo messaggio: opec2901.20191119.12345@pec.example.kr',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      'From: news@sender.test',
      'To: kim@example.kr',
      'Subject: News',
      '--b--',
    ]);
    expect(verdicts.map((v) => v.recipient)).toEqual(['kim@example.kr']);
  });

  it('reads a list manager’s rejection marked auto-replied as a bounce, and its subscription notice as none', () => {
    const rejected = qualify([
      'Return-Path: <>',
      'From: Gestionnaire de listes <sympa@listes.example.org>',
      'To: bounce@sender.test',
      'Subject: =?utf-8?Q?Message_rejet=C3=A9_pour_la_liste_adherents?=',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      "Votre message pour la liste adherents@example.org a =C3=A9t=C3=A9 rejet=C3=A9 car vous n'=C3=AAtes pas abonn=C3=A9(e) =C3=A0 cette liste.",
      '--b',
      'Content-Type: message/rfc822',
      '',
      'From: news@sender.test',
      'To: adherents@example.org',
      'Subject: News',
      '',
      'Hello',
      '--b--',
    ]);
    expect(rejected.report.kind).toBe('bounce_nonstandard');
    expect(rejected.verdicts).toMatchObject([
      { recipient: 'adherents@example.org', reason: 'refused', type: 'soft' },
    ]);
    const confirm = qualify([
      'Return-Path: <>',
      'From: tips-request@lists.example.org',
      'To: bounce@sender.test',
      'Subject: confirm 4f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a098',
      'Auto-Submitted: auto-generated',
      '',
      'Mailing list subscription confirmation notice for mailing list tips',
      'To confirm that you want to be added to this mailing list, simply reply to this message.',
    ]);
    expect(confirm.report.kind).toBe('unknown');
  });

  it('decodes the charset names mailers use beyond the Encoding Standard’s (QQ Mail’s eucgb2312_cn)', () => {
    const { report, verdicts } = qualify([
      'From: =?eucgb2312_cn?b?zfXQocP3?= <12345@qq.test>',
      'To: bounce@sender.test',
      // "自动回复: News" in GB 2312
      `Subject: =?eucgb2312_cn?b?${Buffer.from('19S2r7vYuLQ6IE5ld3M=', 'base64').toString('base64')}?=`,
      'In-Reply-To: <1@sender.test>',
      '',
      'Thanks',
    ]);
    expect(report.subject).toBe('自动回复: News');
    expect(report.kind).toBe('auto_reply');
    expect(verdicts).toMatchObject([{ recipient: '12345@qq.test', type: 'ignored' }]);
  });

  it('names the complaining mailbox of a Microsoft report from X-HmXmrOriginalRecipient when the To is redacted', () => {
    const { verdicts } = qualify([
      'From: staff@hotmail.test',
      'To: fbl@sender.test',
      'Subject: complaint about message from 192.0.2.1',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
      '',
      '--b',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: Hotmail FBL',
      'Version: 1',
      'X-HmXmrOriginalRecipient: <jess@outlook.test>',
      '',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'From: news@sender.test',
      'To: redacted@outlook.test',
      'Subject: News',
      '',
      'Hello',
      '--b--',
    ]);
    expect(verdicts).toMatchObject([{ recipient: 'jess@outlook.test', reason: 'refused', type: 'hard' }]);
  });
});
