/**
 * Template validation at delivery creation: subject, bodies and header values (Reply-To, unsubscribe URIs,
 * custom headers) must compile, use only fields the recipient
 * list provides, and a body must exist; the From address must be valid. Every problem names its part and,
 * for syntax errors, its line and column.
 */
import { AppError, type ErrorDetail } from '../../shared/contract/errors';
import type { MessageTemplate } from '../../shared/contract/schemas';
import { checkAddress } from '../../shared/domain/address';
import { headerSources, templateHeaderProblems } from '../../shared/domain/message-headers';
import { compileTemplate, missingFields, type CompiledTemplate } from '../../shared/domain/template';

const PARTS = ['subject', 'text', 'html'] as const;

export function templateProblems(template: MessageTemplate, columns: readonly string[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const from = checkAddress(template.fromAddress);
  if (!from.ok) details.push({ field: 'fromAddress', message: `From address: ${from.message ?? 'invalid'}` });
  if (template.text.trim() === '' && template.html.trim() === '') {
    details.push({ field: 'text', message: 'the message needs a text or an HTML body' });
  }
  for (const part of PARTS) {
    const { template: compiled, errors } = compileTemplate(template[part], part);
    for (const e of errors)
      details.push({ field: part, line: e.line, column: e.column, message: `${part}: ${e.message}` });
    if (compiled) details.push(...unknownFields(part, compiled, columns));
  }
  for (const p of templateHeaderProblems(template))
    details.push({ field: p.path.join('.'), message: p.message });
  // Header values: a {{field}} the list lacks is refused as in the bodies.
  for (const h of headerSources(template)) {
    const { template: compiled, errors } = compileTemplate(h.source, h.path);
    for (const e of errors)
      details.push({ field: h.path, line: e.line, column: e.column, message: `${h.label}: ${e.message}` });
    if (compiled)
      details.push(
        ...unknownFields(h.path, compiled, columns).map((d) => ({
          ...d,
          message: d.message.replace(`${h.path}:`, `${h.label}:`),
        })),
      );
  }
  return details;
}

function unknownFields(part: string, compiled: CompiledTemplate, columns: readonly string[]): ErrorDetail[] {
  const missing = missingFields(compiled, columns);
  if (missing.length === 0) return [];
  const available = ['email', ...columns.filter((c) => c.toLowerCase() !== 'email')].join(', ');
  return missing.map((name) => ({
    field: part,
    message: `${part}: {{${name}}} is not a column of the recipient list (columns: ${available})`,
  }));
}

/** Throws `template_invalid` listing every problem. */
export function assertValidTemplate(template: MessageTemplate, columns: readonly string[]): void {
  const details = templateProblems(template, columns);
  const first = details[0];
  if (!first) return;
  const more =
    details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
  const where = first.line !== undefined ? ` at line ${first.line}, column ${first.column ?? 1}` : '';
  throw new AppError(
    'template_invalid',
    `The message template is invalid: ${first.message}${where}${more}`,
    details,
  );
}

/** The domain of the From address (Message-IDs use it). */
export function fromDomain(template: MessageTemplate): string {
  return checkAddress(template.fromAddress).domain ?? 'relaydeck.invalid';
}
