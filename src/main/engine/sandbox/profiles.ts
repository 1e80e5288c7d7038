/**
 * The sandbox's simulated receivers (SPEC §8) as data: profiles keyed by domain, each an ordered list of
 * local-part patterns -> behaviour, first match wins. The demo profile is what the demo delivery relies on;
 * provider profiles (Gmail-like, Yahoo-like, tarpits, ...) are added here as more rows.
 * Texts may use `<addr>`, replaced by the recipient address.
 *
 * Asynchronous mail (`accept` with `after`): the message is accepted at SMTP, then a moment later the
 * receiver sends back to the envelope sender (the VERP return-path), at the bounce mailbox:
 * - `dsn*`      an RFC 3464 DSN, `Action: failed`, `Status: 5.1.1` (user unknown found after acceptance);
 * - `complain*` an RFC 5965 ARF abuse complaint with the original message attached;
 * - `ooo*`      an RFC 3834 out-of-office auto-reply.
 */
import type { AsyncReplyKind } from './async-mail';

export type Behaviour =
  /** Accepted; `after`: asynchronous mail sent back to the bounce mailbox a moment later. */
  | { kind: 'accept'; after?: AsyncReplyKind }
  /** Refused at RCPT, every time. */
  | { kind: 'reject_rcpt'; code: number; text: string }
  /** Refused at RCPT with a 4xx the first time, accepted once `greylistMinDelayMs` has passed. */
  | { kind: 'greylist'; code: number; text: string }
  /** Accepted at RCPT, refused after the message data. */
  | { kind: 'reject_data'; code: number; text: string };

export interface LocalPartRule {
  localPart: RegExp;
  behaviour: Behaviour;
}

export interface SandboxProfile {
  name: string;
  domains: readonly string[];
  rules: readonly LocalPartRule[];
  /** Behaviour for a local part no rule matches. */
  otherwise: Behaviour;
  /** Limits the engine is not told about (SPEC §8); none when absent. */
  limits?: HiddenLimits;
}

/**
 * A receiver's reply when one of its hidden limits is exceeded. The text may use `<host>` (the receiver's
 * name) and `<ip>` (the client's address). A 421 closes the session; any other 4xx keeps it open.
 */
export interface LimitReply {
  code: number;
  text: string;
}

/**
 * Limits a receiver enforces without publishing them (SPEC §8), all timed on the sandbox's clock:
 * - `maxConnections`: concurrent sessions per client address; one beyond is answered at the greeting, closed;
 * - `messagesPerConnection`: MAIL commands per session; the next MAIL is answered with `reply`;
 * - `recipientsPerSecond`: a token bucket (capacity = one second's worth) spent by accepted RCPTs; when it is
 *   empty the RCPT (`at: 'rcpt'`) or the next MAIL (`at: 'mail'`) is answered with `reply`;
 * - `penaltyBox`: `violations` refusals of the limits above within `windowMs` put the client address in the
 *   box for `durationMs`: new connections get `greeting` (then closed), commands of open sessions `command`.
 *   Refusals while boxed count as violations too, so a sender that keeps knocking extends its stay.
 */
export interface HiddenLimits {
  maxConnections?: { max: number; reply: LimitReply };
  messagesPerConnection?: { max: number; reply: LimitReply };
  recipientsPerSecond?: { rate: number; at: 'rcpt' | 'mail'; reply: LimitReply };
  penaltyBox?: {
    violations: number;
    windowMs: number;
    durationMs: number;
    greeting: LimitReply;
    command: LimitReply;
  };
}

/**
 * Real receivers' replies to a sender exceeding their limits, each in the format its software or provider
 * sends (source kind in the comment); `<host>` and `<ip>` are filled in by the sandbox.
 */
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
    text: '4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.',
  },
} as const satisfies Record<string, LimitReply>;

export const DEMO_PROFILE: SandboxProfile = {
  name: 'demo',
  domains: ['inbox.test', 'mail.test', 'corp.test', 'shop.test'],
  rules: [
    {
      localPart: /^(unknown|nobody)/i,
      behaviour: {
        kind: 'reject_rcpt',
        code: 550,
        text: '5.1.1 <addr>: Recipient address rejected: User unknown in virtual mailbox table',
      },
    },
    {
      localPart: /^grey/i,
      behaviour: {
        kind: 'greylist',
        code: 451,
        text: '4.7.1 <addr>: Recipient address rejected: Greylisted, please try again later',
      },
    },
    {
      localPart: /^full/i,
      behaviour: { kind: 'reject_rcpt', code: 452, text: '4.2.2 <addr>: Mailbox full, try again later' },
    },
    { localPart: /^dsn/i, behaviour: { kind: 'accept', after: 'dsn' } },
    { localPart: /^complain/i, behaviour: { kind: 'accept', after: 'complaint' } },
    { localPart: /^ooo/i, behaviour: { kind: 'accept', after: 'auto_reply' } },
    {
      localPart: /^spam/i,
      behaviour: { kind: 'reject_data', code: 554, text: '5.7.1 Message rejected: spam content detected' },
    },
  ],
  otherwise: { kind: 'accept' },
};

/**
 * A receiver with moderate limits it does not publish, as corporate gateways and big providers have: the
 * demo sends a few hundred recipients here so adaptive shaping can be watched. Its ideal pace is its rate.
 */
export const THROTTLED_PROFILE: SandboxProfile = {
  name: 'hidden limits (penalty box)',
  domains: ['throttled.test'],
  rules: [],
  otherwise: { kind: 'accept' },
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

export const SANDBOX_PROFILES: readonly SandboxProfile[] = [DEMO_PROFILE, THROTTLED_PROFILE];

/** A recipient in a domain no profile serves. */
export const UNKNOWN_DOMAIN: Behaviour = {
  kind: 'reject_rcpt',
  code: 550,
  text: '5.1.2 <addr>: Recipient address rejected: Domain not found',
};

export function behaviourFor(
  address: string,
  profiles: readonly SandboxProfile[] = SANDBOX_PROFILES,
): Behaviour {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  const profile = profiles.find((p) => p.domains.includes(domain));
  if (!profile) return UNKNOWN_DOMAIN;
  return profile.rules.find((r) => r.localPart.test(local))?.behaviour ?? profile.otherwise;
}

export function replyText(text: string, address: string): string {
  return text.replace(/<addr>/g, `<${address}>`);
}

/** A limit reply's text for a receiver named `host` and a client at `ip`. */
export function limitText(reply: LimitReply, host: string, ip: string): string {
  return reply.text.replace(/<host>/g, host).replace(/<ip>/g, ip);
}
