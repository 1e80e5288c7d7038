import type { HostPort, MessageTemplate, Route } from '../../../shared/contract';
import { useState } from 'react';
import { useQuery } from '../../api/hooks';
import { Field } from '../../components/Field';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { MessageViewer } from './MessageViewer';
import { ProofForm } from './ProofForm';

/** What the drawer shows: a delivery's message to one recipient, or a draft's for a row of its list. */
export type MessageSource =
  | { kind: 'sent'; deliveryId: string; logId: string; email: string }
  | {
      kind: 'draft';
      template: MessageTemplate;
      /** Rows of the list the analyst may pick from (the first is shown first). */
      rows: Record<string, string>[];
      routes: Route[];
      smarthost: HostPort | null;
      /** The form's routing is not valid yet: no proof. */
      proofBlocked?: boolean;
    };

/** The message viewer in a wide drawer, with a proof form under it. */
export function MessageDrawer({ source, onClose }: { source: MessageSource; onClose(): void }) {
  return (
    <Drawer
      title={source.kind === 'sent' ? `Message to ${source.email}` : 'Message preview'}
      onClose={onClose}
      testId="message-drawer"
      wide
    >
      {source.kind === 'sent' ? <SentMessage source={source} /> : <DraftMessage source={source} />}
    </Drawer>
  );
}

function SentMessage({ source }: { source: Extract<MessageSource, { kind: 'sent' }> }) {
  const view = useQuery('messages.get', { deliveryId: source.deliveryId, logId: source.logId });
  return (
    <>
      <ErrorBanner error={view.error} title="The message could not be shown" />
      {view.loading && <div className="loading">Building the message…</div>}
      {view.data && <MessageViewer view={view.data} />}
      <ProofForm
        source={{ kind: 'delivery', deliveryId: source.deliveryId, logId: source.logId }}
        hint="Sent with this recipient's fields through the delivery's route, to the addresses you give only."
      />
    </>
  );
}

function DraftMessage({ source }: { source: Extract<MessageSource, { kind: 'draft' }> }) {
  const [index, setIndex] = useState(0);
  const row = source.rows[index] ?? {};
  const view = useQuery('messages.preview', { template: source.template, row });
  return (
    <>
      {source.rows.length > 1 && (
        <Field
          className="message-recipient"
          label="Recipient"
          htmlFor="preview-recipient"
          hint="The message as this row of the list gets it."
        >
          <select
            id="preview-recipient"
            className="input select"
            data-testid="preview-recipient"
            value={index}
            onChange={(e) => setIndex(Number(e.target.value))}
          >
            {source.rows.map((r, i) => (
              <option key={i} value={i}>
                {r['email'] ?? r['Email'] ?? `Row ${i + 1}`}
              </option>
            ))}
          </select>
        </Field>
      )}
      <ErrorBanner error={view.error} title="The message could not be built" />
      {view.loading && <div className="loading">Building the message…</div>}
      {view.data && <MessageViewer view={view.data} />}
      <ProofForm
        blocked={
          source.proofBlocked
            ? 'Complete the message and the routing of the form (marked fields) to send a proof.'
            : null
        }
        source={{
          kind: 'draft',
          template: source.template,
          row,
          routes: source.routes,
          smarthost: source.smarthost,
        }}
        hint="Sent with this recipient's fields through this delivery's route, to the addresses you give only."
      />
    </>
  );
}
