/**
 * The shipped bounce rules (SPEC §4.2): real reply texts of the big mailbox providers, of common MTAs and of
 * mail filters. Ordered, first match wins; patterns are case-insensitive and run on the normalised reply text
 * (addresses, IPs, ids ... replaced by placeholders, the codes split off). Each rule carries at least one real
 * reply in `examples`: `test/unit/bounce-default-rules.test.ts` checks each one is decided by its own rule and
 * `checkRules` checks no earlier rule catches it.
 *
 * Order: failures without a reply; texts that would otherwise be caught by a broader rule (relaying, the
 * sender's own address, rate limits, greylisting); provider-specific texts; then generic families from the most
 * specific meaning (mailbox full, disabled, unknown user, bad domain, size) to the broadest (blocks, policy,
 * transient failures). Anything left is decided by the enhanced status code, then by the basic code.
 */
import type { BounceRule, BounceRuleInput } from '../../../shared/domain/bounce-rules';
import { BounceRulesSchema } from '../../../shared/domain/bounce-rules';

const RULES: BounceRuleInput[] = [
  // --- No reply: the engine's own failures (routing, composition, connection) ---------------------------------
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
    description: 'No SMTP reply: connection refused, timed out or dropped',
    code: 'none',
    pattern: '',
    bounceClass: 24,
    examples: ['connection refused (mx.example.com)', 'connection timed out: Timeout'],
  },

  // --- Texts that must win over broader families ------------------------------------------------------------
  {
    id: 'relay-denied',
    description: 'The server is not a destination for this domain and refuses to relay',
    provider: 'Postfix / Exchange / Exim / Sendmail',
    pattern: String.raw`relay(ing)? (access )?(denied|not permitted|prohibited|not allowed)|unable to relay|we do not relay|not permitted to relay|relay not permitted|relaying denied`,
    bounceClass: 54,
    examples: [
      '554 5.7.1 <bob@elsewhere.test>: Relay access denied',
      '550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain',
    ],
  },
  {
    id: 'sender-rejected',
    description: 'Our sender address or domain is refused (the recipient is not at fault)',
    provider: 'Postfix / Sendmail',
    pattern: String.raw`sender address rejected|sender (domain|address) (must exist|not allowed|invalid|rejected)|domain of sender address .* does not (exist|resolve)|sender verify failed`,
    bounceClass: 50,
    examples: ['553 5.1.8 <news@shop.test>: Sender address rejected: Domain not found'],
  },
  {
    id: 'gmail-rate-limited',
    description:
      'Gmail rate limiting for an unusual rate of unsolicited mail (4.7.28) - rate limits are Unreachable',
    provider: 'Gmail',
    pattern: String.raw`unusual rate of unsolicited mail|rate that prevents additional messages`,
    bounceClass: 51,
    reason: 'unreachable',
    examples: [
      '421-4.7.28 [203.0.113.5      15] Our system has detected an unusual rate of\r\n421-4.7.28 unsolicited mail originating from your IP address. To protect our\r\n421-4.7.28 users from spam, mail sent from your IP address has been temporarily\r\n421 4.7.28 rate limited. https://support.google.com/mail/?p=UnsolicitedRateLimitError d9443c01a7336-1f2si123456pfb.123 - gsmtp',
      '450-4.2.1 The user you are trying to contact is receiving mail at a rate that\r\n450-4.2.1 prevents additional messages from being delivered. https://support.google.com/mail/?p=ReceivingRate - gsmtp',
    ],
  },
  {
    id: 'rate-limited',
    description: 'Rate limits and connection limits (SPEC: rate limiting is Unreachable, soft)',
    provider: 'Microsoft / Orange / Mail.ru / 163 / generic',
    pattern: String.raw`rate limit|rate-limit|too many (messages|connections|recipients|mails|sessions|concurrent)|trop de connexions|throttl|slow down|RP:(CEL|QRC|TRC|DRC)|exceeded (the )?(message|connection|sending) rate|temporarily deferred due to unexpected volume(?! or user complaints)`,
    bounceClass: 20,
    examples: [
      '451 4.7.650 The mail server [203.0.113.5] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [Name=Protocol Filter Agent][AGT=PFA][MxId=11BA0B5E12345678] [SN1PEPF0002BA4F.namprd03.prod.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]',
      '421 mwinf5c45 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, slow down. OFR005_104 [104]',
      '451 RP:TRC 203.0.113.5 : Your email sending frequency is too fast https://help.mail.163.com/faqDetail.do?code=d7a5dc8ad4',
    ],
  },
  // --- Gmail / Google Workspace -----------------------------------------------------------------------------
  {
    id: 'gmail-no-such-user',
    description: 'Gmail: the account does not exist',
    provider: 'Gmail',
    pattern: String.raw`email account that you tried to reach does not exist|address not found.*(couldn't be found|unable to receive mail)`,
    bounceClass: 10,
    examples: [
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550-5.1.1 double-checking the recipient's email address for typos or\r\n550-5.1.1 unnecessary spaces. For more information, go to\r\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser 41be03b00d2f7-5dbf1e2c1f2si123456a12.412 - gsmtp",
    ],
  },
  {
    id: 'gmail-over-quota',
    description: "Gmail: the recipient's inbox is out of storage",
    provider: 'Gmail',
    pattern: String.raw`email account that you tried to reach is over quota|inbox is out of storage space|out of storage space`,
    bounceClass: 22,
    examples: [
      '452-4.2.2 The email account that you tried to reach is over quota. Please direct\r\n452-4.2.2 the recipient to\r\n452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp d75a77b69052e-4d5b1e2c1f2si123456qtb.412 - gsmtp',
    ],
  },
  {
    id: 'gmail-account-disabled',
    description: 'Gmail: the account is disabled or inactive',
    provider: 'Gmail',
    pattern: String.raw`email account that you tried to reach is (disabled|inactive)`,
    bounceClass: 25,
    examples: [
      '550-5.2.1 The email account that you tried to reach is disabled. Learn more at\r\n550 5.2.1  https://support.google.com/mail/?p=DisabledUser a640c23a62f3a-a7a1e2c1f2si123456gbm.312 - gsmtp',
    ],
  },
  {
    id: 'gmail-too-large',
    description: "Gmail: the message exceeds Google's size limits",
    provider: 'Gmail',
    pattern: String.raw`exceeded google's message size limits`,
    bounceClass: 23,
    examples: [
      "552-5.2.3 Your message exceeded Google's message size limits. Please visit\r\n552-5.2.3  https://support.google.com/mail/?p=MaxSizeError to view our size\r\n552 5.2.3 guidelines. 5b1f17b1804b1-4212e2c1f2si123456f12.412 - gsmtp",
    ],
  },
  {
    id: 'gmail-unsolicited',
    description: 'Gmail: the message looks like spam, or the IP has a low reputation',
    provider: 'Gmail',
    pattern: String.raw`likely unsolicited mail|suspicious due to the very low reputation|this message has been blocked|message has been blocked\. to reduce the amount of spam`,
    bounceClass: 52,
    examples: [
      '550-5.7.1 [203.0.113.5      12] Our system has detected that this message is\r\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\r\n550-5.7.1 this message has been blocked. Please visit\r\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError 2adb3069b0e04-52e7e2c1f2si123456e87.214 - gsmtp',
    ],
  },
  {
    id: 'unauthenticated-sender',
    description: 'Gmail / Yahoo bulk sender requirements: no SPF/DKIM, or DMARC policy failure',
    provider: 'Gmail / Yahoo',
    pattern: String.raw`sender is unauthenticated|unauthenticated email from .* is not accepted|due to domain's dmarc policy|does not have a ptr record|missing a valid address in from|not authorized to send email directly`,
    bounceClass: 50,
    examples: [
      '550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\r\n550-5.7.26\r\n550-5.7.26  Authentication results:\r\n550-5.7.26  DKIM = did not pass\r\n550-5.7.26  SPF [shop.test] with ip: [203.0.113.5] = did not pass\r\n550 5.7.26  https://support.google.com/mail/answer/81126#authentication 5b1f17b1804b1-4212e2c1f2si123456f12.412 - gsmtp',
      "550-5.7.26 Unauthenticated email from shop.test is not accepted due to domain's\r\n550-5.7.26 DMARC policy. Please contact the administrator of shop.test domain if\r\n550 5.7.26 this was a legitimate mail. - gsmtp",
    ],
  },

  // --- Yahoo / AOL ------------------------------------------------------------------------------------------
  {
    id: 'yahoo-no-account',
    description: "Yahoo/AOL: the user doesn't have an account",
    provider: 'Yahoo / AOL',
    pattern: String.raw`this user doesn't have an? [\w.{}]+ account|user doesn't have a yahoo`,
    bounceClass: 10,
    examples: [
      "554 delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com",
      "554 delivery error: dd This user doesn't have a aol.com account (bob@aol.com) [0] - mta4021.aol.mail.bf1.yahoo.com",
    ],
  },
  {
    id: 'yahoo-mailbox-disabled',
    description: 'Yahoo/AOL: the mailbox is disabled (554.30)',
    provider: 'Yahoo / AOL',
    pattern: String.raw`this mailbox is disabled|\(554\.30\)`,
    bounceClass: 25,
    examples: [
      '554 delivery error: dd Sorry your message to bob@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta1160.mail.ne1.yahoo.com',
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
    description: 'Yahoo/AOL reputation deferrals and blocks: [TS01]-[TS04], [TSS04], [TSS09]',
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

  // --- Microsoft: Outlook.com / Hotmail / Office 365 / Exchange ---------------------------------------------
  {
    id: 'microsoft-recipient-not-found',
    description: 'Office 365 / Exchange: the recipient is not in the directory',
    provider: 'Microsoft / Exchange',
    pattern: String.raw`RESOLVER\.ADR\.Recip(ient)?NotFound|recipient not found by smtp address lookup|Recipient address rejected: Access denied|RecipNotFound`,
    bounceClass: 10,
    examples: [
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      '550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [AM3PEPF0000A78E.eurprd04.prod.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]',
      '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found',
    ],
  },
  {
    id: 'microsoft-mailbox-unavailable',
    description: 'Outlook.com/Hotmail and GMX/Web.de: mailbox unavailable (the address does not exist)',
    provider: 'Microsoft / GMX / Web.de',
    code: '5xx',
    pattern: String.raw`requested action not taken: mailbox unavailable|mailbox unavailable \(S\d+\)|mailbox unavailable \({id}\)`,
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
      'Outlook.com / Office 365: the sending IP or its network is on a block list (S3150, S3140, 5.7.606)',
    provider: 'Microsoft',
    pattern: String.raw`on our block list|banned sending IP|\(S3\d{3}\)|traffic not accepted from this IP`,
    bounceClass: 51,
    examples: [
      "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com 2024-03-02T10:11:12.000Z 08DC3A1234567890]",
      '550 5.7.606 Access denied, banned sending IP [203.0.113.5]. To request removal from this list please visit https://sender.office.com/ and follow the directions.',
      '550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.',
    ],
  },

  // --- Other mailbox providers -------------------------------------------------------------------------------
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
    description: 'iCloud: message rejected due to local policy ([CS01], [HM08])',
    provider: 'iCloud',
    pattern: String.raw`\[(CS|HM)\d{2}\]`,
    bounceClass: 50,
    examples: [
      '554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137',
    ],
  },
  {
    id: 'gmx-policy',
    description: 'GMX / Web.de: rejected due to policy restrictions (sender guidelines)',
    provider: 'GMX / Web.de',
    pattern: String.raw`reject(ed)? due to policy restrictions|senderguidelines`,
    bounceClass: 50,
    examples: [
      '554-Transaction failed\r\n554-Reject due to policy restrictions.\r\n554 For explanation visit https://www.gmx.net/mail/senderguidelines?c=bl',
    ],
  },
  {
    id: 'orange-invalid-recipient',
    description: 'Orange: invalid recipient (OFR_416)',
    provider: 'Orange',
    pattern: String.raw`destinataire invalide|OFR_416`,
    bounceClass: 10,
    examples: ['550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]'],
  },
  {
    id: 'orange-mailbox-full',
    description: 'Orange: recipient over quota (OFR_417)',
    provider: 'Orange',
    pattern: String.raw`boite du destinataire pleine|recipient overquota|OFR_417`,
    bounceClass: 22,
    examples: ['552 5.2.2 Boite du destinataire pleine. Recipient overquota. OFR_417 [417]'],
  },
  {
    id: 'orange-refused',
    description: 'Orange: service refused (reputation or policy)',
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
    id: 'mailru-invalid-mailbox',
    description: 'Mail.ru: invalid mailbox, user not found',
    provider: 'Mail.ru',
    pattern: String.raw`message was not accepted -- invalid mailbox|local mailbox .* is unavailable: user not found`,
    bounceClass: 10,
    examples: [
      '550 Message was not accepted -- invalid mailbox.  Local mailbox bob@mail.ru is unavailable: user not found',
    ],
  },
  {
    id: 'mailru-spam',
    description: 'Mail.ru: spam message rejected',
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
    id: 'qq-mailbox-not-found',
    description: 'QQ Mail / NetEase 163: mailbox or user not found',
    provider: 'QQ / 163',
    pattern: String.raw`mailbox not found|user not found|user not exist`,
    bounceClass: 10,
    examples: [
      '550 Mailbox not found. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728',
      '550 User not found: bob@163.com',
    ],
  },
  {
    id: 'qq-content-denied',
    description: 'QQ Mail / NetEase 163: content refused as spam (DT:SPM)',
    provider: 'QQ / 163',
    pattern: String.raw`mail content denied|DT:SPM|DT:SUM`,
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
    pattern: String.raw`found on one or more DNSBLs|postmaster\.comcast\.net|comcast block`,
    bounceClass: 51,
    examples: [
      '554 resimta-po-20v.sys.comcast.net resimta-po-20v.sys.comcast.net 203.0.113.5 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000010',
    ],
  },

  // --- MTAs and filters -------------------------------------------------------------------------------------
  {
    id: 'qmail-no-mailbox',
    description: 'qmail: no mailbox here by that name',
    provider: 'qmail',
    pattern: String.raw`no mailbox here by that name`,
    bounceClass: 10,
    examples: ['511 sorry, no mailbox here by that name (#5.1.1)'],
  },
  {
    id: 'exim-unrouteable-domain',
    description: 'Exim: the recipient domain cannot be routed',
    provider: 'Exim',
    pattern: String.raw`unrouteable mail domain|all relevant MX records point to non-existent hosts`,
    bounceClass: 21,
    examples: ['550 Unrouteable mail domain "nowhere.test"'],
  },
  {
    id: 'exim-unrouteable-address',
    description: 'Exim: unrouteable address (no router accepted the local part)',
    provider: 'Exim',
    pattern: String.raw`unrouteable address`,
    bounceClass: 10,
    examples: ['550 Unrouteable address'],
  },
  {
    id: 'domino-not-listed',
    description: 'HCL/IBM Domino: user not listed in the Domino directory',
    provider: 'Domino',
    pattern: String.raw`not listed in (the )?(domino directory|public name (&|and) address book)`,
    bounceClass: 10,
    examples: ['550 5.1.1 User bob (bob@corp.test) not listed in Domino Directory'],
  },
  {
    id: 'mimecast-invalid-recipient',
    description: 'Mimecast: invalid recipient',
    provider: 'Mimecast',
    pattern: String.raw`invalid recipient`,
    bounceClass: 10,
    examples: [
      '550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [aBcDeF12GhIjK34LmNoP.uk123]',
    ],
  },
  {
    id: 'mimecast-policy',
    description: 'Mimecast: anti-spoofing, security policies or administrative prohibition',
    provider: 'Mimecast',
    pattern: String.raw`anti-spoofing policy|rejected due to security policies|administrative prohibition|community\.mimecast\.com`,
    bounceClass: 50,
    examples: [
      '554 Email rejected due to security policies - https://community.mimecast.com/docs/DOC-1369#554 [cXyZ12AbCdEfGhIj34.uk456]',
      '550 Rejected by header based Anti-Spoofing policy: news@shop.test',
    ],
  },
  {
    id: 'proofpoint-content',
    description: 'Proofpoint (and others): message rejected due to content restrictions',
    provider: 'Proofpoint',
    pattern: String.raw`content restrictions|content policy|message content rejected|rejected due to content`,
    bounceClass: 52,
    examples: ['554 5.7.1 Message rejected due to content restrictions'],
  },
  {
    id: 'proofpoint-blocked',
    description: 'Proofpoint: the sending IP is blocked (ipcheck.proofpoint.com)',
    provider: 'Proofpoint',
    pattern: String.raw`proofpoint\.com|blocked - see`,
    bounceClass: 51,
    examples: ['554 Blocked - see https://ipcheck.proofpoint.com/?ip=203.0.113.5'],
  },

  // --- Generic families -------------------------------------------------------------------------------------
  {
    id: 'mailbox-full',
    description: 'Mailbox full or over quota',
    provider: 'Postfix / Dovecot / Exim / Sendmail / generic',
    pattern: String.raw`mailbox (is |was )?full|mailbox size limit|over ?quota|quota (exceeded|exceed|full)|exceeded (his|her|the|their|its)? ?(storage|mailbox|disk)? ?quota|(mailbox|inbox|account) (is )?out of (storage|space)|not enough (storage|space) in mailbox|postfach (ist )?voll|buz[oó]n (lleno|completo)|casella (di posta )?piena|bo[iî]te (aux lettres )?pleine|ящик переполнен`,
    bounceClass: 22,
    examples: [
      '452 4.2.2 <full@inbox.test>: Mailbox full, try again later',
      '552 5.2.2 <bob@example.com>: Quota exceeded (mailbox for user is full)',
      '522 5.2.2 <bob@icloud.com>: user is over quota',
    ],
  },
  {
    id: 'account-disabled',
    description: 'Account disabled, suspended, inactive or closed',
    provider: 'generic',
    pattern: String.raw`(mailbox|account|user|address) (is |has been )?(disabled|suspended|deactivated|inactive|closed|blocked by the owner|expired|frozen)|(disabled|inactive|suspended|expired) (mailbox|account|user)|user suspended|mailbox (is )?locked|no longer accepts mail|inactive (e-?mail )?address`,
    bounceClass: 25,
    examples: [
      '550 5.2.1 <bob@example.com>: Mailbox disabled, not accepting messages',
      '550 User suspended: bob@163.com',
      '550 5.1.1 <bob@me.com>: inactive email address',
    ],
  },
  {
    id: 'user-unknown',
    description:
      'The recipient does not exist (Postfix, Sendmail, Exchange, Exim, Comcast, Yandex ... wording)',
    provider: 'Postfix / Sendmail / Exim / Exchange / Comcast / Yandex / generic',
    pattern: String.raw`user unknown|unknown user|no such (user|recipient|mailbox|account|person|address)|(user|mailbox|recipient|address|account|e-?mail address|addressee)( name)? (does not|doesn't|did not) exist|(address|user|mailbox|recipient|account) (is )?(unknown|not found|invalid|nonexistent|not valid)|unknown (recipient|mailbox|local[- ]?part|address|account|alias)|invalid (mailbox|address|user|account|e-?mail address)|not a valid (recipient|mailbox|user|address)|recipient (address )?rejected: (undeliverable address|unknown|invalid)|(bad|invalid|illegal) (recipient|destination) (mailbox )?address|address syntax|no mailbox|mailbox (does not|doesn't) exist|user not local|utilisateur inconnu|adresse inconnue|unbekannt|(benutzer|empf[aä]nger) (ist )?unbekannt|destinatario (inesistente|no existe|sconosciuto)|usuario (desconocido|inexistente)|нет такого пользователя|пользователь не найден`,
    bounceClass: 10,
    examples: [
      '550 5.1.1 <bob@inbox.test>: Recipient address rejected: User unknown in virtual mailbox table',
      '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in local recipient table',
      '550 5.1.1 <bob@example.com>... User unknown',
      '550 5.7.1 No such user!',
      '550 No Such User Here',
      '551 5.1.1 <bob@comcast.net> user unknown',
    ],
  },
  {
    id: 'address-not-specified',
    description: 'No valid recipient was given',
    provider: 'generic',
    pattern: String.raw`no valid recipients|no recipients|need RCPT|recipient (address )?(required|missing|not specified)`,
    bounceClass: 30,
    examples: ['554 5.5.1 Error: no valid recipients'],
  },
  {
    id: 'domain-not-found',
    description: 'The recipient domain does not exist or has no mail server',
    provider: 'Postfix / Sendmail / generic',
    pattern: String.raw`domain not found|domain name not found|NXDOMAIN|host (or domain name )?not found|no such domain|domain (does not|doesn't) exist|domain (name )?(is )?(invalid|unknown)|unknown domain|no mx (record|host)|null mx|does not accept mail|name service error|no route to domain|domain is not (hosted|served)|domaine inexistant`,
    bounceClass: 21,
    examples: [
      '550 5.1.2 <bob@nowhere.test>: Recipient address rejected: Domain not found',
      '554 5.4.4 <bob@nowhere.test>: Host or domain name not found. Name service error for name=nowhere.test type=MX: Host not found',
      '556 5.1.10 <bob@example.com>: Recipient address has null MX',
    ],
  },
  {
    id: 'message-too-large',
    description: 'The message is larger than the receiver accepts',
    provider: 'Postfix / Exim / Exchange / generic',
    pattern: String.raw`too (large|big)|exceeds (the )?(fixed |maximum |size |message size )|size (limit|exceeds)|message length exceeds|too much mail data|message size|maximum message size`,
    bounceClass: 23,
    examples: [
      '552 5.3.4 Message size exceeds fixed limit',
      '552 5.2.3 Message size exceeds fixed maximum message size',
      '552 Message size exceeds maximum permitted',
    ],
  },
  {
    id: 'prohibited-attachment',
    description: 'An attachment, a file type or a virus was refused',
    provider: 'generic / Barracuda / Mimecast / Exchange',
    pattern: String.raw`virus|malware|infected|attachment|file type|banned (file|content)|executable|prohibited (file|content)`,
    bounceClass: 53,
    examples: ['554 5.7.1 Message rejected: virus found (Eicar-Test-Signature)'],
  },
  {
    id: 'expired',
    description: 'Delivery time expired, or the remote host never answered',
    provider: 'Postfix / Exim / Sendmail / Exchange / generic',
    pattern: String.raw`timed? ?out|timeout|delivery time expired|message expired|retry (time(out)? )?(not reached|exceeded)|too long in (the )?queue|could not be delivered within|delivery expired|expired after|connection (refused|reset|dropped|closed|lost)|lost connection|no route to host|network is unreachable|could not connect|unable to connect|cannot connect`,
    bounceClass: 24,
    examples: [
      '4.4.1 delivery temporarily suspended: connect to mx.example.com[192.0.2.25]:25: Connection timed out',
      '4.4.7 retry timeout exceeded',
    ],
  },
  {
    id: 'greylisting',
    description: 'Greylisting: a first attempt refused, to be retried in a few minutes',
    provider: 'Postgrey / Exim / generic',
    code: '4xx',
    pattern: String.raw`gr[ae]y ?list|greylisted|try again later|please retry later|come back later|temporarily rejected|tempfailed`,
    bounceClass: 20,
    examples: [
      '451 4.7.1 <grey@inbox.test>: Recipient address rejected: Greylisted, please try again later',
      '450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html',
    ],
  },

  {
    id: 'dnsbl-block',
    description: 'The sending IP is on a DNS block list (Spamhaus, Spamcop, Barracuda Reputation ...)',
    provider: 'Barracuda / Postfix / Exim / generic',
    pattern: String.raw`blocked using|listed (at|in|on|by)|block ?list|black ?list|dnsbl|\brbl\b|spamhaus|spamcop|sorbs|barracuda ?reputation|barracudacentral|bad reputation|poor reputation|low reputation|reputation`,
    bounceClass: 51,
    examples: [
      '554 Service unavailable; Client host [203.0.113.5] blocked using Barracuda Reputation; http://www.barracudanetworks.com/reputation/?r=1&ip=203.0.113.5',
      '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.5',
    ],
  },
  {
    id: 'spam-content',
    description: 'The message was refused as spam or bulk mail',
    provider: 'generic / Barracuda / Cisco / Sophos',
    pattern: String.raw`spam|unsolicited|junk|bulk mail|phish|scam|suspicious|content (was )?rejected|message (was )?rejected as`,
    bounceClass: 52,
    examples: ['554 5.7.1 Message rejected: spam content detected', '550 High probability of spam'],
  },
  {
    id: 'authentication-failed',
    description: 'SPF, DKIM, DMARC or reverse DNS checks failed',
    provider: 'generic',
    pattern: String.raw`\bspf\b|sender policy framework|\bdkim\b|dmarc|authenticat|reverse (dns|hostname|lookup)|\bptr\b|\brdns\b|helo command rejected|client host rejected: cannot find your`,
    bounceClass: 50,
    examples: [
      '550 5.7.23 The message was rejected because of Sender Policy Framework violation',
      '450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.5]',
    ],
  },
  {
    id: 'policy-block',
    description: 'Blocked or refused by policy (no more specific text)',
    provider: 'generic',
    pattern: String.raw`blocked|refused|policy|denied|forbidden|prohibited|not (authori[sz]ed|allowed|permitted|accepted)|administratively|banned|rejected by|abuse`,
    bounceClass: 50,
    examples: ['450 4.7.1 Client host rejected: blocked by policy', '550 Access denied'],
  },
  {
    id: 'transient-failure',
    description: 'The receiver is temporarily unable to take the message',
    provider: 'generic',
    pattern: String.raw`(service|system|server|host) (is )?(temporarily )?(not available|unavailable|busy)|try again|temporar(il)?y (failure|error|problem|unavailable|local problem)|resources? temporarily unavailable|insufficient system (storage|resources)|local error in processing|too busy|closing (transmission )?channel`,
    bounceClass: 70,
    examples: [
      '421 4.3.2 Service not available, closing transmission channel',
      '451 4.3.0 Temporary local problem - please try later',
    ],
  },
];

/** The shipped table, validated by the shared schema at load (a broken default fails every test at once). */
export const DEFAULT_BOUNCE_RULES: readonly BounceRule[] = BounceRulesSchema.parse(RULES);
