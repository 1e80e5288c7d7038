import { useMemo } from 'react';
import { compileTemplate, renderTemplate, type TemplateError } from '../../../shared/domain/template';
import { unknownFields, type DeliveryForm } from './form-model';
import { PART_LABEL } from './TemplateEditor';

type Template = DeliveryForm['template'];

/** The first recipient's message as it will be sent, rendered with the shared template engine. */
export function TemplatePreview({
  template,
  row,
  columns,
}: {
  template: Template;
  row: Readonly<Record<string, string>> | null;
  columns: readonly string[];
}) {
  const result = useMemo(() => {
    const values = row ?? {};
    const errors: TemplateError[] = [];
    const render = (part: 'fromName' | 'subject' | 'text') => {
      const compiled = compileTemplate(template[part], part);
      errors.push(...compiled.errors);
      if (!compiled.template) return null;
      return renderTemplate(compiled.template, values);
    };
    const fromName = render('fromName');
    const subject = render('subject');
    const text = render('text');
    const html = compileTemplate(template.html, 'html');
    errors.push(...html.errors);
    const missing = row ? [...new Set(unknownFields(template, columns).flatMap((p) => p.fields))] : [];
    return { fromName, subject, text, errors, missing };
  }, [template, row, columns]);

  const to = row?.email ?? row?.Email ?? null;
  return (
    <div className="preview" data-testid="template-preview">
      <dl className="preview-headers">
        <dt>From</dt>
        <dd>
          {result.fromName ? `${result.fromName} ` : ''}
          {template.fromAddress ? `<${template.fromAddress}>` : <span className="muted">no sender yet</span>}
        </dd>
        <dt>To</dt>
        <dd>{to ?? <span className="muted">first recipient of the list</span>}</dd>
        <dt>Subject</dt>
        <dd className="strong" data-testid="preview-subject">
          {result.subject ?? <span className="muted">—</span>}
        </dd>
      </dl>
      <pre className="preview-body" data-testid="preview-text">
        {result.text || <span className="muted">{template.html ? '(HTML body only)' : 'No body yet.'}</span>}
      </pre>
      {result.errors.length > 0 && (
        <ul className="template-errors" data-testid="template-errors">
          {result.errors.map((e, i) => (
            <li key={i}>
              <span className="strong">{PART_LABEL[e.field as keyof typeof PART_LABEL] ?? e.field}</span>,
              line {e.line}, column {e.column}: {e.message}
            </li>
          ))}
        </ul>
      )}
      {result.missing.length > 0 && (
        <div className="field-error" data-testid="template-missing-fields">
          Not columns of the recipient list (add the column or remove the placeholder):{' '}
          {result.missing.map((f) => (
            <code key={f} className="code-chip">{`{{${f}}}`}</code>
          ))}
        </div>
      )}
    </div>
  );
}
