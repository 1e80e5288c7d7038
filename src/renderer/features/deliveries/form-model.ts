/**
 * The new-delivery form as data: its state, the client-side checks (required fields, syntax) and the mapping to
 * `deliveries.create` input. Server error details are mapped back onto the same field keys, so a field shows
 * the server's message next to it. The server stays the authority; these checks only save a round trip.
 */
import type {
  AppInfo,
  CreateDeliveryInput,
  HostPort,
  MessageTemplate,
  Route,
  RowError,
} from '../../../shared/contract';
import type { ErrorDetail } from '../../../shared/contract/errors';
import { detailMessage } from '../../components/ErrorBanner';
import { checkAddress } from '../../../shared/domain/address';
import { isValidMask } from '../../../shared/domain/domain-mask';
import { headerSources, templateHeaderProblems } from '../../../shared/domain/message-headers';
import { DEFAULT_VALIDITY_MS, formatDuration, parseDuration } from '../../../shared/domain/duration';
import type { ReportingMode } from '../../../shared/domain/statuses';
import { compileTemplate, missingFields, type TemplateError } from '../../../shared/domain/template';

export const TEMPLATE_PARTS = ['fromName', 'subject', 'text', 'html'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

export const TIME_SCALES = [1, 60, 600, 3600] as const;
export const DEFAULT_TIME_SCALE = 60;

export type RoutingMode = 'sandbox' | 'smarthost' | 'default';

export interface RouteDraft {
  key: number;
  mask: string;
  target: 'sandbox' | 'smtp';
  hostPort: string;
}

export interface DeliveryForm {
  name: string;
  template: TemplateDraft;
  /** The list: a saved list's text, or a file's bytes (base64) with the encoding chosen instead of the detected one. */
  recipients: RecipientsSource | null;
  routing: RoutingMode;
  smarthost: string;
  routes: RouteDraft[];
  validity: string;
  reporting: ReportingMode;
  timeScale: number;
}

export type RecipientsSource = CreateDeliveryInput['recipients'];

/** The template as edited: the headers may hold empty rows and fields while typing (`templateInput` drops them). */
export interface TemplateDraft {
  fromName: string;
  fromAddress: string;
  subject: string;
  text: string;
  html: string;
  replyTo?: string;
  listUnsubscribe?: { mailto?: string; https?: string };
  oneClick?: boolean;
  headers?: { name: string; value: string }[];
}

/** The header fields of a (saved) template, for the form. */
export function headerFieldsOf(t: MessageTemplate): Omit<TemplateDraft, TemplatePart | 'fromAddress'> {
  return {
    ...(t.replyTo ? { replyTo: t.replyTo } : {}),
    ...(t.listUnsubscribe ? { listUnsubscribe: { ...t.listUnsubscribe } } : {}),
    ...(t.oneClick ? { oneClick: true } : {}),
    ...(t.headers?.length ? { headers: t.headers.map((h) => ({ ...h })) } : {}),
  };
}

/** The draft as the API takes it: empty header fields and rows left out, values trimmed. */
export function templateInput(t: TemplateDraft): MessageTemplate {
  const { replyTo, listUnsubscribe, oneClick, headers, ...base } = t;
  const mailto = listUnsubscribe?.mailto?.trim() ?? '';
  const https = listUnsubscribe?.https?.trim() ?? '';
  const rows = (headers ?? [])
    .map((h) => ({ name: h.name.trim(), value: h.value.trim() }))
    .filter((h) => h.name !== '' || h.value !== '');
  return {
    ...base,
    ...(replyTo?.trim() ? { replyTo: replyTo.trim() } : {}),
    ...(mailto || https
      ? { listUnsubscribe: { ...(mailto ? { mailto } : {}), ...(https ? { https } : {}) } }
      : {}),
    ...(oneClick ? { oneClick: true } : {}),
    ...(rows.length > 0 ? { headers: rows } : {}),
  };
}

/** Problems of the draft's headers (syntax, `{{fields}}` the list lacks), by form key (`template.headers.0.name`). */
export function headerErrors(t: TemplateDraft, columns: readonly string[] | null): FieldErrors {
  const errors: FieldErrors = {};
  const input = templateInput(t);
  const add = (key: string, message: string) => (errors[key] ??= []).push(message);
  // Paths of rows in the input differ from the form's when empty rows were dropped: map them back.
  const rowIndex: number[] = [];
  (t.headers ?? []).forEach((h, i) => {
    if (h.name.trim() !== '' || h.value.trim() !== '') rowIndex.push(i);
  });
  const key = (path: string) =>
    `template.${path.replace(/^headers\.(\d+)/, (_, n: string) => `headers.${rowIndex[Number(n)] ?? n}`)}`;
  for (const p of templateHeaderProblems(input)) add(key(p.path.join('.')), p.message);
  for (const h of headerSources(input)) {
    const compiled = compileTemplate(h.source, h.path);
    for (const e of compiled.errors) add(key(h.path), `${h.label}: ${describeTemplateError(e)}`);
    if (compiled.template && columns)
      for (const f of missingFields(compiled.template, columns))
        add(key(h.path), `{{${f}}} is not a column of the recipient list (columns: ${columns.join(', ')})`);
  }
  return errors;
}

/** Field keys used for error placement: `name`, `template.subject`, `routes.2.mask`, `recipients`, ... */
export type FieldErrors = Record<string, string[]>;

export function initialForm(defaultRoute: AppInfo['defaultRoute'] | undefined): DeliveryForm {
  return {
    name: '',
    template: { fromName: '', fromAddress: '', subject: '', text: '', html: '' },
    recipients: null,
    routing: defaultRoute === undefined || defaultRoute?.kind === 'sandbox' ? 'sandbox' : 'default',
    smarthost: '',
    routes: [],
    validity: formatDuration(DEFAULT_VALIDITY_MS).replace(/ /g, ''),
    reporting: 'efs',
    timeScale: DEFAULT_TIME_SCALE,
  };
}

/**
 * Whether anything was entered in the form (leaving it then asks first). The routing choice alone does not
 * count: its starting value follows the default route, which loads after the form.
 */
export function hasInput(form: DeliveryForm): boolean {
  const { routing: _routing, ...entered } = form;
  const { routing: _initial, ...blank } = initialForm(undefined);
  return JSON.stringify(entered) !== JSON.stringify(blank);
}

/** `host:port`, `[ipv6]:port`. */
export function parseHostPort(text: string): HostPort | null {
  const m = /^\s*(\[[0-9a-f:.]+\]|[^\s:[\]]+):(\d{1,5})\s*$/i.exec(text);
  if (!m?.[1] || !m[2]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export type ValidityCheck = { ok: true; ms: number } | { ok: false; message: string };

export function checkValidity(text: string): ValidityCheck {
  try {
    const ms = parseDuration(text);
    if (ms < 60_000) return { ok: false, message: 'the validity must be at least 1 minute' };
    if (ms > 365 * 86_400_000) return { ok: false, message: 'the validity must be at most 365 days' };
    return { ok: true, ms };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether the delivery sends anything to the sandbox (then time compression applies and is offered). */
export function usesSandbox(form: DeliveryForm, defaultRoute: AppInfo['defaultRoute'] | undefined): boolean {
  if (form.routing === 'sandbox') return true;
  if (form.routing === 'default' && defaultRoute?.kind === 'sandbox') return true;
  return form.routes.some((r) => r.target === 'sandbox');
}

export function templateErrors(template: DeliveryForm['template']): TemplateError[] {
  return TEMPLATE_PARTS.flatMap((part) => compileTemplate(template[part], part).errors);
}

export function describeTemplateError(e: TemplateError): string {
  return `line ${e.line}, column ${e.column}: ${e.message}`;
}

export type BuildResult = { ok: true; input: CreateDeliveryInput } | { ok: false; errors: FieldErrors };

/** `{{fields}}` of each template part that the recipient list's columns do not provide. */
export function unknownFields(
  template: DeliveryForm['template'],
  columns: readonly string[],
): { part: TemplatePart; fields: string[] }[] {
  return TEMPLATE_PARTS.map((part) => {
    const compiled = compileTemplate(template[part], part).template;
    return { part, fields: compiled ? missingFields(compiled, columns) : [] };
  }).filter((p) => p.fields.length > 0);
}

/**
 * Checks the form and maps it to `deliveries.create` input. `columns` are those of the previewed recipient
 * list (null before the preview): every placeholder must be one of them.
 */
export function buildCreateInput(
  form: DeliveryForm,
  defaultRoute: AppInfo['defaultRoute'] | undefined,
  columns: readonly string[] | null = null,
): BuildResult {
  const errors: FieldErrors = {};
  const add = (key: string, message: string) => (errors[key] ??= []).push(message);

  if (form.name.trim() === '') add('name', 'Give the delivery a name.');
  const from = form.template.fromAddress.trim();
  if (from === '') add('template.fromAddress', 'A sender address is required.');
  else {
    const check = checkAddress(from);
    if (!check.ok) add('template.fromAddress', check.message ?? 'invalid address');
  }
  if (form.template.subject.trim() === '') add('template.subject', 'A subject is required.');
  if (form.template.text.trim() === '' && form.template.html.trim() === '')
    add('template.text', 'Write a text body, an HTML body or both.');
  for (const e of templateErrors(form.template)) add(`template.${e.field}`, describeTemplateError(e));
  if (columns) {
    for (const { part, fields } of unknownFields(form.template, columns)) {
      for (const f of fields) {
        add(
          `template.${part}`,
          `{{${f}}} is not a column of the recipient list (columns: ${columns.join(', ')})`,
        );
      }
    }
  }
  for (const [k, messages] of Object.entries(headerErrors(form.template, columns)))
    for (const m of messages) add(k, m);
  if (!form.recipients)
    add('recipients', 'Choose a recipient list (CSV file, drop one here, or the demo list).');

  let smarthost: HostPort | null = null;
  if (form.routing === 'smarthost') {
    smarthost = parseHostPort(form.smarthost);
    if (!smarthost) add('smarthost', 'Expected HOST:PORT, e.g. smtp.example.net:25.');
  }

  const routes: Route[] = [];
  form.routes.forEach((r, i) => {
    const mask = r.mask.trim().toLowerCase();
    if (!isValidMask(mask)) add(`routes.${i}.mask`, 'Expected a domain or a mask like *.example.com or *.');
    if (r.target === 'sandbox') {
      routes.push({ mask, target: { kind: 'sandbox' } });
      return;
    }
    const hp = parseHostPort(r.hostPort);
    if (!hp) add(`routes.${i}.target`, 'Expected HOST:PORT.');
    else routes.push({ mask, target: { kind: 'smtp', ...hp } });
  });
  // "Sandbox" when the default route is something else: a catch-all route sends everything else there.
  if (form.routing === 'sandbox' && defaultRoute?.kind !== 'sandbox' && !routes.some((r) => r.mask === '*')) {
    routes.push({ mask: '*', target: { kind: 'sandbox' } });
  }

  const validity = checkValidity(form.validity);
  if (!validity.ok) add('validity', validity.message);

  if (Object.keys(errors).length > 0 || !form.recipients || !validity.ok) return { ok: false, errors };
  return {
    ok: true,
    input: {
      name: form.name.trim(),
      template: { ...templateInput(form.template), fromAddress: from },
      recipients: form.recipients,
      routes,
      smarthost,
      validityMs: validity.ms,
      reporting: form.reporting,
      timeScale: usesSandbox(form, defaultRoute) ? form.timeScale : 1,
      start: true,
    },
  };
}

const SERVER_FIELD_ALIASES: Record<string, string> = {
  from: 'template.fromAddress',
  subject: 'template.subject',
  text: 'template.text',
  html: 'template.html',
  fromName: 'template.fromName',
  validityMs: 'validity',
  timeScale: 'timeScale',
};

/** Where a server error detail belongs in the form (field paths of zod issues, template parts, CSV lines). */
export function formKeyOf(detail: ErrorDetail, code: string): string {
  const field = detail.field ?? '';
  if (field in SERVER_FIELD_ALIASES) return SERVER_FIELD_ALIASES[field] as string;
  if (/^(template\.)?(replyTo|oneClick|listUnsubscribe\.\w+|headers\.\d+\.\w+)/.test(field))
    return `template.${field
      .replace(/^template\./, '')
      .split('.')
      .slice(0, 3)
      .join('.')}`;
  if (field.startsWith('template.')) return field.split('.').slice(0, 2).join('.');
  if (field.startsWith('smarthost')) return 'smarthost';
  const route = /^routes\.(\d+)\.(mask|target)/.exec(field);
  if (route) return `routes.${route[1]}.${route[2]}`;
  if (field.startsWith('recipients') || code === 'csv_invalid') return 'recipients';
  if (field === 'name') return 'name';
  return 'form';
}

export function serverFieldErrors(details: readonly ErrorDetail[], code: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of details) {
    const where = [
      d.line !== undefined ? `line ${d.line}` : null,
      d.column !== undefined ? `column ${d.column}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    (errors[formKeyOf(d, code)] ??= []).push(where ? `${where}: ${detailMessage(d)}` : detailMessage(d));
  }
  return errors;
}

export function describeRowError(e: RowError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}
