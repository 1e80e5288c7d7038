/**
 * The deliveries list's query (issue 14): search, filters and sort, keyset paged for every sort. Kept apart
 * from index.ts so the list's options live in one place for the handler, the store and the console.
 */
import { z } from 'zod';
import { DELIVERY_STATES } from '../domain/statuses';
import { Cursor, DeliveryStateSchema, EpochMs, PageLimit, ReportingModeSchema } from './schemas';

/** Sort keys: creation time, name (case-insensitive), success rate, messages to deliver. */
export const DELIVERY_SORTS = ['created', 'name', 'success', 'recipients'] as const;
export type DeliverySort = (typeof DELIVERY_SORTS)[number];
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/**
 * Where a delivery's messages go. `sandbox`: every message goes to the built-in sandbox (its routes all
 * target the sandbox, with a catch-all `*` route or a default route to the sandbox, and no smart host);
 * `real`: some messages may reach real servers (a smart host, an SMTP route, or MX lookup).
 */
export const DELIVERY_ROUTE_KINDS = ['sandbox', 'real'] as const;
export type DeliveryRouteKind = (typeof DELIVERY_ROUTE_KINDS)[number];

export const DeliveriesListInput = z
  .object({
    cursor: Cursor,
    limit: PageLimit,
    state: z.array(DeliveryStateSchema).max(DELIVERY_STATES.length).optional(),
    /** Part of the name, the From address or name, or the subject (case-insensitive); or a delivery id. */
    search: z.string().max(500).optional(),
    reporting: ReportingModeSchema.optional(),
    route: z.enum(DELIVERY_ROUTE_KINDS).optional(),
    /** Created at or after (epoch ms). */
    createdFrom: EpochMs.optional(),
    /** Created before (epoch ms, excluded). */
    createdTo: EpochMs.optional(),
    /** Default: created. */
    sort: z.enum(DELIVERY_SORTS).optional(),
    /** Default: desc (newest, highest, Z first). */
    dir: z.enum(SORT_DIRECTIONS).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.createdFrom !== undefined && q.createdTo !== undefined && q.createdTo <= q.createdFrom)
      ctx.addIssue({
        code: 'custom',
        path: ['createdTo'],
        message: 'the end of the date range must come after its start',
      });
  });
export type DeliveriesListInput = z.input<typeof DeliveriesListInput>;
export type DeliveriesListQuery = z.output<typeof DeliveriesListInput>;
