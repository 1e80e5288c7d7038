import { useState, type ChangeEvent, type FormEvent } from 'react';
import { DKIM_ALGORITHMS, type DkimKey } from '../../../shared/contract/mta';
import { defaultDkimSelector } from '../../../shared/domain/dkim';
import { useMutation } from '../../api/hooks';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { detailMessage, ErrorBanner } from '../../components/ErrorBanner';
import { Field, Select, TextArea, TextInput } from '../../components/Field';
import { Tabs, type TabItem } from '../../components/Tabs';

type Mode = 'generate' | 'import';
type Algorithm = (typeof DKIM_ALGORITHMS)[number];

const MODES: readonly TabItem<Mode>[] = [
  { id: 'generate', label: 'Generate a key' },
  { id: 'import', label: 'Import a PEM key' },
];
const RSA_SIZES = [1024, 2048, 3072, 4096] as const;
const ALGORITHMS: Record<Algorithm, { label: string; hint: string }> = {
  'rsa-sha256': { label: 'RSA (rsa-sha256)', hint: 'Verified by every receiver' },
  'ed25519-sha256': {
    label: 'Ed25519 (ed25519-sha256)',
    hint: 'Signs next to the RSA key of the domain (a second signature)',
  },
};

/** Adds a key for a domain and selector, generated here or imported from a PEM private key. */
export function AddKeyForm({ onAdded }: { onAdded(key: DkimKey): void }) {
  const [mode, setMode] = useState<Mode>('generate');
  const [domain, setDomain] = useState('');
  const [selector, setSelector] = useState(() => defaultDkimSelector(Date.now()));
  const [algorithm, setAlgorithm] = useState<Algorithm>('rsa-sha256');
  const [bits, setBits] = useState(2048);
  const [pem, setPem] = useState('');
  const [fileNote, setFileNote] = useState<string | null>(null);
  const generate = useMutation('dkim.generate');
  const importKey = useMutation('dkim.import');
  const mutation = mode === 'generate' ? generate : importKey;
  const errorsOf = (field: string) =>
    (mutation.error?.details ?? []).filter((d) => d.field === field).map(detailMessage);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = { domain: domain.trim(), selector: selector.trim() };
    const result =
      mode === 'generate'
        ? await generate.mutate({ ...input, algorithm, bits })
        : await importKey.mutate({ ...input, privateKeyPem: pem });
    if (!result.ok) return;
    setDomain('');
    setPem('');
    setFileNote(null);
    onAdded(result.value);
  };

  const readFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > 20_000) {
      setFileNote(`${file.name} is ${file.size} bytes: a PEM private key is at most a few kilobytes`);
      return;
    }
    setPem(await file.text());
    setFileNote(`Read from ${file.name}`);
  };

  return (
    <Card
      testId="dkim-add"
      title="Add a key"
      description="The key signs every message whose From domain is this domain or one of its subdomains."
    >
      <Tabs<Mode>
        items={MODES}
        value={mode}
        onChange={(next) => setMode(next)}
        label="How to add the key"
        idPrefix="dkim-mode"
      />
      <form
        id="dkim-mode-panel"
        role="tabpanel"
        aria-labelledby={`dkim-mode-tab-${mode}`}
        className="dkim-form"
        onSubmit={(e) => void submit(e)}
        noValidate
      >
        <div className="grid-2">
          <Field
            label="Domain (d=)"
            htmlFor="dkim-domain"
            hint="e.g. example.com"
            errors={errorsOf('domain')}
          >
            <TextInput
              id="dkim-domain"
              value={domain}
              onChange={(e) => setDomain(e.target.value)}
              placeholder="example.com"
              autoComplete="off"
              spellCheck={false}
              required
              invalid={errorsOf('domain').length > 0}
            />
          </Field>
          <Field
            label="Selector (s=)"
            htmlFor="dkim-selector"
            hint="A new selector per key lets you rotate keys without downtime"
            errors={errorsOf('selector')}
          >
            <TextInput
              id="dkim-selector"
              value={selector}
              onChange={(e) => setSelector(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              required
              invalid={errorsOf('selector').length > 0}
            />
          </Field>
        </div>
        {mode === 'generate' ? (
          <div className="grid-2">
            <Field label="Algorithm" htmlFor="dkim-algorithm" hint={ALGORITHMS[algorithm].hint}>
              <Select
                id="dkim-algorithm"
                value={algorithm}
                onChange={(e) => setAlgorithm(e.target.value as Algorithm)}
              >
                {DKIM_ALGORITHMS.map((a) => (
                  <option key={a} value={a}>
                    {ALGORITHMS[a].label}
                  </option>
                ))}
              </Select>
            </Field>
            {algorithm === 'rsa-sha256' && (
              <Field
                label="Key size"
                htmlFor="dkim-bits"
                hint="2048 bits is the usual choice"
                errors={errorsOf('bits')}
              >
                <Select id="dkim-bits" value={bits} onChange={(e) => setBits(Number(e.target.value))}>
                  {RSA_SIZES.map((n) => (
                    <option key={n} value={n}>
                      {n} bits
                    </option>
                  ))}
                </Select>
              </Field>
            )}
          </div>
        ) : (
          <Field
            label="Private key (PEM)"
            htmlFor="dkim-pem"
            hint={
              fileNote ??
              'PKCS#1 (BEGIN RSA PRIVATE KEY) or PKCS#8 (BEGIN PRIVATE KEY); RSA of at least 1024 bits or Ed25519'
            }
            errors={errorsOf('privateKeyPem')}
          >
            <TextArea
              id="dkim-pem"
              className="mono dkim-pem"
              rows={8}
              value={pem}
              onChange={(e) => setPem(e.target.value)}
              placeholder={'-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'}
              spellCheck={false}
              invalid={errorsOf('privateKeyPem').length > 0}
            />
            <label className="btn btn-ghost btn-sm dkim-file">
              Choose a .pem file…
              <input type="file" accept=".pem,.key,.txt" hidden onChange={(e) => void readFile(e)} />
            </label>
          </Field>
        )}
        <ErrorBanner error={mutation.error} />
        <div className="row gap-1">
          <Button type="submit" variant="primary" disabled={mutation.pending} testId="dkim-submit">
            {mutation.pending
              ? mode === 'generate'
                ? 'Generating…'
                : 'Importing…'
              : mode === 'generate'
                ? 'Generate key'
                : 'Import key'}
          </Button>
        </div>
      </form>
    </Card>
  );
}
