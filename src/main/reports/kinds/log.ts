/** `log`: the per-recipient delivery log (every row, every SPEC §2 field), in log order. */
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { LOG_STATUS_LABELS } from '../../../shared/domain/statuses';
import { parseId } from '../../store/deliveries-repo';
import { iterateLog } from '../../store/report-queries';
import type { Column, Report } from '../types';
import { reportFrame, type KindContext } from './common';

/** The column order of the delivery-log CSV since its first version (kept stable). */
export const LOG_COLUMNS: readonly Column[] = [
  { key: 'email', header: 'Recipient', type: 'text', width: 32 },
  { key: 'status', header: 'Status id', type: 'text', width: 18 },
  { key: 'status_label', header: 'Status', type: 'text', width: 24 },
  { key: 'failure_type', header: 'Failure type', type: 'text', width: 12 },
  { key: 'reason', header: 'Reason', type: 'text', width: 20 },
  { key: 'reason_code', header: 'Reason code', type: 'int', width: 12 },
  { key: 'bounce_class', header: 'Bounce class', type: 'int', width: 12 },
  { key: 'attempts', header: 'Attempts', type: 'int', width: 10 },
  { key: 'first_attempt_at', header: 'First attempt', type: 'date', width: 20 },
  { key: 'last_attempt_at', header: 'Last attempt', type: 'date', width: 20 },
  { key: 'last_reply', header: 'Last reply', type: 'text', width: 60 },
  { key: 'mx_host', header: 'MX', type: 'text', width: 24 },
  { key: 'message_id', header: 'Message id', type: 'text', width: 36 },
];

export function logReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  return {
    ...reportFrame('log', ctx),
    sections: [
      {
        id: 'log',
        title: 'Delivery log',
        columns: LOG_COLUMNS,
        count: () => Object.values(d.statusCounts).reduce((a, n) => a + (n ?? 0), 0),
        *rows() {
          for (const r of iterateLog(ctx.db, parseId(d.id))) {
            yield {
              email: r.email,
              status: r.status,
              status_label: LOG_STATUS_LABELS[r.status],
              failure_type: r.failure_type ? FAILURE_TYPE_LABELS[r.failure_type] : '',
              reason: r.reason ?? '',
              reason_code: r.reason ? REASONS[r.reason].code : null,
              bounce_class: r.bounce_class,
              attempts: r.attempts,
              first_attempt_at: r.first_attempt_at,
              last_attempt_at: r.last_attempt_at,
              last_reply: r.last_reply ?? '',
              mx_host: r.mx_host ?? '',
              message_id: r.message_id ?? '',
            };
          }
        },
      },
    ],
  };
}
