import type { InboundMessage } from '../../../shared/contract/bounce';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { paths } from '../../app/router';
import { useQuery } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Drawer } from '../../components/Drawer';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatCount, formatTimestamp } from '../../components/format';
import { Prop } from '../../components/Prop';
import { bounceClassLabel } from '../bounces/bounce-rules-model';
import { KIND_HINTS, KIND_LABELS, KIND_TONE, MATCHED_BY_LABELS, SOURCE_LABELS } from './inmail-model';

/** One message of the bounce mailbox: how it was read and tied, each recipient's qualification, its source. */
export function InmailDrawer({ id, onClose }: { id: string; onClose(): void }) {
  const message = useQuery('inmail.get', { id });
  const m = message.data;
  return (
    <Drawer
      title={m?.subject ?? (m ? '(no subject)' : 'Received message')}
      onClose={onClose}
      testId="inmail-drawer"
    >
      <ErrorBanner error={message.error} title="The message could not be loaded" />
      {message.loading && <div className="loading">Loading the message…</div>}
      {m && <MessageDetails m={m} />}
    </Drawer>
  );
}

function MessageDetails({ m }: { m: InboundMessage }) {
  return (
    <>
      <dl className="props">
        <Prop label="Kind">
          <Badge tone={KIND_TONE[m.kind]} title={KIND_HINTS[m.kind]}>
            {KIND_LABELS[m.kind]}
          </Badge>
          {m.format && <span className="muted small"> {m.format}</span>}
        </Prop>
        <Prop label="Received">
          {formatTimestamp(m.receivedAt)} <span className="muted">via {SOURCE_LABELS[m.source]}</span>
        </Prop>
        <Prop label="Matched">
          {m.matched && m.deliveryId !== null ? (
            <>
              <a href={paths.delivery(m.deliveryId)} data-testid="inmail-delivery-link">
                Delivery {m.deliveryId}
              </a>
              {m.matchedBy && <span className="muted small"> by {MATCHED_BY_LABELS[m.matchedBy]}</span>}
            </>
          ) : (
            <Badge tone="amber">Unmatched</Badge>
          )}
        </Prop>
        <Prop label="Outcome">{m.outcome}</Prop>
        <Prop label="From" mono>
          {m.from}
        </Prop>
        <Prop label="Envelope to" mono>
          {m.envelopeTo}
        </Prop>
        <Prop label="Message-ID" mono wide>
          {m.messageId}
        </Prop>
        {m.note && (
          <Prop label="Note" wide>
            {m.note}
          </Prop>
        )}
        {m.error && (
          <Prop label="Problem" wide>
            <span className="field-error">{m.error}</span>
          </Prop>
        )}
      </dl>

      <h3 className="section-title">Recipients</h3>
      {m.recipients.length === 0 ? (
        <p className="muted">The message names no recipient.</p>
      ) : (
        <ol className="attempts" data-testid="inmail-recipients">
          {m.recipients.map((r, i) => (
            <li key={i} className="attempt" data-testid="inmail-recipient">
              <div className="attempt-head">
                <span className="mono strong">{r.recipient ?? '(not given)'}</span>
                {r.action && <Badge tone="grey">{r.action}</Badge>}
                <span className="mono muted">{[r.code, r.status].filter((p) => p !== null).join(' ')}</span>
              </div>
              <div className="inmail-verdict">
                <span className="strong">{REASONS[r.reason].label}</span> · {FAILURE_TYPE_LABELS[r.type]} ·{' '}
                {bounceClassLabel(r.bounceClass)}{' '}
                <span className="muted small">
                  rule <code>{r.ruleId}</code>
                </span>
              </div>
              {r.diagnostic && <div className="attempt-reply mono">{r.diagnostic}</div>}
              <div className="attempt-meta muted small">
                <span>{r.applied}</span>
                {r.logId !== null && m.deliveryId !== null && <span>log row {r.logId}</span>}
              </div>
            </li>
          ))}
        </ol>
      )}

      <h3 className="section-title">
        Source{' '}
        <span className="muted small">
          ({formatCount(m.size)} bytes{m.rawTruncated ? ', first 64 KB shown' : ''})
        </span>
      </h3>
      <pre className="raw-source" data-testid="inmail-raw">
        {m.raw}
      </pre>
    </>
  );
}
