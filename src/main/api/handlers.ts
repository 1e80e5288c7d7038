/**
 * Implementation of every method of the contract. Handlers receive input already validated by the dispatcher
 * (`dispatch.ts`) and return contract objects; failures are `AppError`s with a registry code.
 */
import { AppError } from '../../shared/contract/errors';
import type { Handlers } from '../../shared/contract';
import { previewRecipientsOffThread } from '../campaign/csv-off-thread';
import { getDelivery, listDeliveries, parseId, requireDeliveryRow } from '../store/deliveries-repo';
import { listRecipientLists } from '../store/lists-repo';
import { reportsForLogRow } from '../store/inbound-repo';
import { listAttempts, logRowDelivery, logsPage } from '../store/log-repo';
import { getSetting } from '../store/settings-repo';
import { listTemplates } from '../store/templates-repo';
import type { HandlerDeps } from './handler-deps';
import { createBounceHandlers } from './handlers-bounce';
import { createDashboardHandlers } from './handlers-dashboard';
import { createDkimHandlers } from './handlers-dkim';
import { createMessageHandlers } from './handlers-message';
import { createMtaHandlers } from './handlers-mta';
import { createReportHandlers } from './handlers-reports';
import { createSimulationHandlers } from './handlers-simulation';
import { checkAnalysisAcknowledged, createAnalysisHandlers, recordAnalysis } from './handlers-analysis';

export function createHandlers(deps: HandlerDeps): Handlers {
  const { db, sandbox, clock, campaign } = deps;

  const act = (id: string, action: 'start' | 'pause' | 'resume' | 'stop') => {
    const deliveryId = parseId(id);
    campaign.act(deliveryId, action);
    return getDelivery(db, deliveryId, clock.now());
  };

  const handlers: Handlers = {
    'app.info': (_input, ctx) => ({
      version: deps.version,
      dataDir: deps.dataDir,
      transport: ctx.transport,
      sandbox: sandbox
        ? { running: true, host: sandbox.host, port: sandbox.port, domains: sandbox.domains }
        : { running: false, host: '127.0.0.1', port: null, domains: [] },
      defaultRoute: getSetting(db, 'defaultRoute') ?? null,
    }),

    'deliveries.list': (input) =>
      listDeliveries(
        db,
        { ...input, defaultSandbox: getSetting(db, 'defaultRoute')?.kind === 'sandbox' },
        clock.now(),
      ),
    'deliveries.get': (input) => getDelivery(db, parseId(input.id), clock.now()),
    'deliveries.create': async (input) => {
      checkAnalysisAcknowledged(input.analysis);
      const prepared = await campaign.create(input);
      recordAnalysis(deps, prepared.deliveryId, input.analysis);
      return { delivery: getDelivery(db, prepared.deliveryId, clock.now()), import: prepared.import };
    },
    'deliveries.start': (input) => act(input.id, 'start'),
    'deliveries.pause': (input) => act(input.id, 'pause'),
    'deliveries.resume': (input) => act(input.id, 'resume'),
    'deliveries.stop': (input) => act(input.id, 'stop'),

    'recipients.preview': (input) => previewRecipientsOffThread(input),

    'logs.page': (input) => {
      const deliveryId = parseId(input.deliveryId);
      const delivery = requireDeliveryRow(db, deliveryId);
      return logsPage(db, { ...input, deliveryId }, delivery);
    },
    'logs.attempts': (input) => {
      const logId = parseId(input.logId);
      const deliveryId = logRowDelivery(db, logId);
      if (deliveryId === null)
        throw new AppError('not_found', `Delivery log row ${input.logId} does not exist`);
      return { items: listAttempts(db, logId), reports: reportsForLogRow(db, logId, deliveryId) };
    },

    'templates.list': () => ({ items: listTemplates(db) }),
    'samples.lists': () => ({ items: listRecipientLists(db) }),

    ...createMtaHandlers(deps),
    ...createDkimHandlers(deps),
    ...createBounceHandlers(deps),
    ...createDashboardHandlers(deps),
    ...createReportHandlers(deps),
    ...createSimulationHandlers(deps),
    ...createMessageHandlers(deps),
    ...createAnalysisHandlers(deps),
  };
  return handlers;
}
