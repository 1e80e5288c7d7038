/**
 * RFC 3463 (and its registry updates, RFC 5248) enhanced status codes -> bounce class, used by the classifier
 * when no rule of the table matched. Keyed by `subject.detail` (the class digit gives permanence), with
 * `subject.*` as the default of a subject. A `reason` overrides the class mapping where the class alone would
 * say something else (a DNS lookup that failed is not an invalid domain).
 */
import type { BounceClass, ReasonId } from '../../../shared/domain/reasons';

export interface EnhancedStatusFallback {
  bounceClass: BounceClass;
  reason?: ReasonId;
  /** RFC 3463 meaning, for documentation and the console. */
  meaning: string;
}

export const ENHANCED_STATUS_FALLBACK: Readonly<Record<string, EnhancedStatusFallback>> = {
  '1.0': { bounceClass: 10, meaning: 'Other address status' },
  '1.1': { bounceClass: 10, meaning: 'Bad destination mailbox address' },
  '1.2': { bounceClass: 21, meaning: 'Bad destination system address' },
  '1.3': { bounceClass: 10, meaning: 'Bad destination mailbox address syntax' },
  '1.4': { bounceClass: 10, meaning: 'Destination mailbox address ambiguous' },
  '1.6': { bounceClass: 10, meaning: 'Destination mailbox has moved, no forwarding address' },
  '1.7': { bounceClass: 50, meaning: "Bad sender's mailbox address syntax" },
  '1.8': { bounceClass: 50, meaning: "Bad sender's system address" },
  '1.10': { bounceClass: 21, meaning: 'Recipient address has null MX' },
  '1.*': { bounceClass: 10, meaning: 'Addressing status' },
  '2.1': { bounceClass: 25, meaning: 'Mailbox disabled, not accepting messages' },
  '2.2': { bounceClass: 22, meaning: 'Mailbox full' },
  '2.3': { bounceClass: 23, meaning: 'Message length exceeds administrative limit' },
  '2.*': { bounceClass: 40, meaning: 'Mailbox status' },
  '3.1': { bounceClass: 70, meaning: 'Mail system full' },
  '3.2': { bounceClass: 70, meaning: 'System not accepting network messages' },
  '3.4': { bounceClass: 23, meaning: 'Message too big for system' },
  '3.*': { bounceClass: 40, meaning: 'Mail system status' },
  '4.1': { bounceClass: 24, meaning: 'No answer from host' },
  '4.2': { bounceClass: 24, meaning: 'Bad connection' },
  '4.3': { bounceClass: 21, reason: 'unreachable', meaning: 'Directory server failure' },
  '4.4': { bounceClass: 21, meaning: 'Unable to route' },
  '4.5': { bounceClass: 70, meaning: 'Mail system congestion' },
  '4.6': { bounceClass: 20, meaning: 'Routing loop detected' },
  '4.7': { bounceClass: 24, meaning: 'Delivery time expired' },
  '4.*': { bounceClass: 20, meaning: 'Network and routing status' },
  '5.*': { bounceClass: 40, meaning: 'Mail delivery protocol status' },
  '6.*': { bounceClass: 52, meaning: 'Message content or media status' },
  '7.13': { bounceClass: 25, meaning: 'User account disabled' },
  '7.28': {
    bounceClass: 51,
    reason: 'unreachable',
    meaning: 'Mail flood detected (rate of unsolicited mail)',
  },
  '7.*': { bounceClass: 50, meaning: 'Security or policy status' },
};
