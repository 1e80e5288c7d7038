/**
 * Contract of the delivery dashboard (SPEC §2.2): the per-domain breakdown, the bounce-reasons breakdown, the
 * health flags, and `logs.seek` (the cursor at a row position, so the log table reaches any row of a million).
 * `dashboardMethods` is spread into `contract` (index.ts).
 */
import { z } from 'zod';
import {
  Cursor,
  FailureTypeSchema,
  Id,
  LogFilter,
  LogSortKey,
  PageLimit,
  ReasonIdSchema,
  page,
} from './schemas';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

/** Rates are 0..1 of the domain's processed (relayed) messages; null before any is processed. */
export const DomainStats = z.object({
  domain: z.string(),
  /** Recipients of the list at this domain (excluded ones included; rows with no address have no domain). */
  total: z.number().int(),
  pending: z.number().int(),
  /** Relayed to the MTA: in progress + delivered + failed (docs/kpi.md). */
  processed: z.number().int(),
  /** In the MTA, no final outcome yet (Taken into account; always 0 in classic mode). */
  inProgress: z.number().int().default(0),
  /** Sent: delivered (EFS) or relayed and not failed (classic), like the Success KPI. */
  delivered: z.number().int(),
  /** Failed: hard + soft + other failures. */
  failed: z.number().int(),
  /** Failed with a hard failure type. */
  hard: z.number().int(),
  /** Soft bounces: Failed with a soft failure type. A message delivered after a retry is not one. */
  soft: z.number().int(),
  /** Failed with another type (ignored, e.g. message too large; not defined). */
  failedOther: z.number().int().default(0),
  /** Retrying now: in the MTA, waiting for a retry after a soft bounce (part of in progress in EFS mode). */
  deferredNow: z.number().int(),
  ignored: z.number().int(),
  cancelled: z.number().int(),
  /** (Defaults: simulations stored before these fields.) Shares of processed: in progress + delivered + hard + soft + other failed = 100 %. */
  inProgressRate: z.number().nullable().default(null),
  deliveredRate: z.number().nullable(),
  hardRate: z.number().nullable(),
  softRate: z.number().nullable(),
  failedOtherRate: z.number().nullable().default(null),
  /** Soft bounces above 10 % of the processed messages (SPEC §2.2). */
  softAlert: z.boolean(),
});
export type DomainStats = z.infer<typeof DomainStats>;

export const DOMAIN_SORTS = ['volume', 'domain'] as const;
export const DomainSort = z.enum(DOMAIN_SORTS);
export type DomainSort = z.infer<typeof DomainSort>;

export const DomainsPageInput = z.object({
  deliveryId: Id,
  /** `volume`: most messages first; `domain`: alphabetical. */
  sort: DomainSort.default('volume'),
  /** Domain prefix (case-insensitive). */
  search: z.string().max(255).optional(),
  cursor: Cursor,
  limit: PageLimit,
});
export type DomainsPageInput = z.input<typeof DomainsPageInput>;

export const ReasonBreakdown = z.object({
  reason: ReasonIdSchema,
  /** Messages with this reason now, by failure type. */
  byType: z.record(FailureTypeSchema, z.number().int()),
  total: z.number().int(),
});
export type ReasonBreakdown = z.infer<typeof ReasonBreakdown>;

const RateCheck = z.object({
  rate: z.number().nullable(),
  threshold: z.number(),
  alert: z.boolean(),
});

export const DeliveryHealth = z.object({
  /** Hard bounces / processed (alert at >= 2 %). */
  hardBounces: RateCheck.extend({ count: z.number().int(), base: z.number().int() }),
  /** Complaints / delivered (alert at >= 0.1 %). */
  complaints: RateCheck.extend({ count: z.number().int(), base: z.number().int() }),
  /** Domains whose soft bounces exceed 10 % of their processed messages. */
  domainSoftBounces: z.object({
    threshold: z.number(),
    alert: z.boolean(),
    /** How many domains are over the threshold. */
    count: z.number().int(),
    /** The largest of them (by processed messages), at most 5. */
    worst: z.array(
      z.object({ domain: z.string(), soft: z.number().int(), processed: z.number().int(), rate: z.number() }),
    ),
  }),
});
export type DeliveryHealth = z.infer<typeof DeliveryHealth>;

export const LogsSeekInput = z.object({
  deliveryId: Id,
  filter: LogFilter.default({}),
  sort: z.object({ key: LogSortKey, dir: z.enum(['asc', 'desc']) }).default({ key: 'id', dir: 'asc' }),
  /** 0-based row index in the filtered, sorted log. Clamped to the last row. */
  position: z.number().int().nonnegative(),
});
export type LogsSeekInput = z.input<typeof LogsSeekInput>;

export const LogsSeekResult = z.object({
  /** The `logs.page` cursor whose page starts at `position` (null = the first row). */
  cursor: z.string().nullable(),
  /** The position the cursor starts at (the requested one, clamped; approximate when `exact` is false). */
  position: z.number().int(),
  /** False when the position was estimated (middle of a large filtered log; see docs/benchmarks.md). */
  exact: z.boolean(),
  total: z.number().int(),
});
export type LogsSeekResult = z.infer<typeof LogsSeekResult>;

export const dashboardMethods = {
  'deliveries.domains': method(
    DomainsPageInput,
    page(DomainStats).extend({ total: z.number().int() }),
    'Per-domain breakdown of a delivery (processed, delivered, hard, soft, deferred now, rates), keyset paged',
  ),
  'deliveries.reasons': method(
    z.object({ deliveryId: Id }),
    z.object({ items: z.array(ReasonBreakdown) }),
    'Messages by failure reason and type (bounce-reasons breakdown)',
  ),
  'deliveries.health': method(
    z.object({ deliveryId: Id }),
    DeliveryHealth,
    'Health flags of SPEC §2.2: hard bounces, soft bounces per domain, complaints',
  ),
  'logs.seek': method(
    LogsSeekInput,
    LogsSeekResult,
    'The logs.page cursor at a row position of the filtered, sorted log (scrollbar drag, End key)',
  ),
} as const;
