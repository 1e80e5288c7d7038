/** `throughput`: per-minute relay and delivery counts (SPEC §7), from the throughput series. */
import { throughputSeries } from '../../store/throughput-repo';
import type { Report } from '../types';
import { reportFrame, type KindContext } from './common';

export function throughputReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  return {
    ...reportFrame('throughput', ctx),
    sections: [
      {
        id: 'throughput',
        title: 'Throughput',
        columns: [
          { key: 'minute', header: 'Minute', type: 'date', width: 20 },
          { key: 'relayed', header: 'Relayed', type: 'int', width: 10 },
          { key: 'accepted', header: 'Accepted', type: 'int', width: 10 },
          { key: 'deferred', header: 'Deferred', type: 'int', width: 10 },
          { key: 'bounced', header: 'Bounced', type: 'int', width: 10 },
        ],
        rows: () =>
          throughputSeries(ctx.db, { deliveryId: d.id }).map((p) => ({
            minute: p.minute,
            relayed: p.relayed,
            accepted: p.accepted,
            deferred: p.deferred,
            bounced: p.bounced,
          })),
      },
    ],
  };
}
