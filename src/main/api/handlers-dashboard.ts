/**
 * Handlers of the delivery dashboard (SPEC §2.2): per-domain breakdown, bounce-reasons breakdown, health
 * flags, and the log seek that lets the table reach any row. Every answer comes from counter tables or an
 * index; none counts over the log on the request path (see test/integration/dashboard-*.test.ts).
 */
import type { Handlers } from '../../shared/contract';
import { parseId, requireDeliveryRow } from '../store/deliveries-repo';
import { deliveryHealth, domainsPage, reasonBreakdown } from '../store/domains-repo';
import { logsSeek } from '../store/log-repo';
import type { HandlerDeps } from './handler-deps';

type DashboardMethods = 'deliveries.domains' | 'deliveries.reasons' | 'deliveries.health' | 'logs.seek';

export function createDashboardHandlers(deps: HandlerDeps): Pick<Handlers, DashboardMethods> {
  const { db } = deps;
  /** The delivery's row (not_found when it does not exist). */
  const delivery = (id: string) => requireDeliveryRow(db, parseId(id));

  return {
    'deliveries.domains': (input) => {
      const { id } = delivery(input.deliveryId);
      return domainsPage(db, { ...input, deliveryId: id });
    },
    'deliveries.reasons': (input) => ({ items: reasonBreakdown(db, delivery(input.deliveryId).id) }),
    'deliveries.health': (input) => deliveryHealth(db, delivery(input.deliveryId).id),
    'logs.seek': (input) => {
      const row = delivery(input.deliveryId);
      return logsSeek(db, { ...input, deliveryId: row.id }, row);
    },
  };
}
