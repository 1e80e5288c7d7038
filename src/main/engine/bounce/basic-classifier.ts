/**
 * The first synchronous bounce classifier (SPEC §4.2): an ordered table of rules, first match wins, mapping
 * an SMTP outcome to a failure reason, type and bounce class. Issue 4 replaces it with the editable rule
 * table; this one stays a small data table with the same shape of decision so that swap is local.
 */
import type { BounceClass, FailureType, ReasonId } from '../../../shared/domain/reasons';
import type { SmtpOutcome } from '../types';

export interface Classification {
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
}

/** The part of an outcome the classifier reads. */
export type ClassifiableReply = Pick<SmtpOutcome, 'code' | 'enhanced' | 'text' | 'command'>;

/**
 * - `reply`: which replies the rule applies to: 4xx, 5xx, either, or no reply at all (connection failures).
 * - `command`: only replies to this command (`DNS` marks routing failures, which have no SMTP reply).
 * - `enhanced` / `text`: when either is given, at least one of them must match.
 */
export interface ClassifierRule {
  name: string;
  reply: '4xx' | '5xx' | 'any' | 'none';
  command?: string;
  enhanced?: RegExp;
  text?: RegExp;
  result: Classification;
}

export const BASIC_RULES: readonly ClassifierRule[] = [
  {
    // The message itself could not be built (a template or data problem, not a receiver's reply).
    name: 'compose-error',
    reply: 'none',
    command: 'COMPOSE',
    result: { reason: 'not_defined', type: 'not_defined', bounceClass: 1 },
  },
  {
    name: 'dns-domain-not-found',
    reply: 'none',
    command: 'DNS',
    text: /does not exist|does not accept mail|null MX/i,
    result: { reason: 'invalid_domain', type: 'soft', bounceClass: 21 },
  },
  {
    name: 'dns-failure',
    reply: 'none',
    command: 'DNS',
    result: { reason: 'unreachable', type: 'soft', bounceClass: 21 },
  },
  {
    name: 'no-reply',
    reply: 'none',
    result: { reason: 'unreachable', type: 'soft', bounceClass: 24 },
  },
  {
    name: 'user-unknown',
    reply: '5xx',
    enhanced: /^5\.1\.1$/,
    text: /user unknown|no such user|unknown (user|recipient)|(mailbox|account|address|recipient) does not exist/i,
    result: { reason: 'user_unknown', type: 'hard', bounceClass: 10 },
  },
  {
    name: 'domain-not-found',
    reply: 'any',
    enhanced: /^[45]\.1\.2$/,
    text: /domain not found|host not found|no such domain/i,
    result: { reason: 'invalid_domain', type: 'soft', bounceClass: 21 },
  },
  {
    name: 'mailbox-full',
    reply: 'any',
    enhanced: /^[45]\.2\.2$/,
    text: /mailbox (is )?full|over ?quota|quota exceeded/i,
    result: { reason: 'mailbox_full', type: 'soft', bounceClass: 22 },
  },
  {
    name: 'message-too-large',
    reply: 'any',
    enhanced: /^[45]\.[23]\.4$|^5\.2\.3$/,
    text: /too large|too big|size limit|exceeds .*size/i,
    result: { reason: 'message_too_large', type: 'ignored', bounceClass: 23 },
  },
  {
    name: 'greylisting',
    reply: '4xx',
    text: /grey ?list|gray ?list|try again later/i,
    result: { reason: 'unreachable', type: 'soft', bounceClass: 20 },
  },
  {
    name: 'refused-permanent',
    reply: '5xx',
    enhanced: /^5\.7\.\d{1,3}$/,
    text: /spam|blocked|block ?list|black ?list|policy|reputation/i,
    result: { reason: 'refused', type: 'hard', bounceClass: 51 },
  },
  {
    name: 'refused-transient',
    reply: '4xx',
    enhanced: /^4\.7\.\d{1,3}$/,
    text: /spam|blocked|block ?list|black ?list|policy|reputation/i,
    result: { reason: 'refused', type: 'soft', bounceClass: 50 },
  },
  {
    name: 'other-transient',
    reply: '4xx',
    result: { reason: 'unreachable', type: 'soft', bounceClass: 70 },
  },
  {
    name: 'other-permanent',
    reply: '5xx',
    result: { reason: 'not_defined', type: 'hard', bounceClass: 40 },
  },
];

const UNDETERMINED: Classification = { reason: 'not_defined', type: 'not_defined', bounceClass: 1 };

export function classifyReply(
  reply: ClassifiableReply,
  rules: readonly ClassifierRule[] = BASIC_RULES,
): Classification {
  return matchRule(reply, rules)?.result ?? UNDETERMINED;
}

/** The first rule matching the reply (exported for the rule tests and the future qualification table). */
export function matchRule(
  reply: ClassifiableReply,
  rules: readonly ClassifierRule[],
): ClassifierRule | undefined {
  return rules.find((rule) => ruleMatches(rule, reply));
}

function ruleMatches(rule: ClassifierRule, reply: ClassifiableReply): boolean {
  if (!replyClassMatches(rule.reply, reply.code)) return false;
  if (rule.command !== undefined && rule.command !== reply.command) return false;
  if (!rule.enhanced && !rule.text) return true;
  return (
    (rule.enhanced !== undefined && reply.enhanced !== null && rule.enhanced.test(reply.enhanced)) ||
    (rule.text !== undefined && rule.text.test(reply.text))
  );
}

function replyClassMatches(expected: ClassifierRule['reply'], code: number | null): boolean {
  switch (expected) {
    case 'none':
      return code === null;
    case '4xx':
      return code !== null && code >= 400 && code < 500;
    case '5xx':
      return code !== null && code >= 500 && code < 600;
    case 'any':
      return code !== null && code >= 400 && code < 600;
  }
}
