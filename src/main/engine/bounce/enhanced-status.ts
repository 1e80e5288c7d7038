/**
 * RFC 3463 enhanced status codes (with the RFC 5248 registry additions): what each subject.detail means, and
 * the classifier's last resort when neither a text rule nor a status rule of the table decided.
 *
 * The specific codes that say something about the address (X.1.1, X.2.2, X.3.4 …) are rules of the table
 * (`src/main/defaults/bounce-rules.ts`, "status-…"), placed after the text rules and before the weak ones, so that they apply
 * "only where the text says nothing better" and an analyst can see and edit them. What is left here is the
 * default of each subject, used when the table has no rule for the exact code; its verdicts are marked for
 * review ("To qualify") in the qualification table.
 */
import type { BounceClass, ReasonId } from '../../../shared/domain/reasons';

/** RFC 3463 / RFC 5248 meanings by `subject.detail`, for explanations ("5.1.1: Bad destination mailbox address"). */
export const ENHANCED_STATUS_MEANINGS: Readonly<Record<string, string>> = {
  '0.0': 'Other undefined status',
  '1.0': 'Other address status',
  '1.1': 'Bad destination mailbox address',
  '1.2': 'Bad destination system address',
  '1.3': 'Bad destination mailbox address syntax',
  '1.4': 'Destination mailbox address ambiguous',
  '1.5': 'Destination address valid',
  '1.6': 'Destination mailbox has moved, no forwarding address',
  '1.7': "Bad sender's mailbox address syntax",
  '1.8': "Bad sender's system address",
  '1.9': 'Message relayed to non-compliant mailer',
  '1.10': 'Recipient address has null MX',
  '2.0': 'Other or undefined mailbox status',
  '2.1': 'Mailbox disabled, not accepting messages',
  '2.2': 'Mailbox full',
  '2.3': 'Message length exceeds administrative limit',
  '2.4': 'Mailing list expansion problem',
  '3.0': 'Other or undefined mail system status',
  '3.1': 'Mail system full',
  '3.2': 'System not accepting network messages',
  '3.3': 'System not capable of selected features',
  '3.4': 'Message too big for system',
  '3.5': 'System incorrectly configured',
  '4.0': 'Other or undefined network or routing status',
  '4.1': 'No answer from host',
  '4.2': 'Bad connection',
  '4.3': 'Directory server failure',
  '4.4': 'Unable to route',
  '4.5': 'Mail system congestion',
  '4.6': 'Routing loop detected',
  '4.7': 'Delivery time expired',
  '5.0': 'Other or undefined protocol status',
  '5.1': 'Invalid command',
  '5.2': 'Syntax error',
  '5.3': 'Too many recipients',
  '5.4': 'Invalid command arguments',
  '5.5': 'Wrong protocol version',
  '5.6': 'Authentication exchange line is too long',
  '6.0': 'Other or undefined media error',
  '6.1': 'Media not supported',
  '6.2': 'Conversion required and prohibited',
  '6.3': 'Conversion required but not supported',
  '6.4': 'Conversion with loss performed',
  '6.5': 'Conversion failed',
  '7.0': 'Other or undefined security status',
  '7.1': 'Delivery not authorized, message refused',
  '7.2': 'Mailing list expansion prohibited',
  '7.3': 'Security conversion required but not possible',
  '7.4': 'Security features not supported',
  '7.5': 'Cryptographic failure',
  '7.6': 'Cryptographic algorithm not supported',
  '7.7': 'Message integrity failure',
  '7.8': 'Authentication credentials invalid',
  '7.9': 'Authentication mechanism is too weak',
  '7.10': 'Encryption needed',
  '7.11': 'Encryption required for requested authentication mechanism',
  '7.12': 'A password transition is needed',
  '7.13': 'User account disabled',
  '7.14': 'Trust relationship required',
  '7.15': 'Priority level is too low',
  '7.16': 'Message is too big for the specified priority',
  '7.17': 'Mailbox owner has changed',
  '7.18': 'Domain owner has changed',
  '7.19': 'RRVS test cannot be completed',
  '7.20': 'No passing DKIM signature found',
  '7.21': 'No acceptable DKIM signature found',
  '7.22': 'No valid author-matched DKIM signature found',
  '7.23': 'SPF validation failed',
  '7.24': 'SPF validation error',
  '7.25': 'Reverse DNS validation failed',
  '7.26': 'Multiple authentication checks failed',
  '7.27': 'Sender address has null MX',
  '7.28': 'Mail flood detected',
  '7.29': 'ARC validation failure',
  '7.30': 'REQUIRETLS support required',
};

/** The meaning of an enhanced code (`5.1.1`), or null when RFC 3463 does not define its subject.detail. */
export function enhancedStatusMeaning(enhanced: string): string | null {
  const [, subject, detail] = enhanced.split('.');
  return ENHANCED_STATUS_MEANINGS[`${subject}.${detail}`] ?? null;
}

export interface EnhancedStatusFallback {
  bounceClass: BounceClass;
  reason?: ReasonId;
  /** RFC 3463 meaning of the subject, for documentation and explanations. */
  meaning: string;
}

/**
 * The default verdict of each RFC 3463 subject (`X.<subject>.*`), after every rule of the table. Subject 0
 * (`X.0.0`, "other undefined status") has none: it says nothing, and the basic code decides.
 */
export const ENHANCED_STATUS_FALLBACK: Readonly<Record<string, EnhancedStatusFallback>> = {
  '1': { bounceClass: 10, meaning: 'Addressing status' },
  '2': { bounceClass: 40, meaning: 'Mailbox status' },
  '3': { bounceClass: 70, meaning: 'Mail system status' },
  '4': { bounceClass: 24, meaning: 'Network and routing status' },
  '5': { bounceClass: 20, reason: 'unreachable', meaning: 'Mail delivery protocol status' },
  '6': { bounceClass: 52, meaning: 'Message content or media status' },
  '7': { bounceClass: 50, meaning: 'Security or policy status' },
};
