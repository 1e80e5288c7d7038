/**
 * Failed recipients and their own diagnostics, across the bounce formats of SPEC §4.3: fixtures written in
 * each MTA's real format (test/fixtures/bounces/written), and inline messages for the general shapes the
 * text search relies on (RFC 3464 original addresses, expansions, names and mailto lines, "simple"
 * bounces, the returned header as last resort), plus the kinds that are not bounces (JMRP complaints,
 * auto-replies, challenges, spam).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce';
import { parseInboundSync } from '../../src/main/inmail/parse';
import { qualifyMessage } from '../../src/main/node/commands/qualify';

const FIXTURES = path.resolve(__dirname, '../fixtures/bounces');
const fixture = (f: string) => fs.readFileSync(path.join(FIXTURES, f));
const recipientsOf = (raw: Buffer | string) => parseInboundSync(raw).recipients.map((r) => r.recipient);

describe('failed recipients of each MTA format (written fixtures)', () => {
  const cases: [string, string, string[]][] = [
    ['DragonFly DMA', 'written/dma-user-unknown.eml', ['kijitora@dma-dest.test']],
    ['old Sendmail, RCPT transcript', 'written/sendmail-v5-rcpt-unknown.eml', ['nobody@v5-dest.test']],
    ['old Sendmail, host unknown', 'written/sendmail-v5-host-unknown.eml', ['user@no-such-host.test']],
    ['GMX', 'written/gmx-text-unknown.eml', ['tanaka@gmx-dest.test']],
    ['mFILTER (ISO-2022-JP)', 'written/mfilter-ja-unknown.eml', ['kijitora@mfilter-dest.test']],
    ['qmail / vpopmail', 'written/qmail-vpopmail-unknown.eml', ['nouser@vpop-dest.test']],
    ['qmail-ldap', 'written/qmail-ldap-two-recipients.eml', ['full@ldap-dest.test', 'gone@ldap-dest.test']],
    ['netqmail remote', 'written/netqmail-remote-rejected.eml', ['someone@remote-dest.test']],
    ['Exchange 2003', 'written/exchange2003-two-recipients.eml', ['j.doe@example.com', 'a.roe@example.com']],
    ['GroupWise', 'written/groupwise-user-not-found.eml', ['wrong.name@gw.example.com']],
    ['simple: could not be reached', 'written/simple-did-not-receive.eml', ['p.smith@gateway.example.com']],
    ['simple: Recipient address', 'written/simple-recipient-address.eml', ['user.one@oldgw.example.com']],
    ['simple: the user(s) account', 'written/simple-account-disabled.eml', ['hanako@carrier.example.com']],
    ['Google Groups', 'written/google-groups-no-group.eml', ['announce@groups.example.com']],
    ['NTT DOCOMO-style', 'written/docomo-unknown-user.eml', ['taro.0123@mobile-carrier.test']],
    ['KDDI EZweb-style', 'written/ezweb-text-unknown.eml', ['hanako-0123@au-like.test']],
    ['SurfControl', 'written/surfcontrol-text.eml', ['staff.member@sc-dest.test']],
    ['IMail', 'written/imail-unknown-user.eml', ['someone.else@imail.example.com']],
    [
      'OpenSMTPD',
      'written/opensmtpd-two-recipients.eml',
      ['kijitora@smtpd-dest.test', 'neko@smtpd-dest.test'],
    ],
    ['returned header only', 'written/returned-headers-only.eml', ['jane@only-in-headers.test']],
    ['old Postfix, expanded from', 'written/postfix-old-program.eml', ['contact@old-postfix.example.com']],
    ['Exim, generated from', 'written/exim-generated-from.eml', ['member@exim.example.com']],
  ];
  it.each(cases)('%s', (_name, file, want) => {
    const report = parseInboundSync(fixture(file));
    expect(report.kind).toBe('bounce_nonstandard');
    expect(report.recipients.map((r) => r.recipient)).toEqual(want);
    for (const r of report.recipients) {
      expect(r.action).toBe('failed');
      expect(r.diagnostic, `${file}: ${r.recipient}`).toBeTruthy();
    }
  });

  it('gives each recipient its own diagnostic, status and code', () => {
    const byAddress = (file: string) =>
      Object.fromEntries(parseInboundSync(fixture(file)).recipients.map((r) => [r.recipient, r]));
    const opensmtpd = byAddress('written/opensmtpd-two-recipients.eml');
    expect(opensmtpd['kijitora@smtpd-dest.test']).toMatchObject({ status: '5.1.1', code: 550 });
    expect(opensmtpd['neko@smtpd-dest.test']).toMatchObject({ status: '5.2.2', code: 552 });
    expect(opensmtpd['neko@smtpd-dest.test']?.diagnostic).toMatch(/Mailbox full/);
    const ldap = byAddress('written/qmail-ldap-two-recipients.eml');
    expect(ldap['full@ldap-dest.test']).toMatchObject({ status: '5.2.2' });
    expect(ldap['gone@ldap-dest.test']).toMatchObject({ status: '5.1.1' });
    const ex2003 = byAddress('written/exchange2003-two-recipients.eml');
    expect(ex2003['j.doe@example.com']?.diagnostic).toMatch(/does not exist/);
    expect(ex2003['a.roe@example.com']).toMatchObject({ status: '5.2.2' });
    expect(byAddress('written/groupwise-user-not-found.eml')['wrong.name@gw.example.com']?.diagnostic).toBe(
      'user not found',
    );
    expect(byAddress('written/imail-unknown-user.eml')['someone.else@imail.example.com']?.diagnostic).toBe(
      'Unknown user',
    );
  });

  it('keeps the expanded address as finalRecipient and the sender’s as recipient', () => {
    const [exim] = parseInboundSync(fixture('written/exim-generated-from.eml')).recipients;
    expect(exim).toMatchObject({
      recipient: 'member@exim.example.com',
      originalRecipient: 'member@exim.example.com',
      finalRecipient: 'forwarded.to@elsewhere.test',
      status: '5.1.1',
      code: 550,
    });
  });
});

describe('every fixture of the manifest', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as {
    fixtures: { file: string; source: string; kind: string; recipients: string[] }[];
  };
  const classifier = createClassifier();
  it.each(manifest.fixtures.map((f) => [f.file, f] as const))(
    '%s: the exact set of failed recipients and the kind',
    (file, f) => {
      const line = qualifyMessage(file, fixture(file), classifier);
      expect([...line.recipients].sort()).toEqual(f.recipients.map((r) => r.toLowerCase()).sort());
      expect(line.kind).toBe(f.kind);
    },
  );
});

function dsn(statusFields: string, text = 'Delivery failed.', returned = 'To: someone@dest.test\r\n') {
  return [
    'From: MAILER-DAEMON@mx.test',
    'To: bounces+3.9@return.shop.test',
    'Subject: Delivery Status Notification (Failure)',
    'Content-Type: multipart/report; report-type=delivery-status; boundary=B',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    text,
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.test',
    '',
    statusFields,
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    `From: news@shop.test\r\n${returned}Message-ID: <m@shop.test>`,
    '--B--',
    '',
  ].join('\r\n');
}

describe('RFC 3464 recipients', () => {
  it('prefers the Original-Recipient the sender used over the Final-Recipient', () => {
    const [r] = parseInboundSync(
      dsn(
        'Final-Recipient: rfc822; user@mailcluster.local\r\nOriginal-Recipient: rfc822;user@example.com\r\nAction: failed\r\nStatus: 5.2.2',
      ),
    ).recipients;
    expect(r).toMatchObject({
      recipient: 'user@example.com',
      originalRecipient: 'user@example.com',
      finalRecipient: 'user@mailcluster.local',
    });
  });

  it('ignores an Original-Recipient that is no Internet mailbox, strips source routes and decodes IMCEASMTP', () => {
    const recipients = recipientsOf(
      dsn(
        [
          'Original-Recipient: rfc822;IMCEAEX-_O=ORG_OU=ADMIN_CN=RECIPIENTS_CN=jdoe@corp.example.com',
          'Final-Recipient: rfc822; jdoe@example.com',
          'Action: failed',
          '',
          'Final-Recipient: rfc822;@relay.example.com:kim@example.com',
          'Action: failed',
          '',
          'Final-Recipient: rfc822;IMCEASMTP-lee+40example+2Eorg@corp.example.com',
          'Action: failed',
        ].join('\r\n'),
      ),
    );
    expect(recipients).toEqual(['jdoe@example.com', 'kim@example.com', 'lee@example.org']);
  });

  it('names a recipient the status fields leave without an address from the text', () => {
    const recipients = recipientsOf(
      dsn(
        'Final-Recipient: LOCAL;jsmith\r\nAction: failed\r\nStatus: 5.1.1',
        'Delivery to the following recipients failed.\r\n\r\n       jsmith@example.net\r\n',
      ),
    );
    expect(recipients).toEqual(['jsmith@example.net']);
  });

  it('reads a status part of a non-standard type and keeps a pasted header copy out of the text', () => {
    const raw = [
      'From: postmaster@filter.example.com',
      'To: bounces+3.9@return.shop.test',
      'Subject: Non delivery report: 5.9.8 (Spam)',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=X',
      '',
      '--X',
      'Content-Type: text/plain',
      '',
      'Your message',
      '  To: Someone <someone@example.net>',
      'has encountered a delivery problem.',
      '--X',
      'Content-Type: message/xdelivery-status',
      '',
      'Final-Recipient: rfc822; someone@example.net',
      'Original-Recipient: rfc822; rfc822;someone@example.net',
      'Action: failed',
      'Status: 5.9.8',
      '--X',
      'Content-Type: text/plain; name="message-header.txt"',
      '',
      'Received: from shop.test by filter.example.com',
      'From: news@shop.test',
      'To: other@example.org',
      'Subject: offers',
      '--X--',
      '',
    ].join('\r\n');
    expect(recipientsOf(raw)).toEqual(['someone@example.net']);
  });
});

/** A plain-text bounce from a daemon with the given body. */
function textBounce(body: string, subject = 'Undeliverable mail', extra = ''): string {
  return `From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: bounces+3.9@return.shop.test\r\nSubject: ${subject}\r\n${extra}\r\n${body.replace(/\n/g, '\r\n')}`;
}

describe('general text shapes', () => {
  const shapes: [string, string, string[]][] = [
    [
      'Exchange 2010+ name and mailto line',
      "Delivery has failed to these recipients or groups:\n\nJohn Doe (john.doe@example.com)<mailto:john.doe@example.com>\nThe e-mail address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\nGenerating server: ex.example.com\n\njohn.doe@example.com\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\nOriginal message headers:\n\nTo: john.doe@example.com\nFrom: news@shop.test\n",
      ['john.doe@example.com'],
    ],
    [
      'Lotus Domino text',
      'Your message\n\n  Subject: Our offers\n\nwas not delivered to:\n\n  pat.lee@domino.example.com\n\nbecause:\n\n  User pat.lee@domino.example.com (pat.lee@domino.example.com) not listed in Domino Directory\n',
      ['pat.lee@domino.example.com'],
    ],
    [
      'Office 365 sentence',
      "Your message to kim@contoso.example.com couldn't be delivered.\nkim wasn't found at contoso.example.com.\n",
      ['kim@contoso.example.com'],
    ],
    [
      'old Gmail',
      'Delivery to the following recipient failed permanently:\n\n     nobody.here@example.org\n\nTechnical details of permanent failure:\nThe error that the other server returned was:\n550 5.1.1 The email account that you tried to reach does not exist.\n',
      ['nobody.here@example.org'],
    ],
    [
      'Courier',
      'Your message to the following recipients cannot be delivered:\n\n<ann@courier.example.com>:\n    mx.courier.example.com [192.0.2.9]:\n>>> RCPT TO:<ann@courier.example.com>\n<<< 550 5.1.1 <ann@courier.example.com>... User unknown\n',
      ['ann@courier.example.com'],
    ],
    [
      'Failed Recipient field',
      'Could not deliver message to the following recipient(s):\n\nFailed Recipient: sam@example.net\nReason: Remote host said: 550 5.1.1 unknown user\n',
      ['sam@example.net'],
    ],
    [
      'rejected message sentence',
      'Your message to <lou@example.net> was rejected by the recipient domain.\n550 5.7.1 Mail refused\n',
      ['lou@example.net'],
    ],
    [
      'user ... not found',
      'Message could not be delivered.\nUser <max@example.net> not found on this server.\n',
      ['max@example.net'],
    ],
    [
      'Sendmail "addr... reason" lines, two recipients',
      '   ----- The following addresses had permanent fatal errors -----\n<a1@example.net>... User unknown\n<a2@example.net>... Mailbox disabled\n',
      ['a1@example.net', 'a2@example.net'],
    ],
  ];
  it.each(shapes)('%s', (_name, body, want) => {
    const report = parseInboundSync(textBounce(body));
    expect(report.kind).toBe('bounce_nonstandard');
    expect(report.recipients.map((r) => r.recipient)).toEqual(want);
  });

  /** Other MTAs' and gateways' texts: [name, body, expected recipients, subject, From]. */
  const vendors: [string, string, string[], string, string][] = [
    [
      'Apache James',
      "Hi. This is the James mail server at mail.example.com.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.  Below\nI include the list of recipients and the reason why I was unable to deliver\nyour message.\n\nFailed recipient(s):\nuser@example.net\n\nError message:\n550 5.1.1 User unknown\n",
      ['user@example.net'],
      '[BOUNCE]',
      'MAILER-DAEMON@mail.example.com',
    ],
    [
      'Trend Micro InterScan MSS',
      'Sent <<< RCPT TO:<user@example.com>\nReceived >>> 550 5.1.1 <user@example.com>... user unknown\n\nUnable to deliver message to <user@example.com>.\n',
      ['user@example.com'],
      'Mail could not be delivered',
      '"InterScan MSS" <postmaster@gw.example.com>',
    ],
    [
      'MailMarshal',
      'Your message:\n\n   From:    news@shop.test\n   Subject: offers\n\nCould not be delivered because of\n\n550 5.1.1 User unknown\n\nThe following recipients were affected: \n    user@example.net\n',
      ['user@example.net'],
      'Undeliverable Mail',
      'postmaster@mm.example.com',
    ],
    [
      'McAfee',
      '--- The following addresses had delivery problems ---\n\n<user@example.com>   (User unknown user@example.com)\n',
      ['user@example.com'],
      'Delivery Status Notification (Failure)',
      'postmaster@mcafee-gw.example.com',
    ],
    [
      'Lotus Notes (SMTP)',
      '------- Failure Reasons  --------\n\nUser not listed in public Name & Address Book\nuser@example.com\n\n------- Returned Message --------\nReceived: from shop.test\nFrom: news@shop.test\nTo: user@example.com, other@example.com\nSubject: x\n',
      ['user@example.com'],
      'Undeliverable Message',
      'Postmaster@notes.example.com',
    ],
    [
      'Bigfoot',
      "Failed to deliver to '<user@example.com>'\nSMTP module(domain example.com) reports:\n host mx.example.com says:\n 550 5.1.1 User unknown\n",
      ['user@example.com'],
      'Returned mail: User unknown',
      'MAILER-DAEMON@bigfoot.example.com',
    ],
    [
      'G Suite',
      '** Message not delivered **\n\nThere was a problem delivering your message to user@example.com. See the technical details below.\n\nThe response was:\n\n550 5.1.1 The email account that you tried to reach does not exist.\n',
      ['user@example.com'],
      'Delivery Status Notification (Failure)',
      'Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
    ],
    [
      'spam filter notice',
      "Your message to: user@example.com\nwas blocked by the recipient's spam filter\n",
      ['user@example.com'],
      'Message delivery notification',
      'MAILER-DAEMON@filter.example.com',
    ],
    [
      'German gateway',
      'Die Nachricht konnte nicht zugestellt werden an:\n\nuser@example.de\n\n550 5.1.1 Benutzer unbekannt\n',
      ['user@example.de'],
      'Unzustellbar: offers',
      'postmaster@gw.example.de',
    ],
    [
      'French gateway',
      "Votre message n'a pas pu être remis à: user@example.fr\n550 5.1.1 Utilisateur inconnu\n",
      ['user@example.fr'],
      'Non remis: offers',
      'MAILER-DAEMON@gw.example.fr',
    ],
    [
      'Japanese gateway',
      '以下のアドレスへの配信に失敗しました。\n\nuser@example.jp\n\n550 5.1.1 unknown user\n',
      ['user@example.jp'],
      '配信エラー',
      'MAILER-DAEMON@gw.example.jp',
    ],
    [
      'Exim, two recipients with their own replies',
      'This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  one@example.com\n    SMTP error from remote mail server after RCPT TO:<one@example.com>:\n    host mx.example.com [192.0.2.1]: 550 5.1.1 <one@example.com>: User unknown\n  two@example.com\n    SMTP error from remote mail server after RCPT TO:<two@example.com>:\n    host mx.example.com [192.0.2.1]: 552 5.2.2 <two@example.com>: Mailbox full\n',
      ['one@example.com', 'two@example.com'],
      'Mail delivery failed: returning message to sender',
      'Mail Delivery System <Mailer-Daemon@exim.example.com>',
    ],
    [
      'mobile gateway, header only',
      'Message could not be delivered to mobile.\nError: No valid recipients for this MM\n\n---- Original Message ----\nFrom: news@shop.test\nTo: 5551234567@sms.example.com\nSubject: hi\n',
      ['5551234567@sms.example.com'],
      'Undeliverable Message',
      'postmaster@sms.example.com',
    ],
  ];
  it.each(vendors)('%s', (_name, body, want, subject, from) => {
    const raw = `From: ${from}\r\nTo: bounces+3.9@return.shop.test\r\nSubject: ${subject}\r\n\r\n${body.replace(/\n/g, '\r\n')}`;
    const report = parseInboundSync(raw);
    expect(report.kind).toBe('bounce_nonstandard');
    expect(report.recipients.map((r) => r.recipient)).toEqual(want);
  });

  it('reads each Exim recipient its own reply, without the host prefix', () => {
    const [, body = '', , subject = '', from = ''] = vendors.find(([name]) => name.startsWith('Exim')) ?? [];
    const raw = `From: ${from}\r\nSubject: ${subject}\r\n\r\n${body}`;
    expect(parseInboundSync(raw).recipients.map((r) => [r.recipient, r.code, r.status])).toEqual([
      ['one@example.com', 550, '5.1.1'],
      ['two@example.com', 552, '5.2.2'],
    ]);
  });

  it('maps each expansion to its own recipient only', () => {
    const body =
      'This message was created automatically by mail delivery software.\n\nThe following address(es) failed:\n\n  first@example.com\n    Unrouteable address\n  second.final@elsewhere.test\n    (generated from second@example.com)\n    Unrouteable address\n';
    const recipients = parseInboundSync(textBounce(body)).recipients;
    expect(recipients.map((r) => [r.recipient, r.finalRecipient ?? null])).toEqual([
      ['first@example.com', null],
      ['second@example.com', 'second.final@elsewhere.test'],
    ]);
  });

  it('does not take the sender named in the bounce for a recipient', () => {
    const body =
      'This message was created automatically by mail delivery software.\n\nA message sent by\n\n  <someone.else@shop.test>\n\ncould not be delivered to one or more of its recipients. The following address(es) failed:\n\n  lost@example.net\n    Unrouteable address\n';
    expect(recipientsOf(textBounce(body))).toEqual(['lost@example.net']);
  });

  it('prefers the returned To over the same mailbox on an internal route', () => {
    const body =
      '   ----- The following addresses had permanent fatal errors -----\n<fred@mailgrp1.example.com>\n    (reason: 552 5.2.2 Over quota)\n\n   ----- Message header follows -----\n\nReturn-Path: <bounces+3.9@return.shop.test>\nFrom: news@shop.test\nTo: Fred <fred@example.com>\nSubject: offers\n';
    const [r] = parseInboundSync(textBounce(body, 'Returned mail: see transcript for details')).recipients;
    expect(r).toMatchObject({ recipient: 'fred@example.com', finalRecipient: 'fred@mailgrp1.example.com' });
  });

  it('decodes a VERP return address as the last resort', () => {
    const raw =
      'From: MAILER-DAEMON@mx.example.com\r\nTo: list-bounces+pat=example.org@lists.example.com\r\nSubject: Undeliverable mail\r\n\r\nYour message could not be delivered: mailbox unavailable.\r\n';
    expect(recipientsOf(raw)).toEqual(['pat@example.org']);
  });

  it('reads a MIME part that starts with an empty line (qmail "failure notice")', () => {
    const raw = [
      'From: MAILER-DAEMON@mx.example.com',
      'To: bounces+3.9@return.shop.test',
      'Subject: failure notice',
      'Content-Type: multipart/mixed; boundary="q"',
      '',
      '--q',
      '',
      '(mx.example.com)',
      'Su mensaje no pudo ser entregado - Your message could not be delivered.',
      '',
      '<ana@example.com.ar>:',
      'Sorry, no mailbox here by that name. (#5.1.1)',
      '',
      '--- Mensaje original adjunto.',
      '',
      '--q',
      'Content-Type: message/rfc822',
      '',
      'To: ana@example.com.ar',
      'From: news@shop.test',
      '',
      'hi',
      '--q--',
      '',
    ].join('\r\n');
    const [r] = parseInboundSync(raw).recipients;
    expect(r).toMatchObject({ recipient: 'ana@example.com.ar', status: '5.1.1' });
  });
});

describe('kinds that are not bounces', () => {
  it('reads a Microsoft JMRP complaint (enclosed message) as arf, recipient = its To', () => {
    const raw = [
      'From: staff@hotmail.com',
      'To: fbl@shop.test',
      'Subject: complaint about message from 192.0.2.1',
      'Content-Type: multipart/mixed; boundary="J"',
      '',
      '--J',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'X-HmXmrOriginalRecipient: alias.of.user@hotmail.example',
      'X-Reporter-IP: 198.51.100.7',
      'From: news@shop.test',
      'To: "user@hotmail.example" <user@hotmail.example>',
      'Subject: offers',
      '',
      'hello',
      '--J--',
      '',
    ].join('\r\n');
    const report = parseInboundSync(raw);
    expect(report).toMatchObject({ kind: 'arf', format: 'jmrp', feedback: { feedbackType: 'abuse' } });
    expect(report.recipients.map((r) => r.recipient)).toEqual(['user@hotmail.example']);
  });

  it('reads a JMRP complaint delivered as the message itself', () => {
    const raw =
      'X-HmXmrOriginalRecipient: reporter@hotmail.example\r\nX-Reporter-IP: 198.51.100.7\r\nFrom: news@shop.test\r\nTo: reporter@hotmail.example, other@hotmail.example\r\nSubject: offers\r\n\r\nhello\r\n';
    const report = parseInboundSync(raw);
    expect(report.kind).toBe('arf');
    expect(report.recipients.map((r) => r.recipient)).toEqual(['reporter@hotmail.example']);
  });

  it('recognises auto-replies by their body, their envelope and their subject in other languages', () => {
    const gmxLike =
      'Return-Path: <>\r\nFrom: John Smith <john@example.de>\r\nTo: bounces+3.9@return.shop.test\r\nSubject: Thank you for your e-mail\r\nPrecedence: bulk\r\n\r\nThank you for your e-mail.\r\nI will endeavour to reply as soon as possible.\r\n';
    const polish =
      'From: Ala <ala@example.pl>\r\nTo: news@shop.test\r\nSubject: [Automatyczna =?iso-8859-2?Q?odpowied=BC?=] offers\r\nPrecedence: junk\r\n\r\nthe text\r\n';
    for (const raw of [gmxLike, polish]) {
      const report = parseInboundSync(raw);
      expect(report.kind).toBe('auto_reply');
      expect(report.recipients).toHaveLength(1);
    }
    expect(recipientsOf(gmxLike)).toEqual(['john@example.de']);
  });

  it('recognises challenge-response messages', () => {
    const raw =
      "From: member@cr.example.com\r\nTo: bounces+3.9@return.shop.test\r\nSubject: RE: offers\r\n\r\nThis account is protected by a filter.  Please click on the\r\nfollowing link to have your address added to the recipient's allowed\r\nlist and to ensure delivery of your email.\r\n";
    const report = parseInboundSync(raw);
    expect(report).toMatchObject({ kind: 'auto_reply', format: 'challenge-response' });
    expect(report.recipients.map((r) => r.recipient)).toEqual(['member@cr.example.com']);
  });

  it('takes a challenge sent in DSN form for a challenge, unless a server refused with a reply code', () => {
    const notice =
      'Your message has been waitlisted.\r\nPlease add yourself to my Guest List so your messages will go to my Inbox.';
    const challenge = dsn(
      'Final-Recipient: rfc822; owner@cr.example.com\r\nAction: failed\r\nStatus: 4.7.0\r\nDiagnostic-Code: X-Notice; Sender not pre-approved',
      notice,
    );
    expect(parseInboundSync(challenge)).toMatchObject({ kind: 'auto_reply', format: 'challenge-response' });
    expect(recipientsOf(challenge)).toEqual(['owner@cr.example.com']);
    const refused = dsn(
      'Final-Recipient: rfc822; owner@cr.example.com\r\nAction: failed\r\nStatus: 5.7.1\r\nDiagnostic-Code: smtp; 550 5.7.1 Please add yourself to my allowed senders list first',
      notice,
    );
    expect(parseInboundSync(refused).kind).toBe('dsn');
  });

  it('takes a bounce from the null sender for a bounce even when it is marked auto-replied', () => {
    const raw =
      "From: <>\r\nTo: bounces+3.9@return.shop.test\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <m@shop.test>\r\n\r\nYou sent mail to gone@example.net. That's not a valid user here.\r\n";
    const report = parseInboundSync(raw);
    expect(report.kind).toBe('bounce_nonstandard');
    expect(report.recipients.map((r) => r.recipient)).toEqual(['gone@example.net']);
  });

  it('gives no recipient for spam that merely contains addresses', () => {
    const raw =
      'From: "Winner" <promo@spam.example>\r\nTo: someone@shop.test\r\nSubject: Get a $1000 gift card\r\n\r\nClaim now! Write to claims@spam.example or agent@spam.example\r\n';
    const report = parseInboundSync(raw);
    expect(report.kind).toBe('unknown');
    expect(report.recipients).toEqual([]);
  });
});

describe('qualify --json recipients', () => {
  it('lists the failed recipients only, and the delayed ones when none failed', () => {
    const classifier = createClassifier();
    const mixed = dsn(
      'Final-Recipient: rfc822; a@x.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\nFinal-Recipient: rfc822; b@x.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\nFinal-Recipient: rfc822; c@x.test\r\nAction: delayed\r\nStatus: 4.4.1',
    );
    expect(qualifyMessage(null, Buffer.from(mixed), classifier).recipients).toEqual(['a@x.test']);
    const delayed = dsn(
      'Final-Recipient: rfc822; c@x.test\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\nFinal-Recipient: rfc822; b@x.test\r\nAction: delivered\r\nStatus: 2.0.0',
    );
    expect(qualifyMessage(null, Buffer.from(delayed), classifier).recipients).toEqual(['c@x.test']);
  });
});

describe('bounded work on hostile input', () => {
  it('parses pathological texts quickly', () => {
    const head = 'From: MAILER-DAEMON@x.test\nSubject: Undelivered Mail\n\n';
    const inputs = [
      head + 'a'.repeat(300_000) + '@' + 'b'.repeat(300_000),
      head + 'Warning: message '.repeat(50_000),
      head + Array.from({ length: 3000 }, (_, i) => `u${i}@example.com: 550 unknown`).join('\n'),
      'From: x@y.test\nSubject: x\nContent-Type: text/html\n\n' +
        '<script'.repeat(50_000) +
        '<'.repeat(200_000),
      'From: a@b.test\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; ' +
        'a'.repeat(500_000) +
        '\n--B--',
    ];
    for (const raw of inputs) {
      const started = Date.now();
      const report = parseInboundSync(raw);
      expect(report).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });
});
