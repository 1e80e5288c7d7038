/**
 * Real replies of MTAs, mailbox providers and filters, qualified by the shipped rules, with what SPEC §4.1
 * says each one means (reason and type). Written from the providers' published reply texts and the MTAs'
 * own wording (Postfix, Exim, Sendmail, qmail, Courier, Dovecot, Exchange, Domino …), independently of the
 * rule table: a reply here is not a rule's example. The list is what keeps the table general; add to it
 * whenever a real reply is qualified wrongly.
 *
 * Each line: the reply as the receiving server (or the MTA that reports it) wrote it, then reason and type.
 */
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce/classifier';
import type { FailureType, ReasonId } from '../../src/shared/domain/reasons';
import { parseSmtpReply } from '../../src/shared/domain/smtp-reply';

type Case = [reply: string, reason: ReasonId, type: FailureType];

const USER_UNKNOWN: Case[] = [
  [
    '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown in relay recipient table',
    'user_unknown',
    'hard',
  ],
  [
    '550 5.1.1 <bob@example.com>: Recipient address rejected: undeliverable address: host mx.example.com[192.0.2.5] said: 550 5.1.1 User unknown (in reply to RCPT TO command)',
    'user_unknown',
    'hard',
  ],
  ['unknown user: "bob"', 'user_unknown', 'hard'],
  ['553 5.3.0 <bob@example.com>... Addressee unknown, relay=[192.0.2.5]', 'user_unknown', 'hard'],
  ['550 5.1.1 User Unknown', 'user_unknown', 'hard'],
  ['550 5.1.1 <bob@example.com>: Recipient address rejected: example.com', 'user_unknown', 'hard'],
  ['550 5.1.1 Mailbox does not exist', 'user_unknown', 'hard'],
  ['550 No such recipient', 'user_unknown', 'hard'],
  ['550 sorry, no mailbox here by that name (#5.7.17)', 'user_unknown', 'hard'],
  ['551 User not local; please try <bob@example.net>', 'user_unknown', 'hard'],
  ['550 5.1.1 Recipient rejected: bob@example.com', 'user_unknown', 'hard'],
  ['550 Invalid recipient <bob@example.com>', 'user_unknown', 'hard'],
  ['550 5.1.1 Address rejected', 'user_unknown', 'hard'],
  ['550 5.1.1 Recipient address not found', 'user_unknown', 'hard'],
  ['550 5.1.1 Unknown recipient', 'user_unknown', 'hard'],
  ['550 User unknown.', 'user_unknown', 'hard'],
  ['550 Recipient not found', 'user_unknown', 'hard'],
  ['550 5.1.1 Nonexistent recipient', 'user_unknown', 'hard'],
  ['550 Address unknown', 'user_unknown', 'hard'],
  ['550 User does not exist.', 'user_unknown', 'hard'],
  [
    '550 5.1.1 <bob@example.com>: Email address could not be found, or was misspelled (G8)',
    'user_unknown',
    'hard',
  ],
  ['550 MAILBOX NOT FOUND', 'user_unknown', 'hard'],
  ['554 5.7.1 <bob@example.com>: Recipient address rejected: user does not exist', 'user_unknown', 'hard'],
  ['550 Unknown local part bob in <bob@example.com>', 'user_unknown', 'hard'],
  ['550 rejected: there is no user by that name', 'user_unknown', 'hard'],
  ['550 #5.1.0 Address rejected.', 'user_unknown', 'hard'],
  ['550 5.1.1 <bob@example.com> is not a valid mailbox', 'user_unknown', 'hard'],
  ['550 5.1.1 Not our Customer', 'user_unknown', 'hard'],
  [
    '550 Requested action not taken: mailbox unavailable (-1979908092:3218:-2147467259)',
    'user_unknown',
    'hard',
  ],
  ['550 5.1.1 The recipient does not exist', 'user_unknown', 'hard'],
  ['550 5.1.1 Recipient is not exist', 'user_unknown', 'hard'],
  ['550 5.1.1 bob@example.com: Recipient address rejected: Unknown user', 'user_unknown', 'hard'],
  ['550 5.1.1 Unknown address error', 'user_unknown', 'hard'],
  ['550 5.1.1 No such account', 'user_unknown', 'hard'],
  ['550 Mailbox not found', 'user_unknown', 'hard'],
  ['550 RCPT TO:<bob@example.com> User unknown', 'user_unknown', 'hard'],
  ['550 Invalid mailbox: bob@example.com', 'user_unknown', 'hard'],
  ['550 5.1.1 User has moved; please try <bob@example.org>', 'user_unknown', 'hard'],
  ['553 5.1.1 <bob@example.com>: bad recipient address syntax', 'user_unknown', 'hard'],
  ['553 sorry, your envelope recipient is in my badrcptto list (#5.7.1)', 'user_unknown', 'hard'],
  ['550 5.1.1 bad address bob@example.com', 'user_unknown', 'hard'],
  ['550 5.1.1 Invalid address', 'user_unknown', 'hard'],
  ['550 Mailbox invalid', 'user_unknown', 'hard'],
  ['550 recipient not ok', 'user_unknown', 'hard'],
  ['550 5.1.1 Sorry, there is no one at this address', 'user_unknown', 'hard'],
  ['550 vdeliver: invalid or unknown virtual user', 'user_unknown', 'hard'],
  ['553 sorry, this recipient is not in my validrcptto list (#5.7.1)', 'user_unknown', 'hard'],
  ['550 5.1.1 Recipient is not local', 'user_unknown', 'hard'],
  ['550 5.1.6 bob@example.com has been replaced by bob@example.org', 'user_unknown', 'hard'],
  ['550 5.1.1 <bob@example.com>... User not known', 'user_unknown', 'hard'],
  ['550 5.1.1 <bob@example.com>: user unkown', 'user_unknown', 'hard'],
  ['550 Adressee unknown, relay=mail.example.test', 'user_unknown', 'hard'],
  ["550 User bob@example.com does'nt exist", 'user_unknown', 'hard'],
  ['550 No existe dicha persona', 'user_unknown', 'hard'],
  // Languages
  ['550 5.1.1 <bob@example.fr>: Destinataire inconnu', 'user_unknown', 'hard'],
  ['550 5.1.1 Adresse e-mail inexistante', 'user_unknown', 'hard'],
  ['550 5.1.1 <bob@example.de>: Unbekannter Empfänger', 'user_unknown', 'hard'],
  ['550 5.1.1 Der Empfänger existiert nicht', 'user_unknown', 'hard'],
  ['550 5.1.1 Usuario desconocido', 'user_unknown', 'hard'],
  ['550 5.1.1 La dirección de correo no existe', 'user_unknown', 'hard'],
  ['550 5.1.1 Utente inesistente', 'user_unknown', 'hard'],
  ['550 5.1.1 Destinatário inexistente', 'user_unknown', 'hard'],
  ['550 5.1.1 Gebruiker onbekend', 'user_unknown', 'hard'],
  ['550 5.1.1 Użytkownik nie istnieje', 'user_unknown', 'hard'],
  ['550 5.1.1 Адресат не найден', 'user_unknown', 'hard'],
  ['550 5.1.1 Почтовый ящик не существует', 'user_unknown', 'hard'],
  ['550 5.1.1 このメールアドレスは存在しません', 'user_unknown', 'hard'],
  ['550 5.1.1 ユーザーが見つかりません', 'user_unknown', 'hard'],
  ['550 5.1.1 该用户不存在', 'user_unknown', 'hard'],
  ['550 5.1.1 邮箱不存在', 'user_unknown', 'hard'],
];

const MAILBOX_FULL: Case[] = [
  ['552 5.2.2 Mailbox full', 'mailbox_full', 'soft'],
  [
    '552 5.2.2 bob@example.com: Recipient rejected: Mailbox would exceed maximum allowed storage',
    'mailbox_full',
    'soft',
  ],
  ['452 4.2.2 Mailbox is over disk quota', 'mailbox_full', 'soft'],
  ["552 5.2.2 The user's space has been used up.", 'mailbox_full', 'soft'],
  ['552 5.2.2 Full mailbox', 'mailbox_full', 'soft'],
  ['maildir delivery failed: userdisk quota exceeded', 'mailbox_full', 'soft'],
  ['550 5.2.2 Recipient does not have enough space', 'mailbox_full', 'soft'],
  ['552 Sebep: Alıcının posta kutusu dolu', 'mailbox_full', 'soft'],
  ['552 la casella del destinatario ha superato la quota disponibile', 'mailbox_full', 'soft'],
  ['550 User mailbox exceeds allowed size', 'mailbox_full', 'soft'],
  ['550 Mailbox quota usage exceeded', 'mailbox_full', 'soft'],
  ['452 4.2.2 Over quota', 'mailbox_full', 'soft'],
  ["552 5.2.2 The recipient's mailbox is full and can't accept messages now.", 'mailbox_full', 'soft'],
  ['552 5.2.2 STOREDRV.Deliver; recipient mailbox is full', 'mailbox_full', 'soft'],
  ['450 4.2.2 <bob@example.com>: Recipient address rejected: Mailbox full', 'mailbox_full', 'soft'],
  ['552 Mailbox limit exeeded for this email address', 'mailbox_full', 'soft'],
  ['552 5.2.2 Mailbox quota usage exceeded', 'mailbox_full', 'soft'],
  ["550 5.2.2 bob@example.com: user's mailbox is full", 'mailbox_full', 'soft'],
  [
    '452 4.2.2 <bob@example.com> Mailbox is full / Blocks limit exceeded / Inode limit exceeded',
    'mailbox_full',
    'soft',
  ],
  [
    "552 5.2.2 This message is larger than the current system limit or the recipient's mailbox is full.",
    'mailbox_full',
    'soft',
  ],
  ['550 5.2.2 <bob@example.com>: Mailbox has exceeded the limit', 'mailbox_full', 'soft'],
  ['522 5.7.1 Recipient has exceeded quota', 'mailbox_full', 'soft'],
  ['552 5.2.2 Quota exceeded (mailbox for user is full)', 'mailbox_full', 'soft'],
  ['452 4.2.2 Mailbox full, try again later', 'mailbox_full', 'soft'],
  ['552 5.2.2 La boîte aux lettres est pleine', 'mailbox_full', 'soft'],
  ['552 5.2.2 Postfach voll', 'mailbox_full', 'soft'],
  ['550 Postfach ueberfuellt', 'mailbox_full', 'soft'],
  ['552 5.2.2 Buzón lleno', 'mailbox_full', 'soft'],
  ['552 5.2.2 Caixa de correio cheia', 'mailbox_full', 'soft'],
  ['552 5.2.2 Mailbox vol', 'mailbox_full', 'soft'],
  ['552 5.2.2 Ящик переполнен', 'mailbox_full', 'soft'],
  ['552 5.2.2 容量オーバーのため受信できません', 'mailbox_full', 'soft'],
  ['552 5.2.2 收件人邮箱空间不足', 'mailbox_full', 'soft'],
];

const ACCOUNT_DISABLED: Case[] = [
  [
    '550 5.2.1 <bob@example.com>: Recipient address rejected: this mailbox has been disabled',
    'account_disabled',
    'soft',
  ],
  ['550 User is suspended', 'account_disabled', 'soft'],
  ['550 5.1.1 <bob@example.com>: Account expired', 'account_disabled', 'soft'],
  ['550 5.2.1 This account is inactive', 'account_disabled', 'soft'],
  ['550 Mailbox is frozen', 'account_disabled', 'soft'],
  ['550 5.7.13 User account disabled', 'account_disabled', 'soft'],
  ['550 5.2.1 Account has been closed', 'account_disabled', 'soft'],
  ['550-The email account that you tried to reach is suspended.', 'account_disabled', 'soft'],
  ["user's account has expired", 'account_disabled', 'soft'],
  ['550 Requested action not taken: mailbox unavailable (account expired)', 'account_disabled', 'soft'],
  ['550 5.2.1 Mailbox is locked', 'account_disabled', 'soft'],
  ['550 5.2.1 This account has been temporarily suspended', 'account_disabled', 'soft'],
  ['550 5.7.1 user or domain is disabled', 'account_disabled', 'soft'],
  ['550 vdelivermail: account is locked email bounced', 'account_disabled', 'soft'],
  [
    '550 5.2.1 Due to extended inactivity new mail is not currently being accepted for this mailbox.',
    'account_disabled',
    'soft',
  ],
  ['550 This address no longer accepts mail.', 'account_disabled', 'soft'],
  ['550 5.2.1 Le compte du destinataire est désactivé', 'account_disabled', 'soft'],
  ['550 5.2.1 Konto gesperrt', 'account_disabled', 'soft'],
  ['550 5.2.1 Cuenta deshabilitada', 'account_disabled', 'soft'],
];

const INVALID_DOMAIN: Case[] = [
  [
    'Host or domain name not found. Name service error for name=nowhere.test type=MX: Host not found, try again',
    'invalid_domain',
    'soft',
  ],
  ['Domain nowhere.test not found', 'invalid_domain', 'soft'],
  ['DNS Error: Address resolution of nowhere.test. failed: Domain name not found', 'invalid_domain', 'soft'],
  [
    "DNS Error: DNS type 'mx' lookup of nowhere.test responded with code NXDOMAIN Domain name not found: nowhere.test",
    'invalid_domain',
    'soft',
  ],
  ['550 5.1.2 Host unknown (Name server: nowhere.test: host not found)', 'invalid_domain', 'soft'],
  ['No MX for nowhere.test', 'invalid_domain', 'soft'],
  [
    'The destination server for this recipient could not be found in Domain Name Service (DNS).',
    'invalid_domain',
    'soft',
  ],
  ['Domain nowhere.test does not accept mail (nullMX)', 'invalid_domain', 'soft'],
  ['550 Invalid domain', 'invalid_domain', 'soft'],
  ["Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)", 'invalid_domain', 'soft'],
  ['521 5.3.2 nowhere.test does not accept mail', 'invalid_domain', 'soft'],
  // Exim 4.96 (the Debian binary's strings): RFC 7505 null MX
  [
    'all hosts for nowhere.test have been failing: an MX or SRV record indicated no SMTP service',
    'invalid_domain',
    'soft',
  ],
  // DragonFly Mail Agent (dma), net.c
  ['DNS lookup failure: host nowhere.test not found', 'invalid_domain', 'soft'],
  [
    '550 5.1.2 <bob@nowhere.test>: Recipient address rejected: recipient domain must exist',
    'invalid_domain',
    'soft',
  ],
  [
    '550 The mail server could not deliver mail to bob@nowhere.test. The account or domain may not exist, they may be blacklisted, or missing the proper dns entries.',
    'invalid_domain',
    'soft',
  ],
  [
    "553 5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors, and make sure you didn't enter any spaces, periods, or other punctuation after the recipient's email address.",
    'invalid_domain',
    'soft',
  ],
];

const TOO_LARGE: Case[] = [
  ['552 5.3.4 Message too big for system', 'message_too_large', 'ignored'],
  ['552 Message size exceeds maximum permitted', 'message_too_large', 'ignored'],
  ['552 5.2.3 Message exceeds maximum fixed size', 'message_too_large', 'ignored'],
  ['552 5.3.4 Error: message file too big', 'message_too_large', 'ignored'],
  ['534 SIZE=Message too big.', 'message_too_large', 'ignored'],
  ['552 Message size exceeds maximum value', 'message_too_large', 'ignored'],
  [
    'message size 18876259 exceeds size limit 10485760 of server mx.example.com[192.0.2.5]',
    'message_too_large',
    'ignored',
  ],
  ['552 5.3.4 Nachricht zu groß', 'message_too_large', 'ignored'],
];

const REFUSED: Case[] = [
  // A Postfix recipient restriction for an internal-only address (the text is the administrator's)
  [
    '554 5.7.1 <all-staff@example.com>: Recipient address rejected: This address does not accept mail from outside the organisation',
    'refused',
    'soft',
  ],
  [
    '554 5.7.1 The message was rejected because it contains prohibited virus or spam content',
    'refused',
    'soft',
  ],
  ['552 5.7.0 Our system detected an illegal attachment on your message.', 'refused', 'soft'],
  [
    '554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using bl.spamcop.net',
    'refused',
    'soft',
  ],
  ['554 5.7.1 <unknown[203.0.113.5]>: Client host rejected: Access denied', 'refused', 'soft'],
  ['554 5.7.1 <mail.shop.test>: Helo command rejected: Host not found', 'refused', 'soft'],
  ['550 5.7.1 SPF: 203.0.113.5 is not allowed to send mail from shop.test', 'refused', 'soft'],
  ['550 5.7.1 Unauthenticated email is not accepted from this domain', 'refused', 'soft'],
  ['421 4.7.0 IP not in whitelist for RCPT domain, closing connection.', 'refused', 'soft'],
  ['554 5.7.1 You are not allowed to connect.', 'refused', 'soft'],
  ['550 5.7.1 Message rejected due to DMARC policy', 'refused', 'soft'],
  [
    '553 5.7.2 [TSS09] All messages from 203.0.113.5 will be permanently deferred; Retrying will NOT succeed.',
    'refused',
    'soft',
  ],
  [
    '550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 The message from (<news@shop.test>) with the subject of (Sale) matches a profile the Internet community may consider spam.',
    'refused',
    'soft',
  ],
  ['550 permanent failure for one or more recipients (bob@example.com:blocked)', 'refused', 'soft'],
  ['554 5.7.1 Blocked by policy: No spam please', 'refused', 'soft'],
  [
    '550 Rejected by header based Blocked Senders - Block policy for Header From - https://community.mimecast.com/docs/DOC-1369#550',
    'refused',
    'soft',
  ],
  ['550 5.7.1 Message rejected because of unacceptable content', 'refused', 'soft'],
  ['554 5.7.1 x: Relay access denied', 'refused', 'soft'],
  ['550 5.7.1 Unable to relay for bob@example.com', 'refused', 'soft'],
  ['550 5.7.64 TenantAttribution; Relay Access Denied', 'refused', 'soft'],
  ['553 5.7.1 <news@shop.test>: Sender address rejected: not owned by user', 'refused', 'soft'],
  ['550 5.7.1 Email rejected because 203.0.113.5 is listed by b.barracudacentral.org', 'refused', 'soft'],
  ['554 rejected due to bad reputation', 'refused', 'soft'],
  [
    '550-Requested action not taken: mailbox unavailable\n550 invalid DNS MX or A/AAAA resource record',
    'refused',
    'soft',
  ],
  ["554-'#5.7.1 Your access to submit messages to this e-mail system has been rejected.'", 'refused', 'soft'],
  [
    '550 5.7.1 <bob@example.net>: Recipient address rejected: Access denied by sender policy',
    'refused',
    'soft',
  ],
  ['550 5.7.1 Connection refused - ip blocked', 'refused', 'soft'],
  ['550 5.7.25 The IP address sending this message does not have a PTR record setup', 'refused', 'soft'],
  [
    '550 5.7.1 The user or domain that you are sending to (or from) has a policy that prohibited the mail that you sent.',
    'refused',
    'soft',
  ],
  ['554 5.7.5 Permanent error evaluating DMARC policy', 'refused', 'soft'],
  ['550 Message refusé: spam', 'refused', 'soft'],
  ['550 5.7.1 Go away', 'refused', 'soft'],
  ['554 5.7.1 This system will not accept messages from your IP', 'refused', 'soft'],
  ['550 5.7.1 Relaying mail to bob@example.com is not allowed', 'refused', 'soft'],
  ['550 5.7.1 Please use the SMTP server of your ISP', 'refused', 'soft'],
  ['550 5.7.1 Message rejected by recurrent pattern detection system', 'refused', 'soft'],
  ['553 5.7.1 <bounces@sender.test>: BATV failed to verify', 'refused', 'soft'],
  ['554 5.7.1 Nachricht als Spam abgelehnt', 'refused', 'soft'],
  ['554 5.7.1 Mensaje rechazado por contener spam', 'refused', 'soft'],
  ['554 5.7.1 Письмо отклонено как спам', 'refused', 'soft'],
  ['554 5.7.1 迷惑メールと判定されました', 'refused', 'soft'],
  ['554 5.7.1 该邮件被判定为垃圾邮件', 'refused', 'soft'],
];

const UNREACHABLE: Case[] = [
  // Postfix 3.7 smtp(8) and Exim 4.96 (the Debian binaries' strings)
  ['SMTPUTF8 is required, but was not offered by host mx.example.com[192.0.2.8]', 'unreachable', 'soft'],
  [
    'Child process of address_pipe transport returned 69 (could mean service or program unavailable) from command: /usr/local/bin/tickets',
    'unreachable',
    'soft',
  ],
  ['421 4.4.2 mx.example.com: Connection timed out', 'unreachable', 'soft'],
  ['Deferred: Connection refused by mx.example.com.', 'unreachable', 'soft'],
  [
    'conversation with mx.example.com[192.0.2.5] timed out while sending end of data -- message may be sent more than once',
    'unreachable',
    'soft',
  ],
  ['lost connection with mx.example.com[192.0.2.5] while sending RCPT TO', 'unreachable', 'soft'],
  ['421 Service not available', 'unreachable', 'soft'],
  ['Message expired', 'unreachable', 'soft'],
  // DragonFly Mail Agent (dma), dma.c, when a message outlives its queue lifetime
  ['Could not deliver for the last 432000 seconds. Giving up.', 'unreachable', 'soft'],
  ['451 4.3.0 Mail server temporarily rejected message.', 'unreachable', 'soft'],
  ['421 4.7.0 Try again later, closing connection. (EHLO)', 'unreachable', 'soft'],
  ['452 Too many recipients received this hour', 'unreachable', 'soft'],
  [
    '452 4.2.0 Throttled - try again later. See https://postmaster.comcast.net/smtp-error-codes.php#RL000001',
    'unreachable',
    'soft',
  ],
  ['550 5.4.6 Routing loop detected', 'unreachable', 'soft'],
  ['554 5.4.0 Error: too many hops', 'unreachable', 'soft'],
  ['554 5.3.0 Mail system configuration error', 'unreachable', 'soft'],
  ['530 5.7.0 Must issue a STARTTLS command first', 'unreachable', 'soft'],
  ['454 4.7.0 TLS not available due to local problem', 'unreachable', 'soft'],
  ['421 4.3.2 System not accepting network messages', 'unreachable', 'soft'],
  [
    '451 4.1.1 <bob@example.com>: Recipient address rejected: unverified address: Address verification in progress',
    'unreachable',
    'soft',
  ],
  ['451 Temporary local problem - please try later', 'unreachable', 'soft'],
  ['421 mx.example.com Service not available - too busy', 'unreachable', 'soft'],
  ['450 4.7.1 Please try again later', 'unreachable', 'soft'],
  [
    "all hosts for 'example.com' have been failing for a long time and were last tried after this message arrived",
    'unreachable',
    'soft',
  ],
  ['Could not deliver the message in the time limit specified', 'unreachable', 'soft'],
  ['550 5.4.300 Message expired', 'unreachable', 'soft'],
  ['550 5.4.316 Message expired, connection refused(Socket error code 10061)', 'unreachable', 'soft'],
  ['451 4.4.0 DNS resolving error', 'unreachable', 'soft'],
  ['500 5.5.1 Command unrecognized', 'unreachable', 'soft'],
  ['452 4.3.1 Insufficient system storage', 'unreachable', 'soft'],
  [
    '550 Domain shop.example.com has exceeded the max emails per hour (300/300 (100%)) allowed. Message discarded.',
    'unreachable',
    'soft',
  ],
  ['無法連線到對方郵件伺服器，已重試 5 天', 'unreachable', 'soft'],
  ['421 4.7.0 Please try again slower', 'unreachable', 'soft'],
  ['421 4.7.0 connection limit reached for your IP', 'unreachable', 'soft'],
  ['Unable to deliver message after multiple retries, giving up', 'unreachable', 'soft'],
  ['Delivery to the following recipient has been delayed: bob@example.com', 'unreachable', 'soft'],
];

const NOT_DEFINED: Case[] = [
  ['554 Service currently unavailable', 'not_defined', 'not_defined'],
  ['554 Transaction failed', 'not_defined', 'not_defined'],
  ['550 Requested action not taken', 'not_defined', 'not_defined'],
  ['550 No Message Collected', 'not_defined', 'not_defined'],
  // A bare "rejected" or "refused" tells no cause, in any language.
  ['550 Message rejected', 'not_defined', 'not_defined'],
  ['554 Nachricht wurde zurueckgewiesen', 'not_defined', 'not_defined'],
];

const ALL: [string, Case[]][] = [
  ['user unknown', USER_UNKNOWN],
  ['mailbox full', MAILBOX_FULL],
  ['account disabled', ACCOUNT_DISABLED],
  ['invalid domain', INVALID_DOMAIN],
  ['message too large', TOO_LARGE],
  ['refused', REFUSED],
  ['unreachable', UNREACHABLE],
  ['not defined', NOT_DEFINED],
];

describe('real replies qualified by the shipped rules', () => {
  const classifier = createClassifier();
  for (const [family, cases] of ALL) {
    describe(family, () => {
      it.each(cases)('%s', (raw, reason, type) => {
        // A text without any code is what an MTA writes in a failed DSN: read it as the DSN path does.
        const p = parseSmtpReply(raw);
        const enhanced = p.enhanced ?? (p.code === null ? '5.0.0' : null);
        const v = classifier.explain({ code: p.code, enhanced, text: p.text, command: null });
        expect([v.reason, v.type], v.why).toEqual([reason, type]);
      });
    });
  }
});
