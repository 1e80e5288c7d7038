/**
 * The pre-send delivery analysis (`analysis.run`, SPEC §5, issue 15): the checks of `src/main/analysis` with
 * the app's store, clock and DNS, and the message built by the message viewer's own preview (the bytes the
 * engine would send to the list's first recipient).
 */
import { hostname } from 'node:os';
import type { Handlers, MethodParsedInput } from '../../shared/contract';
import { analysisNeedsAcknowledgement } from '../../shared/contract/analysis';
import { AppError } from '../../shared/contract/errors';
import { runAnalysis } from '../analysis';
import type { BuiltMessage } from '../analysis/message-checks';
import { getDeliveryAnalysis, saveDeliveryAnalysis } from '../store/delivery-analysis-repo';
import { parseId, requireDeliveryRow } from '../store/deliveries-repo';
import { getSetting } from '../store/settings-repo';
import type { HandlerDeps } from './handler-deps';
import { messageServiceOf } from './handlers-message';

type CreateAnalysis = MethodParsedInput<'deliveries.create'>['analysis'];

/**
 * `deliveries.create` with an analysis whose errors were not acknowledged is refused before anything is written:
 * the analysis warns and never blocks silently, and sending despite errors is an explicit, recorded choice.
 */
export function checkAnalysisAcknowledged(analysis: CreateAnalysis): void {
  if (!analysis || analysis.acknowledgedErrors || !analysisNeedsAcknowledgement(analysis.report)) return;
  const errors = analysis.report.checks.filter((c) => c.result === 'error');
  throw new AppError(
    'analysis_unacknowledged',
    `The pre-send analysis found ${errors.length} error${errors.length === 1 ? '' : 's'} (` +
      errors.map((c) => c.title).join('; ') +
      '): fix them and run the analysis again, or confirm that you want to send anyway.',
    errors.map((c) => ({ field: 'analysis', message: c.title })),
  );
}

/** Keeps the analysis a delivery was created with (nothing for a delivery created without one). */
export function recordAnalysis(deps: HandlerDeps, deliveryId: number, analysis: CreateAnalysis): void {
  if (!analysis) return;
  saveDeliveryAnalysis(deps.db, deliveryId, analysis.report, analysis.acknowledgedErrors, deps.clock.now());
}

export function createAnalysisHandlers(
  deps: HandlerDeps,
): Pick<Handlers, 'analysis.run' | 'deliveries.analysis'> {
  const { db, clock } = deps;
  const messages = messageServiceOf(deps);
  return {
    'deliveries.analysis': (input) => {
      const id = parseId(input.id);
      requireDeliveryRow(db, id);
      return { analysis: getDeliveryAnalysis(db, id) };
    },
    'analysis.run': (input) =>
      runAnalysis(
        {
          db,
          clock,
          dns: deps.analysisDns,
          defaultRoute: getSetting(db, 'defaultRoute') ?? null,
          returnPath: getSetting(db, 'returnPath') ?? null,
          helo: hostname(),
          async buildMessage(template, recipient): Promise<BuiltMessage> {
            const view = await messages.preview(
              template,
              recipient ? { ...recipient.fields, email: recipient.email } : {},
            );
            return {
              sizeBytes: view.size,
              headers: view.headers.map((h) => [h.name, h.value] as const),
              text: view.text ?? '',
              html: view.html ?? '',
            };
          },
        },
        {
          template: input.template,
          recipients: input.recipients,
          routing: { routes: input.routes, smarthost: input.smarthost },
          validityMs: input.validityMs,
          reporting: input.reporting,
        },
      ),
  };
}
