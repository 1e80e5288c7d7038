/**
 * "DKIM keys" (SPEC §5): the signing keys per domain and selector with the DNS TXT record to publish, a form
 * to generate or import a key, enable/disable and remove.
 */
import { useState } from 'react';
import type { DkimKey } from '../../../shared/contract/mta';
import { useQuery } from '../../api/hooks';
import { Card } from '../../components/Card';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { AddKeyForm } from './AddKeyForm';
import { KeyCard } from './KeyCard';
import './dkim.css';

export function DkimPage() {
  const keys = useQuery('dkim.list', {});
  const [added, setAdded] = useState<DkimKey | null>(null);
  const items = keys.data?.items ?? [];

  return (
    <div className="page" data-testid="dkim-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">DKIM keys</h1>
          <p className="page-subtitle">
            Every message whose From domain (or a parent domain of it) has an enabled key is signed
            automatically (rsa-sha256, plus ed25519-sha256 when the domain also has an Ed25519 key). Publish
            each key&apos;s TXT record in DNS before sending.
          </p>
        </div>
      </header>
      <ErrorBanner
        error={keys.error}
        action={
          <button className="btn btn-sm" onClick={keys.refetch}>
            Retry
          </button>
        }
      />
      {added && (
        <Notice tone="blue" testId="dkim-added">
          Key <code>{added.selector}</code> added for <strong>{added.domain}</strong>: publish its TXT record
          at <code>{added.dnsName}</code> (shown below). Messages are signed with it from now on.
        </Notice>
      )}
      <div className="dkim-layout">
        <div className="dkim-list" data-testid="dkim-list">
          {keys.loading ? (
            <div className="skeleton" style={{ height: 160 }} />
          ) : items.length === 0 ? (
            <Card>
              <EmptyState
                testId="dkim-empty"
                title="No DKIM keys yet"
                body={
                  <>
                    Add a key for a sending domain: every message whose From domain is that domain or one of
                    its subdomains is then signed automatically, with no setting per delivery. Until then,
                    messages leave unsigned.
                  </>
                }
              />
            </Card>
          ) : (
            items.map((key) => <KeyCard key={key.id} dkimKey={key} onChanged={keys.refetch} />)
          )}
        </div>
        <AddKeyForm
          onAdded={(key) => {
            setAdded(key);
            keys.refetch();
          }}
        />
      </div>
    </div>
  );
}
