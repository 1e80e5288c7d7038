/** `domains`: per-domain statistics (processed, delivered, hard, soft, deferred now, rates), in domain order. */
import { parseId } from '../../store/deliveries-repo';
import { listDeliveryDomains } from '../../store/domains-repo';
import type { Column, Report } from '../types';
import { reportFrame, type KindContext } from './common';

export const DOMAIN_COLUMNS: readonly Column[] = [
  { key: 'domain', header: 'Domain', type: 'text', width: 28 },
  { key: 'total', header: 'Recipients', type: 'int', width: 12 },
  { key: 'processed', header: 'Processed', type: 'int', width: 12 },
  { key: 'delivered', header: 'Delivered', type: 'int', width: 12 },
  { key: 'hard', header: 'Hard bounces', type: 'int', width: 13 },
  { key: 'soft', header: 'Soft bounces', type: 'int', width: 13 },
  { key: 'deferred_now', header: 'Deferred now', type: 'int', width: 13 },
  { key: 'delivered_rate', header: 'Delivered %', type: 'percent', width: 12 },
  { key: 'hard_rate', header: 'Hard %', type: 'percent', width: 10 },
  { key: 'soft_rate', header: 'Soft %', type: 'percent', width: 10 },
];

export function domainsReport(ctx: KindContext): Report {
  const d = ctx.delivery;
  return {
    ...reportFrame('domains', ctx),
    sections: [
      {
        id: 'domains',
        title: 'Domains',
        columns: DOMAIN_COLUMNS,
        // Collected first: the repository streams from an open statement, and writers await between rows
        // (the connection must stay free for the engine). A delivery has far fewer domains than messages.
        rows: () =>
          [...listDeliveryDomains(ctx.db, parseId(d.id))].map((s) => ({
            domain: s.domain,
            total: s.total,
            processed: s.processed,
            delivered: s.delivered,
            hard: s.hard,
            soft: s.soft,
            deferred_now: s.deferredNow,
            delivered_rate: s.deliveredRate,
            hard_rate: s.hardRate,
            soft_rate: s.softRate,
          })),
      },
    ],
  };
}
