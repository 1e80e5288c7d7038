import { useState } from 'react';
import { MAX_PROOF_ADDRESSES, type MethodInput, type ProofResult } from '../../../shared/contract';
import { useMutation } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field, TextInput } from '../../components/Field';
import type { Tone } from '../../components/tones';
import { splitAddresses } from './message-model';

const TONE: Record<ProofResult['outcome'], Tone> = { accepted: 'green', deferred: 'amber', failed: 'red' };
const LABEL: Record<ProofResult['outcome'], string> = {
  accepted: 'Accepted',
  deferred: 'Deferred',
  failed: 'Failed',
};
const VIA: Record<ProofResult['via'], string> = {
  route: "the delivery's route",
  smarthost: 'the smart host',
  default: 'the default route',
  mx: 'MX',
};

/** "Send proof": the message, marked [Proof], to a few addresses; the receiver's reply per address. */
export function ProofForm({
  source,
  hint,
  blocked = null,
}: {
  source: MethodInput<'messages.proof'>['source'];
  hint: string;
  /** Why a proof cannot be sent now (the form is incomplete), or null. */
  blocked?: string | null;
}) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const proof = useMutation('messages.proof');
  const [sent, setSent] = useState<{ subject: string; results: ProofResult[] } | null>(null);

  const send = async () => {
    if (blocked !== null || proof.pending) return;
    const addresses = splitAddresses(text);
    if (addresses.length === 0) return setProblem('Type at least one address.');
    if (addresses.length > MAX_PROOF_ADDRESSES)
      return setProblem(`At most ${MAX_PROOF_ADDRESSES} addresses per proof (${addresses.length} typed).`);
    setProblem(null);
    const result = await proof.mutate({ source, addresses });
    setSent(result.ok ? result.value : null);
  };

  return (
    // Not a <form>: the drawer may open inside one (the New delivery page); Enter in the field sends.
    <div className="proof-form" role="group" aria-label="Send a proof" data-testid="proof-form">
      <Field
        label="Send a proof"
        htmlFor="proof-addresses"
        hint={`${hint} Its subject starts with [Proof]. Up to ${MAX_PROOF_ADDRESSES} addresses.`}
        errors={problem ? [problem] : []}
      >
        <div className="proof-row">
          <TextInput
            id="proof-addresses"
            data-testid="proof-addresses"
            placeholder="you@example.com, colleague@example.com"
            value={text}
            invalid={problem !== null}
            aria-describedby={problem ? 'proof-addresses-error-0' : 'proof-addresses-hint'}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              void send();
            }}
          />
          <Button
            disabled={proof.pending || blocked !== null}
            onClick={() => void send()}
            testId="proof-send"
          >
            {proof.pending ? 'Sending…' : 'Send proof'}
          </Button>
        </div>
      </Field>
      {blocked && <p className="muted small">{blocked}</p>}
      <ErrorBanner error={proof.error} title="The proof was not sent" />
      {sent && (
        <ul className="proof-results" data-testid="proof-results" aria-live="polite">
          {sent.results.map((r) => (
            <li key={r.address} data-testid="proof-result">
              <Badge tone={TONE[r.outcome]}>{LABEL[r.outcome]}</Badge>
              <span className="mono">{r.address}</span>
              <span className="muted">
                {r.host ? `via ${VIA[r.via]} (${r.host}): ` : ''}
                {r.reply}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
