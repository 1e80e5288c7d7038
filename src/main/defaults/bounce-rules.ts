/**
 * The shipped bounce rules (SPEC §4.1, §4.2): the wording real MTAs, mailbox providers and mail filters use,
 * in the languages they use. Ordered, first match wins; patterns are case-insensitive regular expressions run
 * on the normalised reply (addresses → `{email}`, numbers → `{n}`, hosts with digits → `{host}` …, codes
 * split off) after folding (Latin diacritics removed, full-width forms unified: `classifier.ts`). Every rule
 * carries real replies in `examples`: `test/unit/bounce-classifier.test.ts` checks that each is decided by its
 * own rule, and `checkRules` that no earlier rule catches it.
 *
 * The type of a bounce follows what the reply says about the *address* (SPEC §4.1): Hard only when it proves
 * the address bad (unknown user, a suppression list, a complaint); refusals aimed at the sender, its IP or its
 * content are Soft; a reply nothing can be told from is Not defined ("To qualify").
 *
 * The table has four tiers, in this order:
 * 1. failures without a reply (DNS, connection, composition), and the texts that must win over every family
 *    (suppression lists, relaying, our own sender refused, challenge-response systems);
 * 2. provider-specific wordings (Gmail, Yahoo/AOL, Microsoft, Apple, Orange, Free, GMX, Mail.ru, Yandex,
 *    Tencent QQ / NetEase, Japanese carriers, Comcast, filters);
 * 3. the families of SPEC §4.1 in every language, from the most specific meaning about the address to the
 *    broadest: unknown user, disabled account, full mailbox, unknown domain, size, rate limits, greylisting,
 *    attachments, spam, block lists, authentication, recipient-side filters and policies, then the failures of
 *    the delivery chain (loops, expiry, network, TLS, protocol, remote system errors);
 * 4. RFC 3463 status codes (`status-…`: used only where no text above said anything), then weak texts (a bare
 *    "mailbox unavailable", "rejected", "temporarily …") that say less than a status code would.
 * Anything left is decided by the status code's subject, then by the basic code (`classifier.ts`).
 */
import type { BounceRule, BounceRuleInput } from '../../shared/domain/bounce-rules';
import { BounceRulesSchema } from '../../shared/domain/bounce-rules';

/** An address as the normaliser leaves it, in any of the brackets MTAs put around it. */
const ADDR = String.raw`[<\["'(]?\{email\}[>\]"')]?`;
/** A bounded gap within one clause (no sentence or clause break): keeps patterns linear and local. */
const GAP = String.raw`(?:[^.;:!?\n]|[.:](?=\S)){0,60}?`;

const RULES: BounceRuleInput[] = [
  // ==== Tier 1: no reply, and texts that win over every family ================================================
  {
    id: 'compose-error',
    description: 'The message could not be built (template or data problem), not a receiver reply',
    code: 'none',
    command: 'COMPOSE',
    pattern: '',
    bounceClass: 1,
    examples: ['the message could not be composed: bad template'],
  },
  {
    id: 'dns-domain-not-found',
    description: 'The recipient domain does not exist or does not accept mail (NXDOMAIN, null MX)',
    code: 'none',
    command: 'DNS',
    pattern: String.raw`does not exist|does not accept mail|null MX|NXDOMAIN|ENOTFOUND`,
    bounceClass: 21,
    examples: ['DNS: domain nowhere.example does not exist (NXDOMAIN)'],
  },
  {
    id: 'dns-failure',
    description: 'MX lookup failed for another reason (timeout, SERVFAIL)',
    code: 'none',
    command: 'DNS',
    pattern: '',
    bounceClass: 21,
    reason: 'unreachable',
    examples: ['DNS: MX lookup for example.com failed (ETIMEOUT)'],
  },
  {
    id: 'no-reply',
    description: "No SMTP reply: the engine's own connection failures (refused, timed out, dropped, lost)",
    code: 'none',
    pattern: String.raw`^(connection (refused|timed out|closed|dropped|lost|failed)|no reply from the server|session failed|host name could not be resolved|tls negotiation failed|relay closed before|route to .{1,80}, but)`,
    bounceClass: 24,
    examples: [
      'connection refused (mx.example.com)',
      'connection timed out: Timeout',
      'no reply from the server: Timeout (mx.example.com)',
      'relay closed before the message could be sent',
      'route to the built-in sandbox, but the sandbox is not running',
    ],
  },
  {
    id: 'suppression-list',
    description:
      "The address is on the receiver's or the sending service's suppression / do-not-mail list (Refused, Hard)",
    provider: 'Amazon SES / SendGrid / Mailgun / Postmark / SparkPost / generic',
    pattern: String.raw`suppression list|suppressed (address|recipient|due to)|address (is )?suppressed|on (the|our|a|your) (global )?(do[- ]not[- ](e-?mail|mail|send|contact)|dnm|dne|opt[- ]out) list|previously (bounced|unsubscribed|complained)|unsubscribed (address|recipient|user)|marked (your messages |it |you )?as spam|have been marked as inactive|marked as (inactive|bounced)|spam reporting address|bounced address|has opted out|unsubscribed from all|contact is (blacklisted|blocklisted|suppressed)|opted[- ]out of (receiving|all)`,
    bounceClass: 50,
    type: 'hard',
    examples: [
      '550 5.1.1 Amazon SES did not send the message to this address because it is on the suppression list for your account.',
      'Not delivering to previously bounced address',
      'Not delivering to a user who marked your messages as spam',
      'You tried to send to recipient(s) that have been marked as inactive.',
    ],
  },
  {
    id: 'relay-denied',
    description: 'The server is not a destination for this domain and refuses to relay (Refused, Soft)',
    provider: 'Postfix / Exchange / Exim / Sendmail / qmail / MessageLabs',
    pattern: String.raw`relay(ing)? (access )?(denied|not permitted|prohibited|not allowed|refused|forbidden)|unable to relay|we do not relay|not permitted to relay|relay not permitted|(isn'?t|not) in my list of allowed rcpthosts|use me .{0,80}as a relay|relaying mail to ${GAP}is not allowed|(relay|relaying) through this (server|machine)|not local host|not a gateway|insecure mail relay|not an open relay|not (been )?configured to (let you do this|relay)|open relay not allowed|relais (refuse|interdit|non autorise)|relaying (nicht erlaubt|verweigert)|relay (nicht erlaubt|verweigert|denegado|no permitido|negado)|no se permite (el )?relay`,
    bounceClass: 54,
    examples: [
      '554 5.7.1 <bob@elsewhere.test>: Relay access denied',
      '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain',
      "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
      '550 <bob@example.com>... Relaying denied',
      '553-you are trying to use me [server-9.tower-181.messagelabs.com] as a relay, but I have not been configured to let you do this',
    ],
  },
  {
    id: 'challenge-response',
    description:
      'A challenge-response system holds the message until the sender confirms (Error ignored: not a bounce)',
    provider: 'Boxbe / SpamArrest / ChoiceMail / Mailblocks',
    pattern: String.raw`sender not pre-?approved|pre-?approved senders|guest list|boxbe|spam ?arrest|choicemail|mailblocks|challenge[- ]response|verify (that )?you are (a )?(human|real person|not a (robot|spammer))|(awaiting|pending) (your )?(sender )?verification`,
    bounceClass: 100,
    examples: ['4.7.0 Sender not pre-approved. Follow instructions in above notice'],
  },
  {
    id: 'moderation-hold',
    description:
      'A mailing list holds the message for its moderator (Error ignored: not a bounce, the message may still be posted)',
    provider: 'Mailman / Sympa / LISTSERV / Google Groups',
    pattern: String.raw`held (until|for) (the )?(list )?moderator|(awaits|awaiting|pending|requires?) (the )?moderator(['’]s)? (approval|review)|held for (moderation|approval)|being held (for|until)${GAP}(moderator|approval)|message (is )?(pending|waiting) (for )?moderation`,
    bounceClass: 100,
    examples: [
      "Your mail to 'Discuss' with the subject Weekly news Is being held until the list moderator can review it for approval.",
      'Your message to Discuss awaits moderator approval',
    ],
  },
  {
    id: 'sender-rejected',
    description: 'Our sender address or domain is refused (the recipient is not at fault: Refused, Soft)',
    provider: 'Postfix / Sendmail / Exim / qmail / Exchange',
    pattern: String.raw`sender address rejected|sender (domain|address|e-?mail|mailbox)?\s?(must exist|not allowed|is invalid|invalid|rejected|unknown|blocked|denied|is not allowed|refused|not (verified|authori[sz]ed|permitted))|sender was rejected|domain of sender address ${GAP}does not (exist|resolve)|sender verify failed|verification failed for|bad outbound sender|bad sender|invalid sender|unknown sender|helo command rejected|client host rejected|(invalid|bad|illegal) (helo|ehlo)|(mail from|sender) (domain )?(is )?(blacklisted|blocklisted)|send as (this|that) sender|permissions? to send as|\bbatv\b|backscatter|no third-party dsns|unsigned dsn|null sender|empty envelope sender|returned mail not accepted|(bounces?|dsns?) (are )?not accepted|mail from not owned|not owned by user|unroutable sender|(sender|from:? domain)${GAP}(is invalid|is empty|has no (dns|mx))|badmailfrom|invalid dns (mx|a)\b|a/aaaa resource record|your access to (submit|send)${GAP}(rejected|denied|blocked)|expediteur (invalide|refuse|inconnu)|emetteur invalide|absender (ungultig|abgelehnt|unbekannt)|remitente (invalido|rechazado|desconocido)|mittente (non valido|rifiutato|sconosciuto)|remetente (invalido|rejeitado|desconhecido)`,
    bounceClass: 50,
    examples: [
      '553 5.1.8 <news@shop.test>: Sender address rejected: Domain not found',
      '550-Verification failed for <news@shop.test>\r\n550-Unrouteable address\r\n550 Sender verify failed',
      '550 5.1.8 Access denied, bad outbound sender. AS(42004)',
      '550 5.7.60 SMTP; Client does not have permissions to send as this sender',
      'Connected to 192.0.2.7 but sender was rejected. Remote host said: 553 sorry, your envelope sender is in my badmailfrom list (#5.7.1)',
      '554 5.7.1 <mail.shop.test>: Helo command rejected: Host not found',
      '450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.5]',
    ],
  },

  // ==== Tier 2: providers ====================================================================================
  // --- Gmail / Google Workspace / Google Groups -------------------------------------------------------------
  {
    id: 'gmail-rate-limited',
    description:
      'Gmail rate limiting for an unusual rate of unsolicited mail (4.7.28), or a recipient receiving too fast',
    provider: 'Gmail',
    pattern: String.raw`unusual rate of unsolicited mail|rate that prevents additional messages|receiving mail (too quickly|at a rate)`,
    bounceClass: 51,
    reason: 'unreachable',
    examples: [
      '421-4.7.28 [203.0.113.5      15] Our system has detected an unusual rate of\r\n421-4.7.28 unsolicited mail originating from your IP address. To protect our\r\n421-4.7.28 users from spam, mail sent from your IP address has been temporarily\r\n421 4.7.28 rate limited. https://support.google.com/mail/?p=UnsolicitedRateLimitError d9443c01a7336-1f2si123456pfb.123 - gsmtp',
      '450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n450-4.2.1 prevents additional messages from being delivered. https://support.google.com/mail/?p=ReceivingRate - gsmtp',
    ],
  },
  {
    id: 'gmail-no-such-user',
    description: 'Gmail: the account does not exist',
    provider: 'Gmail',
    pattern: String.raw`email account that you tried to reach does not exist|address not found.*(couldn't be found|unable to receive mail)|p=NoSuchUser`,
    bounceClass: 10,
    examples: [
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550-5.1.1 double-checking the recipient's email address for typos or\r\n550-5.1.1 unnecessary spaces. For more information, go to\r\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-5dbf1e2c1f2si123456a12.412 - gsmtp",
    ],
  },
  {
    id: 'gmail-over-quota',
    description: "Gmail: the recipient's inbox is out of storage",
    provider: 'Gmail',
    pattern: String.raw`email account that you tried to reach is over quota|inbox is out of storage space|out of storage space|p=OverQuota`,
    bounceClass: 22,
    examples: [
      '452-4.2.2 The email account that you tried to reach is over quota. Please direct\r\n452-4.2.2 the recipient to\r\n452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp d75a77b69052e-4d5b1e2c1f2si123456qtb.412 - gsmtp',
    ],
  },
  {
    id: 'gmail-account-disabled',
    description: 'Gmail: the account is disabled or inactive',
    provider: 'Gmail',
    pattern: String.raw`email account that you tried to reach is (disabled|inactive|suspended|locked)|p=DisabledUser`,
    bounceClass: 25,
    examples: [
      '550-5.2.1 The email account that you tried to reach is disabled. Learn more at\r\n550 5.2.1  https://support.google.com/mail/?p=DisabledUser a640c23a62f3a-a7a1e2c1f2si123456gbm.312 - gsmtp',
    ],
  },
  {
    id: 'gmail-too-large',
    description: "Gmail: the message exceeds Google's size limits",
    provider: 'Gmail',
    pattern: String.raw`exceeded google's message size limits|p=MaxSizeError`,
    bounceClass: 23,
    examples: [
      "552-5.2.3 Your message exceeded Google's message size limits. Please visit\r\n552-5.2.3  https://support.google.com/mail/?p=MaxSizeError to view our size\r\n552 5.2.3 guidelines. 5b1f17b1804b1-4212e2c1f2si123456f12.412 - gsmtp",
    ],
  },
  {
    id: 'gmail-unsolicited',
    description: 'Gmail: the message looks like spam, or the IP has a low reputation',
    provider: 'Gmail',
    pattern: String.raw`likely unsolicited mail|suspicious due to the very low reputation|this message has been blocked|message has been blocked\. to reduce the amount of spam|p=UnsolicitedMessageError`,
    bounceClass: 52,
    examples: [
      '550-5.7.1 [203.0.113.5      12] Our system has detected that this message is\r\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\r\n550-5.7.1 this message has been blocked. Please visit\r\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError 2adb3069b0e04-52e7e2c1f2si123456e87.214 - gsmtp',
    ],
  },
  {
    id: 'unauthenticated-sender',
    description: 'Gmail / Yahoo bulk sender requirements: no SPF/DKIM, or DMARC policy failure',
    provider: 'Gmail / Yahoo',
    pattern: String.raw`sender is unauthenticated|unauthenticated email from .* is not accepted|due to domain's dmarc policy|does not have a ptr record|missing a valid address in from|not authorized to send email directly|does not meet ipv6 sending guidelines`,
    bounceClass: 50,
    examples: [
      '550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\r\n550-5.7.26\r\n550-5.7.26  Authentication results:\r\n550-5.7.26  DKIM = did not pass\r\n550-5.7.26  SPF [shop.test] with ip: [203.0.113.5] = did not pass\r\n550 5.7.26  https://support.google.com/mail/answer/81126#authentication 5b1f17b1804b1-4212e2c1f2si123456f12.412 - gsmtp',
      "550-5.7.26 Unauthenticated email from shop.test is not accepted due to domain's\r\n550-5.7.26 DMARC policy. Please contact the administrator of shop.test domain if\r\n550 5.7.26 this was a legitimate mail. - gsmtp",
    ],
  },
  {
    id: 'google-groups-no-permission',
    description:
      'Google Groups: the group may not exist or the sender may not post to it (a recipient-side filter: Refused, Soft)',
    provider: 'Google Groups',
    pattern: [
      String.raw`may not have permission to post|group you tried to contact ${GAP}may not exist|not have permission to post messages`,
      String.raw`keine berechtigung${GAP}in dieser gruppe zu posten|gruppe, die sie kontaktieren wollten|groupe que vous avez essaye de contacter|pas autorise a publier des messages dans ce groupe`,
      String.raw`grupo (con el )?que (has |ha )?intentado contactar|permiso para publicar (mensajes )?en (el|este) grupo|gruppo che hai (provato|tentato) a contattare|autorizzazione a pubblicare|permissao para postar`,
    ].join('|'),
    bounceClass: 50,
    examples: [
      "We're writing to let you know that the group you tried to contact (announce) may not exist, or you may not have permission to post messages to the group.",
      'wir möchten Sie darüber informieren, dass die Gruppe, die Sie kontaktieren wollten (vertrieb), möglicherweise nicht existiert oder Sie keine Berechtigung haben, Nachrichten in dieser Gruppe zu posten.',
      "Nous vous informons que le groupe que vous avez essayé de contacter (contact) n'existe peut-être pas ou que vous n'êtes peut-être pas autorisé à publier des messages dans ce groupe.",
    ],
  },

  // --- Yahoo / AOL --------------------------------------------------------------------------------------------
  {
    id: 'yahoo-no-account',
    description: "Yahoo/AOL: the user doesn't have an account, or is not a valid recipient",
    provider: 'Yahoo / AOL',
    pattern: String.raw`this user doesn't have an? [\w.{}]+ account|user doesn't have a yahoo|delivery error: dd not a valid recipient`,
    bounceClass: 10,
    examples: [
      "554 delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com",
      "554 delivery error: dd This user doesn't have a aol.com account (bob@aol.com) [0] - mta4021.aol.mail.bf1.yahoo.com",
      '554 delivery error: dd Not a valid recipient - atlas105.aol.mail.ne1.yahoo.com',
    ],
  },
  {
    id: 'yahoo-mailbox-disabled',
    description:
      'Yahoo/AOL: the mailbox is disabled (554.30) or the account disabled or discontinued ([#102])',
    provider: 'Yahoo / AOL',
    pattern: String.raw`this mailbox is disabled|has been disabled or discontinued`,
    bounceClass: 25,
    examples: [
      '554 delivery error: dd Sorry your message to bob@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta1160.mail.ne1.yahoo.com',
      '554 delivery error: dd Sorry your message to bob@yahoo.com cannot be delivered. This account has been disabled or discontinued [#102]. - mta1234.mail.mud.yahoo.com',
    ],
  },
  {
    id: 'yahoo-mailbox-full',
    description: 'Yahoo: mailbox full',
    provider: 'Yahoo',
    pattern: String.raw`requested mail action aborted, mailbox full`,
    bounceClass: 22,
    examples: ['552 1 Requested mail action aborted, mailbox full'],
  },
  {
    id: 'yahoo-deferred-ts',
    description: 'Yahoo/AOL reputation deferrals and blocks: [TS01]-[TS04], [TSS04], [TSS09], [TSS11]',
    provider: 'Yahoo / AOL',
    pattern: String.raw`\[TSS?\d{2}\]|temporarily deferred due to (unexpected volume or )?user complaints|will be permanently deferred`,
    bounceClass: 50,
    examples: [
      '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes',
      '421 4.7.0 [TS03] All messages from 203.0.113.5 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes',
    ],
  },
  {
    id: 'yahoo-blocklisted',
    description: 'Yahoo: connection refused because the IP is on a block list ([BL21], [BL23])',
    provider: 'Yahoo',
    pattern: String.raw`\[BL\d{2}\]`,
    bounceClass: 51,
    examples: [
      "553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.5, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
    ],
  },
  {
    id: 'yahoo-policy',
    description: 'Yahoo: message not accepted for policy reasons (5.7.9)',
    provider: 'Yahoo',
    pattern: String.raw`message not accepted for policy reasons`,
    bounceClass: 50,
    examples: [
      '554 5.7.9 Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes',
    ],
  },
  {
    id: 'aol-codes',
    description: 'AOL: reputation and reverse-DNS blocks (RLY:, DNS:, DYN:, RTR: codes)',
    provider: 'AOL',
    pattern: String.raw`\((RLY|DNS|DYN|RTR|HVU|IPTS|CON|BL|SC|MW):[A-Z0-9]{1,4}\)|\bRLY:[A-Z0-9]{1,4}\b|aol will not accept delivery`,
    bounceClass: 51,
    examples: [
      '554 5.7.1 : (RTR:BL) https://postmaster.aol.com/error-codes#554rtrbl',
      '521 5.2.1 :  AOL will not accept delivery of this message.',
    ],
  },

  // --- Microsoft: Outlook.com / Hotmail / Office 365 / Exchange ---------------------------------------------
  {
    id: 'microsoft-recipient-not-found',
    description: 'Office 365 / Exchange: the recipient is not in the directory',
    provider: 'Microsoft / Exchange',
    pattern: String.raw`RESOLVER\.ADR\.Recip(ient)?NotFound|recipient not found by smtp address lookup|Recipient address rejected: Access denied(?! by)|RecipNotFound|RESOLVER\.ADR\.ExRecipNotFound`,
    bounceClass: 10,
    examples: [
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      '550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM3PEPF0000A78E.eurprd04.prod.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]',
      '#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##',
    ],
  },
  {
    id: 'microsoft-mailbox-unavailable',
    description:
      'Outlook.com/Hotmail, IIS and GMX/Web.de: "requested action not taken: mailbox unavailable" (the address does not exist)',
    provider: 'Microsoft / GMX / Web.de',
    code: '5xx',
    pattern: String.raw`requested action not taken: mailbox unavailable(?!\s*[(:,;-]+\s*[a-z])|mailbox unavailable \(S\d+\)|mailbox unavailable \({id}\)`,
    bounceClass: 10,
    examples: [
      '550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [AM6EUR05FT033.eop-eur05.prod.protection.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]',
      '550 Requested action not taken: mailbox unavailable',
    ],
  },
  {
    id: 'microsoft-quota',
    description: 'Exchange / Office 365: the mailbox is over its quota',
    provider: 'Microsoft / Exchange',
    pattern: String.raw`QuotaExceeded|mailbox has exceeded (the|its) (maximum )?(size|quota)|STOREDRV\.Deliver.*quota`,
    bounceClass: 22,
    examples: [
      '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message Cannot open mailbox',
    ],
  },
  {
    id: 'microsoft-blocklist',
    description:
      'Outlook.com / Office 365: the sending IP or its network is on a block list (S3150, S3140, 5.7.606, SC-001, DY-001)',
    provider: 'Microsoft',
    pattern: String.raw`on our block list|banned sending IP|\(S3\d{3}\)|traffic not accepted from this IP|\b(SC|DY|OU|CS|SR)-(00\d|\{n\})`,
    bounceClass: 51,
    examples: [
      "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]",
      '550 5.7.606 Access denied, banned sending IP [203.0.113.5]. To request removal from this list please visit https://sender.office.com/ and follow the directions.',
      '550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.',
      "550 SC-001 (BAY004-MC1F23) Unfortunately, messages from 203.0.113.5 weren't sent. Please contact your Internet service provider. You can tell them that Hotmail does not relay dynamically-assigned IP ranges.",
    ],
  },
  {
    id: 'microsoft-rate-limit',
    description: 'Outlook.com: hourly / daily limits (RP-001, RP-002, RP-003) and server busy (4.7.500)',
    provider: 'Microsoft',
    pattern: String.raw`\bRP-(00\d|\{n\})|we have limits for how many messages|server busy\. please try again later`,
    bounceClass: 20,
    examples: [
      "421 RP-001 (BAY004-MC1F23) Unfortunately, some messages from 203.0.113.5 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day.",
      '451 4.7.500 Server busy. Please try again later from [203.0.113.5]. (S77714) [DB5EUR03FT042.eop-EUR03.prod.protection.outlook.com]',
    ],
  },
  {
    id: 'microsoft-restricted',
    description:
      'Exchange / Office 365: delivery restrictions of the recipient or its group (only some senders may write)',
    provider: 'Microsoft / Exchange',
    pattern: String.raw`RESOLVER\.RST\.(?!\w*SizeLimit)|RestrictedToRecipientsPermission|SenderNotAuthenticatedForGroup|TRANSPORT\.RULES\.RejectMessage|does not allow external forwarding|you do not have permission to send to this recipient`,
    bounceClass: 50,
    examples: [
      '550 5.7.129 RESOLVER.RST.RestrictedToRecipientsPermission; not authorized to send to this recipient',
      '550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required; Delivery restriction check failed as sender not authenticated',
      '550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)',
    ],
  },

  // --- Apple, Orange, Free, GMX, Mail.ru, Yandex, QQ, NetEase, Comcast ----------------------------------------
  {
    id: 'icloud-unknown-alias',
    description: 'iCloud: unknown or illegal alias',
    provider: 'iCloud',
    pattern: String.raw`unknown or illegal alias`,
    bounceClass: 10,
    examples: ['550 5.1.1 <bob@icloud.com>: unknown or illegal alias: bob@icloud.com'],
  },
  {
    id: 'icloud-policy',
    description: 'iCloud: message rejected due to local policy ([CS01], [HM08], [IR01])',
    provider: 'iCloud',
    pattern: String.raw`\[(CS|HM|IR|SC)\d{2}\]`,
    bounceClass: 50,
    examples: [
      '554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137',
    ],
  },
  {
    id: 'gmx-policy',
    description: 'GMX / Web.de: rejected due to policy restrictions (sender guidelines)',
    provider: 'GMX / Web.de',
    pattern: String.raw`reject(ed)? due to policy restrictions|senderguidelines|postmaster\.(gmx|web\.de)`,
    bounceClass: 50,
    examples: [
      '554-Transaction failed\r\n554-Reject due to policy restrictions.\r\n554 For explanation visit https://www.gmx.net/mail/senderguidelines?c=bl',
    ],
  },
  {
    id: 'orange-archived',
    description: 'Orange: the mailbox is archived (inactive account, OFR_418)',
    provider: 'Orange',
    pattern: String.raw`boite du destinataire archivee|archived recipient mailbox`,
    bounceClass: 25,
    examples: ['550 5.2.1 Boite du destinataire archivee. Archived recipient mailbox. OFR_418 [418]'],
  },
  {
    id: 'orange-refused',
    description: 'Orange: service refused (reputation or policy, OFR_5xx)',
    provider: 'Orange',
    pattern: String.raw`service refuse|OFR_?\d*_?5\d\d`,
    bounceClass: 50,
    examples: [
      '550 5.7.1 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_506 [506]',
    ],
  },
  {
    id: 'free-rejected',
    description: 'Free (free.fr): too many errors or spam from the sender',
    provider: 'Free',
    pattern: String.raw`mail rejete|refused by free|Free\.fr policy`,
    bounceClass: 50,
    examples: ['550 5.7.1 Mail rejete. Mail rejected by Free.fr policy. PR(Z1)'],
  },
  {
    id: 'mailru-disabled',
    description: 'Mail.ru: the mailbox is disabled or the user terminated',
    provider: 'Mail.ru',
    pattern: String.raw`is unavailable: (account is disabled|user is terminated|mailbox is disabled)`,
    bounceClass: 25,
    examples: [
      '550 Message was not accepted -- invalid mailbox.  Local mailbox bob@mail.ru is unavailable: account is disabled',
    ],
  },
  {
    id: 'mailru-spam',
    description: 'Mail.ru: spam message rejected, or the sending IP blocked',
    provider: 'Mail.ru',
    pattern: String.raw`spam message rejected|notspam-support`,
    bounceClass: 52,
    examples: [
      '550 spam message rejected. Please visit https://help.mail.ru/notspam-support/id?c=abc123 or report details to abuse@corp.mail.ru. Error code: 1A2B3C4D.',
    ],
  },
  {
    id: 'yandex-spam',
    description: 'Yandex: message rejected under suspicion of spam',
    provider: 'Yandex',
    pattern: String.raw`suspicion of spam`,
    bounceClass: 52,
    examples: [
      '554 5.7.1 Message rejected under suspicion of SPAM; https://ya.cc/1IrBc 1698765432-aBcDeFgH12-1',
    ],
  },
  {
    id: 'netease-codes',
    description:
      'NetEase 163/126 and Tencent QQ: reputation and frequency codes (RP:, HL:, MI:, DT:RBL) and their frequency limits',
    provider: 'NetEase / QQ',
    pattern: String.raw`\b(RP|HL|MI|IP|SL):(CEL|QRC|TRC|DRC|REP|ICC|IFC|MEP|ITC|SFQ|IMF|SPB|ORC|RBL|CTC)\b|frequency (is )?limited|frequency too (high|fast)|sending frequency is too fast`,
    bounceClass: 20,
    examples: [
      '451 RP:TRC 203.0.113.5 : Your email sending frequency is too fast https://help.mail.163.com/faqDetail.do?code=d7a5dc8ad4',
      '550 Ip frequency limited. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000725',
    ],
  },
  {
    id: 'qq-content-denied',
    description: 'QQ Mail / NetEase 163: content refused as spam (DT:SPM)',
    provider: 'QQ / 163',
    pattern: String.raw`mail content denied|DT:SPM|DT:SUM|inappropriate (words|content)`,
    bounceClass: 52,
    examples: [
      '550 Mail content denied. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000726',
      '554 DT:SPM 163 smtp10,DsCowAD3nZ8x_ZFmAbCdEg--.12345S2 1720000000, please see http://mail.163.com/help/help_spam_16.htm?ip=203.0.113.5',
    ],
  },
  {
    id: 'comcast-dnsbl',
    description: 'Comcast: the sending IP is on a DNSBL or has a poor reputation (BL000010 ...)',
    provider: 'Comcast',
    pattern: String.raw`found on one or more DNSBLs|comcast block|#?BL0000\d\d`,
    bounceClass: 51,
    examples: [
      '554 resimta-po-20v.sys.comcast.net resimta-po-20v.sys.comcast.net 203.0.113.5 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000010',
    ],
  },
  {
    id: 'tonline-blocked',
    description: 'T-Online: the sending IP is refused ("A problem occurred", contact tosa@rx.t-online.de)',
    provider: 'T-Online',
    pattern: String.raw`a problem occurred\. \(ask your postmaster|rx\.t-online\.de|tosa@`,
    bounceClass: 51,
    examples: [
      '554 IP=203.0.113.5 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to clarify.)',
    ],
  },
  {
    id: 'japanese-carrier-disabled',
    description:
      'Japanese carriers (au/KDDI, EZweb, docomo, SoftBank): the user account is disabled or limited',
    provider: 'KDDI / docomo / SoftBank',
    pattern: String.raw`the user\(s\) account is (disabled|temporarily limited)`,
    bounceClass: 25,
    examples: ['The user(s) account is disabled.'],
  },
  {
    id: 'japanese-carrier-quota',
    description: 'Japanese carriers (au/KDDI, EZweb): the user account is over quota',
    provider: 'KDDI',
    pattern: String.raw`the user\(s\) account is (temporarily )?over quota`,
    bounceClass: 22,
    examples: ['The user(s) account is temporarily over quota.'],
  },

  // --- Directories and filters --------------------------------------------------------------------------------
  {
    id: 'domino-not-listed',
    description: 'HCL/IBM Domino: user not listed in the Domino directory',
    provider: 'Domino',
    pattern: String.raw`not listed in (the )?(domino directory|public name (&|and) address book)|domino-?verzeichnis nicht aufgef(u|ue)hrt|nicht im domino-?verzeichnis|non e presente nella (directory|rubrica)|no (esta|figura|aparece) (incluido |registrado )?en el directorio`,
    bounceClass: 10,
    examples: [
      '550 5.1.1 User bob (bob@corp.test) not listed in Domino Directory',
      "L'utente g.bianchi (g.bianchi@example.net) non è presente nella Directory di Domino",
    ],
  },
  {
    id: 'mimecast-policy',
    description: 'Mimecast: anti-spoofing, security policies or blocked envelopes',
    provider: 'Mimecast',
    pattern: String.raw`anti-spoofing policy|rejected due to security policies|envelope blocked|community\.mimecast\.com/docs/DOC-1369#55[34]`,
    bounceClass: 50,
    examples: [
      '554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [cXyZ12AbCdEfGhIj34.uk456]',
      '550 Rejected by header based Anti-Spoofing policy: news@shop.test',
      '550 Administrative prohibition - envelope blocked - https://community.mimecast.com/docs/DOC-1369#550',
    ],
  },
  {
    id: 'proofpoint-blocked',
    description: 'Proofpoint / Trend Micro ERS / Cisco SenderBase: the sending IP is blocked by reputation',
    provider: 'Proofpoint / Trend Micro / Cisco',
    pattern: String.raw`proofpoint\.com|blocked - see|email reputation services|\bERS\b|senderbase|talosintelligence`,
    bounceClass: 51,
    examples: [
      '554 Blocked - see https://ipcheck.proofpoint.com/?ip=203.0.113.5',
      '550 5.7.1 Mail from 203.0.113.5 refused by Trend Micro Email Reputation Services; see https://servicecentral.trendmicro.com/en-us/ers/ip-lookup/',
    ],
  },

  // ==== Tier 3: the families of SPEC §4.1, every language ======================================================
  {
    id: 'address-not-specified',
    description: 'No valid recipient was given (Address not specified)',
    provider: 'generic',
    pattern: String.raw`no valid recipients|no recipients (given|specified)|need RCPT|recipient (address )?(required|missing|not specified)|must specify (a |at least one )?recipient`,
    bounceClass: 30,
    examples: ['554 5.5.1 Error: no valid recipients'],
  },

  // --- Unknown user (Hard) ----------------------------------------------------------------------------------
  {
    id: 'user-unknown',
    description:
      'The recipient does not exist: Postfix, Sendmail, Exim, Exchange, qmail, Courier, Dovecot, IMail and provider wording (English)',
    provider: 'Postfix / Sendmail / Exim / Exchange / qmail / Courier / Dovecot / generic',
    pattern: [
      String.raw`user unkn?own|unkn?own user|unknown (local[- ]?part|recipient|mailbox|address|account|alias|addressee|e-?mail address)|(add?ress?ee|recipient|mailbox) unknown`,
      String.raw`no such (user|recipient|mailbox|account|person|address|local user|e-?mail address|e-?mail account|login)`,
      String.raw`no (mailbox|account|user|mail ?box)( here| available)? (by|with|for) (that|this) (name|user)|no mail ?box (here|available|found)|mail-?box not found`,
      String.raw`(user|recipient|rcpt|addressee|mailbox|address|account|e-?mail|alias|login)${GAP}\b(does not|doesn['’]?t|does['’]nt|did not|do not) exist|${ADDR} (does not|doesn['’]?t) exist`,
      String.raw`(user|recipient|addressee|mailbox|address|account|e-?mail)${GAP}\b((was|is|could|can|wasn['’]?t|couldn['’]?t|can['’]?t|cannot)( not)?( be)? (found|recogni[sz]ed)|not found|not recogni[sz]ed)(?! in (the )?(domain name service|dns))|(user|recipient|mailbox|address|account) (is )?(unknown|nonexistent|non-existent)`,
      String.raw`is not (a |an )?(known|valid|local|existing|active) (user|mailbox|recipient|e-?mail address|address|account)|not (a |an )?(valid|known|existing) (recipient|mailbox|user|e-?mail address|address|account)|is not an active address`,
      String.raw`invalid (recipient|mailbox|user|account|e-?mail address|destination address|addressee)|bad[ _](recipient|destination mailbox|mailbox address)|illegal (recipient|alias)|recipient (address )?rejected: (undeliverable address|unknown|invalid|no such)`,
      String.raw`user not local|not our customer|recipient no longer on server|no longer (exists|on (this )?server|valid|here|available at this)|(mailbox|account|address) has been (removed|deleted)|has moved|mailbox (has been )?(removed|deleted)`,
      String.raw`format of the e-?mail address is incorrect|recipient name is not recognized|no account by that name|there is no one at this address|(user|recipient|mailbox|address|account) (is )?not exist|(user|recipient|address|mailbox)${GAP} not known|recipient not ok|(recipient|address) is not local|not a local (address|user|recipient)|missing home directory|unknown virtual user|invalid or unknown|addresses? (were|was|are|is) unknown|envelope recipient (has been denied|is in my badrcptto list)|badrcptto|badrecipientto|not in my validrcptto|has been replaced by|bad (e-?mail )?address|invalid (e-?mail )?address\b(?!es)|(mailbox|address|recipient|user) (is )?invalid|mailbox not present|receiver (not found|unknown|does not exist)|no such receiver|no existe (dicha persona|ese usuario)`,
    ].join('|'),
    bounceClass: 10,
    examples: [
      '550 5.1.1 <bob@inbox.test>: Recipient address rejected: User unknown in virtual mailbox table',
      '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table',
      '550 5.1.1 <bob@example.com>... User unknown',
      '550 5.7.1 No such user!',
      '550 No Such User Here',
      '551 5.1.1 <bob@comcast.net> user unknown',
      '511 sorry, no mailbox here by that name (#5.1.1)',
      '550 5.1.1 User does not exist - <bob@zoho.test>',
      '554 Rcpt <bob@example.com> does not exist',
      '550 Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728',
      '550 User not found: bob@163.com',
      '550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [aBcDeF12GhIjK34LmNoP.uk123]',
      "550 5.1.1 <bob@example.com> User doesn't exist: bob@example.com",
      '550 5.1.6 recipient no longer on server: bob@example.com',
      'The e-mail account does not exist at the organization this message was sent to. Check the e-mail address, or contact the recipient directly to find out the correct address.',
      "The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message.",
      '550 Message was not accepted -- invalid mailbox.  Local mailbox bob@mail.ru is unavailable: user not found',
      '550-bob@example.com is not an active address at this host',
      '553 sorry, badrcptto(user mail-box not found) (#5.7.1)',
      '550 ** No mail box available for this user **',
    ],
  },
  {
    id: 'user-unknown-fr',
    description: "L'adresse n'existe pas (French)",
    provider: 'Orange / SFR / La Poste / generic (French)',
    pattern: String.raw`(utilisateur|destinataire|adresse( e-?mail| electronique| de messagerie)?|compte|boite( aux lettres| mail)?)( d au moins un destinataire)? (inconnu|inexistant|introuvable|invalide|non valide)e?|(utilisateur|destinataire|adresse|compte|boite( aux lettres)?)${GAP} n'?existe (pas|plus)|aucun (utilisateur|destinataire|compte) (de ce nom|correspondant)|n'est pas (repertorie|reference|liste)e? dans l'annuaire`,
    bounceClass: 10,
    examples: [
      '550 5.1.1 <bob@sfr.test>... Utilisateur inconnu',
      '550 5.1.1 Adresse d au moins un destinataire invalide',
      "550 5.1.1 L'adresse bob@laposte.test n'existe pas",
      "L'utilisateur Luc Petit (luc@domino.test) n'est pas répertorié dans l'annuaire Domino",
    ],
  },
  {
    id: 'user-unknown-de',
    description: 'Empfänger unbekannt (German)',
    provider: 'T-Online / GMX / Exchange / generic (German)',
    pattern: String.raw`(benutzer|empf(a|ae)nger|e-?mail-adresse|adresse|postfach|konto|nutzer)${GAP} (unbekannt|existiert nicht|gibt es nicht|nicht gefunden|nicht vorhanden|ung(u|ue)ltig)|unbekannte[rn]? (benutzer|empfanger|adresse|e-?mail-adresse)|kein (postfach|benutzer|konto) (mit diesem namen|vorhanden)`,
    bounceClass: 10,
    examples: [
      '550 5.1.1 <bob@t-online.test>: Empfänger unbekannt',
      '550 5.1.1 Die E-Mail-Adresse existiert nicht',
      '550 5.1.1 Benutzer unbekannt',
    ],
  },
  {
    id: 'user-unknown-es-pt',
    description: 'El usuario no existe / O usuário não existe (Spanish, Portuguese)',
    provider: 'Telefónica / Latinmail / UOL / Terra / IG / Sapo / generic (Spanish, Portuguese)',
    pattern: [
      String.raw`(usuario|destinatario|direccion( de correo)?( electronico)?|cuenta( de correo)?|buzon|casilla( de correo)?) (desconocid[oa]|inexistente|no existe|no encontrad[oa]|invalid[oa]|no valid[oa])|no existe (el|la|ese|esa) (usuario|cuenta|buzon|direccion|destinatario|casilla)|no hay (tal |ningun )?(usuario|buzon|cuenta)`,
      String.raw`(usuario|utilizador|destinatario|endereco( de e-?mail)?|conta|caixa( postal)?) (desconhecid[oa]|inexistente|nao existe|nao encontrad[oa]|invalid[oa])|(usuario|utilizador|destinatario|endereco|conta|caixa postal)${GAP} (nao existe|inexistente)`,
    ].join('|'),
    bounceClass: 10,
    examples: [
      '550 <bob@latinmail.test>: Destinatario desconocido o mailbox lleno',
      '550 5.1.1 El usuario no existe',
      '550 5.1.1 La cuenta de correo no existe',
      '550 5.1.1 Usuário desconhecido',
      '554 Usuário Inválido ou Inexistente',
      '550 5.1.1 O endereço de e-mail não existe',
    ],
  },
  {
    id: 'user-unknown-it',
    description: "L'utente non esiste (Italian)",
    provider: 'Libero / Aruba / generic (Italian)',
    pattern: String.raw`(utente|destinatario|indirizzo( e-?mail| di posta)?|casella( di posta)?|account) (sconosciut[oa]|inesistente|non esistente|non trovat[oa]|non valid[oa])|(utente|destinatario|indirizzo|casella|account)${GAP} non esiste`,
    bounceClass: 10,
    examples: ['550 5.1.1 <bob@libero.test>: Utente sconosciuto', "550 5.1.1 L'indirizzo non esiste"],
  },
  {
    id: 'user-unknown-nl',
    description: 'Onbekende gebruiker (Dutch)',
    provider: 'KPN / Ziggo / generic (Dutch)',
    pattern: String.raw`(onbekende|ongeldige) (gebruiker|ontvanger|geadresseerde|e-?mailadres)|(gebruiker|ontvanger|geadresseerde|e-?mailadres|adres|mailbox|postvak)${GAP} (is )?(onbekend|bestaat niet|niet gevonden|ongeldig)`,
    bounceClass: 10,
    examples: ['550 5.1.1 Onbekende gebruiker', '550 5.1.1 Dit e-mailadres bestaat niet'],
  },
  {
    id: 'user-unknown-pl',
    description: 'Nie ma takiego konta (Polish)',
    provider: 'WP / Onet / Interia / o2 / generic (Polish)',
    pattern: String.raw`(uzytkownik|odbiorca|adresat|konto|skrzynka|adres)${GAP} (nie istnieje|nieznany|nie zostal znaleziony|nie znaleziono)|nie ma takiego (uzytkownika|konta|adresu|adresata|odbiorcy)|nieznany (uzytkownik|odbiorca|adresat)`,
    bounceClass: 10,
    examples: ['501 5.1.3 Odbiorca <bob@wp.test> nie istnieje', '550 5.1.1 Nie ma takiego konta'],
  },
  {
    id: 'user-unknown-ru',
    description: 'Нет такого пользователя (Russian)',
    provider: 'Mail.ru / Yandex / Rambler / generic (Russian)',
    pattern: String.raw`нет такого (пользователя|ящика|адресата|получателя|почтового ящика|аккаунта|адреса)|(пользователь|адресат|получатель|почтовый ящик|ящик|аккаунт|адрес|учетная запись)[^.;:!?\n]{0,40}не (найден|существует)|несуществующ|неизвестн(ый|ого) (пользовател|адресат|получател)`,
    bounceClass: 10,
    examples: ['550 5.1.1 Нет такого пользователя', '550 Пользователь не найден'],
  },
  {
    id: 'user-unknown-ja',
    description: '宛先不明 (Japanese: carriers, mFILTER, Japanese MTAs)',
    provider: 'docomo / KDDI / SoftBank / mFILTER / generic (Japanese)',
    pattern: String.raw`宛先不明|宛先(が|の)?(見つかりません|存在しません|不明)|(ユーザ|ユーザー|アカウント|メールアドレス|メールボックス|アドレス|宛先|受信者)(は|が|の)?(存在しません|見つかりません|存在しない|不明|無効)|存在しない(ユーザ|アカウント|メールアドレス|アドレス|宛先)|該当(する)?ユーザ|そのようなユーザ|(ユーザ|ユーザー|アドレス|宛先)[^。\n]{0,40}(ディレクトリ|アドレス帳)?に登録されていません`,
    bounceClass: 10,
    examples: [
      '550 5.1.1 宛先不明のため配信できませんでした',
      '550 指定されたメールアドレスは存在しません',
      'ユーザー 鈴木 一郎 (suzuki@domino.test) は Domino ディレクトリに登録されていません',
    ],
  },
  {
    id: 'user-unknown-zh',
    description: '用户不存在 (Chinese: QQ, NetEase, Sina, Aliyun, Tencent Exmail)',
    provider: 'QQ / NetEase / Sina / Aliyun / generic (Chinese)',
    pattern: String.raw`(用户|用戶|收件人|邮箱|郵箱|信箱|帐户|账户|帳戶|帐号|账号|帳號|地址|用户名)(名)?不存在|无此用户|無此用戶|没有这个用户|查无此人|收件人地址(错误|無效|无效)`,
    bounceClass: 10,
    examples: ['550 用户不存在', '550 收件人不存在'],
  },
  {
    id: 'user-unknown-other',
    description: 'Unknown user in Swedish, Danish, Norwegian, Czech, Turkish and Korean',
    provider: 'generic',
    pattern: String.raw`okand (mottagare|anvandare|adress)|(mottagaren|anvandaren|adressen|kontot) (finns inte|existerar inte)|ukendt (modtager|bruger)|ukjent (mottaker|bruker)|(uzivatel|prijemce|adresa) (neexistuje|nenalezen)|kullanici (bulunamadi|mevcut degil)|존재하지 않는 (사용자|계정|주소|메일)|사용자를 찾을 수 없`,
    bounceClass: 10,
    examples: ['550 5.1.1 Okänd mottagare', '550 5.1.1 Mottagaren finns inte'],
  },

  // --- Disabled account (Soft) ------------------------------------------------------------------------------
  {
    id: 'account-disabled',
    description: 'Account disabled, suspended, inactive, expired, locked or closed (English)',
    provider: 'generic',
    pattern: [
      String.raw`(mailbox|acc?ount|user|address|recipient|login)( acc?ount)?( is| has been| has| was| currently)? (disabe?le?d|suspended|deactivated|inactive|locked|frozen|expired|closed|discontinued|terminated|blocked by (the )?(owner|administrator)|not active|no longer active|temporarily (disabled|suspended))`,
      String.raw`(disabled|suspended|deactivated|inactive|locked|frozen|expired|discontinued|closed|dormant) (mailbox|account|user|address|e-?mail address|recipient)`,
      String.raw`\[suspend\]|currently suspended|has been (temporarily )?suspended|temporar(il)?y (locked|inactive)|administratively disabled|not accepting (messages|mail)(?! (from|with))|mailbox disabled|no longer accepts mail|(user|account|mailbox)( or domain)? is disabled|suspend(ed)? the service|mailbox unavailable or access denied|extended inactivity|account is locked`,
    ].join('|'),
    bounceClass: 25,
    examples: [
      '550 5.2.1 <bob@example.com>: Mailbox disabled, not accepting messages',
      '550 User suspended: bob@163.com',
      '550 5.1.1 <bob@me.com>: inactive email address',
      '550 [SUSPEND] Mailbox currently suspended - Please contact correspondent directly',
      '551 <bob@example.com> is a deactivated mailbox',
      'Mailaddress is administratively disabled. (LDAP-ERR #229)',
      'This address no longer accepts mail.',
    ],
  },
  {
    id: 'account-disabled-intl',
    description:
      'Account disabled in French, German, Spanish, Italian, Portuguese, Dutch, Polish, Russian, Japanese, Chinese',
    provider: 'generic',
    pattern: [
      String.raw`(compte|boite( aux lettres)?)( est| a ete)? (desactive|suspendu|bloque|inactif|ferme|expire|verrouille)e?`,
      String.raw`(konto|postfach|benutzer|account|mailbox)( ist| wurde)? (deaktiviert|gesperrt|inaktiv|stillgelegt|abgeschaltet)`,
      String.raw`(cuenta|buzon|usuario|casilla)( esta| ha sido)? (desactivad|suspendid|deshabilitad|inactiv|bloquead|cancelad)[oa]|(cuenta|buzon|casilla)( de correo)? ha (expirado|caducado)|por falta de uso|por inactividad`,
      String.raw`(account|casella|utente|mailbox)( e| stat[oa])? (disattivat|sospes|disabilitat|bloccat)[oa]|(account|casella|utente) non (e )?attiv[oa]`,
      String.raw`(conta|caixa( postal)?|usuario|utilizador)( esta| foi)? (desativad|desactivad|suspens|bloquead|inativ|cancelad)[oa]`,
      String.raw`(account|mailbox|gebruiker|postvak)( is)? (uitgeschakeld|geblokkeerd|gedeactiveerd|opgeschort|inactief)`,
      String.raw`(konto|skrzynka)( jest)? (niedostepn|zablokowan|wyłaczon|nieaktywn|zawieszon)[aey]`,
      String.raw`(ящик|аккаунт|учетная запись|пользователь|адрес)[^.;:!?\n]{0,20}(заблокирован|отключен|деактивирован|неактивен|заморожен)`,
      String.raw`(アカウント|メールアドレス|ユーザ)(は|が)?(停止|無効|利用停止|凍結)|利用停止`,
      String.raw`(用户|用戶|帐户|账户|账号|帐号|邮箱)(已)?(被)?(冻结|凍結|停用|禁用|锁定|注销)`,
    ].join('|'),
    bounceClass: 25,
    examples: [
      '550 5.2.1 Mailbox not available / Konto niedostepne',
      '550 5.2.1 Ce compte est désactivé',
      '550 5.2.1 Das Postfach ist gesperrt',
      '550 5.2.1 La cuenta está suspendida',
      'Esta casilla ha expirado por falta de uso.',
      '550 5.2.1 Ящик заблокирован',
      '550 该账户已被冻结',
    ],
  },

  // --- Mailbox full (Soft) ----------------------------------------------------------------------------------
  {
    id: 'mailbox-full',
    description: 'Mailbox full or over quota (English)',
    provider: 'Postfix / Dovecot / Exim / Sendmail / qmail / Courier / Exchange / generic',
    pattern: [
      String.raw`mailbox (is |was )?(full|over ?quota)|mailbox full|over ?quota|quota (exceeded|exceed|full|violation)|(disk|disc) quota`,
      String.raw`(mailbox|inbox|account|user|mailfolder|maildir|mail ?file|postbox|storage)( size)?( limit)? (is |has |was )?(full|exceeded|over|reached)`,
      String.raw`(mailbox|inbox|mailfolder|maildir|mail ?file|recipient's mailbox)${GAP}(exceed(s|ed)?|over|reached|beyond)${GAP}(quota|limit|size|capacity|space|allocation)|quota${GAP}\b(exceeded|reached|full)`,
      String.raw`exceed(ed|s)? (the |his |her |their |its )?(storage|mailbox|disk|disc) ?(quota|allocation|limit|space)|exceeded storage allocation|exceeded (the |his |her |their |its |your )?(mailbox |storage |disk |e-?mail )?quota|mailbox (size )?limit`,
      String.raw`(mailbox|inbox|account) (is )?out of (storage|space)|not enough (storage|space) (in|for) (the )?(mailbox|user|recipient)|insufficient (storage|space) (in|for) (the )?(mailbox|user|recipient)`,
      String.raw`too many (messages|mails) (on|in) (the )?(server|mailbox|account)|cannot update mailbox ${GAP}file too large|full mailbox|over (the )?(allowed |disk |storage |mailbox )?quota|(does not|doesn'?t) have enough (disk |storage )?space|not (enough|sufficient) (disk|storage) space|space has been used up|mail ?file (size )?exceeds|(mailbox|storage)${GAP}would exceed`,
    ].join('|'),
    bounceClass: 22,
    examples: [
      '452 4.2.2 <full@inbox.test>: Mailbox full, try again later',
      '552 5.2.2 <bob@example.com>: Quota exceeded (mailbox for user is full)',
      '522 5.2.2 <bob@icloud.com>: user is over quota',
      '452 <bob@example.com> Mailbox size limit exceeded',
      'The users mailfolder is over the allowed quota (size). (#5.2.2)',
      'The recipient mailbox has exceeded its disk space limit.',
      '552 5.2.2 Requested mail action aborted: exceeded storage allocation',
      '550 <bob@web.de> Benutzer hat zuviele Mails auf dem Server. / User has too many messages on the server.',
      'maildir delivery failed: error writing message: Disc quota exceeded',
      '522 5.7.1 Recipient has exceeded quota',
    ],
  },
  {
    id: 'mailbox-full-intl',
    description:
      'Mailbox full in French, German, Spanish, Italian, Portuguese, Dutch, Polish, Russian, Japanese, Chinese, Swedish',
    provider: 'generic',
    pattern: [
      String.raw`boite (aux lettres |mail |de reception )?(du destinataire )?(est )?(pleine|saturee)|quota (de la boite )?(depasse|atteint)|depassement (de|du) quota|espace (disque|de stockage) (insuffisant|plein)`,
      String.raw`postfach (ist )?(voll|(u|ue)berf(u|ue)llt)|speicherplatz (ist )?(voll|(u|ue)berschritten|ersch(o|oe)pft)|quota (ist )?(u|ue)berschritten|(mail-?datei|postfach|speicher)${GAP} (ist )?voll|mailbox (ist )?voll|zu ?viele (mails|nachrichten) auf dem server`,
      String.raw`buzon( de correo)?( del destinatario)?( esta)? (lleno|completo|excedido|saturado)|(cuota|capacidad) (excedida|superada|agotada)|casilla( de correo| de mail)? (llena|completa)|excedi[od]o? (su )?(cuota|capacidad)|espacio( en (la )?(casilla|buzon|cuenta))?( de (correo|mail))? (agotado|insuficiente)`,
      String.raw`casella( di posta)?( e)? (piena|satura)|mailbox piena|quota (superata|esaurita|raggiunta)|spazio (esaurito|insufficiente)`,
      String.raw`caixa( postal| de correio| de entrada)?( esta)? (cheia|lotada)|(cota|quota) (excedida|esgotada)|espaco (esgotado|insuficiente)`,
      String.raw`(mailbox|postvak|postbus) (is )?(vol|overvol)|quot(um|a) (overschreden|bereikt)`,
      String.raw`skrzynka( odbiorcy)?( jest)? (pełna|przepełniona|zapełniona)|przekroczon[oay] (limit|quot|pojemnosc)|brak miejsca w skrzynce`,
      String.raw`ящик[^.;:!?\n]{0,20}переполнен|переполнен|превышен[аоы]? (квота|лимит|размер ящика|объем)|квота (превышена|исчерпана)|нет места`,
      String.raw`メールボックス(の容量)?がいっぱい|容量(オーバー|超過|不足|の上限)|容量が(いっぱい|上限|制限)|保存容量|受信容量`,
      String.raw`(邮箱|郵箱|信箱|空间|空間)(已满|已滿|空间不足|容量不足)|超出(配额|容量|空间)|配额已满|存储空间不足`,
      String.raw`brevladan (ar )?full|postkassen er fuld|postkassen er full|posta kutusu (dolu|doldu)|kota (asildi|doldu)|ha superato (la |il )?(quota|limite|spazio)|cuota de disco|quota (del |di )?disco|quota (de )?disque|superaria su cuota`,
    ].join('|'),
    bounceClass: 22,
    examples: [
      '552 5.2.2 Boîte aux lettres du destinataire pleine',
      '552 5.2.2 Das Postfach ist voll',
      'Die Mail-Datei des Empfaengers ist voll (Quota ueberschritten).',
      '552 5.2.2 El buzón está lleno',
      'Espacio en casilla de mail agotado.',
      '552 5.2.2 Casella di posta piena',
      '552 5.2.2 Caixa postal cheia',
      '552 5.2.2 Skrzynka odbiorcy jest pełna',
      '552 5.2.2 Почтовый ящик переполнен',
      '552 メールボックスがいっぱいです',
      '552 邮箱已满',
      'No se puede escribir en la base de datos porque la base de datos superaría su cuota de disco.',
    ],
  },

  // --- Unknown domain (Soft) --------------------------------------------------------------------------------
  {
    id: 'domain-not-found',
    description: 'The recipient domain does not exist or has no mail server',
    provider: 'Postfix / Sendmail / Exim / qmail / Exchange / Gmail / generic',
    pattern: [
      String.raw`domain (name )?(not found|does not exist|doesn't exist|unknown|is invalid|invalid)|no such domain|unknown domain|(host|domain) (or domain name )?not found|host unknown|unknown host|name or service not known|nodename nor servname|name service error|dns lookup failure${GAP}not found|(host|domain) [a-z0-9-]+(\.[a-z0-9-]+)+ (not found|does not exist)`,
      String.raw`no (mx|mail exchanger|mail host|mail hosts|mail server)s?( record| found| for)|no mx (record|host)|no (mx|a|aaaa)( or (a|aaaa))? records?|null ?mx|(?:[a-z0-9-]{1,63}\.)+[a-z]{2,}\)? does not accept mail(?! from)|does not accept mail \(null ?mx\)|(mx|srv) record indicated no smtp service|unrouteable (mail domain|address)|all relevant mx records point to non-existent hosts|no route to domain|no route found to domain`,
      String.raw`couldn'?t find any host|could not find (any host|a mail exchanger)|couldn'?t find a mail exchanger|domain is not (hosted|served|valid)|nonexistent ?domain|non-existent domain|domain${GAP} (does not|doesn't) exist|domain${GAP} not found|invalid (recipient )?domain\b`,
      String.raw`could not be found in (the )?domain name service|domain name in the e-?mail address is incorrect|(malformed|unexpected) name server reply|recipient domain${GAP}(not found|invalid)|domain must exist|account or domain may not exist|no mail servers? (appears? to )?exists?|domain${GAP}(is not|isn'?t|does not appear to be|not) registered`,
      String.raw`domaine (inexistant|inconnu|invalide)|domain existiert nicht|dominio (inexistente|desconocido|no existe|non esistente)|домен не существует|ドメインが存在しません|域名不存在`,
    ].join('|'),
    bounceClass: 21,
    examples: [
      '550 5.1.2 <bob@nowhere.test>: Recipient address rejected: Domain not found',
      '554 5.4.4 <bob@nowhere.test>: Host or domain name not found. Name service error for name=nowhere.test type=MX: Host not found',
      '556 5.1.10 <bob@example.com>: Recipient address has null MX',
      '550 Unrouteable address',
      '550 No such domain at this location (bob@example.com)',
      "Sorry, I couldn't find any host named nowhere.test. (#5.1.2)",
      'all hosts for nowhere.test have been failing: an MX or SRV record indicated no SMTP service',
      '554 5.4.4 SMTPSEND.DNS.NonExistentDomain; nonexistent domain',
      '550 5.4.310 DNS domain nowhere.test does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=nowhere.test]',
      'No MX or A records for nowhere.test',
      'No mail servers appear to exists for the recipients address.',
      'The message could not be delivered because the domain name (nowhere.test) does not appear to be registered.',
    ],
  },

  // --- Message too large (Ignored) --------------------------------------------------------------------------
  {
    id: 'message-too-large',
    description: 'The message is larger than the receiver accepts',
    provider: 'Postfix / Exim / Exchange / qmail / generic',
    pattern: [
      String.raw`too (large|big)|exceeds? (the )?(fixed |maximum |max |allowed |permitted |administrative )?(message )?size|size (limit|exceeds|exceeded)|message length exceeds|too much mail data|message size|max(imum)? message size|databytes|SendSizeLimit|RecipSizeLimit|class=size`,
      String.raw`(message|courrier|mail) trop (volumineux|gros|grand)|taille (maximale|du message) (depassee|excede)|(nachricht|e-?mail|mail) (ist )?zu gro(ss|ß)|gr(o|oe)(ss|ß)enbeschr(a|ae)nkung|(mensaje|correo) (es )?demasiado (grande|extenso)|(excede|supera) el tamano|messaggio troppo grande|supera la dimensione|mensagem (muito|demasiado) grande|excede o tamanho|bericht (is )?te groot|wiadomosc (jest )?za duza|przekroczono (maksymalny )?rozmiar|слишком больш(ое|ой) (письмо|сообщение)|размер (письма|сообщения) превыш|サイズ(が|の)?(大きすぎ|超過|制限)|邮件(大小)?(过大|太大|超过限制|超出限制)|mailsize limit`,
    ].join('|'),
    bounceClass: 23,
    examples: [
      '552 5.3.4 Message size exceeds fixed limit',
      '552 5.2.3 Message size exceeds fixed maximum message size',
      '552 Message size exceeds maximum permitted',
      '550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient',
      '554 5.7.1 Message Rejected Class=size limit=15728640 Subclass=reject size=18571048',
      '552 sorry, that message size exceeds my databytes limit (#5.3.4)',
      '552 Requested mail action aborted: exceeded mailsize limit',
      '552 5.3.4 Message trop volumineux',
    ],
  },

  // --- Rate limits and greylisting (Unreachable, Soft) ------------------------------------------------------
  {
    id: 'dnsbl-block',
    description: 'The sending IP or domain is on a block list or has a poor reputation',
    provider: 'Barracuda / Spamhaus / SpamCop / Postfix / Exim / generic',
    pattern: [
      String.raw`blocked using|listed (at|in|on|by)|block ?list|black ?list|blacklisted|blocklisted|dnsbl|\brbl\b|spamhaus|spamcop|sorbs|barracuda ?(reputation|central)|barracudacentral`,
      String.raw`(bad|poor|low|negative) reputation|reputation|dynamic ip|dial-?up|residential (ip|range)|(your|the|sending|client|connecting) ip( address)?${GAP}(blocked|banned|rejected|refused|not allowed|listed)|ip( address)? (is |has been )?(blocked|banned|rejected)|access from ip address${GAP}blocked`,
      String.raw`liste noire|schwarze liste|lista negra|lista nera|zwarte lijst|czarn(a|ej) lis|черн(ый|ом|ого) спис|ブラックリスト|黑名单|ip(地址)?(被)?(屏蔽|拒绝|封禁)`,
    ].join('|'),
    bounceClass: 51,
    examples: [
      '554 Service unavailable; Client host [203.0.113.5] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=203.0.113.5',
      '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5',
      '550 Access from ip address 203.0.113.5 blocked. Visit http://win.mail.ru/cgi-bin/support_bl?ip=203.0.113.5',
      '451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA0B5E12345678] [SN1PEPF0002BA4F.namprd03.prod.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]',
    ],
  },
  {
    id: 'rate-limited',
    description: 'Rate limits and connection limits (SPEC: rate limiting is Unreachable, soft)',
    provider: 'Microsoft / Orange / Mail.ru / 163 / generic',
    pattern: [
      String.raw`rate limit|rate-limit|ratelimit|too many (messages|connections|concurrent|simultaneous|recipients|sessions|mails|requests|errors|invalid recipients)|too much (mail|traffic)|throttl|slow down|try again slower|connection limit|maximum connection|max(imum)? (e-?mails?|messages|recipients) per (hour|day|minute)`,
      String.raw`exceeded (the )?(message|connection|sending|hourly|daily|recipient) (rate|limit)|(sending|message|connection|receiving) rate|temporarily deferred due to unexpected volume(?! or user complaints)|sending (quota|limit) exceeded|limit (on|of) (the )?number of`,
      String.raw`trop de (connexions|messages|destinataires)|zu ?viele (verbindungen|empf(a|ae)nger|anfragen)|demasiadas (conexiones|solicitudes)|troppe (connessioni|richieste)|(muitas|demasiadas) conexoes|слишком много (соединений|подключений|писем|сообщений)|接続(数|が多すぎ)|(连接|發送|发送|发信)(数过多|频率过快|频率)`,
    ].join('|'),
    bounceClass: 20,
    examples: [
      '421 mwinf5c45 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR005_104 [104]',
      '451 Ratelimit exceeded for mailbox bob@mail.ru. Try to send mail later.',
      '421 4.7.0 Too many concurrent SMTP connections from this IP address; please try again later.',
      '452 4.5.3 Too many recipients',
    ],
  },
  {
    id: 'greylisting',
    description: 'Greylisting or a first attempt refused, to be retried in a few minutes',
    provider: 'Postgrey / Exim / generic',
    code: '4xx',
    pattern: String.raw`gr[ae]y ?list|greylisted|try (again )?later|please retry|come back later|temporarily rejected|tempfail|verification in progress|reessayez plus tard|essayer plus tard|sp(a|ae)ter (erneut|nochmal)|versuchen sie es sp(a|ae)ter|mas tarde|piu tardi|mais tarde|probeer het later|sprobuj (ponownie )?pozniej|повторите попытку позже|попробуйте позже|しばらくしてから|稍后(重试|再试)|请稍后`,
    bounceClass: 20,
    examples: [
      '451 4.7.1 <grey@inbox.test>: Recipient address rejected: Greylisted, please try again later',
      '450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html',
      '451 4.7.1 Veuillez réessayer plus tard',
    ],
  },

  // --- Refusals aimed at the sender or the content (Refused, Soft) -------------------------------------------
  {
    id: 'prohibited-attachment',
    description: 'An attachment, a file type, a virus or malware was refused',
    provider: 'generic / Barracuda / Mimecast / Exchange / AOL',
    pattern: String.raw`virus|malware|infected|attachment|file (type|extension)|banned (file|content|attachment)|executable|prohibited (file|content)|dangerous (content|file)|potential security issue|embedded images|piece jointe|anhang|adjunto|allegato|anexo|bijlage|załacznik|zalacznik|вложени|вирус|添付|ウイルス|附件|病毒`,
    replyOnly: true,
    bounceClass: 53,
    examples: [
      '554 5.7.1 Message rejected: virus found (Eicar-Test-Signature)',
      '552-5.7.0 This message was blocked because its content presents a potential\r\n552-5.7.0 security issue. Please visit\r\n552 5.7.0  https://support.google.com/mail/?p=BlockedMessage - gsmtp',
    ],
  },
  {
    id: 'spam-content',
    description: 'The message was refused as spam, bulk mail or by a content filter',
    provider: 'generic / SpamAssassin / Barracuda / Cisco / Sophos / Proofpoint / amavis',
    pattern: [
      String.raw`spam|unsolicited|junk|bulk (mail|e-?mail)|mass mail|phish|scam|\bube\b|\buce\b|uribl|surbl|content (was )?(rejected|refused|blocked)|content reject|content filter|content restrictions|content policy|rejected due to content|message (was )?(rejected|refused|blocked) as|heuristic|antispam|anti-spam|dspam|scored? (too high|over)|score (\(?\{n\}\)? )?(too high|over)|bulk[ .](advertising|message)|recurrent pattern detection|message filtered|(mime (complexity|headers?)|improper use of 8-bit)`,
      String.raw`pourriel|polluriel|indesirable|non sollicite|unerw(u|ue)nscht|werbung|correo no deseado|no solicitado|correo basura|indesiderat|indesejad|nao solicitad|ongewenst|niechcian|niepozadan|нежелательн|спам|迷惑メール|スパム|垃圾邮件|垃圾郵件|广告邮件`,
    ].join('|'),
    replyOnly: true,
    bounceClass: 52,
    examples: [
      '554 5.7.1 Message rejected: spam content detected',
      '550 High probability of spam',
      '550 5.7.1 Message content rejected, UBE, id=01530-01-625',
      '550 5.7.1 Your email breaches local URIBL policy.',
      "550 5.7.1 You're using a mass mailer, therefore you're bounced.",
      '554 5.7.1 Message rejected due to content restrictions',
      '554 5.7.1 Mail (13049-38149) appears to be unsolicited - Score (59) over MessageScoringUpperLimit (50)',
      '550 5.7.1 Rejected - bulk email',
      '550 Message refusé car considéré comme indésirable',
    ],
  },
  {
    id: 'authentication-failed',
    description: 'SPF, DKIM, DMARC or reverse DNS checks failed, or authentication is required',
    provider: 'generic',
    pattern: String.raw`\bspf\b|sender policy framework|\bdkim\b|dmarc|authenticat|reverse (dns|hostname|lookup|dns entry)|\bptr\b|\brdns\b|fcrdns|cannot find your (reverse )?hostname|not authorized to send (mail |messages )?(on behalf|from|for)`,
    bounceClass: 50,
    examples: [
      '550 5.7.23 The message was rejected because of Sender Policy Framework violation',
      '553 Sender Policy Framework (SPF) fail',
      '550 5.7.509 Access denied, sending domain shop.test does not pass DMARC verification and has a DMARC policy of reject.',
    ],
  },
  {
    id: 'recipient-filter',
    description:
      'A recipient-side filter that accepts only some senders (allow lists, group restrictions, blocked senders)',
    provider: 'Exchange / Mimecast / mailing lists / generic',
    pattern: String.raw`not (authori[sz]ed|allowed|permitted) to send (mail |messages |e-?mail )?to|only accepts (mail|messages|e-?mail)|restricted to (internal|authori[sz]ed|approved) senders|delivery restrictions?|(blocked|rejected) by (the )?recipient|recipient has (blocked|rejected)|recipient'?s (block|blocked senders) list|not (allowed|permitted) to post|(you are |sender is )?not (a )?(list )?(member|subscriber)s? of|non-?members? (post|posting|are not)|only (list )?(members|subscribers) (may|can) (post|write|send)|n.?etes pas abonne|seuls les abonnes|no (esta|estas|eres) suscrito|solo los suscriptores|nicht abonniert|nur (abonnenten|mitglieder)|solo gli iscritti|non sei iscritto|requires confirmation|confirm this (mail )?server|receiving (mail )?(is )?restricted|not accepting (mail|messages|e-?mail) from|(does not|doesn'?t) accept (mail|messages|e-?mail) from|rejected by (my|the recipient'?s?|their|his|her) (filter|rules)|受信拒否|拒收`,
    bounceClass: 50,
    examples: [
      '550 5.7.1 You are not allowed to send mail to this recipient',
      '554 5.7.1 <all@corp.test>: Recipient address rejected: This address does not accept mail from outside the organisation',
      "Votre message pour la liste adherents@corp.test a été rejeté car vous n'êtes pas abonné(e) à cette liste",
      '550 Your server requires confirmation. Visit http://www.mailhost.test/Whitelist.aspx?IP=203.0.113.5 to confirm this mail server.',
      '550 5.7.1 The group announce only accepts messages from people in its organization',
      'Your mail to the following recipients could not be delivered because they are not accepting mail from news@shop.test:',
    ],
  },
  {
    id: 'policy-refusal',
    description: 'Refused by a local, security or organisation policy (no more specific text)',
    provider: 'generic',
    pattern: String.raw`administrative(ly)? prohibit|local policy|policy (rejection|violation|restrictions?|reasons)|rejected (by|due to) (local |organi[sz]ation |security |our )?polic(y|ies)|organi[sz]ation('s)? policy|breaches|not accepted (by|due to) (our )?polic`,
    bounceClass: 50,
    examples: [
      '550 5.7.1 Message rejected by local policy',
      '550 5.7.1 Policy rejection on the target address',
    ],
  },

  // --- The delivery chain failed (Unreachable, Soft) --------------------------------------------------------
  {
    id: 'mail-loop',
    description: 'A mail loop or too many hops',
    provider: 'Postfix / Exim / Sendmail / Exchange / qmail',
    pattern: String.raw`mail loop|routing loop|loop(s)? back to myself|loop detected|looping|hop count|too many hops|forwarded too many times|bounce between two servers|already has my delivered-to|points back to|bucle|numero maximo de saltos|boucle de (messagerie|routage)|mail-?schleife`,
    bounceClass: 20,
    examples: [
      '554 5.4.6 Too many hops 31 (30 max): from <news@shop.test> via localhost, to <x6@loop.test>',
      'mail for example.com loops back to myself',
      '554 5.4.14 Hop count exceeded - possible mail loop ATTR34',
      'Se ha superado el número máximo de saltos. Probablemente el mensaje esté en un bucle de direccionamiento.',
    ],
  },
  {
    id: 'expired',
    description: "Delivery time expired after the remote MTA's own retries, or the host never answered",
    provider: 'Postfix / Exim / Sendmail / Exchange / qmail / OpenSMTPD / generic',
    pattern: [
      String.raw`timed? ?out|timeout|delivery time expired|message expired|envelope expired|retry (time(out)? )?(not reached|exceeded)|too long in (the )?queue|in the queue too long|could not be delivered (within|for)|(could not|couldn't|unable to) deliver for the last|after \{n\} (days|hours)${GAP}(could not|couldn't|cannot|can't) be (fully )?delivered|(cannot|could not|couldn't) send message for|delivery expired|expired after|queue\.expired|time limit specified|in the time limit|after (multiple|several|repeated) (retries|attempts)|queue period|not reachable within|(server|host) did not respond|has been delayed|delivery (is |was )?delayed|delivery attempts will continue|has not been collected after`,
      String.raw`all hosts${GAP}(have been )?failing|no alternate hosts|failed to all alternate hosts|(wasn't|was not|unable to|could not|couldn't) (able to )?(establish|open) (an? )?(smtp )?connection|connection (refused|reset|dropped|closed|lost|died|timed out)|closed (the )?connection|lost connection|no route to host|network (is )?unreachable|network error|host unreachable|could not connect|unable to connect|cannot connect|did not accept our requests to connect|read error|broken pipe`,
      String.raw`delai (d'attente )?(depasse|expire)|zeituberschreitung|tiempo (de espera )?(agotado|excedido)|tempo (scaduto|esaurito|esgotado)|przekroczono czas|превышено время|истекло время|тайм-?аут|タイムアウト|超时|無法連線|无法连接|連線失敗|连接失败|已重[試试]|接続できません`,
    ].join('|'),
    bounceClass: 24,
    examples: [
      '4.4.1 delivery temporarily suspended: connect to mx.example.com[192.0.2.25]:25: Connection timed out',
      '4.4.7 retry timeout exceeded',
      'retry time not reached for any host after a long failure period',
      "all hosts for 'example.com' have been failing for a long time (and retry time not reached)",
      "I'm not going to try again; this message has been in the queue too long.",
      'Could not deliver the message in the time limit specified. Please retry or contact your administrator.',
      "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)",
    ],
  },
  {
    id: 'tls-failure',
    description: 'TLS required by one side and not available, or the TLS handshake failed',
    provider: 'Postfix / Exim / Exchange / generic',
    pattern: String.raw`\btls\b|starttls|\bssl\b|certificate|encryption (is )?(required|needed)|must issue a starttls`,
    bounceClass: 20,
    examples: [
      'TLS is required, but was not offered by host mx.example.com[192.0.2.25]',
      '530 5.7.0 Must issue a STARTTLS command first',
    ],
  },
  {
    id: 'protocol-error',
    description: 'An SMTP protocol error (syntax, command sequence, line length, bare line feeds)',
    provider: 'generic',
    pattern: String.raw`syntax error|(bad|invalid) syntax|command (not )?(recogni[sz]ed|unrecogni[sz]ed|not implemented)|unrecogni[sz]ed command|bad sequence of commands|(line|lines) too long|bare (lf|linefeed)|BareLinefeedsAreIllegal|protocol (error|violation)|improper use of smtp command pipelining|send helo/ehlo first|is required,? but (was )?not offered|non-ascii (e-?mail )?addresses? (are )?not (permitted|supported|allowed)`,
    bounceClass: 20,
    examples: [
      '503 5.5.1 Error: send HELO/EHLO first',
      '550 5.6.11 SMTPSEND.BareLinefeedsAreIllegal; message contains bare linefeeds',
      '500 5.5.2 Error: bad syntax',
      'SMTPUTF8 is required, but was not offered by host mx.corp.test[192.0.2.8]',
    ],
  },
  {
    id: 'remote-system-error',
    description: 'The remote system failed: internal error, disk full, configuration error, resources',
    provider: 'generic',
    pattern: String.raw`(internal|local|system|server|temporary|unexpected|backend|database|transient) (server |system )?(error|failure|problem)|configuration (error|problem)|queue file write error|disk full|no space left|insufficient (system )?(storage|resources|disk space)|resources? (temporarily )?unavailable|configuration error|misconfigur|mail system (full|error)|i/o error|out of memory|storedrv\.(deliver|submit)|best-preference mx|control/locals|dns query failed|does not specify a valid mail file|child process of ${GAP}transport returned|erreur (interne|temporaire|systeme)|interner fehler|error (interno|temporal)|errore (interno|temporaneo)|erro (interno|temporario)|внутренняя ошибка|内部エラー|系统错误|服务器错误`,
    bounceClass: 20,
    examples: [
      '451 4.3.0 Error: queue file write error',
      '452 4.3.1 Insufficient system storage',
      '451 4.3.5 Server configuration problem',
      'Child process of address_pipe transport returned 69 (could mean service or program unavailable) from command: /usr/bin/tickets',
    ],
  },

  // ==== Tier 4: status codes, then weak texts ==================================================================
  {
    id: 'status-x.1.1',
    description: 'RFC 3463 X.1.1 (bad destination mailbox address): the text said nothing more precise',
    enhanced: 'X.1.1',
    pattern: '',
    bounceClass: 10,
    examples: ['550 5.1.1 <bob@cox.test> recipient rejected'],
  },
  {
    id: 'status-x.1.3',
    description: 'RFC 3463 X.1.3 (bad destination mailbox address syntax)',
    enhanced: 'X.1.3',
    pattern: '',
    bounceClass: 10,
    examples: ['501 5.1.3 Requested action not taken'],
  },
  {
    id: 'status-x.1.6',
    description: 'RFC 3463 X.1.6 (destination mailbox has moved, no forwarding address)',
    enhanced: 'X.1.6',
    pattern: '',
    bounceClass: 10,
    examples: ['551 5.1.6 Recipient is gone'],
  },
  {
    id: 'status-x.1.0',
    description: 'RFC 3463 X.1.0 (other address status), as filters use it for recipients they refuse',
    enhanced: 'X.1.0',
    pattern: '',
    bounceClass: 10,
    examples: ['550 5.1.0 Address rejected bob@example.com'],
  },
  {
    id: 'status-x.1.2',
    description:
      'RFC 3463 X.1.2 (bad destination system address) and X.1.10 (null MX): the domain takes no mail',
    enhanced: 'X.1.2',
    pattern: '',
    bounceClass: 21,
    examples: ['550 5.1.2 Requested action not taken'],
  },
  {
    id: 'status-x.1.10',
    description: 'RFC 7505 X.1.10 (recipient address has null MX)',
    enhanced: 'X.1.10',
    pattern: '',
    bounceClass: 21,
    examples: ['556 5.1.10 Recipient address rejected'],
  },
  {
    id: 'status-x.1.7',
    description: "RFC 3463 X.1.7 / X.1.8 (bad sender's address): our sender is refused",
    enhanced: 'X.1.7',
    pattern: '',
    bounceClass: 50,
    examples: ['553 5.1.7 The sender address is not valid'],
  },
  {
    id: 'status-x.1.8',
    description: "RFC 3463 X.1.8 (bad sender's system address): our sender's domain is refused",
    enhanced: 'X.1.8',
    pattern: '',
    bounceClass: 50,
    examples: ['553 5.1.8 Requested action not taken'],
  },
  {
    id: 'status-x.2.1',
    description: 'RFC 3463 X.2.1 (mailbox disabled, not accepting messages)',
    enhanced: 'X.2.1',
    pattern: '',
    bounceClass: 25,
    examples: ['550 5.2.1 Mailbox not available'],
  },
  {
    id: 'status-x.2.2',
    description: 'RFC 3463 X.2.2 (mailbox full)',
    enhanced: 'X.2.2',
    pattern: '',
    bounceClass: 22,
    examples: ['552 5.2.2 Requested mail action aborted'],
  },
  {
    id: 'status-x.2.3',
    description: 'RFC 3463 X.2.3 / X.3.4 (message length exceeds a limit)',
    enhanced: 'X.2.3',
    pattern: '',
    bounceClass: 23,
    examples: ['552 5.2.3 Requested mail action aborted'],
  },
  {
    id: 'status-x.3.4',
    description: 'RFC 3463 X.3.4 (message too big for system)',
    enhanced: 'X.3.4',
    pattern: '',
    bounceClass: 23,
    examples: ['552 5.3.4 Requested mail action aborted'],
  },
  {
    id: 'status-x.4.4',
    description: 'RFC 3463 X.4.4 (unable to route): no mail server could be found for the domain',
    enhanced: 'X.4.4',
    pattern: '',
    bounceClass: 21,
    examples: ['554 5.4.4 Unable to route'],
  },
  {
    id: 'status-x.4',
    description: 'RFC 3463 X.4.x (network and routing: no answer, bad connection, loop, expired)',
    enhanced: 'X.4.*',
    pattern: '',
    bounceClass: 24,
    examples: ['4.4.7 Delivery failed'],
  },
  {
    id: 'status-x.7.13',
    description: 'RFC 3463 X.7.13 (user account disabled)',
    enhanced: 'X.7.13',
    pattern: '',
    bounceClass: 25,
    examples: ['550 5.7.13 Requested action not taken'],
  },
  {
    id: 'status-x.7.28',
    description: 'RFC 5248 X.7.28 (mail flood detected): rate limiting, Unreachable',
    enhanced: 'X.7.28',
    pattern: '',
    bounceClass: 51,
    reason: 'unreachable',
    examples: ['421 4.7.28 Requested action aborted'],
  },
  {
    id: 'status-x.7',
    description: 'RFC 3463 X.7.x (security or policy status): refused because of the sender or the content',
    enhanced: 'X.7.*',
    pattern: '',
    bounceClass: 50,
    examples: ['550 5.7.1 Requested action not taken', '554 5.7.0 Reject, id=12345-01'],
  },
  {
    id: 'status-x.6',
    description: 'RFC 3463 X.6.x (message content or media): the content is refused',
    enhanced: 'X.6.*',
    pattern: '',
    bounceClass: 52,
    examples: ['554 5.6.0 Message could not be delivered'],
  },
  {
    id: 'status-x.3',
    description: 'RFC 3463 X.3.x (mail system status): the remote system cannot take mail now',
    enhanced: 'X.3.*',
    pattern: '',
    bounceClass: 70,
    examples: ['452 4.3.1 Requested action not taken'],
  },
  {
    id: 'status-x.5',
    description: 'RFC 3463 X.5.1-X.5.6 (protocol status): the SMTP exchange failed',
    enhanced: 'X.5.*',
    pattern: String.raw`^(?!.*mailbox unavailable)`,
    bounceClass: 20,
    examples: ['501 5.5.4 Invalid command arguments'],
  },
  {
    id: 'code-551',
    description: 'RFC 5321 551 (user not local / has moved) with nothing more precise: the address is gone',
    code: '551',
    pattern: '',
    bounceClass: 10,
    examples: ['551 Requested action not taken'],
  },
  {
    id: 'code-521',
    description: 'RFC 7504 521 (the host does not accept mail) with nothing more precise',
    code: '521',
    pattern: '',
    bounceClass: 21,
    examples: ['521 mx.nowhere.test'],
  },
  {
    id: 'code-556',
    description: 'RFC 7504 556 (the domain does not accept mail) with nothing more precise',
    code: '556',
    pattern: '',
    bounceClass: 21,
    examples: ['556 Requested action not taken'],
  },
  {
    id: 'mailbox-unavailable',
    description:
      'A bare "mailbox unavailable" (most often an unknown address) with nothing more precise in the reply',
    provider: 'generic',
    code: '5xx',
    pattern: String.raw`(mailbox|recipient|account|user|address) (is )?(currently )?(unavailable|not available)|mailbox unavailable`,
    replyOnly: true,
    bounceClass: 10,
    examples: ['550 Mailbox unavailable', '550 5.0.0 <bob@example.com>... mailbox is unavailable'],
  },
  {
    id: 'refused-generic',
    description:
      'A block with nothing more precise: blocked, denied, forbidden, not allowed (a bare "rejected" or "refused" tells no cause: Not defined)',
    provider: 'generic',
    pattern: [
      String.raw`denied|deny|blocked|forbidden|prohibited|not (authori[sz]ed|allowed|permitted|welcome)|administratively|banned|abuse|unwanted|policy|go away|will not accept (messages|mail)|no access from|use the smtp (server|relay) of your|filtered`,
      String.raw`interdit|bloque|verweigert|blockiert|nicht (erlaubt|zul(a|ae)ssig)|denegad|bloquead|prohibid|no (permitido|autorizado)|bloccat|non (autorizzat|consentit)|proibid|nao (autorizad|permitid)|geblokkeerd|niet toegestaan|zablokowan|niedozwolon|запрещ|заблокирован|ブロック|禁止|屏蔽|拦截`,
    ].join('|'),
    replyOnly: true,
    bounceClass: 50,
    examples: ['550 Access denied', '554 Sending to this domain is blocked', '550 Not allowed'],
  },
  {
    id: 'transient-failure',
    description: 'The receiver is temporarily unable to take the message (a 4xx reply or no reply)',
    provider: 'generic',
    code: '4xx',
    pattern: String.raw`(service|system|server|host|mailbox) (is )?(temporarily )?(not available|unavailable|busy)|try again|temporar|deferred|too busy|closing (transmission )?channel|not available|unavailable|temporairement|vor(u|ue)bergehend|temporalmente|temporaneamente|temporariamente|tijdelijk|tymczasowo|временно|一時的|暂时`,
    replyOnly: true,
    bounceClass: 70,
    examples: [
      '421 Service not available, closing transmission channel',
      '450 Mailbox temporarily unavailable',
    ],
  },
  {
    id: 'transient-failure-noreply',
    description: 'Another MTA reports a temporary failure without a reply code (a delay, an unanswered host)',
    provider: 'generic',
    code: 'none',
    pattern: String.raw`(service|system|server|host) (is )?(temporarily )?(not available|unavailable|busy)|try again|temporar|deferred|not (yet )?been delivered`,
    replyOnly: true,
    bounceClass: 70,
    examples: ['Service temporarily unavailable'],
  },
];

/** The shipped table, validated by the shared schema at load (a broken default fails every test at once). */
export const DEFAULT_BOUNCE_RULES: readonly BounceRule[] = BounceRulesSchema.parse(RULES);
