/**
 * The one place where SQLite rows become contract objects: INTEGER ids become strings, JSON columns are
 * parsed, counters become status counts and KPIs.
 */
import {
  HostPort,
  MessageTemplate,
  Route,
  type Attempt,
  type Delivery,
  type DeliverySummary,
  type LogRow,
  type SampleList,
  type SavedTemplate,
} from '../../shared/contract/schemas';
import { computeKpi, emptyStatusCounts } from '../../shared/domain/kpi';
import { REASON_IDS, type FailureType, type ReasonId } from '../../shared/domain/reasons';
import {
  LOG_STATUSES,
  type DeliveryState,
  type LogStatus,
  type ReportingMode,
} from '../../shared/domain/statuses';
import { STATUS_COLUMN } from './counters';

export interface DeliveryRow {
  id: number;
  name: string;
  state: DeliveryState;
  reporting: ReportingMode;
  template_json: string;
  routes_json: string;
  smarthost_json: string | null;
  validity_requested_ms: number;
  validity_ms: number;
  time_scale: number;
  recipients_per_transaction: number;
  created_at: number;
  started_at: number | null;
  relayed_at: number | null;
  stopped_at: number | null;
  completed_at: number | null;
  last_relay_at: number | null;
  n_initial: number;
  n_pending: number;
  n_taken: number;
  n_sent: number;
  n_failed: number;
  n_ignored: number;
  n_cancelled: number;
  n_success: number;
  n_hard: number;
  n_soft: number;
  n_soft_in_progress: number;
  /** Failed with a soft type (migration 15): the "soft bounces" of docs/kpi.md. */
  n_soft_failed: number;
  n_in_mta: number;
  n_import_errors: number;
}

export interface LogDbRow {
  id: number;
  delivery_id: number;
  line: number;
  email: string;
  addr_key: string;
  domain: string;
  fields_json: string;
  status: LogStatus;
  failure_type: FailureType | null;
  reason: ReasonId | null;
  bounce_class: number | null;
  last_reply: string | null;
  attempts: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  mx_host: string | null;
  mx_ip: string | null;
  dkim_domain: string | null;
  message_id: string | null;
  relayed_at: number | null;
  updated_at: number;
  /** From a LEFT JOIN on the queue: when the message is next due, if still queued. */
  next_attempt_at?: number | null;
}

export interface AttemptDbRow {
  id: number;
  log_id: number;
  at: number;
  outcome: Attempt['outcome'];
  code: number | null;
  enhanced: string | null;
  text: string;
  command: string | null;
  mx_host: string | null;
  ip: string | null;
  tls: number;
  duration_ms: number;
}

export interface TemplateRow {
  id: number;
  name: string;
  from_name: string;
  from_address: string;
  subject: string;
  text: string;
  html: string;
  /** Fields without a column of their own (migration 16), a JSON object. */
  extra_json?: string;
  created_at: number;
}

export interface RecipientListRow {
  id: number;
  name: string;
  file_name: string;
  csv: string;
  created_at: number;
}

export function statusCountsOf(row: DeliveryRow): Record<LogStatus, number> {
  const counts = emptyStatusCounts();
  for (const status of LOG_STATUSES)
    counts[status] = row[STATUS_COLUMN[status] as keyof DeliveryRow] as number;
  return counts;
}

/** When the validity of the last relayed message ends (delivery time, compressed by the time scale). */
export function validityEndsAt(row: DeliveryRow): number | null {
  return row.last_relay_at === null ? null : Math.round(row.last_relay_at + row.validity_ms / row.time_scale);
}

export function toDeliverySummary(row: DeliveryRow, now: number): DeliverySummary {
  const status = statusCountsOf(row);
  const endsAt = validityEndsAt(row);
  return {
    id: String(row.id),
    name: row.name,
    state: row.state,
    reporting: row.reporting,
    smarthost: row.smarthost_json === null ? null : HostPort.parse(JSON.parse(row.smarthost_json)),
    validityRequestedMs: row.validity_requested_ms,
    validityMs: row.validity_ms,
    validityCapped: row.validity_ms < row.validity_requested_ms,
    timeScale: row.time_scale,
    recipientsPerTransaction: row.recipients_per_transaction,
    createdAt: row.created_at,
    startedAt: row.started_at,
    relayedAt: row.relayed_at,
    stoppedAt: row.stopped_at,
    completedAt: row.completed_at,
    validityEndsAt: endsAt,
    figuresFinal: row.completed_at !== null || (endsAt !== null && now >= endsAt),
    inMta: row.n_in_mta,
    statusCounts: status,
    kpi: computeKpi({
      initial: row.n_initial,
      status,
      success: row.n_success,
      hardBounces: row.n_hard,
      softBounces: row.n_soft_failed,
      softInProgress: row.n_soft_in_progress,
    }),
    importErrors: row.n_import_errors,
  };
}

export function toDelivery(
  row: DeliveryRow,
  reasonCounts: Partial<Record<ReasonId, number>>,
  now: number,
): Delivery {
  return {
    ...toDeliverySummary(row, now),
    template: MessageTemplate.parse(JSON.parse(row.template_json)),
    routes: Route.array().parse(JSON.parse(row.routes_json)),
    reasonCounts: fullReasonCounts(reasonCounts),
  };
}

export function fullReasonCounts(partial: Partial<Record<ReasonId, number>>): Record<ReasonId, number> {
  return Object.fromEntries(REASON_IDS.map((r) => [r, partial[r] ?? 0])) as Record<ReasonId, number>;
}

export function toLogRow(row: LogDbRow): LogRow {
  return {
    id: String(row.id),
    deliveryId: String(row.delivery_id),
    email: row.email,
    domain: row.domain,
    status: row.status,
    failureType: row.failure_type,
    reason: row.reason,
    bounceClass: row.bounce_class,
    lastReply: row.last_reply,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at ?? null,
    mxHost: row.mx_host,
    mxIp: row.mx_ip,
    dkimDomain: row.dkim_domain,
    messageId: row.message_id,
    updatedAt: row.updated_at,
  };
}

export function toAttempt(row: AttemptDbRow): Attempt {
  return {
    id: String(row.id),
    at: row.at,
    outcome: row.outcome,
    code: row.code,
    enhanced: row.enhanced,
    text: row.text,
    command: row.command,
    mxHost: row.mx_host,
    ip: row.ip,
    tls: row.tls !== 0,
    durationMs: row.duration_ms,
  };
}

export function toSavedTemplate(row: TemplateRow): SavedTemplate {
  let extra: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.extra_json ?? '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      extra = parsed as Record<string, unknown>;
  } catch {
    // A damaged extra_json loses only the fields it held; the columns are the template.
  }
  return {
    ...extra,
    id: String(row.id),
    name: row.name,
    fromName: row.from_name,
    fromAddress: row.from_address,
    subject: row.subject,
    text: row.text,
    html: row.html,
    createdAt: row.created_at,
  };
}

export function toSampleList(row: RecipientListRow): SampleList {
  return { id: String(row.id), name: row.name, fileName: row.file_name, csv: row.csv };
}
