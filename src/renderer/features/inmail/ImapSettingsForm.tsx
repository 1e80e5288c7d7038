import { useState, type FormEvent } from 'react';
import type { ImapSettings } from '../../../shared/contract/bounce';
import { useMutation, useQuery } from '../../api/hooks';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Field, TextInput } from '../../components/Field';
import { groupByField, type FieldErrors } from '../rules/rules-model';
import { imapFromForm, imapToForm, type ImapForm } from './inmail-model';

/** Optional IMAP polling of a bounce mailbox hosted elsewhere. The password is write-only. */
export function ImapSettingsCard() {
  const settings = useQuery('inmail.imapGet', {});
  return (
    <Card
      title="IMAP polling"
      description="Optionally fetch bounces from a mailbox on another server. Fetched messages are qualified like the others."
      testId="imap-settings"
    >
      <ErrorBanner
        error={settings.error}
        title="The IMAP settings could not be loaded"
        action={<Button onClick={settings.refetch}>Retry</Button>}
      />
      {settings.loading && <div className="loading">Loading…</div>}
      {settings.data && <ImapFormView key={JSON.stringify(settings.data)} initial={settings.data} />}
    </Card>
  );
}

function ImapFormView({ initial }: { initial: ImapSettings }) {
  const [saved, setSaved] = useState(initial);
  const [form, setForm] = useState<ImapForm>(() => imapToForm(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const save = useMutation('inmail.imapSave');
  const set = <K extends keyof ImapForm>(key: K, value: ImapForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setNotice(null);
  };
  const err = (path: string) => errors[path] ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = imapFromForm(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const result = await save.mutate(checked.value);
    if (result.ok) {
      setSaved(result.value);
      setForm(imapToForm(result.value));
      setNotice(result.value.enabled ? 'Saved; polling applies at once.' : 'Saved; polling is off.');
    } else setErrors(groupByField(result.error.details ?? []));
  };

  return (
    <form className="rule-form" onSubmit={(e) => void submit(e)} noValidate data-testid="imap-form">
      <div className="imap-grid">
        <Field label="Host" htmlFor="imap-host" errors={err('host')}>
          <TextInput
            id="imap-host"
            className="mono"
            placeholder="imap.example.com"
            value={form.host}
            invalid={err('host').length > 0}
            onChange={(e) => set('host', e.target.value)}
          />
        </Field>
        <Field label="Port" htmlFor="imap-port" errors={err('port')}>
          <TextInput
            id="imap-port"
            inputMode="numeric"
            value={form.port}
            invalid={err('port').length > 0}
            onChange={(e) => set('port', e.target.value)}
          />
        </Field>
        <Field label="User" htmlFor="imap-user" errors={err('user')}>
          <TextInput
            id="imap-user"
            autoComplete="off"
            value={form.user}
            invalid={err('user').length > 0}
            onChange={(e) => set('user', e.target.value)}
          />
        </Field>
        <Field
          label="Password"
          htmlFor="imap-password"
          errors={err('password')}
          hint={saved.passwordSet ? 'A password is stored; leave empty to keep it' : 'No password stored'}
        >
          <TextInput
            id="imap-password"
            type="password"
            autoComplete="new-password"
            placeholder={saved.passwordSet ? '••••••••' : ''}
            value={form.password}
            disabled={form.clearPassword}
            onChange={(e) => set('password', e.target.value)}
            data-testid="imap-password"
          />
        </Field>
        <Field label="Mailbox" htmlFor="imap-mailbox" errors={err('mailbox')}>
          <TextInput
            id="imap-mailbox"
            value={form.mailbox}
            invalid={err('mailbox').length > 0}
            onChange={(e) => set('mailbox', e.target.value)}
          />
        </Field>
        <Field
          label="Poll every (seconds)"
          htmlFor="imap-interval"
          errors={err('intervalSec')}
          hint="30 to 86400"
        >
          <TextInput
            id="imap-interval"
            inputMode="numeric"
            value={form.intervalSec}
            invalid={err('intervalSec').length > 0}
            onChange={(e) => set('intervalSec', e.target.value)}
          />
        </Field>
      </div>
      <div className="row gap-1 imap-choices">
        <label className="choice">
          <input type="checkbox" checked={form.tls} onChange={(e) => set('tls', e.target.checked)} />
          <span className="choice-label">TLS</span>
        </label>
        {saved.passwordSet && (
          <label className="choice">
            <input
              type="checkbox"
              checked={form.clearPassword}
              onChange={(e) => set('clearPassword', e.target.checked)}
            />
            <span className="choice-label">Forget the stored password</span>
          </label>
        )}
        <label className="choice">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => set('enabled', e.target.checked)}
            data-testid="imap-enabled"
          />
          <span className="choice-label">Poll this mailbox</span>
        </label>
        <span className="topbar-spacer" />
        <Button type="submit" variant="primary" disabled={save.pending} testId="imap-save">
          {save.pending ? 'Saving…' : 'Save'}
        </Button>
      </div>
      {err('').length > 0 && <div className="field-error">{err('').join('; ')}</div>}
      <ErrorBanner
        error={save.error && (save.error.details?.length ?? 0) === 0 ? save.error : null}
        title="The IMAP settings could not be saved"
      />
      {notice && <Notice testId="imap-notice">{notice}</Notice>}
    </form>
  );
}
