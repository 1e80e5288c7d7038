/**
 * Contract of the delivery reports (SPEC §7): the data of the printable report view and the export of every
 * report kind in every format. `reportMethods` is spread into `contract` (index.ts).
 */
import { z } from 'zod';
import { DeliveryHealth, DomainStats, ReasonBreakdown } from './dashboard';
import { Delivery, EpochMs, FailureTypeSchema, Id, ReasonIdSchema } from './schemas';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

/**
 * Report kinds. `log` is the per-recipient delivery log (what `relaydeck report` exported before kinds
 * existed, still its default for csv/json without `--kind`).
 */
export const REPORT_KINDS = [
  'summary',
  'bounces',
  'domains',
  'throughput',
  'events',
  'quarantine',
  'log',
] as const;
export const ReportKind = z.enum(REPORT_KINDS);
export type ReportKind = z.infer<typeof ReportKind>;

export const REPORT_KIND_LABELS: Record<ReportKind, string> = {
  summary: 'Delivery summary',
  bounces: 'Non-deliverables and bounces',
  domains: 'Per-domain statistics',
  throughput: 'Throughput per minute',
  events: 'Per-message events',
  quarantine: 'Quarantine',
  log: 'Delivery log',
};

/**
 * Whether a kind's PDF is printed on A4 landscape: the kinds whose tables are wide (failed recipients, the
 * domains' shares, events, the log, the quarantine); the summary and the throughput stay portrait. The printers
 * pass it to Chromium and the report view puts its pages in that orientation.
 */
export const REPORT_PDF_LANDSCAPE: Record<ReportKind, boolean> = {
  summary: false,
  throughput: false,
  bounces: true,
  domains: true,
  events: true,
  log: true,
  quarantine: true,
};

/** `json` is JSON lines: one object per row (the summary is one object). */
export const REPORT_FORMATS = ['csv', 'json', 'xlsx', 'pdf'] as const;
export const ReportFormat = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormat>;

export const REPORT_FORMAT_LABELS: Record<ReportFormat, string> = {
  csv: 'CSV',
  json: 'JSON lines',
  xlsx: 'Excel (XLSX)',
  pdf: 'PDF',
};

/** The largest export `reports.export` returns (bytes, before base64); larger ones: `relaydeck report`. */
export const REPORT_EXPORT_MAX_BYTES = 25 * 1024 * 1024;

// ---- building blocks ----

export const FailedRecipient = z.object({
  email: z.string(),
  domain: z.string(),
  reason: ReasonIdSchema.nullable(),
  type: FailureTypeSchema.nullable(),
  bounceClass: z.number().int().nullable(),
  lastReply: z.string().nullable(),
  attempts: z.number().int(),
  lastAttemptAt: EpochMs.nullable(),
});
export type FailedRecipient = z.infer<typeof FailedRecipient>;

/** The figures every report shares beyond the delivery's own KPIs. */
export const ReportSummary = z.object({
  generatedAt: EpochMs,
  /** From the start of relay (else creation) to completion (else the end of validity, else now). */
  period: z.object({ from: EpochMs, to: EpochMs }),
  /** Addresses of this delivery put in quarantine since it started. */
  newQuarantines: z.number().int(),
  /** The SPEC §2.2 health flags (complaints included). */
  health: DeliveryHealth,
});
export type ReportSummary = z.infer<typeof ReportSummary>;

/** How a report cell is written (CSV/JSON/XLSX) and shown (the report view). */
export const REPORT_COLUMN_TYPES = ['text', 'int', 'number', 'percent', 'date', 'bool'] as const;
export const ReportColumnType = z.enum(REPORT_COLUMN_TYPES);
export type ReportColumnType = z.infer<typeof ReportColumnType>;

/** Rows of a kind's tables in the printable view (PDF); the tabular exports have every row. */
export const REPORT_VIEW_ROW_CAP = 2_000;

export const ReportViewInput = z.object({
  deliveryId: Id,
  /** Rows of the summary's domains and failed-recipients tables. */
  top: z.number().int().min(1).max(100).default(15),
  /** The report kind the view prints; `summary` is the delivery report with charts. */
  kind: ReportKind.default('summary'),
  /** Rows of each table of a non-summary kind (the rest is counted, not sent). */
  rowCap: z.number().int().min(1).max(10_000).default(REPORT_VIEW_ROW_CAP),
});

export const ReportViewColumn = z.object({
  key: z.string(),
  header: z.string(),
  type: ReportColumnType,
});
export type ReportViewColumn = z.infer<typeof ReportViewColumn>;

export const ReportCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ReportCell = z.infer<typeof ReportCell>;

/** One table of a kind, as its builder (src/main/reports/kinds) produces it: rows as cells in column order. */
export const ReportViewSection = z.object({
  id: z.string(),
  title: z.string(),
  columns: z.array(ReportViewColumn),
  rows: z.array(z.array(ReportCell)),
  /** Every row of the table (more than `rows.length` when capped). */
  total: z.number().int(),
});
export type ReportViewSection = z.infer<typeof ReportViewSection>;

export const ReportView = z.object({
  delivery: Delivery,
  summary: ReportSummary,
  reasons: z.array(ReasonBreakdown),
  domains: z.object({ items: z.array(DomainStats), total: z.number().int() }),
  failed: z.object({ items: z.array(FailedRecipient), total: z.number().int() }),
  kind: ReportKind,
  /** The kind's tables (empty for `summary`, whose view is drawn from the fields above). */
  sections: z.array(ReportViewSection),
});
export type ReportView = z.infer<typeof ReportView>;

export const ReportExportInput = z.object({
  deliveryId: Id,
  kind: ReportKind.default('summary'),
  format: ReportFormat,
});

export const ReportFile = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  bytes: z.number().int(),
  contentBase64: z.string(),
});
export type ReportFile = z.infer<typeof ReportFile>;

export const reportMethods = {
  'reports.view': method(
    ReportViewInput,
    ReportView,
    'The printable report of a delivery: KPIs, health flags, reasons, top domains and failed recipients, and the tables of the chosen kind (capped)',
  ),
  'reports.export': method(
    ReportExportInput,
    ReportFile,
    `A report kind in CSV, JSON lines, XLSX or PDF (up to ${REPORT_EXPORT_MAX_BYTES / 1024 / 1024} MB; larger: relaydeck report)`,
  ),
} as const;
