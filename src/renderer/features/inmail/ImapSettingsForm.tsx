import { useState, type FormEvent } from 'react';
import type { ImapSettings } from '../../../shared/contract/bounce';
import { useMutation, useQuery } from '../../api/hooks';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { BoundCheckbox, BoundInput, type FormBinding } from '../../components/BoundField';
import { UnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
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
  const bind: FormBinding<ImapForm> = { form, set, err };
  const dirty = JSON.stringify(form) !== JSON.stringify(imapToForm(saved));

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
        <BoundInput
          bind={bind}
          name="host"
          id="imap-host"
          label="Host"
          className="mono"
          placeholder="imap.example.com"
        />
        <BoundInput bind={bind} name="port" id="imap-port" label="Port" inputMode="numeric" />
        <BoundInput bind={bind} name="user" id="imap-user" label="User" autoComplete="off" />
        <BoundInput
          bind={bind}
          name="password"
          id="imap-password"
          label="Password"
          hint={saved.passwordSet ? 'A password is stored; leave empty to keep it' : 'No password stored'}
          type="password"
          autoComplete="new-password"
          placeholder={saved.passwordSet ? '••••••••' : ''}
          disabled={form.clearPassword}
          data-testid="imap-password"
        />
        <BoundInput bind={bind} name="mailbox" id="imap-mailbox" label="Mailbox" />
        <BoundInput
          bind={bind}
          name="intervalSec"
          id="imap-interval"
          label="Poll every (seconds)"
          hint="30 to 86400"
          inputMode="numeric"
        />
      </div>
      <div className="row gap-1 imap-choices">
        <BoundCheckbox bind={bind} name="tls" label="TLS" />
        {saved.passwordSet && (
          <BoundCheckbox bind={bind} name="clearPassword" label="Forget the stored password" />
        )}
        <BoundCheckbox bind={bind} name="enabled" label="Poll this mailbox" data-testid="imap-enabled" />
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
      <UnsavedChangesGuard dirty={dirty} what="the IMAP settings" />
    </form>
  );
}
