/**
 * A template's Reply-To, List-Unsubscribe, List-Unsubscribe-Post and custom headers, compiled once per
 * delivery and rendered per message. Lines without `{{fields}}` are encoded once; a field's value placed in an
 * unsubscribe URI is percent-encoded (`encodeURIComponent`), elsewhere the value is encoded as MimeNode encodes
 * a header (RFC 2047 encoded words for non-ASCII text, addresses for Reply-To; line breaks become spaces, so a
 * recipient's field cannot add a header).
 */
import MimeNode from 'nodemailer/lib/mime-node';
import type { MessageTemplate } from '../../../shared/contract/schemas';
import { mailtoUri, ONE_CLICK_VALUE } from '../../../shared/domain/message-headers';
import { renderTemplate, type CompiledTemplate } from '../../../shared/domain/template';

type Part = (source: string, field: string) => CompiledTemplate;

interface HeaderLine {
  name: string;
  /** The value's pieces; a URI list is rendered with its fields percent-encoded. */
  values: CompiledTemplate[];
  kind: 'address' | 'uris' | 'text';
  /** The encoded line when it holds no field. */
  fixed: string | null;
}

export interface CompiledHeaders {
  lines: HeaderLine[];
  /** Every `{{field}}` the headers use. */
  fields: string[];
}

const encoder = new MimeNode('text/plain', { baseBoundary: 'template-headers' });

export function compileHeaders(t: MessageTemplate, part: Part): CompiledHeaders {
  const lines: HeaderLine[] = [];
  const add = (name: string, kind: HeaderLine['kind'], values: CompiledTemplate[]) => {
    const line: HeaderLine = { name, kind, values, fixed: null };
    if (values.every((v) => v.fields.length === 0)) line.fixed = encode(line, {});
    lines.push(line);
  };
  if (t.replyTo?.trim()) add('Reply-To', 'address', [part(t.replyTo.trim(), 'replyTo')]);
  const uris: CompiledTemplate[] = [];
  const mailto = t.listUnsubscribe?.mailto?.trim();
  const https = t.listUnsubscribe?.https?.trim();
  if (mailto) uris.push(part(mailtoUri(mailto), 'listUnsubscribe.mailto'));
  if (https) uris.push(part(https, 'listUnsubscribe.https'));
  if (uris.length > 0) add('List-Unsubscribe', 'uris', uris);
  if (t.oneClick && https) add('List-Unsubscribe-Post', 'text', [part(ONE_CLICK_VALUE, 'oneClick')]);
  (t.headers ?? []).forEach((h, i) => add(h.name.trim(), 'text', [part(h.value, `headers.${i}.value`)]));
  const fields = new Set(lines.flatMap((l) => l.values.flatMap((v) => v.fields)));
  return { lines, fields: [...fields] };
}

/** The header lines of one message (`Name: value\r\n` each, unfolded). */
export function renderHeaders(h: CompiledHeaders, values: Readonly<Record<string, string>>): string {
  let out = '';
  for (const line of h.lines) out += line.fixed ?? encode(line, values);
  return out;
}

function encode(line: HeaderLine, values: Readonly<Record<string, string>>): string {
  let value: string;
  switch (line.kind) {
    case 'uris':
      value = line.values
        .map((v) => `<${renderTemplate(v, values, encodeURIComponent).replace(/[\s<>]/g, '')}>`)
        .join(', ');
      break;
    case 'address':
    case 'text':
      value = encoder.encodeHeaderValue(line.name, renderTemplate(line.values[0]!, values));
      break;
  }
  return value.trim() === '' ? '' : `${line.name}: ${value}\r\n`;
}
