import { useMemo, useState, type FormEvent } from 'react';
import type { RecipientsPreview, SavedTemplate } from '../../../shared/contract';
import type { TextEncoding } from '../../../shared/domain/text-encoding';
import { useMutation, useQuery } from '../../api/hooks';
import { navigate, paths } from '../../app/router';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field, TextInput } from '../../components/Field';
import { formatCount } from '../../components/format';
import { UnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import {
  buildCreateInput,
  hasInput,
  headerFieldsOf,
  initialForm,
  serverFieldErrors,
  templateInput,
  usesSandbox,
  type DeliveryForm,
  type FieldErrors,
  type RecipientsSource,
} from './form-model';
import { RecipientsSection } from './RecipientsSection';
import { RoutingSection } from './RoutingSection';
import { TemplateEditor } from './TemplateEditor';
import { TemplatePreview } from './TemplatePreview';
import { ValiditySection } from './ValiditySection';
import { MessagePreviewButton } from '../message/MessagePreviewButton';
import { draftRouting } from '../message/draft-routing';

export function NewDeliveryPage() {
  const info = useQuery('app.info', {});
  const templates = useQuery('templates.list', {});
  const samples = useQuery('samples.lists', {});
  const defaultRoute = info.data?.defaultRoute;

  const [form, setForm] = useState<DeliveryForm>(() => initialForm(undefined));
  const [preview, setPreview] = useState<RecipientsPreview | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const previewCall = useMutation('recipients.preview');
  const create = useMutation('deliveries.create');

  const patch = (p: Partial<DeliveryForm>) => setForm((f) => ({ ...f, ...p }));
  const built = useMemo(
    () => buildCreateInput(form, defaultRoute, preview?.columns ?? null),
    [form, defaultRoute, preview],
  );
  const errors = useMemo(
    () => mergeErrors(submitted && !built.ok ? built.errors : {}, serverErrors),
    [submitted, built, serverErrors],
  );

  const onSource = async (source: RecipientsSource) => {
    patch({ recipients: source });
    create.reset();
    const result = await previewCall.mutate(source);
    setPreview(result.ok ? result.value : null);
  };
  const onEncoding = (encoding: TextEncoding | undefined) => {
    const current = form.recipients;
    if (!current || !('data' in current)) return;
    const { encoding: _previous, ...bytes } = current;
    void onSource(encoding ? { ...bytes, encoding } : bytes);
  };
  // A list that cannot be read is said once, in the Recipients card: the preview's error, or the creation's.
  const listError = create.error?.code === 'csv_invalid' ? create.error : previewCall.error;

  const onUseSaved = (t: SavedTemplate) =>
    setForm((f) => ({
      ...f,
      name: f.name.trim() ? f.name : t.name,
      template: {
        fromName: t.fromName,
        fromAddress: t.fromAddress,
        subject: t.subject,
        text: t.text,
        html: t.html,
        ...headerFieldsOf(t),
      },
    }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setServerErrors({});
    if (!built.ok) {
      focusFirstInvalid();
      return;
    }
    const result = await create.mutate(built.input);
    if (result.ok) {
      navigate(paths.delivery(result.value.delivery.id));
      return;
    }
    // The list's own error is shown in the Recipients card (`listError`), not again per field.
    if (result.error.code !== 'csv_invalid')
      setServerErrors(serverFieldErrors(result.error.details ?? [], result.error.code));
    focusFirstInvalid();
  };

  const columns = preview?.columns ?? [];
  const firstRow = preview?.rows[0] ?? null;

  return (
    <form className="page" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="new-delivery-form">
      <header className="page-header">
        <div>
          <h1 className="page-title">New delivery</h1>
          <p className="page-subtitle">
            A message template, a recipient list and where to relay it. Preparation excludes duplicates and
            invalid rows; relay starts right after.
          </p>
        </div>
      </header>
      <div className="form-layout">
        <div className="form-main">
          <Card title="Delivery">
            <Field label="Name" htmlFor="delivery-name" errors={errors.name}>
              <TextInput
                id="delivery-name"
                data-testid="delivery-name"
                placeholder="Spring newsletter"
                required
                value={form.name}
                invalid={!!errors.name}
                onChange={(e) => patch({ name: e.target.value })}
              />
            </Field>
          </Card>
          <RecipientsSection
            source={form.recipients}
            preview={preview}
            previewing={previewCall.pending}
            listError={listError}
            samples={samples.data?.items ?? []}
            errors={errors.recipients ?? []}
            onSource={(s) => void onSource(s)}
            onEncoding={onEncoding}
          />
          <TemplateEditor
            template={form.template}
            onChange={(template) => patch({ template })}
            columns={columns}
            saved={templates.data?.items ?? []}
            onUseSaved={onUseSaved}
            onSaved={() => templates.refetch()}
            errors={errors}
          />
          <RoutingSection
            form={form}
            defaultRoute={defaultRoute}
            sandbox={info.data?.sandbox}
            errors={errors}
            onChange={patch}
          />
          <ValiditySection form={form} errors={errors} onChange={patch} />
        </div>
        <aside className="form-aside">
          <Card
            title="Preview"
            description={
              firstRow
                ? 'The first recipient’s message.'
                : 'Choose a recipient list to preview a real message.'
            }
          >
            <TemplatePreview template={form.template} row={firstRow} columns={columns} />
            <MessagePreviewButton
              template={templateInput(form.template)}
              rows={preview?.rows ?? []}
              routing={draftRouting(form, defaultRoute)}
            />
          </Card>
          <Card title="Summary" className="submit-card">
            <dl className="summary">
              <dt>Recipients</dt>
              <dd className="num">{preview ? `${formatCount(preview.valid)} to deliver` : '—'}</dd>
              <dt>Route</dt>
              <dd>
                {form.routing === 'smarthost'
                  ? form.smarthost || 'smart host'
                  : form.routing === 'sandbox'
                    ? 'Sandbox'
                    : 'Default route'}
                {form.routes.length
                  ? ` + ${form.routes.length} domain route${form.routes.length > 1 ? 's' : ''}`
                  : ''}
              </dd>
              <dt>Reporting</dt>
              <dd>{form.reporting === 'efs' ? 'EFS' : 'Classic'}</dd>
              {usesSandbox(form, defaultRoute) && (
                <>
                  <dt>Time</dt>
                  <dd>{form.timeScale === 1 ? 'real time' : `×${form.timeScale}`}</dd>
                </>
              )}
            </dl>
            {errors.form && <ErrorList messages={errors.form} />}
            {create.error?.code !== 'csv_invalid' && (
              <ErrorBanner error={create.error} title="The delivery was not created" />
            )}
            {((submitted && !built.ok) || create.error?.code === 'csv_invalid') && (
              <div className="field-error">Some fields need attention (marked above).</div>
            )}
            <Button
              type="submit"
              variant="primary"
              className="btn-block"
              disabled={create.pending}
              testId="submit-delivery"
            >
              {create.pending ? 'Creating…' : 'Create and start delivery'}
            </Button>
          </Card>
        </aside>
      </div>
      <UnsavedChangesGuard dirty={hasInput(form)} what="this new delivery" />
    </form>
  );
}

function ErrorList({ messages }: { messages: readonly string[] }) {
  return (
    <ul className="field-error-list">
      {messages.map((m, i) => (
        <li key={i} className="field-error">
          {m}
        </li>
      ))}
    </ul>
  );
}

function mergeErrors(a: FieldErrors, b: FieldErrors): FieldErrors {
  const out: FieldErrors = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

function focusFirstInvalid(): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>('[aria-invalid="true"], .dropzone.is-invalid button');
    el?.focus();
  });
}
