import { useState } from 'react';
import type { MessageView } from '../../../shared/contract';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { formatTimestamp } from '../../components/format';
import { Tabs } from '../../components/Tabs';
import { downloadEml, formatSize, frameDocument, remoteResourceCount } from './message-model';
import './message.css';

type Tab = 'html' | 'text' | 'headers' | 'source';

const KIND_LABEL: Record<MessageView['kind'], string> = {
  preview: 'Preview',
  sent: 'As sent',
  unsent: 'Not sent',
};

/**
 * A message as the receiver gets it: a summary, then its HTML (in a sandboxed frame that loads nothing
 * remote), its text part, its headers and its raw source with the DKIM signature, and a .eml download.
 */
export function MessageViewer({ view }: { view: MessageView }) {
  const [tab, setTab] = useState<Tab>(view.html !== null ? 'html' : 'text');
  const remote = view.html !== null ? remoteResourceCount(view.html) : 0;
  return (
    <div className="message-viewer" data-testid="message-viewer">
      <dl className="message-summary">
        <dt>From</dt>
        <dd data-testid="message-from">{view.from}</dd>
        <dt>To</dt>
        <dd data-testid="message-to">{view.to}</dd>
        <dt>Subject</dt>
        <dd className="strong" data-testid="message-subject">
          {view.subject}
        </dd>
        <dt>Date</dt>
        <dd className="num">
          {formatTimestamp(view.date)}{' '}
          <Badge tone={view.kind === 'sent' ? 'green' : 'grey'}>{KIND_LABEL[view.kind]}</Badge>
        </dd>
        <dt>DKIM</dt>
        <dd data-testid="message-dkim">
          {view.dkim.domain !== null && view.dkim.note === null ? (
            <>
              Signed by <span className="mono">{view.dkim.domain}</span> (selector
              {view.dkim.selectors.length > 1 ? 's' : ''}{' '}
              <span className="mono">{view.dkim.selectors.join(', ')}</span>)
            </>
          ) : (
            <span className="muted">{view.dkim.note}</span>
          )}
        </dd>
        <dt>Size</dt>
        <dd className="num">{formatSize(view.size)}</dd>
      </dl>
      {view.notes.length > 0 && (
        <ul className="message-notes" data-testid="message-notes">
          {view.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div className="message-toolbar">
        <Tabs<Tab>
          label="Message parts"
          idPrefix="message"
          value={tab}
          onChange={setTab}
          items={[
            { id: 'html', label: 'HTML', badge: view.html === null ? 'none' : undefined },
            { id: 'text', label: 'Text', badge: view.text === null ? 'none' : undefined },
            { id: 'headers', label: 'Headers' },
            { id: 'source', label: 'Source' },
          ]}
        />
        <Button size="sm" onClick={() => downloadEml(view.raw, view.fileName)} testId="download-eml">
          Download .eml
        </Button>
      </div>
      <div
        id="message-panel"
        role="tabpanel"
        aria-labelledby={`message-tab-${tab}`}
        className="message-panel"
      >
        {tab === 'html' &&
          (view.html === null ? (
            <p className="muted">This message has no HTML part.</p>
          ) : (
            <>
              <p className="message-blocked muted small" data-testid="remote-blocked">
                Remote images blocked
                {remote > 0 ? ` (${remote} in this message): the receiver’s client may load them.` : '.'}{' '}
                Scripts never run here.
              </p>
              <iframe
                className="message-frame"
                title="HTML part of the message"
                sandbox=""
                referrerPolicy="no-referrer"
                srcDoc={frameDocument(view.html)}
                data-testid="message-html-frame"
              />
            </>
          ))}
        {tab === 'text' &&
          (view.text === null ? (
            <p className="muted">This message has no text part.</p>
          ) : (
            <pre className="message-text" data-testid="message-text">
              {view.text}
            </pre>
          ))}
        {tab === 'headers' && (
          <table className="message-headers" data-testid="message-headers">
            <tbody>
              {view.headers.map((h, i) => (
                <tr key={i}>
                  <th scope="row" className="mono">
                    {h.name}
                  </th>
                  <td className="mono">{h.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {tab === 'source' && (
          <pre className="message-source" data-testid="message-source">
            {view.raw}
          </pre>
        )}
      </div>
    </div>
  );
}
