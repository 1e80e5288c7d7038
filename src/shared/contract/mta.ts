/**
 * Contract schemas of the MTA side (SPEC §5, §6, §7): MX rules, automation rules, adaptive settings, live
 * destination state, the log of automatic changes, throughput series and DKIM keys.
 */
import { z } from 'zod';
import { isValidMask } from '../domain/domain-mask';
import { checkPattern } from '../domain/safe-pattern';
import { plainCheck } from './plain-errors';
import { EpochMs, Id } from './schemas';

export const TLS_POLICIES = ['opportunistic', 'required', 'disabled'] as const;
export const TlsPolicy = z.enum(TLS_POLICIES);

const RuleId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, plainCheck('must use lower-case letters, digits, ".", "_" or "-" only'));
const Mask = z
  .string()
  .refine(isValidMask, plainCheck('must be a host or domain, or a mask like *.google.com or *'));
const Duration = z
  .number()
  .int()
  .min(1)
  .max(30 * 86_400_000);

/** An MX rule: matches an MX host mask (or a recipient-domain mask) and sets the destination's limits. */
export const MxRule = z.object({
  id: RuleId,
  description: z.string().max(500).default(''),
  match: z.object({ kind: z.enum(['mx', 'domain']), mask: Mask }),
  maxConnections: z.number().int().min(1).max(500),
  maxMessagesPerConnection: z.number().int().min(1).max(100_000),
  /** Smoothed over 12 periods of 5 minutes; null = no hourly limit. */
  messagesPerHour: z.number().int().min(1).max(100_000_000).nullable(),
  timeouts: z.object({
    connectMs: Duration,
    commandMs: Duration,
    dataMs: Duration,
  }),
  tls: TlsPolicy,
  enabled: z.boolean().default(true),
});
export type MxRule = z.infer<typeof MxRule>;

export const AutomationTrigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('immediate') }),
  z.object({ kind: z.literal('count'), count: z.number().int().min(2).max(100_000), windowMs: Duration }),
]);
export const AutomationAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('suspend'), durationMs: Duration }),
  z.object({
    kind: z.literal('throttle'),
    /** Multiply the current hourly rate by this factor (0 < factor < 1). */
    rateFactor: z.number().gt(0).lt(1),
    maxConnections: z.number().int().min(1).max(500).nullable().default(null),
    durationMs: Duration,
  }),
  /** Fail every message queued for the destination with the triggering reply. */
  z.object({ kind: z.literal('bounce_queue') }),
]);

/** An automation rule reacts to replies of a destination (e.g. Yahoo [TS03], Gmail 4.7.28, Microsoft S3150). */
export const AutomationRule = z.object({
  id: RuleId,
  description: z.string().max(500).default(''),
  /** MX host mask the rule applies to. */
  scope: Mask.default('*'),
  /**
   * Regular expression (JavaScript syntax, case-insensitive) tested on the raw reply; the rules document refuses
   * one that does not compile or could backtrack catastrophically (`checkPattern`, `safe-pattern.ts`).
   */
  pattern: z.string().min(1).max(1000),
  trigger: AutomationTrigger,
  action: AutomationAction,
  enabled: z.boolean().default(true),
});
export type AutomationRule = z.infer<typeof AutomationRule>;

/** The adaptive behaviour used when no automation rule matches (SPEC §6). */
export const AdaptiveSettings = z.object({
  /** Multiplicative decrease applied to the hourly rate on a rate signal (421 / 4.7.x throttling). */
  decreaseFactor: z.number().gt(0).lt(1).default(0.5),
  /**
   * Signals (rate, or a receiver refusing every session) within `signalWindowMs`, each a round trip after the
   * last and with no acceptance between them, that suspend the destination.
   */
  suspendAfterSignals: z.number().int().min(1).default(5),
  signalWindowMs: Duration.default(10 * 60_000),
  /** The longest suspension: the first lasts a minute, each one in a row twice the last, up to this. */
  suspendMs: Duration.default(30 * 60_000),
  /**
   * Additive increase, as a share of the rule's limit (or of the rate where a rule without one was first
   * slowed), after each period of sustained acceptance: for a learnt rate the period is the time of about 20
   * messages at that rate, at least 1 s and at most `increasePeriodMs`; learnt connection and per-connection
   * limits grow by one step after each `increasePeriodMs`.
   */
  increaseShare: z.number().gt(0).max(1).default(0.1),
  increasePeriodMs: Duration.default(5 * 60_000),
  /** Error-rate breaker: block the destination when >= ratio of >= minAttempts recent attempts failed. */
  breakerRatio: z.number().gt(0).max(1).default(0.9),
  breakerMinAttempts: z.number().int().min(1).default(300),
  breakerBlockMs: Duration.default(3 * 3_600_000),
});
export type AdaptiveSettings = z.infer<typeof AdaptiveSettings>;

/** The rules as one document: what the console edits and `relaydeck rules export|import` reads and writes. */
export const RulesDocument = z
  .object({
    format: z.literal('relaydeck-rules'),
    version: z.literal(1),
    mxRules: z.array(MxRule).min(1).max(1000),
    automationRules: z.array(AutomationRule).max(1000).default([]),
    adaptive: AdaptiveSettings.default(AdaptiveSettings.parse({})),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.mxRules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['mxRules', i, 'id'], message: `duplicate id "${rule.id}"` });
      seen.add(rule.id);
      const generic = rule.match.mask === '*';
      if (generic && i !== doc.mxRules.length - 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['mxRules', i, 'match', 'mask'],
          message: 'the generic "*" rule must be last',
        });
      }
    });
    const last = doc.mxRules.at(-1);
    if (last && (last.match.mask !== '*' || !last.enabled)) {
      ctx.addIssue({
        code: 'custom',
        path: ['mxRules'],
        message: 'the last MX rule must be an enabled generic "*" rule',
      });
    }
    const autoIds = new Set<string>();
    doc.automationRules.forEach((rule, i) => {
      if (autoIds.has(rule.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['automationRules', i, 'id'],
          message: `duplicate id "${rule.id}"`,
        });
      }
      autoIds.add(rule.id);
      const problem = checkPattern(rule.pattern);
      if (problem !== null) {
        ctx.addIssue({ code: 'custom', path: ['automationRules', i, 'pattern'], message: problem });
      }
    });
  });
export type RulesDocument = z.infer<typeof RulesDocument>;

const Limits = z.object({
  maxConnections: z.number().int(),
  maxMessagesPerConnection: z.number().int(),
  messagesPerHour: z.number().nullable(),
});

/** Live state of one destination (a set of MX hosts, a static route or the sandbox). */
export const DestinationState = z.object({
  key: z.string(),
  kind: z.enum(['mx', 'smtp', 'sandbox']),
  hosts: z.array(z.string()),
  /** Recipient domains seen for this destination (at most 20), and how many in all. */
  domains: z.array(z.string()),
  domainCount: z.number().int(),
  ruleId: z.string(),
  /** The rule's limits, and the limits in force after adaptation. */
  configured: Limits,
  effective: Limits,
  openConnections: z.number().int(),
  inFlight: z.number().int(),
  queued: z.number().int(),
  /** Accepted messages per hour, observed over the last 5 minutes. */
  currentRatePerHour: z.number(),
  suspendedUntil: EpochMs.nullable(),
  suspendedReason: z.string().nullable(),
  lastReply: z.string().nullable(),
  lastReplyAt: EpochMs.nullable(),
  lastHour: z.object({ accepted: z.number().int(), deferred: z.number().int(), failed: z.number().int() }),
  /**
   * Limits learnt from the receiver's answers (SPEC §6), null where nothing was learnt (the rule's applies):
   * they are part of `effective` and kept for the next delivery.
   */
  learnt: z.object({
    maxConnections: z.number().int().nullable(),
    maxMessagesPerConnection: z.number().int().nullable(),
    messagesPerHour: z.number().nullable(),
    /** When a limit was last learnt. */
    at: EpochMs.nullable(),
  }),
  /** Suspensions in a row (each longer than the last, capped); 0 after a clean period. */
  suspensionLevel: z.number().int(),
  /**
   * false: known from the store only (its learnt limits and history), not met by the running engine since it
   * started, so its live figures are zero. Absent or true: the engine's live state.
   */
  live: z.boolean().optional(),
});
export type DestinationState = z.infer<typeof DestinationState>;

/** One day of a destination's reputation history (SPEC §6): what it answered and the limits in force. */
export const DestinationDay = z.object({
  destination: z.string(),
  /** UTC day, YYYY-MM-DD. */
  day: z.string(),
  accepted: z.number().int(),
  deferred: z.number().int(),
  failed: z.number().int(),
  /** Sessions refused at connect or greeting (no message offered). */
  refusedSessions: z.number().int(),
  maxConnections: z.number().int().nullable(),
  maxMessagesPerConnection: z.number().int().nullable(),
  messagesPerHour: z.number().nullable(),
});
export type DestinationDay = z.infer<typeof DestinationDay>;

export const SHAPING_EVENT_KINDS = [
  'slowed',
  'raised',
  'suspended',
  'resumed',
  'breaker_opened',
  'automation',
  'queue_bounced',
  'rules_changed',
] as const;
export const ShapingEvent = z.object({
  id: Id,
  at: EpochMs,
  destination: z.string(),
  kind: z.enum(SHAPING_EVENT_KINDS),
  /** Human-readable cause: the reply or rule that triggered the change. */
  cause: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type ShapingEvent = z.infer<typeof ShapingEvent>;

export const ThroughputPoint = z.object({
  minute: EpochMs,
  relayed: z.number().int(),
  accepted: z.number().int(),
  deferred: z.number().int(),
  bounced: z.number().int(),
});
export type ThroughputPoint = z.infer<typeof ThroughputPoint>;

export const DKIM_ALGORITHMS = ['rsa-sha256', 'ed25519-sha256'] as const;
export const DkimAlgorithm = z.enum(DKIM_ALGORITHMS);

export const DkimKey = z.object({
  id: Id,
  domain: z.string(),
  selector: z.string(),
  algorithm: DkimAlgorithm,
  bits: z.number().int().nullable(),
  /** `<selector>._domainkey.<domain>` */
  dnsName: z.string(),
  /** The TXT record value to publish, e.g. `v=DKIM1; k=rsa; p=MIIB...`. */
  txtRecord: z.string(),
  enabled: z.boolean(),
  createdAt: EpochMs,
});
export type DkimKey = z.infer<typeof DkimKey>;

const DkimSelector = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
    'a DNS label',
  );
const DkimDomain = z
  .string()
  .min(3)
  .max(253)
  .regex(/^(?!-)[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i, 'a domain name');

export const DkimGenerateInput = z.object({
  domain: DkimDomain,
  selector: DkimSelector,
  algorithm: DkimAlgorithm.default('rsa-sha256'),
  /** RSA key size (ignored for ed25519). */
  bits: z.number().int().min(1024).max(4096).default(2048),
});
export const DkimImportInput = z.object({
  domain: DkimDomain,
  selector: DkimSelector,
  privateKeyPem: z.string().min(50).max(20_000),
});

/** How a delivery's messages are DKIM-signed with the keys in force (SPEC §5, `chooseSigning`). */
export const DkimSigning = z.object({
  fromDomain: z.string(),
  /** The return path's domain (the `returnPath` setting, else From's). */
  envelopeDomain: z.string(),
  /** The d= domain and the selectors that sign; null: the messages leave unsigned. */
  signer: z
    .object({
      domain: z.string(),
      /** from: From's side has an RSA key; envelope: the return path's domain signs; ed25519-only: no RSA key. */
      basis: z.enum(['from', 'envelope', 'ed25519-only']),
      /** d= is the From domain or a parent of it (the signature counts for DMARC). */
      aligned: z.boolean(),
      rsa: z.string().nullable(),
      ed25519: z.string().nullable(),
    })
    .nullable(),
  /** In words: "Signed by example.com (rsa-sha256 + ed25519)", "…: not aligned with From", "Unsigned". */
  description: z.string(),
});
export type DkimSigning = z.infer<typeof DkimSigning>;
