/**
 * SPEC §4.1 "the type of one bounce", line by line: for each line of the table, real replies as the receiving
 * server gives them during the SMTP session (synchronous) and as another MTA reports them later in an
 * RFC 3464 DSN, a complaint or an auto-reply (asynchronous), with the reason and type the line gives. The
 * first matching line wins, so a line's replies must not be taken by an earlier line.
 */
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce';
import { parseInboundSync, qualifyInbound } from '../../src/main/inmail/parse';
import type { FailureType, ReasonId } from '../../src/shared/domain/reasons';
import { parseSmtpReply } from '../../src/shared/domain/smtp-reply';

const classifier = createClassifier();

function sync(raw: string) {
  const p = parseSmtpReply(raw);
  return classifier.explain({ code: p.code, enhanced: p.enhanced, text: p.text, command: 'RCPT' });
}

/** An RFC 3464 DSN for one recipient, as Postfix writes it. */
function dsn(action: 'failed' | 'delayed' | 'delivered', status: string, diagnostic: string | null): string {
  return [
    'From: MAILER-DAEMON@mx.sender.test (Mail Delivery System)',
    'To: bounces+1.2@sender.test',
    'Subject: Undelivered Mail Returned to Sender',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'This is the mail system at host mx.sender.test.',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.sender.test',
    '',
    'Final-Recipient: rfc822; bob@dest.test',
    `Action: ${action}`,
    `Status: ${status}`,
    ...(diagnostic ? [`Diagnostic-Code: smtp; ${diagnostic}`] : []),
    '',
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    'From: news@sender.test',
    'To: bob@dest.test',
    'Subject: News',
    '',
    '--B--',
    '',
  ].join('\r\n');
}

/** An RFC 5965 feedback report (or an RFC 6591 authentication-failure report). */
function arf(feedbackType: string): string {
  return [
    'From: feedback@isp.test',
    'To: fbl@sender.test',
    'Subject: FW: News',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '',
    '--B',
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${feedbackType}`,
    'User-Agent: ExampleFBL/1.0',
    'Version: 1',
    'Original-Rcpt-To: bob@dest.test',
    '',
    '--B',
    'Content-Type: message/rfc822',
    '',
    'From: news@sender.test',
    'To: bob@dest.test',
    'Subject: News',
    '',
    'Hello',
    '--B--',
    '',
  ].join('\r\n');
}

function async(raw: string) {
  const report = parseInboundSync(raw);
  const [verdict] = qualifyInbound(report, classifier);
  return verdict;
}

type Line = {
  says: string;
  reason: ReasonId;
  type: FailureType;
  sync: string[];
  async: string[];
};

const TABLE: Line[] = [
  {
    says: 'a complaint (ARF abuse / fraud / virus / other, FBL opt-out)',
    reason: 'refused',
    type: 'hard',
    sync: [],
    async: [arf('abuse'), arf('fraud'), arf('virus'), arf('other'), arf('opt-out')],
  },
  {
    says: "the address is on the receiver's suppression / do-not-mail list",
    reason: 'refused',
    type: 'hard',
    sync: [
      '550 5.1.1 Amazon SES did not send the message to this address because it is on the suppression list for your account.',
    ],
    async: [dsn('failed', '5.1.1', '550 5.1.1 Recipient address is on the suppression list')],
  },
  {
    says: 'the user does not exist (no such user, 5.1.1, 5.1.6 / 551 "has moved")',
    reason: 'user_unknown',
    type: 'hard',
    sync: [
      '550 5.1.1 <bob@dest.test>: Recipient address rejected: User unknown in local recipient table',
      '550 5.1.1 Go away',
      '551 5.1.6 Recipient has moved',
      '551 User not local; please try <bob@elsewhere.test>',
    ],
    async: [
      dsn('failed', '5.1.1', '550 5.1.1 <bob@dest.test>... User unknown'),
      dsn('failed', '5.1.1', null),
    ],
  },
  {
    says: 'the domain does not exist or takes no mail (host unknown, no MX, null MX, 5.1.2, 5.1.10, 521/556)',
    reason: 'invalid_domain',
    type: 'soft',
    sync: [
      '550 5.1.2 <bob@nowhere.test>: Recipient address rejected: Domain not found',
      '556 5.1.10 Recipient address has null MX',
      '521 nowhere.test does not accept mail',
      '556 Requested action not taken',
    ],
    async: [
      dsn(
        'failed',
        '5.4.4',
        'Host or domain name not found. Name service error for name=nowhere.test type=MX: Host not found',
      ),
      dsn('failed', '5.1.2', null),
    ],
  },
  {
    says: 'mailbox full / over quota (also when sent as 5.2.2 or with a 5xx code)',
    reason: 'mailbox_full',
    type: 'soft',
    sync: ['552 5.2.2 Mailbox full', '550 5.7.1 Mailbox quota exceeded', '452 4.2.2 Over quota'],
    async: [
      dsn('failed', '5.2.2', '552 5.2.2 <bob@dest.test>: Quota exceeded'),
      dsn('failed', '5.2.2', null),
    ],
  },
  {
    says: 'account disabled, suspended, inactive, expired or locked',
    reason: 'account_disabled',
    type: 'soft',
    sync: [
      '550 5.2.1 The email account that you tried to reach is disabled.',
      '550 5.1.1 [SUSPEND] Mailbox currently suspended',
      '550 Account expired',
      '550 Mailbox is locked',
    ],
    async: [dsn('failed', '5.2.1', '550 5.2.1 Mailbox disabled, not accepting messages')],
  },
  {
    says: 'message too large (5.2.3, 5.3.4)',
    reason: 'message_too_large',
    type: 'ignored',
    sync: [
      '552 5.3.4 Message size exceeds fixed maximum message size',
      '552 5.2.3 Requested mail action aborted',
    ],
    async: [dsn('failed', '5.3.4', null)],
  },
  {
    says: 'refused because of the sender or the content (spam, virus, blocklists, reputation, SPF/DKIM/DMARC, rDNS, relaying, sender rejected, recipient-side filter)',
    reason: 'refused',
    type: 'soft',
    sync: [
      '554 5.7.1 Message rejected as spam by Content Filtering.',
      '554 5.7.1 Message rejected: virus found',
      '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org',
      '550 5.7.1 Messages from 203.0.113.5 rejected due to poor reputation',
      // First matching line wins: a rate limit because of the IP's reputation is a refusal of the sender.
      '451 4.7.650 The mail server has been temporarily rate limited due to IP reputation.',
      "550 5.7.26 Unauthenticated email from sender.test is not accepted due to domain's DMARC policy",
      '450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.5]',
      '554 5.7.1 <bob@elsewhere.test>: Relay access denied',
      '553 5.1.8 <news@sender.test>: Sender address rejected: Domain not found',
      '550 5.7.1 You are not allowed to send mail to this recipient',
      '550 5.7.1 Rejected',
    ],
    async: [dsn('failed', '5.7.1', '550 5.7.1 Blocked by SpamAssassin'), dsn('failed', '5.7.1', null)],
  },
  {
    says: 'the delivery chain failed (timeout, expiry, network, loop, remote error, TLS, protocol, too many connections, rate limiting, delay warning)',
    reason: 'unreachable',
    type: 'soft',
    sync: [
      '421 4.4.2 mx.dest.test: Connection timed out',
      '554 5.4.6 Too many hops',
      '451 4.3.0 Error: queue file write error',
      '530 5.7.0 Must issue a STARTTLS command first',
      '500 5.5.2 Error: bad syntax',
      '421 4.7.0 Too many concurrent SMTP connections',
      '451 4.7.1 Rate limit exceeded, try again later',
      '421 Bye',
    ],
    async: [
      dsn('failed', '4.4.7', null),
      dsn('failed', '5.4.7', 'retry timeout exceeded'),
      dsn('delayed', '4.4.1', 'connect to mx.dest.test[192.0.2.25]:25: Connection refused'),
      dsn('delayed', '4.0.0', null),
    ],
  },
  {
    says: 'an auto-reply, a success notification, a challenge-response, an RFC 6591 authentication-failure report',
    reason: 'error_ignored',
    type: 'ignored',
    sync: ['550 Sender not pre-approved. Follow instructions in above notice'],
    async: [
      [
        'From: bob@dest.test',
        'To: news@sender.test',
        'Subject: Out of office: News',
        'Auto-Submitted: auto-replied',
        '',
        'I am away until Monday.',
        '',
      ].join('\r\n'),
      dsn('delivered', '2.0.0', '250 2.0.0 Ok: queued'),
      arf('auth-failure'),
      arf('not-spam'),
    ],
  },
  {
    says: 'nothing above can be told from the reply',
    reason: 'not_defined',
    type: 'not_defined',
    sync: ['554 Transaction failed', '550 Requested action not taken', '554 Service currently unavailable'],
    async: [dsn('failed', '5.0.0', '554 5.0.0 Service unavailable'), dsn('failed', '5.0.0', null)],
  },
];

describe('SPEC §4.1: the type of one bounce, line by line', () => {
  for (const line of TABLE) {
    describe(`${line.says} -> ${line.reason} / ${line.type}`, () => {
      if (line.sync.length) {
        it.each(line.sync)('synchronous: %s', (raw) => {
          const v = sync(raw);
          expect([v.reason, v.type], v.why).toEqual([line.reason, line.type]);
        });
      }
      it.each(line.async.map((raw, i) => [i + 1, raw] as const))('asynchronous #%i', (_, raw) => {
        const v = async(raw);
        expect([v?.reason, v?.type], v?.why).toEqual([line.reason, line.type]);
      });
    });
  }

  it('types a transient reply Soft even where the permanent one is Hard (the message is retried)', () => {
    expect(sync('450 4.1.1 <bob@dest.test>: Recipient address rejected: User unknown')).toMatchObject({
      reason: 'user_unknown',
      type: 'soft',
    });
  });
});
