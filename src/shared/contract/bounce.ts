/**
 * Contract of the bounce side (SPEC §4.2-§4.4): the delivery-log qualification table, the stored bounce rules
 * and their class mapping, the reply tester, the inMail bounce mailbox (listener, imports, IMAP polling) and
 * the quarantine list. `bounceMethods` is spread into `contract` (index.ts); `bounceEvents` into `events`.
 */
import { z } from 'zod';
import { BOUNCE_RULE_COMMANDS, BounceRuleSchema, ClassMappingEntrySchema } from '../domain/bounce-rules';
import { BOUNCE_CLASS_IDS, type BounceClass } from '../domain/reasons';
import { plainCheck } from './plain-errors';
import {
  CsvEncoding,
  Cursor,
  EpochMs,
  FailureTypeSchema,
  Id,
  PageLimit,
  ReasonIdSchema,
  RowError,
  csvListInput,
  page,
} from './schemas';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

const BounceClassSchema = z
  .number()
  .int()
  .refine(
    (n) => (BOUNCE_CLASS_IDS as number[]).includes(n),
    plainCheck((iss) => `must be one of the bounce classes (${String(iss.input)} is not one)`),
  )
  .transform((n) => n as BounceClass);

// ---- qualification table (SPEC §4.2) ----

export const QUALIFICATION_STATUSES = ['to_qualify', 'keep', 'ignore'] as const;
export const QualificationStatus = z.enum(QUALIFICATION_STATUSES);
export type QualificationStatus = z.infer<typeof QualificationStatus>;

export const QUALIFICATION_SOURCES = ['sync', 'async'] as const;
export const QualificationSource = z.enum(QUALIFICATION_SOURCES);
export type QualificationSource = z.infer<typeof QualificationSource>;

/** One normalised reply of the qualification table: identical failures collapse into one row. */
export const QualificationRow = z.object({
  id: Id,
  /** The normalised reply (`550 5.1.1 <{email}>: user unknown`): the grouping key. */
  key: z.string(),
  source: QualificationSource,
  code: z.number().int().nullable(),
  enhanced: z.string().nullable(),
  /** The first raw reply seen with this key. */
  firstRaw: z.string(),
  firstSeenAt: EpochMs,
  lastSeenAt: EpochMs,
  occurrences: z.number().int(),
  reason: ReasonIdSchema,
  type: FailureTypeSchema,
  bounceClass: z.number().int(),
  /** The rule that classified it (a rule id, `status:X.1.1`, `code:5xx`, `none`), or `manual` once requalified. */
  ruleId: z.string(),
  /** Why the rule decided, as the classifier said it when the reply was last qualified ('' before v8). */
  why: z.string(),
  status: QualificationStatus,
  /**
   * Requalified by an analyst: the row's reason/type/class override the rules for every future reply with
   * this key (consulted before the rule table).
   */
  manual: z.boolean(),
  updatedAt: EpochMs,
});
export type QualificationRow = z.infer<typeof QualificationRow>;

export const QualificationListInput = z.object({
  cursor: Cursor,
  limit: PageLimit,
  status: z.array(QualificationStatus).max(QUALIFICATION_STATUSES.length).optional(),
  source: QualificationSource.optional(),
  /** Case-insensitive text searched in the normalised key and the first raw reply. */
  search: z.string().max(500).optional(),
  sort: z.enum(['newest', 'frequent']).default('newest'),
});
export type QualificationListInput = z.input<typeof QualificationListInput>;

export const QualificationUpdateInput = z.object({
  id: Id,
  status: QualificationStatus,
  /** Reason, type and class applied to future replies with this key; omitted = keep the row's values. */
  reason: ReasonIdSchema.optional(),
  type: FailureTypeSchema.optional(),
  bounceClass: BounceClassSchema.optional(),
});
export type QualificationUpdateInput = z.input<typeof QualificationUpdateInput>;

// ---- stored bounce rules (SPEC §4.2) ----

export const ClassMappingRow = ClassMappingEntrySchema.extend({ bounceClass: BounceClassSchema });
export type ClassMappingRow = z.infer<typeof ClassMappingRow>;

/** The whole editable table: ordered rules (first match wins) and the class -> reason/type mapping. */
export const BounceRulesDocument = z
  .object({
    rules: z.array(BounceRuleSchema).max(2000),
    /** One entry per bounce class of SPEC §4.2. */
    classMapping: z.array(ClassMappingRow),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<number>();
    doc.classMapping.forEach((row, i) => {
      if (seen.has(row.bounceClass)) {
        ctx.addIssue({
          code: 'custom',
          path: ['classMapping', i, 'bounceClass'],
          message: `class ${row.bounceClass} is mapped twice`,
        });
      }
      seen.add(row.bounceClass);
    });
    const missing = BOUNCE_CLASS_IDS.filter((c) => !seen.has(c));
    if (missing.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['classMapping'],
        message: `missing classes: ${missing.join(', ')}`,
      });
    }
  });
export type BounceRulesDocument = z.infer<typeof BounceRulesDocument>;

export const BounceRulesState = BounceRulesDocument.safeExtend({
  /** The shipped defaults are in force (never saved, or reset). */
  isDefault: z.boolean(),
  updatedAt: EpochMs.nullable(),
});
export type BounceRulesState = z.infer<typeof BounceRulesState>;

export const BounceTestInput = z.object({
  /** A pasted SMTP reply or DSN diagnostic (`550 5.1.1 <a@example.com>: user unknown`). */
  reply: z.string().min(1).max(20_000),
  mxHost: z.string().max(255).optional(),
  command: z.enum(BOUNCE_RULE_COMMANDS).optional(),
  /**
   * An unsaved draft of the rule table to test instead of the rules in force (the console's rules tab while it
   * has changes); the result then also gives the verdict of the rules in force, to compare.
   */
  rules: z.array(BounceRuleSchema).max(2000).optional(),
});

/** How one rule table qualifies the reply. */
export const BounceTestVerdict = z.object({
  classification: z.object({
    reason: ReasonIdSchema,
    type: FailureTypeSchema,
    bounceClass: z.number().int(),
    ruleId: z.string(),
  }),
  /** Who decided: a rule of the table, an analyst's requalification of this key, or the RFC 3463 fallback. */
  decidedBy: z.enum(['rule', 'override', 'fallback']),
  /** Why, in one sentence: the rule and the words it matched, the status code and its meaning, the fallback. */
  why: z.string(),
  /** The words of the (normalised, accent-folded) reply that the deciding rule's pattern matched. */
  matched: z.string().nullable(),
  /** The matching rule (null when no rule matched). */
  rule: BounceRuleSchema.nullable(),
  /** Its position in the table (0-based), or null. */
  ruleIndex: z.number().int().nullable(),
});
export type BounceTestVerdict = z.infer<typeof BounceTestVerdict>;

export const BounceTestResult = BounceTestVerdict.extend({
  code: z.number().int().nullable(),
  enhanced: z.string().nullable(),
  normalised: z.string(),
  /** When `rules` (a draft) was tested: the verdict of the rules in force; null when they were the ones tested. */
  inForce: BounceTestVerdict.nullable().default(null),
});
export type BounceTestResult = z.infer<typeof BounceTestResult>;

// ---- inMail (SPEC §4.3) ----

export const INBOUND_MESSAGE_KINDS = ['dsn', 'arf', 'auto_reply', 'bounce_nonstandard', 'unknown'] as const;
export const InboundMessageKind = z.enum(INBOUND_MESSAGE_KINDS);
export const INBOUND_SOURCES = ['smtp', 'import', 'imap'] as const;
export const InboundSource = z.enum(INBOUND_SOURCES);

export const InboundMessageSummary = z.object({
  id: Id,
  receivedAt: EpochMs,
  source: InboundSource,
  envelopeFrom: z.string().nullable(),
  envelopeTo: z.string().nullable(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  messageId: z.string().nullable(),
  kind: InboundMessageKind,
  /** Recognised format (`rfc3464`, `rfc5965`, `exim`, `ses` ...). */
  format: z.string().nullable(),
  size: z.number().int(),
  /** The failed (complaining, auto-replying) recipients the report names; optional for older handlers. */
  recipients: z.array(z.string()).max(100).optional(),
  /** Tied to a message we sent. */
  matched: z.boolean(),
  /** How it was tied: VERP return-path, trace header, Message-ID. */
  matchedBy: z.enum(['verp', 'trace_header', 'message_id']).nullable(),
  deliveryId: Id.nullable(),
  logId: Id.nullable(),
  /** What was done, in words (`message failed: user_unknown`, `address denylisted`, `recorded only`). */
  outcome: z.string().nullable(),
  /** Why it could not be parsed or applied (the message is kept anyway). */
  error: z.string().nullable(),
});
export type InboundMessageSummary = z.infer<typeof InboundMessageSummary>;

export const InboundRecipientResult = z.object({
  recipient: z.string().nullable(),
  action: z.string().nullable(),
  status: z.string().nullable(),
  code: z.number().int().nullable(),
  diagnostic: z.string().nullable(),
  reason: ReasonIdSchema,
  type: FailureTypeSchema,
  bounceClass: z.number().int(),
  ruleId: z.string(),
  logId: Id.nullable(),
  /** What was done for this recipient. */
  applied: z.string(),
});
export type InboundRecipientResult = z.infer<typeof InboundRecipientResult>;

/**
 * A report about one message received after its SMTP attempts (a DSN, a complaint, an auto-reply), as the
 * delivery log's drawer shows it next to the attempts: `logs.attempts`'s `reports`.
 */
export const LogReport = z.object({
  /** The inbound message (inMail) that carried it. */
  inboundId: Id,
  at: EpochMs,
  kind: InboundMessageKind,
  format: z.string().nullable(),
  /** The DSN's Action (`failed`, `delayed`, `delivered` ...); null for complaints and auto-replies. */
  action: z.string().nullable(),
  /** Enhanced status code (`5.1.1`). */
  status: z.string().nullable(),
  code: z.number().int().nullable(),
  diagnostic: z.string().nullable(),
  reason: ReasonIdSchema.nullable(),
  type: FailureTypeSchema.nullable(),
  /** What it did to the message, in words (`message failed: user_unknown (hard)`, `recorded only`). */
  applied: z.string().nullable(),
});
export type LogReport = z.infer<typeof LogReport>;
/** The most reports `logs.attempts` returns for one message (the newest, in time order). */
export const LOG_REPORTS_MAX = 200;

export const INBOUND_RAW_PREVIEW_BYTES = 64 * 1024;

export const InboundMessage = InboundMessageSummary.extend({
  note: z.string().nullable(),
  recipients: z.array(InboundRecipientResult),
  /** The first 64 KB of the raw source (latin-1 decoded, so every byte shows). */
  raw: z.string(),
  rawTruncated: z.boolean(),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

export const InmailListInput = z.object({
  cursor: Cursor,
  limit: PageLimit,
  matched: z.boolean().optional(),
  kind: z.array(InboundMessageKind).max(INBOUND_MESSAGE_KINDS.length).optional(),
});

export const InmailImportInput = z.object({
  fileName: z.string().min(1).max(500),
  /** One .eml message or an .mbox file, base64. */
  contentBase64: z.string().max(400_000_000),
});

export const InmailImportResult = z.object({
  messages: z.number().int(),
  matched: z.number().int(),
  unmatched: z.number().int(),
  /** Messages already in the mailbox (same content): not stored or applied again, counted in neither above. */
  duplicates: z.number().int(),
  /** Messages that were stored but could not be parsed or applied, by their position in the file (1-based). */
  errors: z.array(z.object({ index: z.number().int(), message: z.string() })),
});
export type InmailImportResult = z.infer<typeof InmailImportResult>;

export const IMAP_STATES = ['off', 'idle', 'polling', 'error'] as const;

export const InmailStatus = z.object({
  listener: z.object({
    running: z.boolean(),
    host: z.string(),
    port: z.number().int().nullable(),
    maxSize: z.number().int(),
  }),
  imap: z.object({
    enabled: z.boolean(),
    state: z.enum(IMAP_STATES),
    lastPollAt: EpochMs.nullable(),
    lastError: z.string().nullable(),
    /** Messages fetched by the last poll. */
    lastFetched: z.number().int(),
  }),
  messages: z.number().int(),
  unmatched: z.number().int(),
});
export type InmailStatus = z.infer<typeof InmailStatus>;

const ImapFields = z.object({
  host: z.string().max(255).default(''),
  port: z.number().int().min(1).max(65535).default(993),
  tls: z.boolean().default(true),
  user: z.string().max(500).default(''),
  mailbox: z.string().min(1).max(500).default('INBOX'),
  intervalSec: z.number().int().min(30).max(86_400).default(300),
  enabled: z.boolean().default(false),
});

/** IMAP polling settings as shown: the password is write-only, only whether one is set is returned. */
export const ImapSettings = ImapFields.extend({ passwordSet: z.boolean() });
export type ImapSettings = z.infer<typeof ImapSettings>;

export const ImapSaveInput = ImapFields.extend({
  /** Omitted: keep the stored password; empty string: clear it. */
  password: z.string().max(1000).optional(),
}).superRefine((s, ctx) => {
  if (s.enabled && s.host.trim() === '')
    ctx.addIssue({ code: 'custom', path: ['host'], message: 'Host is needed to enable polling' });
  if (s.enabled && s.user.trim() === '')
    ctx.addIssue({ code: 'custom', path: ['user'], message: 'User is needed to enable polling' });
});
export type ImapSaveInput = z.input<typeof ImapSaveInput>;

// ---- quarantine (SPEC §4.4) ----

export const QUARANTINE_STATUSES = [
  'valid',
  'with_errors',
  'quarantine',
  'denylisted',
  'allowlisted',
] as const;
export const QuarantineStatus = z.enum(QUARANTINE_STATUSES);
export type QuarantineStatus = z.infer<typeof QuarantineStatus>;

export const QUARANTINE_SOURCES = ['auto', 'manual', 'import'] as const;

export const QuarantineEntry = z.object({
  /** Lower-cased address: the key. */
  address: z.string(),
  status: QuarantineStatus,
  errorCount: z.number().int(),
  lastErrorAt: EpochMs.nullable(),
  lastReason: ReasonIdSchema.nullable(),
  lastType: FailureTypeSchema.nullable(),
  quarantinedAt: EpochMs.nullable(),
  updatedAt: EpochMs,
  source: z.enum(QUARANTINE_SOURCES),
  note: z.string(),
});
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;

const Address = z
  .string()
  .trim()
  .min(3)
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, plainCheck('must be an email address (name@domain)'));

export const QuarantineListInput = z.object({
  cursor: Cursor,
  limit: PageLimit,
  status: z.array(QuarantineStatus).max(QUARANTINE_STATUSES.length).optional(),
  /** `@corp.test`: the addresses of that domain; any other text: the addresses containing it (case-insensitive). */
  search: z.string().max(254).optional(),
});

export const QuarantineImportResult = z.object({
  total: z.number().int(),
  imported: z.number().int(),
  errors: z.array(RowError),
  moreErrors: z.number().int(),
  /** How the file's bytes were decoded (absent for a list sent as text). */
  encoding: CsvEncoding.optional(),
});

export const bounceMethods = {
  'qualification.list': method(
    QualificationListInput,
    page(QualificationRow),
    'The delivery-log qualification table (normalised replies), keyset paged',
  ),
  'qualification.update': method(
    QualificationUpdateInput,
    QualificationRow,
    'Requalify a row: its status, and the reason/type/class applied to future replies with its key',
  ),
  'bounceRules.get': method(z.object({}), BounceRulesState, 'The bounce rules and class mapping in force'),
  'bounceRules.save': method(
    BounceRulesDocument,
    BounceRulesState,
    'Replace the bounce rules (checked: compile, shadowing, examples); applied at once',
  ),
  'bounceRules.reset': method(z.object({}), BounceRulesState, 'Restore the shipped bounce rules and mapping'),
  'bounceRules.test': method(
    BounceTestInput,
    BounceTestResult,
    'Classify a pasted reply with the rules in force, or with an unsaved draft of them (and the rules in force)',
  ),
  'inmail.list': method(
    InmailListInput,
    page(InboundMessageSummary),
    'Messages received on the bounce mailbox, newest first',
  ),
  'inmail.get': method(
    z.object({ id: Id }),
    InboundMessage,
    'One received message: per-recipient qualification, what was done, the start of its source',
  ),
  'inmail.import': method(
    InmailImportInput,
    InmailImportResult,
    'Import an .eml message or an .mbox file into the bounce mailbox',
  ),
  'inmail.status': method(z.object({}), InmailStatus, 'The SMTP listener and the IMAP poller'),
  'inmail.imapGet': method(
    z.object({}),
    ImapSettings,
    'IMAP polling settings (the password is never returned)',
  ),
  'inmail.imapSave': method(ImapSaveInput, ImapSettings, 'Save the IMAP polling settings; applied at once'),
  'quarantine.list': method(
    QuarantineListInput,
    page(QuarantineEntry).extend({
      counts: z.record(QuarantineStatus, z.number().int()),
    }),
    'The quarantine list, by address, keyset paged; counts per status',
  ),
  'quarantine.set': method(
    z.object({ address: Address, status: QuarantineStatus, note: z.string().max(1000).optional() }),
    QuarantineEntry,
    'Set the status of an address (manual)',
  ),
  'quarantine.remove': method(
    z.object({ address: Address }),
    z.object({ removed: z.boolean() }),
    'Forget an address (it becomes valid)',
  ),
  'quarantine.import': method(
    csvListInput('quarantine.csv'),
    QuarantineImportResult,
    'Import a CSV (address[,status][,note]); row errors with line numbers',
  ),
  'quarantine.export': method(
    z.object({ status: z.array(QuarantineStatus).max(QUARANTINE_STATUSES.length).optional() }),
    z.object({ fileName: z.string(), csv: z.string() }),
    'Export the list as CSV (UTF-8 with BOM)',
  ),
} as const;

export const bounceEvents = {
  /** Quarantine entries changed (automatic or manual). */
  'quarantine.changed': z.object({}),
  /** A message arrived on the bounce mailbox (listener, import or IMAP). */
  'inmail.received': z.object({ id: Id }),
} as const;
