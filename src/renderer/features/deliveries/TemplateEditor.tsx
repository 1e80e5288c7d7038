import { useState } from 'react';
import type { SavedTemplate } from '../../../shared/contract';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Field, TextArea, TextInput } from '../../components/Field';
import { Tabs } from '../../components/Tabs';
import { SaveTemplate } from '../message/SaveTemplate';
import { templateInput, type DeliveryForm, type FieldErrors, type TemplatePart } from './form-model';
import { TemplateHeadersEditor } from './TemplateHeadersEditor';

type Template = DeliveryForm['template'];
type Editable = HTMLInputElement | HTMLTextAreaElement;

export interface TemplateEditorProps {
  template: Template;
  onChange(template: Template): void;
  /** Columns of the recipient list: the `{{fields}}` the template can use. */
  columns: readonly string[];
  saved: readonly SavedTemplate[];
  onUseSaved(template: SavedTemplate): void;
  /** A template was saved ("Save as template"): the list of saved ones is stale. */
  onSaved?(template: SavedTemplate): void;
  errors: FieldErrors;
}

export function TemplateEditor({
  template,
  onChange,
  columns,
  saved,
  onUseSaved,
  onSaved,
  errors,
}: TemplateEditorProps) {
  const [body, setBody] = useState<'text' | 'html'>('text');
  const [target, setTarget] = useState<TemplatePart>('subject');

  const set = (part: TemplatePart | 'fromAddress', value: string) => onChange({ ...template, [part]: value });
  const bind = (part: TemplatePart) => ({
    onFocus: () => setTarget(part),
    value: template[part],
    invalid: (errors[`template.${part}`]?.length ?? 0) > 0,
  });

  /** Inserts `{{field}}` at the caret of the last focused template field, then puts the caret after it. */
  const insert = (field: string) => {
    const el = document.getElementById(PART_ELEMENT_ID[target]) as Editable | null;
    const current = template[target];
    const token = `{{${field}}}`;
    const start = el?.selectionStart ?? current.length;
    const end = el?.selectionEnd ?? current.length;
    set(target, current.slice(0, start) + token + current.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const fields = columns.length ? columns : ['email'];
  const demo = saved[0];

  return (
    <Card
      title="Message"
      description="Use {{field}} placeholders in the sender name, subject and bodies."
      actions={
        <div className="row gap-1">
          {demo && (
            <Button size="sm" onClick={() => onUseSaved(demo)} testId="use-demo-template" title={demo.name}>
              Use demo template
            </Button>
          )}
          {saved.length > 0 && (
            <select
              className="input select select-inline"
              aria-label="Saved templates"
              data-testid="saved-templates"
              value=""
              onChange={(e) => {
                const t = saved.find((s) => s.id === e.target.value);
                if (t) onUseSaved(t);
              }}
            >
              <option value="">Saved templates…</option>
              {saved.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </div>
      }
    >
      <div className="grid-2">
        <Field label="From name" htmlFor="from-name" errors={errors['template.fromName']}>
          <TextInput
            id="from-name"
            data-testid="from-name"
            placeholder="Acme News"
            {...bind('fromName')}
            onChange={(e) => set('fromName', e.target.value)}
          />
        </Field>
        <Field label="From address" htmlFor="from-address" errors={errors['template.fromAddress']}>
          <TextInput
            id="from-address"
            data-testid="from-address"
            type="email"
            placeholder="news@example.com"
            required
            autoComplete="off"
            value={template.fromAddress}
            invalid={(errors['template.fromAddress']?.length ?? 0) > 0}
            onChange={(e) => set('fromAddress', e.target.value)}
          />
        </Field>
      </div>
      <Field label="Subject" htmlFor="subject" errors={errors['template.subject']}>
        <TextInput
          id="subject"
          data-testid="subject"
          className="mono"
          required
          {...bind('subject')}
          onChange={(e) => set('subject', e.target.value)}
        />
      </Field>
      <div className="body-editor">
        <Tabs<'text' | 'html'>
          label="Message body"
          idPrefix="body"
          value={body}
          onChange={setBody}
          items={[
            { id: 'text', label: 'Text body', badge: template.text ? undefined : 'empty' },
            { id: 'html', label: 'HTML body', badge: template.html ? undefined : 'empty' },
          ]}
        />
        <div id="body-panel" role="tabpanel" aria-labelledby={`body-tab-${body}`}>
          <Field
            label={body === 'text' ? 'Text body' : 'HTML body'}
            htmlFor={`body-${body}`}
            errors={errors[`template.${body}`]}
            className="sr-label"
          >
            <TextArea
              id={`body-${body}`}
              key={body}
              data-testid={`body-${body}`}
              className="mono"
              rows={12}
              spellCheck={body === 'text'}
              {...bind(body)}
              onChange={(e) => set(body, e.target.value)}
            />
          </Field>
        </div>
        {body === 'text' && errors['template.html'] && (
          <div className="field-error">HTML body: {errors['template.html'].join('; ')}</div>
        )}
        {body === 'html' && errors['template.text'] && (
          <div className="field-error">Text body: {errors['template.text'].join('; ')}</div>
        )}
      </div>
      <div className="placeholders" data-testid="placeholders">
        <span className="muted small">Insert into {PART_LABEL[target].toLowerCase()}:</span>
        {fields.map((f) => (
          <button
            key={f}
            type="button"
            className="code-chip is-button"
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => insert(f)}
            data-testid={`placeholder-${f}`}
          >
            {`{{${f}}}`}
          </button>
        ))}
      </div>
      <TemplateHeadersEditor template={template} onChange={onChange} errors={errors} />
      <div className="template-footer">
        <SaveTemplate template={templateInput(template)} saved={saved} onSaved={(t) => onSaved?.(t)} />
      </div>
    </Card>
  );
}

/** Element ids of the template inputs (the caret position is read from the element at insertion time). */
const PART_ELEMENT_ID: Record<TemplatePart, string> = {
  fromName: 'from-name',
  subject: 'subject',
  text: 'body-text',
  html: 'body-html',
};

export const PART_LABEL: Record<TemplatePart, string> = {
  fromName: 'From name',
  subject: 'Subject',
  text: 'Text body',
  html: 'HTML body',
};
