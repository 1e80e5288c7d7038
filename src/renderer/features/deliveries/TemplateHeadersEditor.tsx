import { Button } from '../../components/Button';
import { Field, TextInput } from '../../components/Field';
import type { FieldErrors, TemplateDraft } from './form-model';

export interface TemplateHeadersEditorProps {
  template: TemplateDraft;
  onChange(template: TemplateDraft): void;
  errors: FieldErrors;
}

/**
 * The message's headers besides From and Subject: Reply-To, List-Unsubscribe (an email and an https link, which
 * Gmail and Yahoo require of bulk senders), one-click unsubscribe (RFC 8058) and custom headers. Values may hold
 * `{{fields}}`; problems show on their field.
 */
export function TemplateHeadersEditor({ template, onChange, errors }: TemplateHeadersEditorProps) {
  const unsubscribe = template.listUnsubscribe ?? {};
  const rows = template.headers ?? [];
  const setUnsubscribe = (key: 'mailto' | 'https', value: string) =>
    onChange({ ...template, listUnsubscribe: { ...unsubscribe, [key]: value } });
  const setRow = (i: number, key: 'name' | 'value', value: string) =>
    onChange({ ...template, headers: rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)) });
  const invalid = (key: string) => (errors[key]?.length ?? 0) > 0;

  return (
    <section
      className="template-headers"
      data-testid="template-headers"
      aria-labelledby="template-headers-title"
    >
      <h3 id="template-headers-title" className="section-title">
        Headers
      </h3>
      <p className="muted small">
        Gmail and Yahoo require bulk mail to carry an unsubscribe link with one-click unsubscribe. Values may
        use {'{{fields}}'}; in the unsubscribe addresses they are URL-encoded.
      </p>
      <Field label="Reply-To" htmlFor="reply-to" errors={errors['template.replyTo']}>
        <TextInput
          id="reply-to"
          data-testid="reply-to"
          placeholder="support@example.com"
          autoComplete="off"
          value={template.replyTo ?? ''}
          invalid={invalid('template.replyTo')}
          onChange={(e) => onChange({ ...template, replyTo: e.target.value })}
        />
      </Field>
      <div className="grid-2">
        <Field
          label="Unsubscribe email"
          htmlFor="unsubscribe-mailto"
          errors={errors['template.listUnsubscribe.mailto']}
        >
          <TextInput
            id="unsubscribe-mailto"
            data-testid="unsubscribe-mailto"
            className="mono"
            placeholder="unsubscribe@example.com"
            autoComplete="off"
            value={unsubscribe.mailto ?? ''}
            invalid={invalid('template.listUnsubscribe.mailto')}
            onChange={(e) => setUnsubscribe('mailto', e.target.value)}
          />
        </Field>
        <Field
          label="Unsubscribe link"
          htmlFor="unsubscribe-https"
          errors={errors['template.listUnsubscribe.https']}
        >
          <TextInput
            id="unsubscribe-https"
            data-testid="unsubscribe-https"
            className="mono"
            placeholder="https://example.com/unsubscribe?e={{email}}"
            autoComplete="off"
            value={unsubscribe.https ?? ''}
            invalid={invalid('template.listUnsubscribe.https')}
            onChange={(e) => setUnsubscribe('https', e.target.value)}
          />
        </Field>
      </div>
      <div className="field">
        <label className="choice">
          <input
            type="checkbox"
            data-testid="one-click"
            checked={template.oneClick ?? false}
            aria-invalid={invalid('template.oneClick') || undefined}
            onChange={(e) => onChange({ ...template, oneClick: e.target.checked })}
          />
          <span className="choice-label">
            One-click unsubscribe (adds List-Unsubscribe-Post: List-Unsubscribe=One-Click; needs the link)
          </span>
        </label>
        {errors['template.oneClick']?.map((m, i) => (
          <div key={i} className="field-error" role="alert" data-testid="error-one-click">
            {m}
          </div>
        ))}
      </div>
      <div className="custom-headers" data-testid="custom-headers">
        {rows.map((row, i) => (
          <div className="grid-2 custom-header-row" key={i} data-testid={`custom-header-${i}`}>
            <Field
              label={`Header ${i + 1} name`}
              htmlFor={`header-name-${i}`}
              errors={errors[`template.headers.${i}.name`]}
            >
              <TextInput
                id={`header-name-${i}`}
                data-testid={`header-name-${i}`}
                className="mono"
                placeholder="X-Campaign"
                autoComplete="off"
                value={row.name}
                invalid={invalid(`template.headers.${i}.name`)}
                onChange={(e) => setRow(i, 'name', e.target.value)}
              />
            </Field>
            <Field label="Value" htmlFor={`header-value-${i}`} errors={errors[`template.headers.${i}.value`]}>
              <div className="row gap-1">
                <TextInput
                  id={`header-value-${i}`}
                  data-testid={`header-value-${i}`}
                  className="mono"
                  autoComplete="off"
                  value={row.value}
                  invalid={invalid(`template.headers.${i}.value`)}
                  onChange={(e) => setRow(i, 'value', e.target.value)}
                />
                <Button
                  size="sm"
                  testId={`remove-header-${i}`}
                  title={`Remove header ${row.name || i + 1}`}
                  onClick={() => onChange({ ...template, headers: rows.filter((_, j) => j !== i) })}
                >
                  Remove
                </Button>
              </div>
            </Field>
          </div>
        ))}
        <Button
          size="sm"
          testId="add-header"
          onClick={() => onChange({ ...template, headers: [...rows, { name: '', value: '' }] })}
        >
          Add header
        </Button>
      </div>
    </section>
  );
}
