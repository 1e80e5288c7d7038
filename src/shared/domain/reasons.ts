/** Failure types, failure reasons (SPEC §4.1) and bounce classes (SPEC §4.2). */

export const FAILURE_TYPES = ['hard', 'soft', 'ignored', 'not_defined'] as const;
export type FailureType = (typeof FAILURE_TYPES)[number];

export const FAILURE_TYPE_LABELS: Record<FailureType, string> = {
  hard: 'Hard',
  soft: 'Soft',
  ignored: 'Ignored',
  not_defined: 'Not defined',
};

export const REASON_IDS = [
  'not_defined',
  'user_unknown',
  'invalid_domain',
  'unreachable',
  'account_disabled',
  'mailbox_full',
  'address_not_specified',
  'denylisted',
  'quarantined',
  'double',
  'refused',
  'error_ignored',
  'message_too_large',
] as const;
export type ReasonId = (typeof REASON_IDS)[number];

export interface ReasonInfo {
  /** Numeric code of the source product; null for product extensions. */
  code: number | null;
  label: string;
  /** The usual type; rules may decide otherwise where the table allows ("Soft or Hard"). */
  defaultType: FailureType;
}

export const REASONS: Record<ReasonId, ReasonInfo> = {
  not_defined: { code: 0, label: 'Not defined', defaultType: 'not_defined' },
  user_unknown: { code: 1, label: 'User unknown', defaultType: 'hard' },
  invalid_domain: { code: 2, label: 'Invalid domain', defaultType: 'soft' },
  unreachable: { code: 3, label: 'Unreachable', defaultType: 'soft' },
  account_disabled: { code: 4, label: 'Account disabled', defaultType: 'soft' },
  mailbox_full: { code: 5, label: 'Mailbox full', defaultType: 'soft' },
  address_not_specified: { code: 7, label: 'Address not specified', defaultType: 'hard' },
  denylisted: { code: 8, label: 'Denylisted address', defaultType: 'hard' },
  quarantined: { code: 9, label: 'Address in quarantine', defaultType: 'hard' },
  double: { code: 10, label: 'Double', defaultType: 'ignored' },
  refused: { code: 20, label: 'Refused', defaultType: 'soft' },
  error_ignored: { code: 25, label: 'Error ignored', defaultType: 'ignored' },
  message_too_large: { code: null, label: 'Message too large', defaultType: 'ignored' },
};

export const BOUNCE_CLASSES = {
  1: 'Undetermined',
  10: 'Invalid Recipient',
  20: 'Soft Bounce',
  21: 'DNS Failure',
  22: 'Mailbox Full',
  23: 'Too Large',
  24: 'Timeout',
  25: 'Admin Failure',
  30: 'Generic Bounce: No RCPT',
  40: 'Generic Bounce',
  50: 'Mail Block',
  51: 'Spam Block',
  52: 'Spam Content',
  53: 'Prohibited Attachment',
  54: 'Relaying Denied',
  60: 'Auto-Reply',
  70: 'Transient Failure',
  80: 'Subscribe',
  90: 'Unsubscribe',
  100: 'Challenge-Response',
} as const;
export type BounceClass = keyof typeof BOUNCE_CLASSES;
export const BOUNCE_CLASS_IDS = Object.keys(BOUNCE_CLASSES).map(Number) as BounceClass[];
