/**
 * The fast composer (MIME skeleton) against the reference, nodemailer's MailComposer: both messages parsed
 * with mailparser must carry the same headers and bodies, for text only, HTML only, both, non-ASCII in every
 * field, long lines, field values with line breaks, trailing spaces, dots at line starts and HTML escaping.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import fc from 'fast-check';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { describe, expect, it } from 'vitest';
import { ComposeError, createComposer } from '../../src/main/engine/relay/compose';
import { headerValue } from '../../src/main/engine/relay/mime-skeleton';
import { compileTemplate, escapeHtml, renderTemplate } from '../../src/shared/domain/template';

interface Template {
  fromName: string;
  fromAddress: string;
  subject: string;
  text: string;
  html: string;
}

const DATE = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

/** What the engine sent before the skeleton: MailComposer over the rendered template. */
async function reference(t: Template, values: Record<string, string>, to: string, trace: string) {
  const r = (source: string, escape?: (v: string) => string) =>
    renderTemplate(compileTemplate(source, 'x').template!, values, escape);
  const hasText = t.text !== '' || t.html === '';
  return new MailComposer({
    from: { name: r(t.fromName), address: t.fromAddress },
    to,
    subject: r(t.subject),
    ...(hasText ? { text: r(t.text) } : {}),
    ...(t.html !== '' ? { html: r(t.html, escapeHtml) } : {}),
    messageId: '<ref@bench.example>',
    date: DATE,
    headers: { 'X-Relaydeck-Id': trace },
  })
    .compile()
    .build();
}

function summary(m: ParsedMail) {
  return {
    from: m.from?.value,
    to: Array.isArray(m.to) ? m.to.map((a) => a.value) : m.to?.value,
    subject: m.subject,
    messageId: m.messageId,
    date: m.date?.toISOString(),
    trace: m.headers.get('x-relaydeck-id'),
    text: m.text,
    // mailparser turns a text-only message into HTML itself; only a sent HTML body is compared.
    html: m.html === false ? false : m.html,
    textAsHtml: undefined,
    attachments: m.attachments.length,
  };
}

const long = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. '.repeat(6);

const CASES: { name: string; template: Template; fields: Record<string, string> }[] = [
  {
    name: 'text only, ASCII, short lines (7bit)',
    template: t({ text: 'Hello {{first}},\nsee you.\n' }),
    fields: { first: 'Ann' },
  },
  {
    name: 'text only, long lines (quoted-printable)',
    template: t({ text: `Hello {{first}},\n\n${long}\n${long}\nBye {{first}}` }),
    fields: { first: 'Ann' },
  },
  {
    name: 'html only',
    template: t({ html: '<p>Hi {{first}} &amp; co</p>\n<p>' + long + '</p>' }),
    fields: { first: 'Tom & <Jerry>' },
  },
  {
    name: 'text and html',
    template: t({ text: 'Hi {{first}}\n' + long, html: '<b>Hi {{first}}</b>' }),
    fields: { first: 'Zoë' },
  },
  {
    name: 'non-ASCII everywhere (quoted-printable)',
    template: t({
      fromName: 'Équipe {{team}}',
      subject: 'Größe für {{first}} — été',
      text: 'Grüße {{first}},\nça va? Ünïcödé lines stay readable.\n',
    }),
    fields: { first: 'Zoë', team: 'Ventes' },
  },
  {
    name: 'mostly non-Latin (base64)',
    template: t({
      subject: '{{first}}さん、こんにちは',
      text: '{{first}}さん\nこんにちは。お元気ですか。\n',
    }),
    fields: { first: '山田' },
  },
  {
    name: 'field values with line breaks, trailing spaces, dots and = signs',
    template: t({ text: 'A {{note}} \n.\n.. dot line\na=b {{first}}\t\n' + long }),
    fields: { note: 'two\r\nlines\nand  ', first: '=3D' },
  },
  {
    name: 'no fields at all, empty bodies',
    template: t({ text: '' }),
    fields: {},
  },
  {
    name: 'a field line ending the body with a line break',
    template: t({ text: `${long}\nBye {{first}}\n`, html: '<p>{{first}}</p>\n' }),
    fields: { first: 'Zoë' },
  },
  {
    name: 'a field inside a long line and a missing field',
    template: t({ text: `${long}{{first}}${long}{{missing}}` }),
    fields: { first: 'Ann' },
  },
];

function t(o: Partial<Template>): Template {
  return {
    fromName: 'Bench',
    fromAddress: 'news@bench.example',
    subject: 'Hello {{first}}',
    text: '',
    html: '',
    ...o,
  };
}

describe('fast composer', () => {
  for (const c of CASES) {
    it(`is equivalent to MailComposer: ${c.name}`, async () => {
      const composer = createComposer();
      const email = 'user.name@d1.bench.test';
      const composed = await composer.compose({
        deliveryId: 3,
        logId: 42,
        email,
        messageId: '<ref@bench.example>',
        fieldsJson: JSON.stringify(c.fields),
        templateJson: JSON.stringify(c.template),
        date: DATE,
      });
      const expected = await reference(c.template, { ...c.fields, email }, email, '3.42');
      const [got, want] = await Promise.all([simpleParser(composed.raw), simpleParser(expected)]);
      expect(summary(got)).toEqual(summary(want));
      expect(composed.from).toBe(c.template.fromAddress);
      // Well-formed: CRLF line ends only, no line over 998 octets, no 8-bit bytes.
      const raw = composed.raw.toString('latin1');
      expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
      expect(composed.raw.every((b) => b < 0x80)).toBe(true);
    });
  }

  it('renders each recipient with its own fields from one compiled template', async () => {
    const composer = createComposer();
    const template = JSON.stringify(t({ text: `Hello {{first}}\n${long}` }));
    const messages = await Promise.all(
      ['Ann', 'Bob'].map((first, i) =>
        composer.compose({
          deliveryId: 1,
          logId: i + 1,
          email: `u${i}@x.test`,
          messageId: null,
          fieldsJson: JSON.stringify({ first }),
          templateJson: template,
          date: DATE,
        }),
      ),
    );
    const [a, b] = await Promise.all(messages.map((m) => simpleParser(m.raw)));
    expect(a?.text?.startsWith('Hello Ann\n')).toBe(true);
    expect(b?.text?.startsWith('Hello Bob\n')).toBe(true);
    expect(a?.subject).toBe('Hello Ann');
    expect(a?.to && !Array.isArray(a.to) ? a.to.text : null).toBe('u0@x.test');
    // Without a stored Message-ID one is generated, distinct per message, on the From domain.
    expect(a?.messageId).toMatch(/@bench\.example>$/);
    expect(a?.messageId).not.toBe(b?.messageId);
  });

  it('composes a shared message with undisclosed recipients and the delivery trace', async () => {
    const composer = createComposer();
    const composed = await composer.composeShared({
      deliveryId: 9,
      messageId: '<first@bench.example>',
      templateJson: JSON.stringify(t({ subject: 'Static', text: 'Same for all\n', html: '<p>Same</p>' })),
      date: DATE,
    });
    const parsed = await simpleParser(composed.raw);
    expect(composed.raw.toString()).toMatch(/^To: undisclosed-recipients:;\r\n/);
    expect(composed.raw.toString()).not.toMatch(/\r\nTo: /);
    expect(parsed.headers.get('x-relaydeck-id')).toBe('9');
    expect(parsed.messageId).toBe('<first@bench.example>');
    expect(parsed.text).toBe('Same for all\n');
    expect(parsed.html).toBe('<p>Same</p>');
  });

  it('reports an invalid template or fields as a ComposeError naming the place', async () => {
    const composer = createComposer();
    const input = {
      deliveryId: 5,
      logId: 6,
      email: 'a@b.test',
      messageId: null,
      fieldsJson: '{}',
      date: DATE,
    };
    await expect(
      composer.compose({ ...input, templateJson: JSON.stringify(t({ text: 'Hi {{first' })) }),
    ).rejects.toThrow(/delivery 5: template text line 1 column 4/);
    await expect(
      composer.compose({ ...input, fieldsJson: '[1]', templateJson: JSON.stringify(t({ text: 'x' })) }),
    ).rejects.toThrow(ComposeError);
  });
});

describe('header values', () => {
  // MimeNode is the reference: the fast paths must give its output for any value, plain or not.
  const encoder = new MimeNode('text/plain', { baseBoundary: 'reference' });
  const chars = (alphabet: string[], maxLength = 24) =>
    fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join(''));
  const tricky = ['"', '=?', '?=', '\t', '\r\n', '\u0001', 'é', '漢', ' ', '<', '>', '(', ')', ',', ';', ':'];
  const ascii = [...'abcXYZ019.-_+!#$%&*/=?^`{|}~', ...tricky];
  const address = fc
    .tuple(
      chars([...'abcXYZ019.-_+!#$%&*/=?^`{|}~"é ()'], 12),
      fc.constantFrom('', '@'),
      chars([...'abcXZ019.-', 'xn--', '--', 'ü'], 16),
    )
    .map(([local, at, domain]) => `${local}${at}${domain}`);
  // Mostly plain addresses, so the fast path is taken often (and its edges: digits, hyphens, dots).
  const plainish = fc
    .tuple(chars([...'ab1.-+'], 8), chars([...'ab01.-'], 12))
    .map(([local, domain]) => `${local}@${domain}`);

  it('gives what MimeNode gives for recipients, subjects, trace ids and Message-IDs', () => {
    fc.assert(
      fc.property(fc.oneof(address, plainish), chars(ascii), chars(ascii), (to, text, id) => {
        expect(headerValue('To', to)).toBe(encoder.encodeHeaderValue('To', to));
        expect(headerValue('Subject', text)).toBe(encoder.encodeHeaderValue('Subject', text));
        expect(headerValue('X-Relaydeck-ID', text)).toBe(encoder.encodeHeaderValue('X-Relaydeck-ID', text));
        expect(headerValue('Message-ID', `<${id}>`)).toBe(encoder.encodeHeaderValue('Message-ID', `<${id}>`));
        expect(headerValue('Message-ID', id)).toBe(encoder.encodeHeaderValue('Message-ID', id));
      }),
      { numRuns: 3000 },
    );
  });

  it('encodes From once per name and address, as MimeNode does', () => {
    const from = { name: 'Équipe "News"', address: 'news@exämple.test' };
    expect(headerValue('From', from)).toBe(encoder.encodeHeaderValue('From', from));
    expect(headerValue('From', { ...from })).toBe(encoder.encodeHeaderValue('From', from));
    expect(headerValue('From', { name: 'Plain', address: 'a@b.test' })).toBe('Plain <a@b.test>');
  });
});
