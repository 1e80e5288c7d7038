/**
 * Bounce rules as data (SPEC §4.2): the schema of one rule of the synchronous classifier's ordered table and
 * of the bounce class -> (reason, type) mapping. Shared so the console can edit and validate rules with the
 * same schema the engine compiles; the matching itself lives in `src/main/engine/bounce/`.
 */
import { z } from 'zod';
import { plainCheck } from '../contract/plain-errors';
import { backtrackingProblem } from './safe-pattern';
import { isValidMask } from './domain-mask';
import { BOUNCE_CLASS_IDS, FAILURE_TYPES, REASON_IDS, type BounceClass } from './reasons';

/** The SMTP command a reply answered; DNS and COMPOSE mark failures without a reply (routing, templates). */
export const BOUNCE_RULE_COMMANDS = [
  'CONNECT',
  'EHLO',
  'STARTTLS',
  'MAIL',
  'RCPT',
  'DATA',
  'DNS',
  'COMPOSE',
] as const;
export type BounceRuleCommand = (typeof BOUNCE_RULE_COMMANDS)[number];

/** `4xx` / `5xx` / an exact code like `550` / `any` (4xx or 5xx) / `none` (no reply: timeouts, DNS). */
export const CODE_CONDITION_RE = /^(?:[245](?:xx|\d\d)|any|none)$/;
/** An RFC 3463 code where each part may be a wildcard: `5.1.1`, `X.1.1` (4 or 5), `5.7.*`. */
export const ENHANCED_CONDITION_RE = /^(?:[245xX*])\.(?:\d{1,3}|\*)\.(?:\d{1,3}|\*)$/;

const BounceClassId = z
  .number()
  .int()
  .refine(
    (n) => (BOUNCE_CLASS_IDS as number[]).includes(n),
    plainCheck((iss) => `must be one of the bounce classes (${String(iss.input)} is not one)`),
  )
  .transform((n) => n as BounceClass);

const RuleId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, plainCheck('must use lower-case letters, digits, ".", "_" or "-" only'));

export const BounceRuleSchema = z.object({
  id: RuleId,
  description: z.string().max(500).default(''),
  /**
   * Regular expression (JavaScript syntax, case-insensitive) tested on the normalised reply text; refused when
   * it could backtrack catastrophically (`safe-pattern.ts`; syntax errors are the rule checker's `compile`
   * problems).
   */
  pattern: z.string().superRefine((pattern, ctx) => {
    const problem = pattern === '' ? null : backtrackingProblem(pattern);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }),
  code: z
    .string()
    .regex(CODE_CONDITION_RE, plainCheck('must be 4xx, 5xx, an exact code like 550, "any" or "none"'))
    .optional(),
  enhanced: z
    .string()
    .regex(ENHANCED_CONDITION_RE, plainCheck('must be an enhanced status code such as 5.1.1, X.2.2 or 5.7.*'))
    .optional(),
  command: z.enum(BOUNCE_RULE_COMMANDS).optional(),
  /** Restricts the rule to replies from MX hosts matching this mask (`*.google.com`). */
  mxScope: z
    .string()
    .refine(isValidMask, plainCheck('must be a host or a mask like *.google.com'))
    .optional(),
  /** Informational: whose reply this is (Gmail, Postfix, Mimecast ...). */
  provider: z.string().max(100).optional(),
  bounceClass: BounceClassId,
  /** Overrides of the class mapping for this rule. */
  reason: z.enum(REASON_IDS).optional(),
  type: z.enum(FAILURE_TYPES).optional(),
  /**
   * The rule reads replies only: it is not used to find a reason in the whole text of a bounce, where its
   * words are common in boilerplate and footers ("rejected", "temporarily", "virus", "spam", "attachment").
   */
  replyOnly: z.boolean().optional(),
  /** Replies the rule is meant to catch; the rule checker tests them against the earlier rules. */
  examples: z.array(z.string().max(2000)).max(50).optional(),
});
export type BounceRule = z.infer<typeof BounceRuleSchema>;
export type BounceRuleInput = z.input<typeof BounceRuleSchema>;

export const BounceRulesSchema = z.array(BounceRuleSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.id))
      ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${rule.id}"` });
    seen.add(rule.id);
  });
});

/** What a bounce class means for the campaign: its reason and its type for permanent and transient replies. */
export const ClassMappingEntrySchema = z.object({
  reason: z.enum(REASON_IDS),
  /** Type when the failure is permanent (5xx, DSN status 5.x.x). */
  permanent: z.enum(FAILURE_TYPES),
  /** Type when the failure is transient (4xx, DSN status 4.x.x, no reply). */
  transient: z.enum(FAILURE_TYPES),
});
export type ClassMappingEntry = z.infer<typeof ClassMappingEntrySchema>;
export type BounceClassMapping = Record<BounceClass, ClassMappingEntry>;

const entry = (
  reason: ClassMappingEntry['reason'],
  permanent: ClassMappingEntry['permanent'],
  transient: ClassMappingEntry['transient'] = permanent,
): ClassMappingEntry => ({ reason, permanent, transient });

/**
 * The shipped class -> reason/type mapping, following SPEC §4.1 ("the type of one bounce follows what the
 * reply says about the address"): Hard only where the reply proves the address bad (10 Invalid Recipient when
 * permanent, 30 no recipient) or a complaint (90); every refusal aimed at the sender, its IP or its content
 * (50-54) is Soft, permanent or not; invalid domains, full mailboxes and disabled accounts are Soft; too large,
 * auto-replies and challenges are Ignored; 40 Generic Bounce (a failure nothing could be told about) is Not
 * defined, so it goes to the qualification table as "To qualify" and never counts toward quarantine. A
 * transient reply (4xx, a 4.x.x status, no reply) is never Hard: the message is retried.
 */
export const BOUNCE_CLASS_MAPPING: BounceClassMapping = {
  1: entry('not_defined', 'not_defined'),
  10: entry('user_unknown', 'hard', 'soft'),
  20: entry('unreachable', 'soft'),
  21: entry('invalid_domain', 'soft'),
  22: entry('mailbox_full', 'soft'),
  23: entry('message_too_large', 'ignored'),
  24: entry('unreachable', 'soft'),
  25: entry('account_disabled', 'soft'),
  30: entry('address_not_specified', 'hard', 'soft'),
  40: entry('not_defined', 'not_defined'),
  50: entry('refused', 'soft'),
  51: entry('refused', 'soft'),
  52: entry('refused', 'soft'),
  53: entry('refused', 'soft'),
  54: entry('refused', 'soft'),
  60: entry('error_ignored', 'ignored'),
  70: entry('unreachable', 'soft'),
  80: entry('error_ignored', 'ignored'),
  90: entry('refused', 'hard'),
  100: entry('error_ignored', 'ignored'),
};
