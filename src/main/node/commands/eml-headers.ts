/**
 * The headers of an imported `.eml` message (`relaydeck deliver|simulate --message`) that become the template's
 * own: Reply-To, List-Unsubscribe (its mailto and https URIs), List-Unsubscribe-Post (one-click) and every other
 * header that is neither written by the engine nor a trace a mail client or server left on the way (Received,
 * Authentication-Results, ARC-*, X-Google-*…). A header the template cannot carry is refused by its name.
 */
import type { ParsedMail } from 'mailparser';
import { AppError } from '../../../shared/contract/errors';
import type { MessageTemplate } from '../../../shared/contract/schemas';
import {
  ENGINE_HEADERS,
  ONE_CLICK_VALUE,
  templateHeaderProblems,
  type CustomHeader,
  type TemplateHeaders,
} from '../../../shared/domain/message-headers';

/** Headers of a received or saved message that are about its transport, not its content: left out. */
const TRANSPORT = new Set([
  'cc',
  'bcc',
  'delivered-to',
  'received-spf',
  'authentication-results',
  'domainkey-signature',
  'x-original-to',
  'x-received',
  'x-gm-message-state',
  'x-ms-exchange-organization-authas',
  'x-ms-has-attach',
  'x-spam-status',
  'x-spam-score',
  'x-spam-flag',
  'x-virus-scanned',
  'feedback-id',
]);

function skipped(lower: string): boolean {
  return (
    ENGINE_HEADERS.includes(lower) ||
    TRANSPORT.has(lower) ||
    lower.startsWith('content-') ||
    lower.startsWith('arc-') ||
    lower.startsWith('x-google-') ||
    lower.startsWith('x-relaydeck-')
  );
}

/** The value of one raw header line, unfolded. */
function rawValue(line: string): string {
  const colon = line.indexOf(':');
  return line
    .slice(colon + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/** Header fields of the template read from `mail`; throws `message_invalid` naming the header. */
export function emlHeaders(mail: ParsedMail, file: string): TemplateHeaders {
  const out: TemplateHeaders = {};
  const custom: CustomHeader[] = [];
  const refuse = (name: string, why: string): never => {
    throw new AppError('message_invalid', `${file}: header ${name}: ${why}`);
  };
  for (const h of mail.headerLines) {
    const colon = h.line.indexOf(':');
    const name = colon < 0 ? h.key : h.line.slice(0, colon).trim();
    const lower = name.toLowerCase();
    const raw = rawValue(h.line);
    if (lower === 'reply-to') {
      const reply = mail.replyTo?.value[0];
      out.replyTo = reply?.address ? (reply.name ? `${reply.name} <${reply.address}>` : reply.address) : raw;
    } else if (lower === 'list-unsubscribe') {
      const uris = [...raw.matchAll(/<([^>]*)>/g)].map((m) => (m[1] ?? '').trim());
      if (uris.length === 0) refuse(name, `expected <mailto:…> and/or <https://…> (it is "${raw}")`);
      const lu: NonNullable<TemplateHeaders['listUnsubscribe']> = {};
      for (const uri of uris) {
        if (/^mailto:/i.test(uri)) lu.mailto = uri;
        else if (/^https:/i.test(uri)) lu.https = uri;
        else refuse(name, `${uri} is neither a mailto: nor an https: address`);
      }
      out.listUnsubscribe = lu;
    } else if (lower === 'list-unsubscribe-post') {
      if (raw.toLowerCase() !== ONE_CLICK_VALUE.toLowerCase())
        refuse(name, `expected "${ONE_CLICK_VALUE}" (it is "${raw}")`);
      out.oneClick = true;
    } else if (!skipped(lower)) {
      const decoded = mail.headers.get(lower);
      custom.push({ name, value: typeof decoded === 'string' ? decoded.trim() : raw });
    }
  }
  if (custom.length > 0) out.headers = custom;
  const problem = templateHeaderProblems(out)[0];
  if (problem) {
    const [first, index] = problem.path;
    const name =
      first === 'replyTo'
        ? 'Reply-To'
        : first === 'listUnsubscribe'
          ? 'List-Unsubscribe'
          : first === 'oneClick'
            ? 'List-Unsubscribe-Post'
            : (custom[Number(index)]?.name ?? String(first));
    refuse(name, problem.message);
  }
  return out;
}

/** The template with the `.eml`'s headers added (only the fields present). */
export function withEmlHeaders(template: MessageTemplate, headers: TemplateHeaders): MessageTemplate {
  return {
    ...template,
    ...(headers.replyTo !== undefined ? { replyTo: headers.replyTo } : {}),
    ...(headers.listUnsubscribe ? { listUnsubscribe: headers.listUnsubscribe } : {}),
    ...(headers.oneClick ? { oneClick: true } : {}),
    ...(headers.headers ? { headers: [...headers.headers] } : {}),
  };
}
