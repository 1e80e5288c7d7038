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
}

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

export const SANDBOX_PROFILES: readonly SandboxProfile[] = [DEMO_PROFILE];

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
