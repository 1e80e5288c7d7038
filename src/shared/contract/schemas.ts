/** Zod schemas of the API payloads. Times are epoch ms, ids are strings, so IPC and WebSocket carry the same values. */
import { z } from 'zod';
import { templateHeaderProblems } from '../domain/message-headers';
import { plainCheck } from './plain-errors';
import { DELIVERY_STATES, LOG_STATUSES, REPORTING_MODES } from '../domain/statuses';
import { FAILURE_TYPES, REASON_IDS } from '../domain/reasons';
import { isValidMask } from '../domain/domain-mask';
import { DEFAULT_VALIDITY_MS } from '../domain/duration';
import { ENCODING_BASES, TEXT_ENCODINGS } from '../domain/text-encoding';

export const Id = z.string().regex(/^\d+$/, plainCheck('must be a numeric id (digits only)'));
export const EpochMs = z.number().int().nonnegative();
export const LogStatusSchema = z.enum(LOG_STATUSES);
export const ReportingModeSchema = z.enum(REPORTING_MODES);
export const DeliveryStateSchema = z.enum(DELIVERY_STATES);
export const FailureTypeSchema = z.enum(FAILURE_TYPES);
export const ReasonIdSchema = z.enum(REASON_IDS);

export const PAGE_LIMIT_MAX = 500;
export const PageLimit = z.number().int().min(1).max(PAGE_LIMIT_MAX).default(100);
/** Opaque keyset cursor. */
export const Cursor = z.string().max(1000).nullable().default(null);

export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    /** Cursor of the next page in the requested direction; null at the end. */
    nextCursor: z.string().nullable(),
  });
}

// ---- routes ----

export const HostPort = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
});
export type HostPort = z.infer<typeof HostPort>;

/** Where messages for a domain mask go: the built-in sandbox or an SMTP host. */
export const RouteTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sandbox') }),
  z.object({ kind: z.literal('smtp'), host: HostPort.shape.host, port: HostPort.shape.port }),
]);
export type RouteTarget = z.infer<typeof RouteTarget>;

export const Route = z.object({
  mask: z.string().refine(isValidMask, plainCheck('must be a domain or a mask like *.example.com or *')),
  target: RouteTarget,
});
export type Route = z.infer<typeof Route>;

// ---- templates ----

export const MessageTemplate = z
  .object({
    fromName: z.string().max(200).default(''),
    fromAddress: z.string().min(3).max(254),
    subject: z.string().max(998),
    text: z.string().max(5_000_000).default(''),
    html: z.string().max(5_000_000).default(''),
    /** Reply-To address (may hold `{{fields}}`). */
    replyTo: z.string().max(998).optional(),
    /** List-Unsubscribe URIs (RFC 2369); `{{fields}}` placed in them are percent-encoded. */
    listUnsubscribe: z
      .object({ mailto: z.string().max(900).optional(), https: z.string().max(900).optional() })
      .optional(),
    /** Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058); needs the https URI. */
    oneClick: z.boolean().optional(),
    /** Custom headers; not the ones the engine sets. Values may hold `{{fields}}`. */
    headers: z
      .array(z.object({ name: z.string().max(100), value: z.string().max(998) }))
      .max(50)
      .optional(),
  })
  .superRefine((t, ctx) => {
    for (const p of templateHeaderProblems(t))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
export type MessageTemplate = z.infer<typeof MessageTemplate>;

export const SavedTemplate = MessageTemplate.extend({
  id: Id,
  name: z.string(),
  createdAt: EpochMs,
});
export type SavedTemplate = z.infer<typeof SavedTemplate>;

// ---- recipients ----

export const RowError = z.object({
  line: z.number().int(),
  field: z.string().optional(),
  message: z.string(),
});
export type RowError = z.infer<typeof RowError>;

export const TextEncodingSchema = z.enum(TEXT_ENCODINGS);

/** How a CSV list given as bytes was decoded. */
export const CsvEncoding = z.object({
  /** What detection found. */
  detected: TextEncodingSchema,
  /** How: a byte order mark, valid UTF-8, plain ASCII (read as UTF-8), or the detector's guess. */
  basis: z.enum(ENCODING_BASES).exclude(['chosen']),
  /** The detector's confidence, 0–1, when the detector decided. */
  confidence: z.number().min(0).max(1).optional(),
  /** The encoding the list was read in: the detected one unless another was chosen. */
  used: TextEncodingSchema,
});
export type CsvEncoding = z.infer<typeof CsvEncoding>;

/**
 * A CSV list as sent: its text, or its bytes in base64 (a file as uploaded, decoded on the server in the
 * chosen `encoding`, or in the one detected).
 */
export function csvListInput(defaultFileName: string) {
  const fileName = z.string().max(500).default(defaultFileName);
  return z.union([
    z.object({ fileName, csv: z.string().max(200_000_000) }),
    z.object({
      fileName,
      /** The file's bytes, base64 (up to 200 MB of bytes). */
      data: z.string().max(266_666_668),
      encoding: TextEncodingSchema.optional(),
    }),
  ]);
}

export const RecipientsPreview = z.object({
  fileName: z.string(),
  columns: z.array(z.string()),
  /** The first rows, as read. */
  rows: z.array(z.record(z.string(), z.string())),
  total: z.number().int(),
  valid: z.number().int(),
  duplicates: z.number().int(),
  noAddress: z.number().int(),
  errors: z.array(RowError),
  /** Errors beyond those listed. */
  moreErrors: z.number().int(),
  /** How the list's bytes were decoded (absent for a list sent as text). */
  encoding: CsvEncoding.optional(),
});
export type RecipientsPreview = z.infer<typeof RecipientsPreview>;

export const SampleList = z.object({ id: Id, name: z.string(), fileName: z.string(), csv: z.string() });
export type SampleList = z.infer<typeof SampleList>;

// ---- deliveries ----

export const StatusCounts = z.record(LogStatusSchema, z.number().int());
export type StatusCounts = z.infer<typeof StatusCounts>;

export const Kpi = z.object({
  initialPopulation: z.number().int(),
  excluded: z.number().int(),
  toDeliver: z.number().int(),
  processed: z.number().int(),
  success: z.number().int(),
  errors: z.number().int(),
  softInProgress: z.number().int(),
  hardBounces: z.number().int(),
  softBounces: z.number().int(),
  successRate: z.number().nullable(),
  hardBounceRate: z.number().nullable(),
});
export type Kpi = z.infer<typeof Kpi>;

export const Delivery = z.object({
  id: Id,
  name: z.string(),
  state: DeliveryStateSchema,
  reporting: ReportingModeSchema,
  template: MessageTemplate,
  routes: z.array(Route),
  /** Smart host: every domain not matched by a route goes there. */
  smarthost: HostPort.nullable(),
  validityRequestedMs: z.number().int(),
  /** The validity the MTA honours (capped at 3.5 days). */
  validityMs: z.number().int(),
  validityCapped: z.boolean(),
  /** Sandbox time compression: retry delays and validity are divided by it. 1 = real time. */
  timeScale: z.number(),
  /** Recipients of one destination that may share an SMTP transaction (1 = one transaction per recipient). */
  recipientsPerTransaction: z.number().int(),
  createdAt: EpochMs,
  startedAt: EpochMs.nullable(),
  relayedAt: EpochMs.nullable(),
  stoppedAt: EpochMs.nullable(),
  completedAt: EpochMs.nullable(),
  /** When the last relayed message's validity ends; figures are final only after this (or completion). */
  validityEndsAt: EpochMs.nullable(),
  figuresFinal: z.boolean(),
  /** Messages relayed to the MTA and not yet final. */
  inMta: z.number().int(),
  statusCounts: StatusCounts,
  reasonCounts: z.record(ReasonIdSchema, z.number().int()),
  kpi: Kpi,
  importErrors: z.number().int(),
});
export type Delivery = z.infer<typeof Delivery>;

export const DeliverySummary = Delivery.omit({ template: true, routes: true, reasonCounts: true });
export type DeliverySummary = z.infer<typeof DeliverySummary>;

export const CreateDeliveryInput = z.object({
  name: z.string().trim().min(1, 'a delivery needs a name').max(200),
  template: MessageTemplate,
  recipients: csvListInput('recipients.csv'),
  routes: z.array(Route).max(500).default([]),
  smarthost: HostPort.nullable().default(null),
  validityMs: z
    .number()
    .int()
    .min(60_000)
    .max(365 * 86_400_000)
    .default(DEFAULT_VALIDITY_MS),
  reporting: ReportingModeSchema.default('efs'),
  timeScale: z.number().min(1).max(100_000).default(1),
  /**
   * Up to this many recipients of one destination share one SMTP transaction when the message is identical
   * (no per-recipient {{fields}}). 1 keeps one transaction per recipient, which per-message VERP return paths
   * and Message-IDs (asynchronous bounce matching) need.
   */
  recipientsPerTransaction: z.number().int().min(1).max(100).default(1),
  /** Start relaying right after preparation. */
  start: z.boolean().default(true),
});
export type CreateDeliveryInput = z.input<typeof CreateDeliveryInput>;

export const CreateDeliveryResult = z.object({
  delivery: Delivery,
  import: z.object({
    total: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    noAddress: z.number().int(),
    /** Excluded because the address is in quarantine / denylisted (SPEC §4.4, reasons 9 and 8). */
    quarantined: z.number().int(),
    denylisted: z.number().int(),
    errors: z.array(RowError),
    moreErrors: z.number().int(),
    /** How the list's bytes were decoded (absent for a list sent as text). */
    encoding: CsvEncoding.optional(),
  }),
});
export type CreateDeliveryResult = z.infer<typeof CreateDeliveryResult>;

// ---- delivery log ----

export const LOG_SORT_KEYS = ['id', 'email', 'status', 'lastAttemptAt', 'attempts'] as const;
export const LogSortKey = z.enum(LOG_SORT_KEYS);

export const LogFilter = z.object({
  status: z.array(LogStatusSchema).max(LOG_STATUSES.length).optional(),
  failureType: z.array(FailureTypeSchema).optional(),
  reason: z.array(ReasonIdSchema).optional(),
  domain: z.string().max(255).optional(),
  /** Address prefix (case-insensitive); `@domain` matches a whole domain. */
  search: z.string().max(254).optional(),
});
export type LogFilter = z.infer<typeof LogFilter>;

export const LogsPageInput = z.object({
  deliveryId: Id,
  filter: LogFilter.default({}),
  sort: z.object({ key: LogSortKey, dir: z.enum(['asc', 'desc']) }).default({ key: 'id', dir: 'asc' }),
  cursor: Cursor,
  limit: PageLimit,
});
export type LogsPageInput = z.input<typeof LogsPageInput>;

export const LogRow = z.object({
  id: Id,
  deliveryId: Id,
  email: z.string(),
  domain: z.string(),
  status: LogStatusSchema,
  failureType: FailureTypeSchema.nullable(),
  reason: ReasonIdSchema.nullable(),
  bounceClass: z.number().int().nullable(),
  lastReply: z.string().nullable(),
  attempts: z.number().int(),
  firstAttemptAt: EpochMs.nullable(),
  lastAttemptAt: EpochMs.nullable(),
  nextAttemptAt: EpochMs.nullable(),
  mxHost: z.string().nullable(),
  mxIp: z.string().nullable(),
  dkimDomain: z.string().nullable(),
  messageId: z.string().nullable(),
  updatedAt: EpochMs,
});
export type LogRow = z.infer<typeof LogRow>;

export const Attempt = z.object({
  id: Id,
  at: EpochMs,
  outcome: z.enum(['accepted', 'deferred', 'failed']),
  code: z.number().int().nullable(),
  enhanced: z.string().nullable(),
  text: z.string(),
  command: z.string().nullable(),
  mxHost: z.string().nullable(),
  ip: z.string().nullable(),
  tls: z.boolean(),
  durationMs: z.number().int(),
});
export type Attempt = z.infer<typeof Attempt>;

export const AppInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['ipc', 'http']),
  sandbox: z.object({
    running: z.boolean(),
    host: z.string(),
    port: z.number().int().nullable(),
    domains: z.array(z.string()),
  }),
  defaultRoute: RouteTarget.nullable(),
});
export type AppInfo = z.infer<typeof AppInfo>;
