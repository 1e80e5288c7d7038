/**
 * THE typed API. Every method is `area.verb` with an input and an output schema; both transports (Electron
 * IPC and HTTP/WebSocket) serve exactly this map, and IPC channel names are derived from its keys.
 */
import { z } from 'zod';
import {
  AppInfo,
  Attempt,
  CreateDeliveryResult,
  Cursor,
  Delivery,
  EpochMs,
  DeliverySummary,
  Id,
  LogRow,
  LogsPageInput,
  PageLimit,
  RecipientsPreview,
  SampleList,
  SavedTemplate,
  csvListInput,
  page,
} from './schemas';
import {
  DestinationDay,
  DestinationState,
  DkimGenerateInput,
  DkimImportInput,
  DkimKey,
  DkimSigning,
  RulesDocument,
  ShapingEvent,
  ThroughputPoint,
} from './mta';
import { bounceEvents, bounceMethods, LOG_REPORTS_MAX, LogReport } from './bounce';
import { dashboardMethods } from './dashboard';
import { DeliveriesListInput } from './deliveries-list';
import { reportMethods } from './reports';
import { simulationEvents, simulationMethods } from './simulation';
import { messageMethods } from './message';
import { analysisMethods, CreateDeliveryWithAnalysisInput } from './analysis';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

const ById = z.object({ id: Id });

export const contract = {
  'app.info': method(z.object({}), AppInfo, 'Version, data directory, sandbox and default route'),

  'deliveries.list': method(
    DeliveriesListInput,
    page(DeliverySummary),
    'Deliveries: search, filters (state, reporting mode, route, creation dates) and sort, keyset paged',
  ),
  'deliveries.get': method(ById, Delivery, 'One delivery with its counters and KPIs'),
  'deliveries.create': method(
    CreateDeliveryWithAnalysisInput,
    CreateDeliveryResult,
    'Create a delivery from a template and a CSV list, prepare it and (by default) start relaying',
  ),
  'deliveries.start': method(ById, Delivery, 'Start relaying a prepared delivery'),
  'deliveries.pause': method(ById, Delivery, 'Pause relay; messages already relayed continue'),
  'deliveries.resume': method(ById, Delivery, 'Resume relay'),
  'deliveries.stop': method(
    ById,
    Delivery,
    'Stop: cancel messages not yet relayed; relayed messages continue to their outcome',
  ),

  'recipients.preview': method(
    csvListInput('recipients.csv'),
    RecipientsPreview,
    'Parse a CSV recipient list: columns, first rows, row errors with line numbers',
  ),

  'logs.page': method(
    LogsPageInput,
    page(LogRow).extend({ total: z.number().int() }),
    'Delivery log, keyset paged',
  ),
  'logs.attempts': method(
    z.object({ logId: Id }),
    z.object({ items: z.array(Attempt), reports: z.array(LogReport).max(LOG_REPORTS_MAX) }),
    'Every attempt of one message, and the reports received about it later (DSN, complaint, auto-reply)',
  ),

  'templates.list': method(
    z.object({}),
    z.object({ items: z.array(SavedTemplate) }),
    'Saved message templates',
  ),
  'samples.lists': method(
    z.object({}),
    z.object({ items: z.array(SampleList) }),
    'Saved recipient lists (demo)',
  ),

  // ---- MTA side (SPEC §5-§7) ----
  'rules.get': method(
    z.object({}),
    RulesDocument,
    'MX rules, automation rules and adaptive settings in force',
  ),
  'rules.save': method(RulesDocument, RulesDocument, 'Replace the rules; applied at once, without restart'),
  'rules.reset': method(z.object({}), RulesDocument, 'Restore the shipped default rules'),
  'destinations.list': method(
    z.object({}),
    z.object({ at: EpochMs, items: z.array(DestinationState) }),
    'State of every destination: live for those the engine knows, from the store (learnt limits, history) for the others',
  ),
  'destinations.history': method(
    z.object({
      destination: z.string().min(1).max(500),
      days: z.number().int().min(1).max(400).default(30),
    }),
    z.object({
      /** The window read, UTC days (YYYY-MM-DD), `days` days up to today included. */
      from: z.string(),
      to: z.string(),
      /** Days with traffic in the window, oldest first (days without traffic have no item). */
      items: z.array(DestinationDay),
    }),
    "A destination's reputation history per UTC day: answers received and the limits in force",
  ),
  'shaping.events': method(
    z.object({ cursor: Cursor, limit: PageLimit, destination: z.string().max(500).optional() }),
    page(ShapingEvent),
    'Automatic changes (slow-downs, suspensions, raises) with their causes, newest first',
  ),
  'throughput.series': method(
    z.object({
      deliveryId: Id.optional(),
      destination: z.string().max(500).optional(),
      from: EpochMs.optional(),
      to: EpochMs.optional(),
    }),
    z.object({ points: z.array(ThroughputPoint) }),
    'Per-minute relay and delivery counts (accepted, deferred, bounced)',
  ),
  'dkim.list': method(
    z.object({}),
    z.object({ items: z.array(DkimKey) }),
    'DKIM keys with their DNS TXT records',
  ),
  'dkim.generate': method(DkimGenerateInput, DkimKey, 'Generate a DKIM key for a domain and selector'),
  'dkim.import': method(DkimImportInput, DkimKey, 'Import a PEM private key for a domain and selector'),
  'dkim.setEnabled': method(z.object({ id: Id, enabled: z.boolean() }), DkimKey, 'Enable or disable a key'),
  'dkim.remove': method(ById, z.object({ removed: z.boolean() }), 'Delete a key and its private key file'),
  'dkim.signing': method(
    z.object({ deliveryId: Id }),
    DkimSigning,
    "Which domain's DKIM keys sign a delivery's messages now, and why",
  ),

  // ---- bounce side (SPEC §4.2-§4.4) ----
  ...bounceMethods,

  // ---- delivery dashboard (SPEC §2.2) ----
  ...dashboardMethods,

  // ---- reports (SPEC §7) ----
  ...reportMethods,

  // ---- campaign simulator: provider profiles and simulations (SPEC §8) ----
  ...simulationMethods,

  // ---- the message itself: viewer, proofs, saved templates (issue 14 point 10) ----
  ...messageMethods,

  // ---- the pre-send delivery analysis (SPEC §5, issue 15) ----
  ...analysisMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** Push events: invalidations, never snapshots. The renderer refetches what it shows. */
export const events = {
  /** A delivery's state or counters changed (also signals the delivery list). */
  'delivery.changed': z.object({ id: Id }),
  /** Rows of a delivery's log changed. */
  'logs.changed': z.object({ deliveryId: Id }),
  ...bounceEvents,
  ...simulationEvents,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** IPC channel names, derived from the contract (never typed by hand). */
export const ipcChannel = (method: MethodName): string => `relaydeck:rpc:${method}`;
export const IPC_EVENT_CHANNEL = 'relaydeck:event';

/** What a handler knows about the caller. */
export interface CallContext {
  transport: 'ipc' | 'http';
}

/** Implementation of the contract on the main side. Handlers receive validated input. */
export type Handlers = {
  [M in MethodName]: (
    input: MethodParsedInput<M>,
    ctx: CallContext,
  ) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export * from './schemas';
export * from './errors';
export * from './mta';
export * from './bounce';
export * from './dashboard';
export * from './deliveries-list';
export * from './reports';
export * from './simulation';
export * from './message';
export * from './analysis';
