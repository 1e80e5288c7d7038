/**
 * `quarantine`: the quarantine list entries (quarantine, with errors, denylisted, allowlisted) of the
 * delivery's recipients, with whether the delivery put them there.
 */
import { FAILURE_TYPE_LABELS } from '../../../shared/domain/reasons';
import { parseId } from '../../store/deliveries-repo';
import { quarantineOfDelivery } from '../../store/report-queries';
import type { Report } from '../types';
import { reportFrame, type KindContext } from './common';
import { reportPeriod } from '../summary-data';

export function quarantineReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  const since = reportPeriod(d, ctx.now).from;
  return {
    ...reportFrame('quarantine', ctx),
    sections: [
      {
        id: 'quarantine',
        title: 'Quarantine',
        columns: [
          { key: 'address', header: 'Address', type: 'text', width: 34 },
          { key: 'status', header: 'Status', type: 'text', width: 14 },
          { key: 'errors', header: 'Errors', type: 'int', width: 8 },
          { key: 'last_error_at', header: 'Last error', type: 'date', width: 20 },
          { key: 'last_reason', header: 'Last reason', type: 'text', width: 20 },
          { key: 'last_type', header: 'Type', type: 'text', width: 10 },
          { key: 'since', header: 'In quarantine since', type: 'date', width: 20 },
          { key: 'by_this_delivery', header: 'By this delivery', type: 'bool', width: 16 },
          { key: 'source', header: 'Source', type: 'text', width: 10 },
          { key: 'note', header: 'Note', type: 'text', width: 30 },
        ],
        *rows() {
          for (const e of quarantineOfDelivery(ctx.db, parseId(d.id), since)) {
            yield {
              address: e.address,
              status: e.status,
              errors: e.errorCount,
              last_error_at: e.lastErrorAt,
              last_reason: e.lastReason,
              last_type: e.lastType ? FAILURE_TYPE_LABELS[e.lastType] : null,
              since: e.quarantinedAt,
              by_this_delivery: e.sinceDelivery,
              source: e.source,
              note: e.note,
            };
          }
        },
      },
    ],
  };
}
