import { useState } from 'react';
import type { DkimKey } from '../../../shared/contract/mta';
import { dkimZoneRecord, splitTxtStrings } from '../../../shared/domain/dkim';
import { useMutation } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTimestamp } from '../../components/format';
import { CopyButton } from './CopyButton';

/** One key: what to publish in DNS (name, value, zone-file form), enable/disable and remove. */
export function KeyCard({ dkimKey: key, onChanged }: { dkimKey: DkimKey; onChanged(): void }) {
  const setEnabled = useMutation('dkim.setEnabled');
  const remove = useMutation('dkim.remove');
  const [confirming, setConfirming] = useState(false);
  const zone = dkimZoneRecord(key.dnsName, key.txtRecord);
  const strings = splitTxtStrings(key.txtRecord).length;
  const testId = `dkim-key-${key.domain}-${key.selector}`;

  const toggle = async () => {
    if ((await setEnabled.mutate({ id: key.id, enabled: !key.enabled })).ok) onChanged();
  };
  const confirmRemove = async () => {
    const result = await remove.mutate({ id: key.id });
    setConfirming(false);
    if (result.ok) onChanged();
  };

  return (
    <Card
      testId={testId}
      className={key.enabled ? 'dkim-key' : 'dkim-key is-disabled'}
      title={
        <span className="dkim-key-title">
          <span className="mono">{key.domain}</span>
          <span className="muted">selector</span>
          <span className="mono">{key.selector}</span>
        </span>
      }
      description={
        <span className="row gap-1">
          <Badge tone="blue">{key.algorithm}</Badge>
          {key.bits !== null && <Badge tone="grey">{key.bits} bits</Badge>}
          <Badge tone={key.enabled ? 'green' : 'grey'} testId={`${testId}-state`}>
            {key.enabled ? 'Signing' : 'Disabled'}
          </Badge>
          <span className="muted small">Added {formatTimestamp(key.createdAt)}</span>
        </span>
      }
      actions={
        <>
          <Button
            size="sm"
            onClick={() => void toggle()}
            disabled={setEnabled.pending}
            testId={`${testId}-toggle`}
          >
            {key.enabled ? 'Disable' : 'Enable'}
          </Button>
          <Button size="sm" variant="danger" onClick={() => setConfirming(true)} testId={`${testId}-remove`}>
            Remove
          </Button>
        </>
      }
    >
      <ErrorBanner error={setEnabled.error ?? remove.error} />
      <dl className="dkim-records">
        <Record label="DNS name (TXT)" value={key.dnsName} copyLabel="the DNS name" />
        <Record label="TXT value" value={key.txtRecord} copyLabel="the TXT value" testId={`${testId}-txt`} />
        <Record
          label={
            strings > 1
              ? `Zone-file form (${strings} strings: TXT strings hold at most 255 bytes; resolvers join them)`
              : 'Zone-file form'
          }
          value={zone}
          copyLabel="the zone-file record"
          pre
        />
      </dl>
      {confirming && (
        <ConfirmDialog
          title={`Remove the key ${key.selector} of ${key.domain}?`}
          confirmLabel="Remove key"
          danger
          busy={remove.pending}
          onConfirm={() => void confirmRemove()}
          onCancel={() => setConfirming(false)}
          testId="dkim-remove-dialog"
        >
          <p>
            The private key file is deleted and messages from {key.domain} are no longer signed with it. This
            cannot be undone. Remove the DNS record <code>{key.dnsName}</code> only after messages signed with
            it have been delivered.
          </p>
        </ConfirmDialog>
      )}
    </Card>
  );
}

function Record({
  label,
  value,
  copyLabel,
  pre,
  testId,
}: {
  label: string;
  value: string;
  copyLabel: string;
  pre?: boolean;
  testId?: string;
}) {
  return (
    <div className="dkim-record">
      <dt>
        <span>{label}</span>
        <CopyButton text={value} label={copyLabel} />
      </dt>
      <dd>
        {pre ? (
          <pre className="dkim-value" data-testid={testId}>
            {value}
          </pre>
        ) : (
          <code className="dkim-value" data-testid={testId}>
            {value}
          </code>
        )}
      </dd>
    </div>
  );
}
