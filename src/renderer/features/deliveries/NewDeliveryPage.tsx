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
import { AnalysisPanel } from './AnalysisPanel';
import { analysisInputOf, analysisKey, isStale, nextStep, type AnalysisState } from './analysis-model';

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
  const analysisCall = useMutation('analysis.run');
  const [analysis, setAnalysis] = useState<AnalysisState | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);

  const patch = (p: Partial<DeliveryForm>) => setForm((f) => ({ ...f, ...p }));
  const built = useMemo(
    () => buildCreateInput(form, defaultRoute, preview?.columns ?? null),
    [form, defaultRoute, preview],
  );
  const analysisInput = useMemo(() => (built.ok ? analysisInputOf(built.input) : null), [built]);
  const currentKey = useMemo(() => (analysisInput ? analysisKey(analysisInput) : null), [analysisInput]);
  const errors = useMemo(
    () => mergeErrors(submitted && !built.ok ? built.errors : {}, serverErrors),
    [submitted, built, serverErrors],
  );

  const onSource = async (source: RecipientsSource) => {
    patch({ recipients: source });
    create.reset();
    analysisCall.reset();
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
  // The analysis reads the list too: its refusal of the list is that same error.
  const listError =
    create.error?.code === 'csv_invalid'
      ? create.error
      : analysisCall.error?.code === 'csv_invalid'
        ? analysisCall.error
        : previewCall.error;
  const listUnreadable = create.error?.code === 'csv_invalid' || analysisCall.error?.code === 'csv_invalid';

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

  /** Runs the analysis of the form as it is; the new result needs a new confirmation of its errors. */
  const runAnalysis = async (): Promise<AnalysisState | null> => {
    if (!analysisInput || currentKey === null) return null;
    const result = await analysisCall.mutate(analysisInput);
    if (!result.ok) return null;
    const state = { report: result.value, key: currentKey };
    setAnalysis(state);
    setAcknowledged(false);
    return state;
  };
  const onRunAnalysis = () => {
    setSubmitted(true);
    if (!built.ok) {
      focusFirstInvalid();
      return;
    }
    void runAnalysis();
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setServerErrors({});
    if (!built.ok) {
      focusFirstInvalid();
      return;
    }
    // The analysis warns and never blocks silently: creating without a current result runs it first, and errors
    // need the analyst's explicit confirmation (recorded with the delivery).
    let current = analysis;
    let ack = acknowledged;
    if (nextStep(current, currentKey, ack) === 'analyse') {
      current = await runAnalysis();
      ack = false;
      if (!current) return;
    }
    if (nextStep(current, currentKey, ack) === 'confirm') {
      document.querySelector('[data-testid="analysis-panel"]')?.scrollIntoView({ block: 'start' });
      return;
    }
    const result = await create.mutate({
      ...built.input,
      ...(current ? { analysis: { report: current.report, acknowledgedErrors: ack } } : {}),
    });
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
          <AnalysisPanel
            report={analysis?.report ?? null}
            stale={isStale(analysis, currentKey)}
            running={analysisCall.pending}
            error={analysisCall.error?.code === 'csv_invalid' ? null : analysisCall.error}
            acknowledged={acknowledged}
            onAcknowledge={setAcknowledged}
            onRun={onRunAnalysis}
          />
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
            {analysis && !isStale(analysis, currentKey) && (
              <div className="analysis-submit-note" data-testid="analysis-submit-note">
                {analysis.report.counts.error > 0 && !acknowledged ? (
                  <span className="field-error">
                    The analysis found errors: read them and confirm below the checks to send anyway.
                  </span>
                ) : analysis.report.counts.error > 0 ? (
                  'Sending despite the analysis’s errors (confirmed).'
                ) : analysis.report.counts.warning > 0 ? (
                  'The analysis found warnings (shown above); they do not stop the delivery.'
                ) : (
                  'The analysis found no problems.'
                )}
              </div>
            )}
            {((submitted && !built.ok) || listUnreadable) && (
              <div className="field-error">Some fields need attention (marked above).</div>
            )}
            <Button
              type="submit"
              variant="primary"
              className="btn-block"
              disabled={create.pending || analysisCall.pending}
              testId="submit-delivery"
            >
              {create.pending
                ? 'Creating…'
                : analysisCall.pending
                  ? 'Analysing…'
                  : 'Create and start delivery'}
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
