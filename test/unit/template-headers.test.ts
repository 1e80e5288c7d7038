/**
 * Template headers (issue 15 item 1): validation in the contract (header injection, duplicates of engine
 * headers and among themselves, bad names, one-click without an https link), rendering by the composer
 * (fields percent-encoded in URIs, RFC 2047 for non-ASCII, a field's line break cannot add a header), the
 * per-recipient decision of group transactions, the fields check at creation and the console form's mapping.
 */
import { describe, expect, it } from 'vitest';
import { MessageTemplate } from '../../src/shared/contract/schemas';
import { createComposer } from '../../src/main/engine/relay/compose';
import { templateProblems } from '../../src/main/campaign/template-check';
import {
  buildCreateInput,
  formKeyOf,
  headerErrors,
  initialForm,
  templateInput,
} from '../../src/renderer/features/deliveries/form-model';

const BASE = {
  fromName: 'News',
  fromAddress: 'news@example.test',
  subject: 'Hello',
  text: 'Hello',
  html: '',
};

function messages(t: Record<string, unknown>): string[] {
  const r = MessageTemplate.safeParse({ ...BASE, ...t });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('MessageTemplate headers validation', () => {
  it('accepts Reply-To, both unsubscribe URIs with fields, one-click and custom headers', () => {
    expect(
      messages({
        replyTo: '{{first}} <support@example.test>',
        listUnsubscribe: {
          mailto: 'unsub@example.test',
          https: 'https://example.test/u?e={{email}}&t={{t}}',
        },
        oneClick: true,
        headers: [
          { name: 'X-Campaign', value: 'Été {{first}}' },
          { name: 'Precedence', value: 'bulk' },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses CR/LF in values (header injection), on the field', () => {
    expect(messages({ headers: [{ name: 'X-A', value: 'x\r\nBcc: victim@example.test' }] })).toEqual([
      'headers.0.value: Header X-A: the value must be on one line, without control characters',
    ]);
    expect(messages({ replyTo: 'a@example.test\nBcc: b@example.test' })).toEqual([
      'replyTo: Reply-To must be on one line',
    ]);
    expect(messages({ listUnsubscribe: { https: 'https://example.test/u\r\nX: y' } })).toEqual([
      'listUnsubscribe.https: Unsubscribe link must be on one line',
    ]);
  });

  it('refuses headers the engine sets, trace headers and duplicates, case-insensitively', () => {
    expect(
      messages({
        headers: [
          { name: 'subject', value: 'x' },
          { name: 'DKIM-Signature', value: 'x' },
          { name: 'X-Relaydeck-ID', value: 'x' },
          { name: 'List-Unsubscribe', value: '<https://x.test>' },
          { name: 'X-Tag', value: 'a' },
          { name: 'x-tag', value: 'b' },
        ],
      }),
    ).toEqual([
      'headers.0.name: Header subject is set by the engine',
      'headers.1.name: Header DKIM-Signature is set by the engine',
      "headers.2.name: Header X-Relaydeck-ID is Relaydeck's own trace header and is set by the engine",
      'headers.3.name: Header List-Unsubscribe is set by the engine: use the unsubscribe fields',
      'headers.5.name: Header x-tag is already set (header 5): give it once',
    ]);
  });

  it('refuses header names outside RFC 5322 and empty values', () => {
    expect(messages({ headers: [{ name: 'X Bad:Name', value: 'x' }] })).toEqual([
      'headers.0.name: Header "X Bad:Name" is not a header name: use letters, digits and "-" (no spaces or colon)',
    ]);
    expect(messages({ headers: [{ name: 'Frömm', value: 'x' }] })[0]).toContain('is not a header name');
    expect(messages({ headers: [{ name: 'X-Empty', value: ' ' }] })).toEqual([
      'headers.0.value: Header X-Empty needs a value',
    ]);
  });

  it('refuses one-click without an https link, and unsubscribe URIs that are not mailto/https', () => {
    expect(messages({ oneClick: true, listUnsubscribe: { mailto: 'unsub@example.test' } })).toEqual([
      'oneClick: One-click unsubscribe needs an https unsubscribe link (RFC 8058): add one, or turn one-click off',
    ]);
    expect(messages({ listUnsubscribe: { https: 'http://example.test/u' } })[0]).toContain(
      'Unsubscribe link must be an https:// address',
    );
    expect(messages({ listUnsubscribe: { mailto: 'not an address' } })[0]).toContain(
      'Unsubscribe email must not contain spaces',
    );
    expect(messages({ listUnsubscribe: { https: 'https://exämple.test/u' } })[0]).toContain('plain ASCII');
  });
});

const composer = createComposer();
async function compose(template: Record<string, unknown>, fields: Record<string, string>, email: string) {
  const { raw } = await composer.compose({
    deliveryId: Math.floor(Math.random() * 1e9),
    logId: 1,
    email,
    messageId: '<1@example.test>',
    fieldsJson: JSON.stringify(fields),
    templateJson: JSON.stringify({ ...BASE, ...template }),
    date: new Date(Date.UTC(2026, 0, 1)),
  });
  const head = raw.toString('utf8').split('\r\n\r\n')[0] ?? '';
  return head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}

describe('composing template headers', () => {
  it('writes Reply-To, List-Unsubscribe with fields percent-encoded, the Post header and custom headers', async () => {
    const lines = await compose(
      {
        replyTo: 'Équipe {{id}} <reply@example.test>',
        listUnsubscribe: {
          mailto: 'unsub@example.test?subject={{id}}',
          https: 'https://example.test/u?e={{email}}',
        },
        oneClick: true,
        headers: [{ name: 'X-Campaign', value: 'Été {{id}}' }],
      },
      { id: 'a&b c' },
      'ann+x@inbox.test',
    );
    expect(lines.find((l) => l.startsWith('Reply-To:'))).toBe(
      'Reply-To: =?UTF-8?Q?=C3=89quipe_a=26b_c?= <reply@example.test>',
    );
    expect(lines).toContain(
      'List-Unsubscribe: <mailto:unsub@example.test?subject=a%26b%20c>, <https://example.test/u?e=ann%2Bx%40inbox.test>',
    );
    expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(lines).toContain('X-Campaign: =?UTF-8?Q?=C3=89t=C3=A9_a=26b_c?=');
  });

  it('turns a line break in a field value into a space: a recipient field cannot add a header', async () => {
    const lines = await compose(
      { headers: [{ name: 'X-Ref', value: '{{ref}}' }] },
      { ref: 'abc\r\nBcc: victim@example.test' },
      'a@inbox.test',
    );
    expect(lines.filter((l) => /^bcc:/i.test(l))).toEqual([]);
    expect(lines).toContain('X-Ref: abc Bcc: victim@example.test');
  });

  it('takes a bare address as the mailto URI and writes nothing for empty fields', async () => {
    const lines = await compose({ listUnsubscribe: { mailto: 'unsub@example.test' } }, {}, 'a@inbox.test');
    expect(lines).toContain('List-Unsubscribe: <mailto:unsub@example.test>');
    expect(lines.some((l) => l.startsWith('List-Unsubscribe-Post'))).toBe(false);
    expect(lines.some((l) => l.startsWith('Reply-To'))).toBe(false);
  });

  it('counts header fields as per-recipient for group transactions', () => {
    const json = (t: Record<string, unknown>) => JSON.stringify({ ...BASE, ...t });
    expect(composer.isStatic(101, json({ listUnsubscribe: { https: 'https://example.test/u' } }))).toBe(true);
    expect(
      composer.isStatic(102, json({ listUnsubscribe: { https: 'https://example.test/u?e={{email}}' } })),
    ).toBe(false);
    expect(composer.isStatic(103, json({ replyTo: '{{owner}}@example.test' }))).toBe(false);
    expect(composer.isStatic(104, json({ headers: [{ name: 'X-Id', value: '{{id}}' }] }))).toBe(false);
  });
});

describe('the fields check at creation', () => {
  it('refuses a header {{field}} the list lacks, naming the header', () => {
    const t = MessageTemplate.parse({
      ...BASE,
      listUnsubscribe: { https: 'https://example.test/u?t={{token}}' },
      headers: [{ name: 'X-Seg', value: '{{segment}}' }],
    });
    expect(templateProblems(t, ['email', 'token']).map((d) => [d.field, d.message])).toEqual([
      [
        'headers.0.value',
        'Header X-Seg: {{segment}} is not a column of the recipient list (columns: email, token)',
      ],
    ]);
  });
});

describe('the console form', () => {
  it('drops empty rows and fields, and places problems on their field', () => {
    const template = {
      ...BASE,
      replyTo: ' ',
      listUnsubscribe: { mailto: '', https: '' },
      oneClick: true,
      headers: [
        { name: '', value: '' },
        { name: 'Subject', value: 'x' },
      ],
    };
    expect(templateInput(template)).toEqual({
      ...BASE,
      oneClick: true,
      headers: [{ name: 'Subject', value: 'x' }],
    });
    expect(headerErrors(template, null)).toEqual({
      'template.oneClick': [
        'One-click unsubscribe needs an https unsubscribe link (RFC 8058): add one, or turn one-click off',
      ],
      'template.headers.1.name': ['Header Subject is set by the engine'],
    });
    const form = { ...initialForm(undefined), template };
    const built = buildCreateInput(form, undefined, ['email']);
    expect(built.ok).toBe(false);
    expect(formKeyOf({ field: 'template.listUnsubscribe.https', message: 'x' }, 'invalid_input')).toBe(
      'template.listUnsubscribe.https',
    );
    expect(formKeyOf({ field: 'headers.2.value', message: 'x' }, 'template_invalid')).toBe(
      'template.headers.2.value',
    );
  });
});
