/**
 * `domains`: per-domain statistics in domain order (docs/kpi.md): processed = delivered + hard + soft + other
 * failures + in progress, each with its share of processed (the shares add up to 100 %), and retrying now.
 */
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
  { key: 'failed_other', header: 'Other failures', type: 'int', width: 14 },
  { key: 'in_progress', header: 'In progress', type: 'int', width: 12 },
  { key: 'deferred_now', header: 'Retrying now', type: 'int', width: 13 },
  { key: 'delivered_rate', header: 'Delivered %', type: 'percent', width: 12 },
  { key: 'hard_rate', header: 'Hard bounces %', type: 'percent', width: 15 },
  { key: 'soft_rate', header: 'Soft bounces %', type: 'percent', width: 15 },
  { key: 'failed_other_rate', header: 'Other failures %', type: 'percent', width: 16 },
  { key: 'in_progress_rate', header: 'In progress %', type: 'percent', width: 14 },
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
            failed_other: s.failedOther,
            in_progress: s.inProgress,
            deferred_now: s.deferredNow,
            delivered_rate: s.deliveredRate,
            hard_rate: s.hardRate,
            soft_rate: s.softRate,
            failed_other_rate: s.failedOtherRate,
            in_progress_rate: s.inProgressRate,
          })),
      },
    ],
  };
}
