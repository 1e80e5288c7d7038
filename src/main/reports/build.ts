/** Builds a report of any kind for a delivery (rows are produced lazily, when a writer reads them). */
import type { ReportKind } from '../../shared/contract/reports';
import type { Db } from '../store/db';
import { getDelivery, parseId } from '../store/deliveries-repo';
import { bouncesReport } from './kinds/bounces';
import type { KindContext } from './kinds/common';
import { domainsReport } from './kinds/domains';
import { eventsReport } from './kinds/events';
import { logReport } from './kinds/log';
import { quarantineReport } from './kinds/quarantine';
import { summaryReport } from './kinds/summary';
import { throughputReport } from './kinds/throughput';
import type { Report } from './types';

export function buildReport(db: Db, deliveryId: string, kind: ReportKind, now: number): Report {
  const ctx: KindContext = { db, delivery: getDelivery(db, parseId(deliveryId), now), now };
  switch (kind) {
    case 'summary':
      return summaryReport(ctx);
    case 'bounces':
      return bouncesReport(ctx);
    case 'domains':
      return domainsReport(ctx);
    case 'throughput':
      return throughputReport(ctx);
    case 'events':
      return eventsReport(ctx);
    case 'quarantine':
      return quarantineReport(ctx);
    case 'log':
      return logReport(ctx);
  }
}
