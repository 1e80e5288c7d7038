/**
 * The pre-send delivery analysis (`analysis.run`, SPEC §5, issue 15): the checks of `src/main/analysis` with
 * the app's store, clock and DNS, and the message built by the message viewer's own preview (the bytes the
 * engine would send to the list's first recipient).
 */
import { hostname } from 'node:os';
import type { Handlers } from '../../shared/contract';
import { runAnalysis } from '../analysis';
import type { BuiltMessage } from '../analysis/message-checks';
import { getSetting } from '../store/settings-repo';
import type { HandlerDeps } from './handler-deps';
import { messageServiceOf } from './handlers-message';

export function createAnalysisHandlers(deps: HandlerDeps): Pick<Handlers, 'analysis.run'> {
  const { db, clock } = deps;
  const messages = messageServiceOf(deps);
  return {
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
