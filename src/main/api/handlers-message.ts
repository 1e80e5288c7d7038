/**
 * Handlers of the message itself (issue 14 point 10): the viewer (`messages.preview`, `messages.get`), proof
 * sends (`messages.proof`) and saved templates (`templates.save`, `templates.remove`).
 */
import { AppError } from '../../shared/contract/errors';
import type { Handlers, SavedTemplate } from '../../shared/contract';
import { createSmtpRelayFactory } from '../engine/relay/smtp-relay';
import { nodeDns } from '../engine/relay/node-dns';
import { createMessageService, type MessageService } from '../message/service';
import { parseId } from '../store/deliveries-repo';
import { writeTransaction } from '../store/db';
import { getSetting } from '../store/settings-repo';
import {
  deleteTemplate,
  getTemplate,
  insertTemplate,
  templateIdByName,
  updateTemplate,
} from '../store/templates-repo';
import type { HandlerDeps } from './handler-deps';

type MessageHandlers = Pick<
  Handlers,
  'messages.preview' | 'messages.get' | 'messages.proof' | 'templates.save' | 'templates.remove'
>;

/** The app's message service, or one on the system's DNS and a real SMTP relay when none was given. */
export function messageServiceOf(deps: HandlerDeps): MessageService {
  const { db, clock, sandbox } = deps;
  return (
    deps.messages ??
    createMessageService({
      db,
      clock,
      dns: nodeDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      defaultRoute: () => getSetting(db, 'defaultRoute') ?? null,
      sandboxAddress: (domain) => (sandbox ? sandbox.addressFor(domain) : null),
    })
  );
}

export function createMessageHandlers(deps: HandlerDeps): MessageHandlers {
  const { db, clock } = deps;
  const messages = messageServiceOf(deps);

  return {
    'messages.preview': (input) => messages.preview(input.template, input.row),
    'messages.get': (input) => messages.get(parseId(input.deliveryId), parseId(input.logId)),
    'messages.proof': (input) => {
      const s = input.source;
      return messages.proof(
        s.kind === 'delivery'
          ? {
              kind: 'delivery',
              deliveryId: parseId(s.deliveryId),
              logId: s.logId === undefined ? undefined : parseId(s.logId),
            }
          : s,
        input.addresses,
      );
    },
    'templates.save': async (input) =>
      writeTransaction(db, (): SavedTemplate => {
        const id = input.id === undefined ? undefined : parseId(input.id);
        const sameName = templateIdByName(db, input.name);
        if (sameName !== undefined && sameName !== id)
          throw new AppError(
            'conflict',
            `A template named "${input.name}" already exists: choose another name`,
            [{ field: 'name', message: 'another template has this name' }],
          );
        const now = clock.now();
        if (id === undefined) {
          const newId = Number(insertTemplate(db, input.name, input.template, now));
          return getTemplate(db, newId) as SavedTemplate;
        }
        if (!updateTemplate(db, id, input.name, input.template, now))
          throw new AppError('not_found', `Saved template ${input.id} does not exist`);
        return getTemplate(db, id) as SavedTemplate;
      })(),
    'templates.remove': (input) => ({ removed: deleteTemplate(db, parseId(input.id)) }),
  };
}
