/**
 * A template's Reply-To, List-Unsubscribe, one-click unsubscribe (RFC 8058) and custom headers end to end
 * (issue 15 item 1): sent through the engine to a loopback SMTP server, the message carries them with the
 * recipient's fields (percent-encoded in the URIs, RFC 2047 words for non-ASCII), both DKIM signatures verify
 * with mailauth and cover List-Unsubscribe and List-Unsubscribe-Post; the message viewer rebuilds the bytes;
 * a template whose headers hold fields is not shared by a group transaction; a header field the list lacks
 * is refused; saved templates keep the headers across a reopen; `relaydeck deliver --message x.eml` imports
 * them and refuses a bad one by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { authenticate } from 'mailauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App, type AppOptions } from '../../src/main/app';
import { main } from '../../src/main/node/cli';
import { deliveryRequest } from '../support/campaign-fixtures';
import { signatureTags, txtResolver } from '../support/dkim-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';
import { LogsPageInput, type DkimKey, type MessageTemplate } from '../../src/shared/contract';
import { AppError } from '../../src/shared/contract/errors';
import { TemplateSaveInput } from '../../src/shared/contract/message';
import { SavedTemplate } from '../../src/shared/contract/schemas';

const ctx = { transport: 'ipc' } as const;
let tmp: TempDir;
let app: App | null = null;
let server: ScriptedServer;

const TEMPLATE: MessageTemplate = {
  fromName: 'Relaydeck News',
  fromAddress: 'news@example.test',
  subject: 'Hello {{first_name}}',
  text: 'Hello {{first_name}}, here is the news.',
  html: '<p>Hello {{first_name}}, here is the news.</p>',
  replyTo: 'Support <support@example.test>',
  listUnsubscribe: {
    mailto: 'unsubscribe@example.test?subject=unsubscribe%20{{token}}',
    https: 'https://example.test/u?e={{email}}&t={{token}}',
  },
  oneClick: true,
  headers: [
    { name: 'X-Campaign', value: 'Spring {{first_name}}' },
    { name: 'Precedence', value: 'bulk' },
  ],
};

async function open(extra: Partial<AppOptions> = {}): Promise<App> {
  return openApp({ ...TEST_APP, dataDir: tmp.dir, sandbox: false, ...extra });
}

beforeEach(async () => {
  tmp = makeTempDir();
  server = await startScriptedServer();
});
afterEach(async () => {
  await app?.close();
  app = null;
  await server.close();
  tmp.remove();
});

async function keys(a: App): Promise<DkimKey[]> {
  return [
    await a.handlers['dkim.generate'](
      { domain: 'example.test', selector: 'rsa1', algorithm: 'rsa-sha256', bits: 1024 },
      ctx,
    ),
    await a.handlers['dkim.generate'](
      { domain: 'example.test', selector: 'ed1', algorithm: 'ed25519-sha256', bits: 2048 },
      ctx,
    ),
  ];
}

async function deliver(a: App, template: MessageTemplate, csv: string, recipientsPerTransaction = 1) {
  const created = await a.handlers['deliveries.create'](
    deliveryRequest({
      template,
      csv,
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
      timeScale: 10_000,
      recipientsPerTransaction,
    }),
    ctx,
  );
  const deliveryId = created.delivery.id;
  await a.campaign.whenRelayed(Number(deliveryId));
  await a.engine.whenIdle();
  const page = await a.handlers['logs.page'](LogsPageInput.parse({ deliveryId, limit: 100 }), ctx);
  return { deliveryId, rows: page.items };
}

/** The header block unfolded, as `name: value` pairs (names lower case). */
function headersOf(raw: string): [string, string][] {
  const head = (raw.split('\r\n\r\n')[0] ?? '').replace(/\r\n[ \t]+/g, ' ');
  return head.split('\r\n').map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
}
const header = (raw: string, name: string) =>
  headersOf(raw)
    .filter(([n]) => n === name)
    .map(([, v]) => v);

describe('template headers sent through the engine', () => {
  it('carries Reply-To, List-Unsubscribe with one-click and custom headers, DKIM-signed over both', async () => {
    app = await open();
    const dkim = await keys(app);
    const csv = 'email,first_name,token\nok.1+news@inbox.test,Zoé,a b&c\nok.2@inbox.test,Hans,x/y\n';
    const { deliveryId, rows } = await deliver(app, TEMPLATE, csv);
    expect(server.messages).toHaveLength(2);
    const raw = server.messages.find((m) => m.to.includes('ok.1+news@inbox.test'))?.raw ?? '';

    expect(header(raw, 'reply-to')).toEqual(['Support <support@example.test>']);
    expect(header(raw, 'list-unsubscribe')).toEqual([
      '<mailto:unsubscribe@example.test?subject=unsubscribe%20a%20b%26c>, ' +
        '<https://example.test/u?e=ok.1%2Bnews%40inbox.test&t=a%20b%26c>',
    ]);
    expect(header(raw, 'list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
    expect(header(raw, 'x-campaign')).toEqual(['=?UTF-8?Q?Spring_Zo=C3=A9?=']);
    expect(header(raw, 'precedence')).toEqual(['bulk']);

    // mailauth's whole check, with the keys' TXT records from a scripted resolver.
    const auth = await authenticate(Buffer.from(raw), {
      resolver: txtResolver(dkim),
      ip: '127.0.0.1',
      helo: 'relay.example.test',
      sender: 'news@example.test',
      mta: 'mx.inbox.test',
    });
    const results = auth.dkim.results.map((r) => [r.status.result, r.selector]);
    expect(results.sort()).toEqual([
      ['pass', 'ed1'],
      ['pass', 'rsa1'],
    ]);
    for (const tags of signatureTags(Buffer.from(raw))) {
      const signed = (tags.h ?? '').toLowerCase().split(':');
      expect(signed).toContain('list-unsubscribe');
      expect(signed).toContain('list-unsubscribe-post');
      expect(signed).toContain('reply-to');
    }

    // The message viewer rebuilds the bytes, and lists the headers.
    for (const row of rows) {
      const view = await app.handlers['messages.get']({ deliveryId, logId: row.id }, ctx);
      expect(view.raw).toBe(server.messages.find((m) => m.to.includes(row.email))?.raw);
    }
    const zoe = rows.find((r) => r.email === 'ok.1+news@inbox.test');
    const view = await app.handlers['messages.get']({ deliveryId, logId: zoe?.id ?? '0' }, ctx);
    expect(view.headers.map((h) => h.name)).toEqual(
      expect.arrayContaining(['Reply-To', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'X-Campaign']),
    );
    expect(view.headers.find((h) => h.name === 'X-Campaign')?.value).toBe('=?UTF-8?Q?Spring_Zo=C3=A9?=');
  });

  it('does not share one message between recipients when the headers hold their fields', async () => {
    app = await open();
    const personal: MessageTemplate = {
      fromName: 'News',
      fromAddress: 'news@example.test',
      subject: 'Maintenance tonight',
      text: 'The same text for everyone.',
      html: '',
      listUnsubscribe: { https: 'https://example.test/u?e={{email}}' },
      oneClick: true,
    };
    const csv = 'email\nok.a@mail.test\nok.b@mail.test\nok.c@mail.test\n';
    await deliver(app, personal, csv, 5);
    expect(server.messages).toHaveLength(3);
    for (const m of server.messages) {
      expect(m.to).toHaveLength(1);
      expect(header(m.raw, 'list-unsubscribe')).toEqual([
        `<https://example.test/u?e=${encodeURIComponent(m.to[0] ?? '')}>`,
      ]);
    }
  });

  it('refuses a header field the list lacks, and bad headers, with plain messages', async () => {
    app = await open();
    const err = await deliver(app, TEMPLATE, 'email,first_name\nok.1@inbox.test,Ann\n').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('template_invalid');
    expect((err as AppError).message).toContain(
      'Unsubscribe email: {{token}} is not a column of the recipient list',
    );
    const request = deliveryRequest();
    request.template = { ...TEMPLATE, headers: [{ name: 'Subject', value: 'x' }] };
    const bad = await Promise.resolve()
      .then(() => app?.handlers['deliveries.create'](request, ctx))
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect(JSON.stringify((bad as AppError).details)).toContain('Header Subject is set by the engine');
  });
});

describe('saved templates', () => {
  it('keep the headers across a reopen of the data directory', async () => {
    app = await open();
    // Through the contract's schemas, as both transports validate input and output.
    const saved = await app.handlers['templates.save'](
      TemplateSaveInput.parse({ name: 'With headers', template: TEMPLATE }),
      ctx,
    );
    await app.close();
    app = await open();
    const list = await app.handlers['templates.list']({}, ctx);
    const again = SavedTemplate.parse(list.items.find((t) => t.id === saved.id));
    expect(again).toMatchObject({
      replyTo: TEMPLATE.replyTo,
      listUnsubscribe: TEMPLATE.listUnsubscribe,
      oneClick: true,
      headers: TEMPLATE.headers,
    });
  });
});

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function cli(args: string[]) {
  const out = collector();
  const err = collector();
  const code = await main(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('relaydeck deliver --message FILE.eml', () => {
  const eml = (extra: string[]) =>
    [
      'From: News <news@example.test>',
      'To: someone@example.test',
      'Subject: Hi {{first_name}}',
      'Reply-To: help@example.test',
      'List-Unsubscribe: <mailto:unsubscribe@example.test>,',
      ' <https://example.test/u?e={{email}}>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      'Received: from somewhere by somewhere-else',
      'X-Campaign: =?UTF-8?Q?=C3=89t=C3=A9?=',
      ...extra,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello {{first_name}}',
      '',
    ].join('\r\n');

  it('imports Reply-To, List-Unsubscribe, one-click and custom headers into the delivery', async () => {
    const data = path.join(tmp.dir, 'data');
    fs.writeFileSync(path.join(tmp.dir, 'list.csv'), 'email,first_name\nok.1@inbox.test,Ann\n');
    fs.writeFileSync(path.join(tmp.dir, 'news.eml'), eml([]));
    const args = (file: string) => [
      'deliver',
      '--data',
      data,
      '--recipients',
      path.join(tmp.dir, 'list.csv'),
      '--message',
      path.join(tmp.dir, file),
      '--route',
      `*=127.0.0.1:${server.port}`,
      '--time-scale',
      '100000',
      '--wait',
      '--json',
    ];
    const out = await cli(args('news.eml'));
    expect(out.stderr).not.toContain('Error');
    expect(out.code).toBe(0);
    const raw = server.messages[0]?.raw ?? '';
    expect(header(raw, 'reply-to')).toEqual(['help@example.test']);
    expect(header(raw, 'list-unsubscribe')).toEqual([
      '<mailto:unsubscribe@example.test>, <https://example.test/u?e=ok.1%40inbox.test>',
    ]);
    expect(header(raw, 'list-unsubscribe-post')).toEqual(['List-Unsubscribe=One-Click']);
    expect(header(raw, 'x-campaign')).toEqual(['=?UTF-8?Q?=C3=89t=C3=A9?=']);
    expect(header(raw, 'received')).toEqual([]);

    fs.writeFileSync(
      path.join(tmp.dir, 'bad.eml'),
      eml([]).replace('List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: yes'),
    );
    const bad = await cli(args('bad.eml'));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'header List-Unsubscribe-Post: expected "List-Unsubscribe=One-Click" (it is "yes")',
    );
    fs.writeFileSync(
      path.join(tmp.dir, 'http.eml'),
      eml([]).replace('<https://example.test/u?e={{email}}>', '<http://example.test/u>'),
    );
    const http = await cli(args('http.eml'));
    expect(http.code).not.toBe(0);
    expect(http.stderr).toContain('header List-Unsubscribe: http://example.test/u is neither');
  });
});
