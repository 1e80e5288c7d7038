/**
 * Builds the raw RFC 5322 message of one log row from its delivery's template (`{{field}}` placeholders
 * filled from the row's CSV fields; values are HTML-escaped in the HTML body). Templates are compiled once per
 * delivery into a MIME skeleton (`mime-skeleton.ts`: static lines encoded once, only lines with fields
 * rendered per message) and kept in a small cache. The messages are equivalent to nodemailer's
 * MailComposer's (the tests compare both, parsed).
 */
import { MessageTemplate } from '../../../shared/contract/schemas';
import {
  compileTemplate,
  escapeHtml,
  renderTemplate,
  type CompiledTemplate,
} from '../../../shared/domain/template';
import {
  compileBody,
  compileSkeleton,
  renderMessage,
  type HeaderValues,
  type MessageSkeleton,
} from './mime-skeleton';
import { traceValue } from '../bounce/trace';
import { compileHeaders, renderHeaders, type CompiledHeaders } from './template-headers';

export interface ComposeInput {
  deliveryId: number;
  logId: number;
  email: string;
  messageId: string | null;
  /** JSON object of the recipient's CSV columns. */
  fieldsJson: string;
  /** The delivery's `template_json`. */
  templateJson: string;
  date: Date;
}

export interface ComposedMessage {
  from: string;
  raw: Buffer;
}

/** RFC 5322 §A.1.3: the empty group, for a message whose recipients are only in the envelope. */
const UNDISCLOSED_RECIPIENTS = Buffer.from('To: undisclosed-recipients:;\r\n');

export class ComposeError extends Error {
  override name = 'ComposeError';
}

interface CompiledDeliveryTemplate {
  fromName: CompiledTemplate;
  fromAddress: string;
  subject: CompiledTemplate;
  text: CompiledTemplate;
  html: CompiledTemplate;
  skeleton: MessageSkeleton;
  /** Reply-To, List-Unsubscribe(-Post) and custom headers. */
  headers: CompiledHeaders;
}

/** One message for several recipients (one SMTP transaction): no recipient in the headers. */
export interface ComposeSharedInput {
  deliveryId: number;
  /** The first message of the group: its Message-ID is used. */
  messageId: string | null;
  templateJson: string;
  date: Date;
}

export interface Composer {
  compose(input: ComposeInput): Promise<ComposedMessage>;
  /**
   * Composes the message once for a group of recipients: `To: undisclosed-recipients:;`, the Message-ID of the
   * group's first message and a trace header naming the delivery only. Only for templates without fields.
   */
  composeShared(input: ComposeSharedInput): Promise<ComposedMessage>;
  /** The From address of a delivery's messages (the template is compiled once; throws a `ComposeError`). */
  fromAddress(deliveryId: number, templateJson: string): string;
  /** True when the delivery's template has no `{{field}}` at all, so every recipient gets the same message. */
  isStatic(deliveryId: number, templateJson: string): boolean;
  /** Drops the compiled template of a delivery (it finished or changed). */
  forget(deliveryId: number): void;
}

export function createComposer(maxCached = 100): Composer {
  const cache = new Map<number, { json: string; compiled: CompiledDeliveryTemplate }>();

  function compiledFor(deliveryId: number, templateJson: string): CompiledDeliveryTemplate {
    const hit = cache.get(deliveryId);
    if (hit && hit.json === templateJson) return hit.compiled;
    const compiled = compileDeliveryTemplate(deliveryId, templateJson);
    if (cache.size >= maxCached) cache.delete(cache.keys().next().value as number);
    cache.set(deliveryId, { json: templateJson, compiled });
    return compiled;
  }

  return {
    async compose(input) {
      const t = compiledFor(input.deliveryId, input.templateJson);
      const values = { ...parseFields(input.fieldsJson, input.logId), email: input.email };
      const raw = render(t, values, {
        to: input.email,
        messageId: input.messageId,
        date: input.date,
        trace: traceValue(input.deliveryId, input.logId, input.messageId),
      });
      return { from: t.fromAddress, raw };
    },
    async composeShared(input) {
      const t = compiledFor(input.deliveryId, input.templateJson);
      const raw = render(
        t,
        {},
        { to: null, messageId: input.messageId, date: input.date, trace: `${input.deliveryId}` },
      );
      return { from: t.fromAddress, raw: Buffer.concat([UNDISCLOSED_RECIPIENTS, raw]) };
    },
    fromAddress(deliveryId, templateJson) {
      return compiledFor(deliveryId, templateJson).fromAddress;
    },
    isStatic(deliveryId, templateJson) {
      const t = compiledFor(deliveryId, templateJson);
      return (
        [t.fromName, t.subject, t.text, t.html].every((part) => part.fields.length === 0) &&
        t.headers.fields.length === 0
      );
    },
    forget(deliveryId) {
      cache.delete(deliveryId);
    },
  };
}

function render(
  t: CompiledDeliveryTemplate,
  values: Readonly<Record<string, string>>,
  h: Pick<HeaderValues, 'to' | 'messageId' | 'date' | 'trace'>,
): Buffer {
  return renderMessage(
    t.skeleton,
    {
      ...h,
      from: { name: renderTemplate(t.fromName, values), address: t.fromAddress },
      subject: renderTemplate(t.subject, values),
      extra: renderHeaders(t.headers, values),
    },
    values,
    (body) => (body.contentType === 'text/html' ? escapeHtml : undefined),
  );
}

function compileDeliveryTemplate(deliveryId: number, templateJson: string): CompiledDeliveryTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(templateJson);
  } catch (err) {
    throw new ComposeError(`delivery ${deliveryId}: template_json is not JSON (${(err as Error).message})`);
  }
  const template = MessageTemplate.safeParse(parsed);
  if (!template.success) {
    const issue = template.error.issues[0];
    throw new ComposeError(
      `delivery ${deliveryId}: invalid template: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const t = template.data;
  const part = (source: string, field: string): CompiledTemplate => {
    const result = compileTemplate(source, field);
    if (!result.template) {
      const e = result.errors[0];
      throw new ComposeError(
        `delivery ${deliveryId}: template ${field} line ${e?.line ?? 0} column ${e?.column ?? 0}: ${e?.message ?? 'invalid'}`,
      );
    }
    return result.template;
  };
  const text = part(t.text, 'text');
  const html = part(t.html, 'html');
  // As MailComposer: a text body unless there is only HTML, an HTML body when there is one.
  const bodies = [
    ...(t.text !== '' || t.html === '' ? [compileBody(text, 'text/plain')] : []),
    ...(t.html !== '' ? [compileBody(html, 'text/html')] : []),
  ];
  return {
    headers: compileHeaders(t, part),
    fromName: part(t.fromName, 'fromName'),
    fromAddress: t.fromAddress,
    subject: part(t.subject, 'subject'),
    text,
    html,
    skeleton: compileSkeleton(bodies, `${deliveryId}\n${templateJson}`),
  };
}

function parseFields(fieldsJson: string, logId: number): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fieldsJson);
  } catch (err) {
    throw new ComposeError(`log row ${logId}: fields_json is not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ComposeError(`log row ${logId}: fields_json is not an object`);
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) values[k] = v === null || v === undefined ? '' : String(v);
  return values;
}
