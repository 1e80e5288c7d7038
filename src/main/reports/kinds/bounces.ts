/**
 * `bounces`: the non-deliverables — Failed messages by failure reason and type (shares of the Failed count:
 * they add up to 100 %), failures by domain, every Failed recipient with its reason, type, bounce class and
 * last reply (keyset pages of the log); then, apart, what is not a failure: messages retried now after a soft
 * bounce, by reason, and complaints (about delivered messages). Definitions: docs/kpi.md.
 */
import type { ReasonBreakdown } from '../../../shared/contract/dashboard';
import {
  BOUNCE_CLASSES,
  FAILURE_TYPE_LABELS,
  FAILURE_TYPES,
  REASONS,
  type BounceClass,
  type FailureType,
  type ReasonId,
} from '../../../shared/domain/reasons';
import { parseId } from '../../store/deliveries-repo';
import { LOG_STATUS_LABELS } from '../../../shared/domain/statuses';
import {
  complaintRows,
  failedByDomain,
  iterateLog,
  reasonsOfStatus,
  retryingReasons,
} from '../../store/report-queries';
import type { Column, Report, Row } from '../types';
import { reportFrame, type KindContext } from './common';

export const bounceClassLabel = (c: number | null): string =>
  c === null ? '' : (BOUNCE_CLASSES[c as BounceClass] ?? '');

export const REASON_COLUMNS: readonly Column[] = [
  { key: 'reason', header: 'Reason id', type: 'text', width: 22 },
  { key: 'code', header: 'Code', type: 'int', width: 8 },
  { key: 'label', header: 'Reason', type: 'text', width: 26 },
  { key: 'type', header: 'Type', type: 'text', width: 12 },
  { key: 'messages', header: 'Messages', type: 'int', width: 12 },
  { key: 'share', header: 'Share', type: 'percent', width: 10 },
];

export interface ReasonRow extends Row {
  reason: ReasonId;
  code: number | null;
  label: string;
  type: FailureType;
  messages: number;
  share: number | null;
}

/** One row per reason and failure type, most messages first; share of `base` messages. */
export function reasonRows(breakdown: readonly ReasonBreakdown[], base: number): ReasonRow[] {
  return breakdown
    .flatMap((b) =>
      FAILURE_TYPES.flatMap((type) => {
        const messages = b.byType[type] ?? 0;
        return messages > 0
          ? [
              {
                reason: b.reason,
                code: REASONS[b.reason].code,
                label: REASONS[b.reason].label,
                type,
                messages,
                share: base > 0 ? messages / base : null,
              },
            ]
          : [];
      }),
    )
    .sort((a, b) => b.messages - a.messages);
}

export function bouncesReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  const id = parseId(d.id);
  return {
    ...reportFrame('bounces', ctx),
    sections: [
      {
        id: 'by_reason',
        title: 'Failed by reason',
        columns: REASON_COLUMNS.map((c) => (c.key === 'share' ? { ...c, header: 'Share of failed' } : c)),
        // Failed messages only: the rows add up to the Failed count, their shares to 100 %.
        rows: () => reasonRows(reasonsOfStatus(ctx.db, id, ['failed']), d.statusCounts.failed ?? 0),
      },
      {
        id: 'by_domain',
        title: 'Failed by domain',
        columns: [
          { key: 'domain', header: 'Domain', type: 'text', width: 28 },
          { key: 'failed', header: 'Failed', type: 'int', width: 10 },
          { key: 'hard', header: 'Hard bounces', type: 'int', width: 13 },
          { key: 'soft', header: 'Soft bounces', type: 'int', width: 13 },
          { key: 'other', header: 'Other failures', type: 'int', width: 14 },
          { key: 'top_reason', header: 'Main reason', type: 'text', width: 24 },
        ],
        rows: () =>
          failedByDomain(ctx.db, id).map((r): Row => ({
            domain: r.domain,
            failed: r.failed,
            hard: r.hard,
            soft: r.soft,
            other: r.failed - r.hard - r.soft,
            top_reason: r.topReason ? REASONS[r.topReason].label : null,
          })),
      },
      {
        id: 'recipients',
        title: 'Failed recipients',
        columns: [
          { key: 'email', header: 'Recipient', type: 'text', width: 32 },
          { key: 'domain', header: 'Domain', type: 'text', width: 22 },
          { key: 'reason', header: 'Reason id', type: 'text', width: 20 },
          { key: 'reason_label', header: 'Reason', type: 'text', width: 22 },
          { key: 'type', header: 'Type', type: 'text', width: 10 },
          { key: 'bounce_class', header: 'Class', type: 'int', width: 8 },
          { key: 'bounce_class_label', header: 'Bounce class', type: 'text', width: 20 },
          { key: 'attempts', header: 'Attempts', type: 'int', width: 10 },
          { key: 'last_attempt_at', header: 'Last attempt', type: 'date', width: 20 },
          { key: 'last_reply', header: 'Last reply', type: 'text', width: 70 },
          { key: 'mx_host', header: 'MX', type: 'text', width: 24 },
          { key: 'message_id', header: 'Message id', type: 'text', width: 36 },
        ],
        count: () => d.statusCounts.failed ?? 0,
        *rows() {
          for (const r of iterateLog(ctx.db, id, 'failed')) {
            yield {
              email: r.email,
              domain: r.domain,
              reason: r.reason,
              reason_label: r.reason ? REASONS[r.reason].label : '',
              type: r.failure_type ? FAILURE_TYPE_LABELS[r.failure_type] : '',
              bounce_class: r.bounce_class,
              bounce_class_label: bounceClassLabel(r.bounce_class),
              attempts: r.attempts,
              last_attempt_at: r.last_attempt_at,
              last_reply: r.last_reply,
              mx_host: r.mx_host,
              message_id: r.message_id,
            };
          }
        },
      },
      {
        id: 'retrying',
        title: 'Retrying now by reason',
        columns: REASON_COLUMNS.map((c) => (c.key === 'share' ? { ...c, header: 'Share of retrying' } : c)),
        // Not failures (yet): soft-bounced messages the MTA still retries. Counted apart from the Failed.
        rows: () => reasonRows(retryingReasons(ctx.db, id), d.kpi.softInProgress),
      },
      {
        id: 'complaints',
        title: 'Complaints',
        columns: [
          { key: 'email', header: 'Recipient', type: 'text', width: 32 },
          { key: 'domain', header: 'Domain', type: 'text', width: 22 },
          { key: 'status', header: 'Status', type: 'text', width: 24 },
          { key: 'last_reply', header: 'Report', type: 'text', width: 70 },
          { key: 'message_id', header: 'Message id', type: 'text', width: 36 },
        ],
        // A complaint is about a message that was delivered (and read): shown apart from the failures.
        rows: () =>
          complaintRows(ctx.db, id).map((r): Row => ({
            email: r.email,
            domain: r.domain,
            status: LOG_STATUS_LABELS[r.status],
            last_reply: r.last_reply,
            message_id: r.message_id,
          })),
      },
    ],
  };
}
