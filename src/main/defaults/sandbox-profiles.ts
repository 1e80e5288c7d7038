/**
 * The shipped provider profiles of the sandbox (SPEC §8) as data: what each simulated receiver answers, at what
 * rates, with which hidden limits. The console edits a copy (`profiles.save`, stored in the settings); these
 * are what a fresh install and `profiles.reset` use.
 *
 * Reply texts are the providers' and MTAs' own, as they publish them or as they appear in real bounces (the
 * source is named above each); `<addr>`, `<host>` and `<ip>` are filled in by the sandbox. Rates are drawn
 * per recipient address from the seed, so a recipient meets the same fate in every scenario of a simulation.
 */
import {
  SandboxProfilesDocument,
  type LocalPartRule,
  type SandboxProfileInput,
  type SandboxReply,
} from '../../shared/contract/simulation';

/**
 * Test addresses every shipped profile honours, before its rates: `unknown…@gmail.test` is refused with Gmail's
 * own "no such user", `grey…@` is greylisted, and so on.
 */
export const TEST_ADDRESS_RULES: LocalPartRule[] = [
  { pattern: '^(unknown|nobody)', outcome: 'unknown_user' },
  { pattern: '^grey', outcome: 'greylist' },
  { pattern: '^full', outcome: 'mailbox_full' },
  { pattern: '^dsn', outcome: 'async_dsn' },
  { pattern: '^complain', outcome: 'complaint' },
  { pattern: '^ooo', outcome: 'auto_reply' },
  { pattern: '^spam', outcome: 'spam_reject' },
];

/** Real receivers' replies to a sender beyond their limits: 4xx (421 closes the session), 5xx for a blocked IP. */
export const LIMIT_REPLIES = {
  /** Postfix smtpd with anvil (smtpd_client_connection_count_limit), at the greeting. */
  postfixTooManyConnections: { code: 421, text: '4.7.0 <host> Error: too many connections from <ip>' },
  /** Postfix smtpd (smtpd_client_recipient_rate_limit), at RCPT; the session stays open. */
  postfixTooManyRecipients: { code: 450, text: '4.7.1 Error: too many recipients from <ip>' },
  /** Postfix smtpd (smtpd_client_message_rate_limit), at MAIL; the session stays open. */
  postfixTooMuchMail: { code: 450, text: '4.7.1 Error: too much mail from <ip>' },
  /** Exchange / Exchange Online receive connector (MaxInboundConnectionPerSource), at the greeting. */
  microsoftTooManyConnections: {
    code: 421,
    text: '4.3.2 The maximum number of concurrent connections has exceeded a limit, closing transmission channel',
  },
  /** Outlook.com / Exchange Online throttling a sending IP (documented S77714), at MAIL or RCPT. */
  microsoftServerBusy: {
    code: 451,
    text: '4.7.500 Server busy. Please try again later from [<ip>]. (S77714)',
  },
  /** Exim (smtp_accept_max_per_connection), at the MAIL after the limit; then the session is closed. */
  eximTooManyMessages: { code: 421, text: '<host> too many messages in this connection' },
  /** Yahoo / AOL deferral after volume or complaints ([TSS04]), at the greeting or any command. */
  yahooTss04: {
    code: 421,
    text: '4.7.0 [TSS04] Messages from <ip> temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
  },
  /** Gmail's per-recipient rate limit (a multi-line reply, here on one line), at RCPT. */
  gmailReceivingRate: {
    code: 450,
    text: '4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time.',
  },
  /** Gmail's sending-IP rate limit (a multi-line reply, here on one line), at MAIL or RCPT. */
  gmailUnsolicitedRate: {
    code: 421,
    text: '4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. For more information, go to https://support.google.com/mail/?p=UnsolicitedRateLimitError',
  },
  /** Gmail closing a session it will not serve now. */
  gmailTryLater: { code: 421, text: '4.7.0 Try again later, closing connection.' },
  /** Comcast's session limit per sending IP (documented RL000001). */
  comcastRl000001: {
    code: 421,
    text: '4.7.0 [RL000001] Too many sessions opened from the sending IP [<ip>]; please try again later. See https://postmaster.comcast.net/smtp-error-codes.php#RL000001',
  },
  /** Comcast's message rate per sending IP (documented RL000010). */
  comcastRl000010: {
    code: 421,
    text: '4.7.0 [RL000010] Too many messages sent from [<ip>] in a short period; please try again later. See https://postmaster.comcast.net/smtp-error-codes.php#RL000010',
  },
  /** Outlook.com refusing a banned sending IP (documented 5.7.606), at the greeting or any command. */
  microsoftBannedIp: {
    code: 550,
    text: '5.7.606 Access denied, banned sending IP [<ip>]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to http://go.microsoft.com/fwlink/?LinkID=526655',
  },
  /** Outlook.com refusing mail from a network on its block list (documented S3150), at MAIL or RCPT. */
  microsoftS3150: {
    code: 550,
    text: "5.7.1 Unfortunately, messages from [<ip>] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.",
  },
  /** iCloud Mail's rate limit of a sending IP ([CS01] family). */
  appleRate: {
    code: 421,
    text: '4.7.0 [CS07] Message from <ip> temporarily deferred due to rate limiting. Please visit https://support.apple.com/en-us/HT204137',
  },
} as const satisfies Record<string, SandboxReply>;

/** The demo's receivers: what the demo delivery relies on (its texts are Postfix's). */
const demo: SandboxProfileInput = {
  id: 'demo',
  name: 'Demo receivers (Postfix)',
  description:
    'The demo delivery’s receivers. Only the test addresses (unknown…, grey…, full…, dsn…, complain…, ooo…, spam…) are refused or bounced; everyone else is accepted.',
  domains: ['inbox.test', 'mail.test', 'corp.test', 'shop.test'],
  greylistDelayMs: 0,
  asyncDelayMs: 200,
  replies: {
    unknown_user: {
      code: 550,
      text: '5.1.1 <addr>: Recipient address rejected: User unknown in virtual mailbox table',
    },
    mailbox_full: { code: 452, text: '4.2.2 <addr>: Mailbox full, try again later' },
    greylist: {
      code: 451,
      text: '4.7.1 <addr>: Recipient address rejected: Greylisted, please try again later',
    },
    spam_reject: { code: 554, text: '5.7.1 Message rejected: spam content detected' },
  },
  rules: TEST_ADDRESS_RULES,
};

/** Moderate hidden limits with a penalty box: the demo sends a few hundred recipients here to watch shaping. */
const throttled: SandboxProfileInput = {
  id: 'hidden-limits',
  name: 'Hidden limits (penalty box)',
  description:
    'Accepts everyone, but allows 3 connections, 20 messages per connection and 20 recipients per second; 10 violations in a minute put the client in a 2-minute penalty box ([TSS04]).',
  domains: ['throttled.test'],
  greylistDelayMs: 0,
  asyncDelayMs: 200,
  replies: demo.replies,
  rules: TEST_ADDRESS_RULES,
  limits: {
    maxConnections: { max: 3, reply: LIMIT_REPLIES.postfixTooManyConnections },
    messagesPerConnection: { max: 20, reply: LIMIT_REPLIES.eximTooManyMessages },
    recipientsPerSecond: { rate: 20, at: 'rcpt', reply: LIMIT_REPLIES.postfixTooManyRecipients },
    penaltyBox: {
      violations: 10,
      windowMs: 60_000,
      durationMs: 120_000,
      greeting: LIMIT_REPLIES.yahooTss04,
      command: LIMIT_REPLIES.yahooTss04,
    },
  },
};

/** Texts: Google Workspace Admin Help, "SMTP error reference" (support.google.com/a/answer/3726730). */
const gmail: SandboxProfileInput = {
  id: 'gmail',
  name: 'Gmail-like',
  description:
    'Google’s replies. A few unknown users, rare full mailboxes, a small share refused as unsolicited (5.7.1), complaints through the feedback loop. Rate-limits a sending IP beyond 30 recipients per second (4.7.28).',
  domains: ['gmail.test', 'googlemail.test'],
  mxHosts: ['gmail-smtp-in.l.google.com', 'alt1.gmail-smtp-in.l.google.com'],
  asyncDelayMs: 30 * 60_000,
  rates: {
    unknown_user: 0.03,
    mailbox_full: 0.005,
    spam_reject: 0.004,
    complaint: 0.002,
    auto_reply: 0.01,
  },
  replies: {
    unknown_user: {
      code: 550,
      text: "5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser",
    },
    mailbox_full: {
      code: 452,
      text: "4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp",
    },
    greylist: { code: 451, text: '4.3.0 Mail server temporarily rejected message.' },
    spam_reject: {
      code: 550,
      text: '5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. For more information, go to https://support.google.com/mail/?p=UnsolicitedMessageError',
    },
  },
  rules: TEST_ADDRESS_RULES,
  limits: {
    maxConnections: { max: 10, reply: LIMIT_REPLIES.gmailTryLater },
    recipientsPerSecond: { rate: 30, at: 'rcpt', reply: LIMIT_REPLIES.gmailUnsolicitedRate },
  },
};

/** Texts: Yahoo Sender Hub, "SMTP error codes" (senders.yahooinc.com/smtp-error-codes). */
const yahoo: SandboxProfileInput = {
  id: 'yahoo',
  name: 'Yahoo-like',
  description:
    'Yahoo / AOL replies. Unknown users (554 "dd"), temporary deferrals ([160]), policy refusals (5.7.9), 1 % of connections dropped after the data. Volume beyond 10 recipients per second draws [TSS04] deferrals; 20 of them in 5 minutes block the IP for 10 minutes.',
  domains: ['yahoo.test', 'aol.test', 'ymail.test'],
  disconnectRate: 0.01,
  mxHosts: ['mta5.am0.yahoodns.net', 'mta6.am0.yahoodns.net', 'mta7.am0.yahoodns.net'],
  greylistDelayMs: 15 * 60_000,
  asyncDelayMs: 60 * 60_000,
  rates: {
    unknown_user: 0.04,
    mailbox_full: 0.003,
    greylist: 0.05,
    spam_reject: 0.005,
    complaint: 0.003,
  },
  replies: {
    unknown_user: {
      code: 554,
      text: "delivery error: dd This user doesn't have a yahoo.com account (<addr>) [0] - mta1001.mail.gq1.yahoo.com",
    },
    mailbox_full: { code: 452, text: '4.2.2 Requested mail action aborted, mailbox full' },
    greylist: { code: 451, text: 'Message temporarily deferred - [160]' },
    spam_reject: {
      code: 554,
      text: '5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes',
    },
  },
  rules: TEST_ADDRESS_RULES,
  limits: {
    recipientsPerSecond: { rate: 10, at: 'mail', reply: LIMIT_REPLIES.yahooTss04 },
    penaltyBox: {
      violations: 20,
      windowMs: 5 * 60_000,
      durationMs: 10 * 60_000,
      greeting: LIMIT_REPLIES.yahooTss04,
      command: LIMIT_REPLIES.yahooTss04,
    },
  },
};

/** Texts: Microsoft Learn, Exchange Online NDRs, and outlook.com's published block and throttling replies. */
const microsoft: SandboxProfileInput = {
  id: 'microsoft',
  name: 'Microsoft-like',
  description:
    'Outlook.com / Exchange Online replies. Unknown users (5.5.0), full mailboxes (STOREDRV quota), a share refused by the content filter. Throttles beyond 4 connections and 15 recipients per second (S77714); 30 throttled commands in 10 minutes ban the IP for an hour (5.7.606 at the greeting, S3150 to open sessions).',
  domains: ['outlook.test', 'hotmail.test', 'live.test', 'msn.test'],
  mxHosts: ['hotmail-com.olc.protection.outlook.com'],
  asyncDelayMs: 10 * 60_000,
  rates: {
    unknown_user: 0.03,
    mailbox_full: 0.01,
    spam_reject: 0.01,
    async_dsn: 0.005,
    complaint: 0.002,
    auto_reply: 0.02,
  },
  replies: {
    unknown_user: { code: 550, text: '5.5.0 Requested action not taken: mailbox unavailable (S2017062302).' },
    mailbox_full: {
      code: 554,
      text: '5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded',
    },
    greylist: { code: 451, text: '4.7.500 Server busy. Please try again later from [<ip>]. (S77714)' },
    spam_reject: { code: 550, text: '5.7.1 Message rejected as spam by Content Filtering.' },
  },
  rules: TEST_ADDRESS_RULES,
  limits: {
    maxConnections: { max: 4, reply: LIMIT_REPLIES.microsoftTooManyConnections },
    recipientsPerSecond: { rate: 15, at: 'rcpt', reply: LIMIT_REPLIES.microsoftServerBusy },
    penaltyBox: {
      violations: 30,
      windowMs: 10 * 60_000,
      durationMs: 60 * 60_000,
      greeting: LIMIT_REPLIES.microsoftBannedIp,
      command: LIMIT_REPLIES.microsoftS3150,
    },
  },
};

/** Texts: Apple Support, "If your email is rejected by iCloud Mail" (support.apple.com/HT204137) and real bounces. */
const apple: SandboxProfileInput = {
  id: 'apple',
  name: 'Apple-like',
  description:
    'iCloud Mail replies. Unknown users (5.1.1 "user does not exist"), over-quota mailboxes, policy refusals ([CS01]). Rate-limits a sending IP beyond 8 recipients per second ([CS07]).',
  domains: ['icloud.test', 'me.test', 'mac.test'],
  mxHosts: ['mx01.mail.icloud.com', 'mx02.mail.icloud.com'],
  asyncDelayMs: 5 * 60_000,
  rates: {
    unknown_user: 0.02,
    mailbox_full: 0.02,
    spam_reject: 0.003,
    auto_reply: 0.015,
  },
  replies: {
    unknown_user: { code: 550, text: '5.1.1 <addr>: user does not exist' },
    mailbox_full: { code: 552, text: '5.2.2 <addr>: user is over quota' },
    greylist: { code: 451, text: '4.7.1 Service unavailable, try again later' },
    spam_reject: {
      code: 554,
      text: '5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137',
    },
  },
  rules: TEST_ADDRESS_RULES,
  limits: {
    recipientsPerSecond: { rate: 8, at: 'mail', reply: LIMIT_REPLIES.appleRate },
  },
};

/** Texts: Comcast postmaster, "SMTP error codes" (postmaster.comcast.net/smtp-error-codes.php). */
const comcast: SandboxProfileInput = {
  id: 'comcast',
  name: 'Comcast-like (hidden limits)',
  description:
    'An ISP with strict limits it does not publish: 2 sessions per IP ([RL000001]), 25 messages per session, 5 recipients per second ([RL000010]); 6 violations in a minute put the IP in a 5-minute penalty box.',
  domains: ['comcast.test'],
  mxHosts: ['mx1a1.comcast.net', 'mx2c1.comcast.net'],
  rates: { unknown_user: 0.02, mailbox_full: 0.01 },
  replies: {
    unknown_user: { code: 550, text: '5.1.1 Not our Customer' },
    mailbox_full: { code: 452, text: '4.2.2 Mailbox full' },
    greylist: { code: 451, text: '4.3.2 Please try again later' },
    spam_reject: {
      code: 554,
      text: '5.7.1 [CL01] Comcast block for spam.  Please see http://postmaster.comcast.net/smtp-error-codes.php#CL000001',
    },
  },
  rules: TEST_ADDRESS_RULES,
  limits: {
    maxConnections: { max: 2, reply: LIMIT_REPLIES.comcastRl000001 },
    messagesPerConnection: { max: 25, reply: LIMIT_REPLIES.eximTooManyMessages },
    recipientsPerSecond: { rate: 5, at: 'mail', reply: LIMIT_REPLIES.comcastRl000010 },
    penaltyBox: {
      violations: 6,
      windowMs: 60_000,
      durationMs: 5 * 60_000,
      greeting: LIMIT_REPLIES.comcastRl000001,
      command: LIMIT_REPLIES.comcastRl000010,
    },
  },
};

/** Texts: Postfix with postgrey (its documented reply) and amavis, in front of a Dovecot LMTP store. */
const corporate: SandboxProfileInput = {
  id: 'corporate',
  name: 'Corporate gateway (greylisting)',
  description:
    'A Postfix gateway with postgrey: almost every first attempt is greylisted for 5 minutes, then accepted. Requires TLS. Unknown users are refused from the relay recipient table.',
  domains: ['corporate.test', 'acme.test'],
  mxHosts: ['mail.corporate.test'],
  tls: 'required',
  greylistDelayMs: 5 * 60_000,
  asyncDelayMs: 2 * 60_000,
  rates: { unknown_user: 0.05, mailbox_full: 0.01, greylist: 0.9, auto_reply: 0.03 },
  replies: {
    unknown_user: {
      code: 550,
      text: '5.1.1 <addr>: Recipient address rejected: User unknown in relay recipient table',
    },
    mailbox_full: { code: 552, text: '5.2.2 <addr> Quota exceeded (mailbox for user is full)' },
    greylist: {
      code: 450,
      text: '4.2.0 <addr>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/corporate.test.html',
    },
    spam_reject: { code: 554, text: '5.7.0 Reject, id=04211-19 - spam' },
  },
  rules: TEST_ADDRESS_RULES,
  limits: { maxConnections: { max: 5, reply: LIMIT_REPLIES.postfixTooManyConnections } },
};

/** Nothing listens: every connection is refused, messages are retried until their validity runs out. */
const dead: SandboxProfileInput = {
  id: 'dead-domain',
  name: 'Dead domain',
  description:
    'Nothing listens: every connection is refused. Messages are retried until their validity runs out, then fail.',
  domains: ['dead.test', 'expired-domain.test'],
  connection: 'refuse',
  replies: demo.replies,
};

/** A tarpit: answers, slowly, one session at a time. */
const tarpit: SandboxProfileInput = {
  id: 'tarpit',
  name: 'Slow tarpit',
  description:
    'Greets after 20 s and answers every command after 5 s, one session at a time: each message takes about half a minute.',
  domains: ['tarpit.test'],
  greetingDelayMs: 20_000,
  replyDelayMs: 5_000,
  replies: demo.replies,
  rules: TEST_ADDRESS_RULES,
  limits: { maxConnections: { max: 1, reply: LIMIT_REPLIES.postfixTooManyConnections } },
};

/** Mailboxes over quota: refused with a 4xx, retried, most until the validity runs out. */
const fullMailboxes: SandboxProfileInput = {
  id: 'full-mailboxes',
  name: 'Full mailboxes',
  description:
    'A mailbox provider where a third of the mailboxes are over quota (452 4.2.2): they are retried and fail when the validity runs out.',
  domains: ['full.test'],
  rates: { mailbox_full: 0.35, unknown_user: 0.02 },
  replies: {
    unknown_user: { code: 550, text: '5.1.1 <addr>: Recipient address rejected: User unknown' },
    mailbox_full: {
      code: 452,
      text: '4.2.2 <addr>: Recipient address rejected: Mailbox full (quota exceeded)',
    },
    greylist: demo.replies.greylist,
    spam_reject: demo.replies.spam_reject,
  },
  rules: TEST_ADDRESS_RULES,
};

export const DEFAULT_SANDBOX_SEED = 20261205;

/** The shipped profiles document (parsed: defaults filled in). */
export const DEFAULT_SANDBOX_PROFILES: SandboxProfilesDocument = SandboxProfilesDocument.parse({
  format: 'relaydeck-sandbox-profiles',
  version: 1,
  seed: DEFAULT_SANDBOX_SEED,
  profiles: [
    demo,
    throttled,
    gmail,
    yahoo,
    microsoft,
    apple,
    comcast,
    corporate,
    dead,
    tarpit,
    fullMailboxes,
  ],
});
