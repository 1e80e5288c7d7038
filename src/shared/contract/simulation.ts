/**
 * Contract of the campaign simulator (SPEC §8, issue 13): the sandbox's provider profiles as data, and
 * simulations — one campaign run against the profiles under one to four scenarios on an exact virtual clock,
 * their outcomes side by side. `simulationMethods` and `simulationEvents` are spread into `contract` (index.ts).
 */
import { z } from 'zod';
import { isValidMask } from '../domain/domain-mask';
import { MAX_VALIDITY_MS } from '../domain/duration';
import { DomainStats, ReasonBreakdown } from './dashboard';
import { RulesDocument } from './mta';
import { ReportFile } from './reports';
import {
  Delivery,
  EpochMs,
  FailureTypeSchema,
  Id,
  LogStatusSchema,
  MessageTemplate,
  ReasonIdSchema,
  ReportingModeSchema,
} from './schemas';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

// ---- provider profiles ----

/**
 * What a simulated receiver does with one recipient. `accept` aside, each has a rate per profile (drawn per
 * address from the seed, so a recipient meets the same fate in every scenario) and may be forced by a local-part
 * rule (`unknown…@`, `grey…@`, …: test addresses every profile honours).
 * - `unknown_user`, `mailbox_full`: refused at RCPT with the profile's reply;
 * - `greylist`: refused at RCPT with a 4xx until `greylistDelayMs` has passed since the first try;
 * - `spam_reject`: refused after the message data;
 * - `async_dsn`, `complaint`, `auto_reply`: accepted, then an RFC 3464 DSN (user unknown found after
 *   acceptance), an RFC 5965 ARF complaint or an RFC 3834 auto-reply comes back `asyncDelayMs` later.
 */
export const SANDBOX_OUTCOMES = [
  'accept',
  'unknown_user',
  'mailbox_full',
  'greylist',
  'spam_reject',
  'async_dsn',
  'complaint',
  'auto_reply',
] as const;
export const SandboxOutcome = z.enum(SANDBOX_OUTCOMES);
export type SandboxOutcome = z.infer<typeof SandboxOutcome>;

export const SANDBOX_OUTCOME_LABELS: Record<SandboxOutcome, string> = {
  accept: 'Accepted',
  unknown_user: 'Unknown user',
  mailbox_full: 'Mailbox full',
  greylist: 'Greylisted',
  spam_reject: 'Refused as spam',
  async_dsn: 'Asynchronous DSN',
  complaint: 'Complaint',
  auto_reply: 'Auto-reply',
};

/** The outcomes with a rate (every one but `accept`, which takes what is left). */
export const RATED_OUTCOMES = SANDBOX_OUTCOMES.filter((o) => o !== 'accept') as Exclude<
  SandboxOutcome,
  'accept'
>[];

/**
 * A receiver's reply. The text may use `<addr>` (the recipient), `<host>` (the receiver's name) and `<ip>` (the
 * client's address); it follows the code and may start with an enhanced status code (RFC 3463).
 */
export const SandboxReply = z.object({
  code: z.number().int().min(400).max(599),
  text: z.string().trim().min(1).max(2000),
});
export type SandboxReply = z.infer<typeof SandboxReply>;

const Rate = z.number().min(0).max(1);
export const ProfileRates = z.object({
  unknown_user: Rate.default(0),
  mailbox_full: Rate.default(0),
  greylist: Rate.default(0),
  spam_reject: Rate.default(0),
  async_dsn: Rate.default(0),
  complaint: Rate.default(0),
  auto_reply: Rate.default(0),
});
export type ProfileRates = z.infer<typeof ProfileRates>;

/** The replies of the refusing outcomes (`greylist` must be a 4xx; the others are usually 5xx or 452). */
export const ProfileReplies = z.object({
  unknown_user: SandboxReply,
  mailbox_full: SandboxReply,
  greylist: SandboxReply.refine((r) => r.code < 500, 'a greylisting reply is a 4xx'),
  spam_reject: SandboxReply,
});
export type ProfileReplies = z.infer<typeof ProfileReplies>;

/** A local-part pattern (a JavaScript regular expression, case-insensitive) that forces an outcome. */
export const LocalPartRule = z.object({
  pattern: z
    .string()
    .min(1)
    .max(200)
    .refine((p) => {
      try {
        new RegExp(p, 'i');
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression'),
  outcome: SandboxOutcome,
});
export type LocalPartRule = z.infer<typeof LocalPartRule>;

const LimitReplySchema = SandboxReply.refine((r) => r.code < 500, 'a limit reply is a 4xx');

/**
 * Limits a receiver enforces without publishing them (SPEC §8), per client address, on the sandbox's clock. Their
 * refusals are 4xx; the penalty box's may be 5xx too (a provider that blocks the IP: Microsoft's 5.7.606).
 */
export const HiddenLimits = z.object({
  maxConnections: z.object({ max: z.number().int().min(1).max(1000), reply: LimitReplySchema }).optional(),
  messagesPerConnection: z
    .object({ max: z.number().int().min(1).max(100_000), reply: LimitReplySchema })
    .optional(),
  recipientsPerSecond: z
    .object({
      rate: z.number().min(0.01).max(100_000),
      at: z.enum(['rcpt', 'mail']),
      reply: LimitReplySchema,
    })
    .optional(),
  penaltyBox: z
    .object({
      violations: z.number().int().min(1).max(100_000),
      windowMs: z.number().int().min(1000).max(86_400_000),
      durationMs: z
        .number()
        .int()
        .min(1000)
        .max(7 * 86_400_000),
      greeting: SandboxReply,
      command: SandboxReply,
    })
    .optional(),
});
export type HiddenLimits = z.infer<typeof HiddenLimits>;

export const SandboxProfile = z.object({
  /** Stable identifier (lowercase letters, digits, dashes). */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes, up to 40 characters'),
  name: z.string().trim().min(1).max(80),
  description: z.string().max(1000).default(''),
  /** Recipient domains this profile answers for: exact names (gmail.test) or masks (*.gmail.test). */
  domains: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .refine(isValidMask, 'a domain name (example.test) or a mask (*.example.test)'),
    )
    .min(1)
    .max(200),
  /**
   * The receiver's MX host names in a simulation, most preferred first (default `mx.<first domain>`): the
   * engine resolves the profile's domains to them, so MX rules matching real providers' hosts
   * (`*.google.com`, `*.yahoodns.net`) apply as in production.
   */
  mxHosts: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(/^(?!-)[a-z0-9-]+(?:\.[a-z0-9-]+)+$/, 'a host name (mx1.example.test)'),
    )
    .max(10)
    .default([]),
  /** `refuse`: nothing listens (a dead domain: every connection is refused, the message waits and expires). */
  connection: z.enum(['accept', 'refuse']).default('accept'),
  /** `required`: MAIL without STARTTLS is refused (530 5.7.0); `offered`: STARTTLS advertised. */
  tls: z.enum(['offered', 'required']).default('offered'),
  /** Delay before the greeting, in ms (a tarpit). */
  greetingDelayMs: z.number().int().min(0).max(600_000).default(0),
  /** Delay before every other reply, in ms (a tarpit). */
  replyDelayMs: z.number().int().min(0).max(600_000).default(0),
  /**
   * Share of transactions the receiver drops after the message data, without a reply (the connection closes):
   * the sender sees a silence at the end of data and retries. Drawn per recipient and attempt from the seed.
   */
  disconnectRate: z.number().min(0).max(1).default(0),
  /** How long a greylisted recipient must wait before its retry is accepted. */
  greylistDelayMs: z.number().int().min(0).max(86_400_000).default(300_000),
  /** How long after acceptance an asynchronous DSN, complaint or auto-reply comes back. */
  asyncDelayMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(60_000),
  rates: ProfileRates.default(ProfileRates.parse({})),
  replies: ProfileReplies,
  /** Local-part rules, first match wins, checked before the rates. */
  rules: z.array(LocalPartRule).max(100).default([]),
  limits: HiddenLimits.default({}),
});
export type SandboxProfile = z.infer<typeof SandboxProfile>;
export type SandboxProfileInput = z.input<typeof SandboxProfile>;

/** Every profile, as the console edits and exports them. */
export const SandboxProfilesDocument = z
  .object({
    format: z.literal('relaydeck-sandbox-profiles'),
    version: z.literal(1),
    /** Seed of every random draw (which recipients are unknown, greylisted, …). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    profiles: z.array(SandboxProfile).min(1).max(100),
  })
  .superRefine((doc, ctx) => {
    const ids = new Set<string>();
    const domains = new Map<string, string>();
    doc.profiles.forEach((p, i) => {
      if (ids.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'id'],
          message: `duplicate profile id "${p.id}"`,
        });
      ids.add(p.id);
      const total = Object.values(p.rates).reduce((a, b) => a + b, 0);
      if (total > 1 + 1e-9)
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'rates'],
          message: `the rates add up to ${(total * 100).toFixed(1)} %, more than 100 %`,
        });
      p.domains.forEach((d, j) => {
        const other = domains.get(d);
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', i, 'domains', j],
            message: `${d} is already served by profile "${other}"`,
          });
        domains.set(d, p.id);
      });
    });
  });
export type SandboxProfilesDocument = z.infer<typeof SandboxProfilesDocument>;
export type SandboxProfilesDocumentInput = z.input<typeof SandboxProfilesDocument>;

export const SandboxProfilesState = z.object({
  document: SandboxProfilesDocument,
  /** False while the shipped profiles are in force (never edited, or reset). */
  customised: z.boolean(),
});
export type SandboxProfilesState = z.infer<typeof SandboxProfilesState>;

// ---- simulations ----

/** One setting of a campaign to compare: what an analyst changes between two runs. */
export const Scenario = z.object({
  name: z.string().trim().min(1).max(80),
  /** The delivery's validity (capped at 3.5 days as every delivery's). */
  validityMs: z.number().int().min(60_000).max(MAX_VALIDITY_MS).default(MAX_VALIDITY_MS),
  reporting: ReportingModeSchema.default('efs'),
  recipientsPerTransaction: z.number().int().min(1).max(100).default(1),
  /** The MX and automation rules (rates, connections, retries' automation); default the stored rules. */
  rules: RulesDocument.nullable().default(null),
});
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

export const SimulationInput = z.object({
  name: z.string().trim().min(1).max(200),
  template: MessageTemplate,
  recipients: z.object({
    fileName: z.string().max(500).default('recipients.csv'),
    csv: z.string().max(50_000_000),
  }),
  scenarios: z.array(Scenario).min(1).max(4),
  /** Default: the stored profiles (the editor's). */
  profiles: SandboxProfilesDocument.nullable().default(null),
  /** Default: the profiles document's seed. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .nullable()
    .default(null),
});
export type SimulationInput = z.input<typeof SimulationInput>;

export const SIMULATION_STATES = ['running', 'done', 'failed'] as const;
export const SimulationState = z.enum(SIMULATION_STATES);

/** The receiver's side of one profile in one scenario. */
export const ProfileOutcome = z.object({
  profile: z.string(),
  name: z.string(),
  messagesAccepted: z.number().int(),
  connectionsAccepted: z.number().int(),
  /** Sessions refused at the greeting by a connection limit, MAIL and RCPT deferred by a rate or message limit. */
  connectionsRefused: z.number().int(),
  mailDeferred: z.number().int(),
  rcptDeferred: z.number().int(),
  penaltyBoxed: z.number().int(),
  penaltyRefusals: z.number().int(),
  peakConnections: z.number().int(),
  /** Asynchronous mail sent back (DSNs, complaints, auto-replies). */
  asyncSent: z.number().int(),
});
export type ProfileOutcome = z.infer<typeof ProfileOutcome>;

/** Counts at one point of simulated time (ms after the start). */
export const TimelinePoint = z.object({
  atMs: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  inProgress: z.number().int(),
});
export type TimelinePoint = z.infer<typeof TimelinePoint>;

/** One event of a recipient's history: an SMTP attempt, or asynchronous mail received about it. */
export const HistoryEvent = z.object({
  /** Simulated ms after the start. */
  atMs: z.number().int(),
  kind: z.enum(['attempt', 'inbound']),
  /** `accepted`, `deferred`, `failed` for an attempt; the inbound kind (`dsn`, `arf`, `auto_reply`, …) otherwise. */
  outcome: z.string(),
  command: z.string().nullable(),
  code: z.number().int().nullable(),
  text: z.string(),
});
export type HistoryEvent = z.infer<typeof HistoryEvent>;

/**
 * The recipients of one domain that ended alike (status, failure type, reason), with the history of one of
 * them: every kind of line of the delivery log explained by a worked example.
 */
export const OutcomeGroup = z.object({
  domain: z.string(),
  status: LogStatusSchema,
  failureType: FailureTypeSchema.nullable(),
  reason: ReasonIdSchema.nullable(),
  count: z.number().int(),
  example: z.object({ email: z.string(), quarantined: z.boolean(), history: z.array(HistoryEvent) }),
});
export type OutcomeGroup = z.infer<typeof OutcomeGroup>;

export const ScenarioResult = z.object({
  scenario: Scenario,
  /** The scenario's delivery at the end: statuses, counters and KPIs (the same definitions as the console's). */
  delivery: Delivery,
  reasons: z.array(ReasonBreakdown),
  domains: z.array(DomainStats),
  /** Simulated ms from the start to the last message's final state (null: not all final at the end). */
  finalAfterMs: z.number().int().nullable(),
  /** Simulated ms covered (to final figures, or to the end of validity plus a scheduler tick). */
  simulatedMs: z.number().int(),
  /** Real ms the scenario took, and the clock events it went through. */
  realMs: z.number().int(),
  events: z.number().int(),
  /** SMTP attempts made, of which deferred (4xx, silences) and refused (5xx). */
  attempts: z.number().int(),
  deferredAttempts: z.number().int(),
  /** Messages failed because their validity ran out while they were being retried. */
  expired: z.number().int(),
  /** Addresses put in quarantine, by reason. */
  quarantines: z.array(z.object({ reason: z.string(), label: z.string(), count: z.number().int() })),
  /** Shaping events of the engine (suspensions, rate decreases, …), by kind. */
  shaping: z.array(z.object({ kind: z.string(), count: z.number().int() })),
  profiles: z.array(ProfileOutcome),
  /** Hourly points (and the last one), for the chart. */
  timeline: z.array(TimelinePoint),
  /** Every (domain, status, type, reason) group with a worked example, most recipients first per domain. */
  outcomes: z.array(OutcomeGroup).default([]),
});
export type ScenarioResult = z.infer<typeof ScenarioResult>;

export const SimulationSummary = z.object({
  id: Id,
  name: z.string(),
  createdAt: EpochMs,
  state: SimulationState,
  error: z.string().nullable(),
  recipients: z.number().int(),
  seed: z.number().int(),
  scenarioNames: z.array(z.string()),
  /** While running: the scenario being run (0-based) and its simulated time so far. */
  progress: z.object({
    scenario: z.number().int(),
    simulatedMs: z.number().int(),
    validityMs: z.number().int(),
  }),
  realMs: z.number().int().nullable(),
});
export type SimulationSummary = z.infer<typeof SimulationSummary>;

export const Simulation = SimulationSummary.extend({
  templateName: z.string(),
  fileName: z.string(),
  profiles: SandboxProfilesDocument,
  results: z.array(ScenarioResult),
});
export type Simulation = z.infer<typeof Simulation>;

export const simulationMethods = {
  'profiles.get': method(z.object({}), SandboxProfilesState, "The sandbox's provider profiles in force"),
  'profiles.save': method(
    SandboxProfilesDocument,
    SandboxProfilesState,
    'Replace the provider profiles (the sandbox and the next simulations use them)',
  ),
  'profiles.reset': method(z.object({}), SandboxProfilesState, 'Restore the shipped provider profiles'),
  'simulations.start': method(
    SimulationInput,
    SimulationSummary,
    'Simulate a campaign against the sandbox profiles under each scenario, on a virtual clock (runs in the background)',
  ),
  'simulations.list': method(
    z.object({ limit: z.number().int().min(1).max(200).default(50) }),
    z.object({ items: z.array(SimulationSummary) }),
    'Simulations, newest first',
  ),
  'simulations.get': method(z.object({ id: Id }), Simulation, 'One simulation with every scenario’s outcome'),
  'simulations.remove': method(
    z.object({ id: Id }),
    z.object({ removed: z.boolean() }),
    'Delete a simulation',
  ),
  'simulations.exportPdf': method(
    z.object({ id: Id }),
    ReportFile,
    'The printable comparison of a finished simulation’s scenarios as a PDF (A4 landscape)',
  ),
} as const;

export const simulationEvents = {
  /** A simulation progressed, finished or failed (also signals the list). */
  'simulation.changed': z.object({ id: Id }),
} as const;
