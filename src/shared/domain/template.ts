/**
 * Message templates: `{{field}}` placeholders in the subject and bodies, filled from the recipient's CSV
 * columns. Templates are compiled once per delivery and rendered per message.
 */

export interface TemplateError {
  /** Which part of the template: subject, text, html, from. */
  field: string;
  line: number;
  column: number;
  message: string;
}

type Part = { kind: 'text'; value: string } | { kind: 'field'; name: string };

export interface CompiledTemplate {
  parts: Part[];
  fields: string[];
}

const FIELD_NAME = /^[A-Za-z_][\w.-]*$/;

export function compileTemplate(
  source: string,
  field: string,
): { template?: CompiledTemplate; errors: TemplateError[] } {
  const parts: Part[] = [];
  const errors: TemplateError[] = [];
  const fields = new Set<string>();
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push({ kind: 'text', value: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', value: source.slice(i, open) });
    const close = source.indexOf('}}', open + 2);
    const nextOpen = source.indexOf('{{', open + 2);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      errors.push({ field, ...position(source, open), message: 'unclosed "{{": expected "}}"' });
      break;
    }
    const name = source.slice(open + 2, close).trim();
    if (!FIELD_NAME.test(name)) {
      errors.push({ field, ...position(source, open), message: `invalid field name "${name}"` });
    } else {
      parts.push({ kind: 'field', name });
      fields.add(name);
    }
    i = close + 2;
  }
  return errors.length ? { errors } : { template: { parts, fields: [...fields] }, errors };
}

function position(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export function renderTemplate(
  template: CompiledTemplate,
  values: Readonly<Record<string, string>>,
  escape: (value: string) => string = (v) => v,
): string {
  let out = '';
  for (const part of template.parts)
    out += part.kind === 'text' ? part.value : escape(fieldValue(values, part.name));
  return out;
}

/** Field names match columns case-insensitively, as `missingFields` checks them. */
function fieldValue(values: Readonly<Record<string, string>>, name: string): string {
  const exact = values[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const key of Object.keys(values)) if (key.toLowerCase() === lower) return values[key] ?? '';
  return '';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fields a template uses that the recipient columns do not provide. `email` is always available. */
export function missingFields(template: CompiledTemplate, columns: readonly string[]): string[] {
  const known = new Set(columns.map((c) => c.toLowerCase()));
  known.add('email');
  return template.fields.filter((f) => !known.has(f.toLowerCase()));
}
