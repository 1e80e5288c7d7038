import type { DkimSigning } from '../../../shared/contract';
import { useQuery } from '../../api/hooks';
import { ErrorBanner } from '../../components/ErrorBanner';
import type { Tone } from '../../components/tones';

/** Why a signing is, or is not, what receivers expect (SPEC §5: rsa-sha256 aligned with From). */
function detailOf(s: DkimSigning): { tone: Tone; detail: string } {
  const signer = s.signer;
  if (!signer)
    return {
      tone: 'red',
      detail: `Neither ${s.fromDomain} nor the return-path domain ${s.envelopeDomain} has a DKIM key: generate one on the DKIM keys page.`,
    };
  const selectors = [signer.rsa, signer.ed25519].filter(Boolean).join(', ');
  switch (signer.basis) {
    case 'from':
      return {
        tone: 'green',
        detail: `d=${signer.domain}, selector ${selectors}, aligned with From for DMARC.`,
      };
    case 'envelope':
      return {
        tone: 'amber',
        detail: `${s.fromDomain} has no RSA key, so the return-path domain's key signs (selector ${selectors}); it does not count for DMARC.`,
      };
    case 'ed25519-only':
      return {
        tone: 'amber',
        detail: `No RSA key for ${s.fromDomain} or ${s.envelopeDomain}: most receivers cannot verify ed25519 alone (selector ${selectors}).`,
      };
  }
}

/**
 * How the delivery's messages are DKIM-signed with the keys in force (the log's DKIM column says which domain
 * signed each message that was sent).
 */
export function DkimSigningLine({ deliveryId }: { deliveryId: string }) {
  const signing = useQuery(
    'dkim.signing',
    { deliveryId },
    { invalidateOn: { 'delivery.changed': (p) => p.id === deliveryId } },
  );
  if (!signing.data)
    return signing.error ? (
      <ErrorBanner error={signing.error} title="The DKIM signing could not be loaded" />
    ) : null;
  const { tone, detail } = detailOf(signing.data);
  return (
    <div
      className={`health-flag dkim-signing tone-${tone}${tone === 'green' ? '' : ' is-alert'}`}
      data-testid="dkim-signing"
    >
      <span className="health-icon" aria-hidden="true">
        {tone === 'green' ? '✓' : '!'}
      </span>
      <span className="health-text">
        <span className="health-title">
          DKIM: <span className="strong">{signing.data.description}</span>
        </span>
        <span className="health-detail small muted">{detail}</span>
      </span>
    </div>
  );
}
