/**
 * The message viewer, proofs and saved templates over openApp's handlers (issue 14 point 10): the source
 * `messages.get` shows for a sent message is the bytes a loopback SMTP server received (DKIM signature
 * included, verified with mailauth), for a message sent alone, after a greylisting retry, and as a group's
 * shared message, on the delivery workers' path and on the main thread's; a proof reaches the server through
 * the delivery's route, marked and out of the delivery's log; templates are saved, listed, replaced, reused in
 * a delivery and removed, across a reopen of the SQLite file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App, type AppOptions } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine';
import { deliveryRequest } from '../support/campaign-fixtures';
import { signatureTags, verifyDkim } from '../support/dkim-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';
import { LogsPageInput, type DkimKey, type MessageTemplate } from '../../src/shared/contract';
import { AppError } from '../../src/shared/contract/errors';

const ctx = { transport: 'ipc' } as const;
let tmp: TempDir;
let app: App;
let server: ScriptedServer;

const TEMPLATE: MessageTemplate = {
  fromName: 'Équipe Relaydeck',
  fromAddress: 'news@example.test',
  subject: 'Bonjour {{first_name}}, votre relevé',
  text: 'Bonjour {{first_name}},\nvotre relevé de {{city}} est prêt.\n— L’équipe',
  html: '<p>Bonjour <b>{{first_name}}</b>,</p><p>votre relevé de {{city}} est prêt.</p><img src="http://tracker.invalid/p.gif">',
};
const STATIC: MessageTemplate = {
  fromName: 'Relaydeck',
  fromAddress: 'news@example.test',
  subject: 'Maintenance tonight',
  text: 'The console will be down from 22:00 to 23:00 UTC.',
  html: '<p>The console will be down from <b>22:00</b> to <b>23:00</b> UTC.</p>',
};

async function open(extra: Partial<AppOptions> = {}): Promise<App> {
  return openApp({ ...TEST_APP, dataDir: tmp.dir, sandbox: false, ...extra });
}

beforeEach(async () => {
  tmp = makeTempDir();
  server = await startScriptedServer();
});
afterEach(async () => {
  await app.close();
  await server.close();
  tmp.remove();
});

async function keys(): Promise<DkimKey[]> {
  return [
    await app.handlers['dkim.generate'](
      { domain: 'example.test', selector: 'rsa1', algorithm: 'rsa-sha256', bits: 1024 },
      ctx,
    ),
    await app.handlers['dkim.generate'](
      { domain: 'example.test', selector: 'ed1', algorithm: 'ed25519-sha256', bits: 2048 },
      ctx,
    ),
  ];
}

async function deliver(template: MessageTemplate, csv: string, recipientsPerTransaction = 1) {
  const created = await app.handlers['deliveries.create'](
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
  await app.campaign.whenRelayed(Number(deliveryId));
  await app.engine.whenIdle();
  const page = await app.handlers['logs.page'](LogsPageInput.parse({ deliveryId, limit: 100 }), ctx);
  return { deliveryId, rows: page.items };
}

describe.each([
  ['delivery workers', {}],
  ['main-thread relay', { relayFactory: createSmtpRelayFactory({ clock: systemClock }) }],
] as const)('messages.get on the %s path', (_name, options) => {
  it('shows the bytes the receiving server got, signature included, alone, after a retry and shared', async () => {
    app = await open(options);
    const dkim = await keys();
    const csv = 'email,first_name,city\nok.1@inbox.test,Zoé,Orléans\ngrey.1@inbox.test,Hans,Köln\n';
    const personal = await deliver(TEMPLATE, csv);
    const shared = await deliver(STATIC, 'email\nok.a@mail.test\nok.b@mail.test\nok.c@mail.test\n', 5);

    const received = new Map(server.messages.flatMap((m) => m.to.map((to) => [to, m.raw] as const)));
    expect([...received.keys()].sort()).toEqual(
      ['grey.1@inbox.test', 'ok.1@inbox.test', 'ok.a@mail.test', 'ok.b@mail.test', 'ok.c@mail.test'].sort(),
    );
    expect(personal.rows.find((r) => r.email === 'grey.1@inbox.test')?.attempts).toBe(2);

    for (const { deliveryId, rows } of [personal, shared]) {
      for (const row of rows) {
        const view = await app.handlers['messages.get']({ deliveryId, logId: row.id }, ctx);
        expect(view.kind).toBe('sent');
        expect(view.raw).toBe(received.get(row.email));
        expect(view.size).toBe(Buffer.byteLength(view.raw));
        const verified = await verifyDkim(Buffer.from(view.raw, 'utf8'), dkim);
        expect(verified.map((v) => [v.result, v.selector]).sort()).toEqual([
          ['pass', 'ed1'],
          ['pass', 'rsa1'],
        ]);
        expect(view.dkim).toEqual({ domain: 'example.test', selectors: ['rsa1', 'ed1'], note: null });
        expect(view.headers.filter((h) => h.name === 'DKIM-Signature')).toHaveLength(2);
      }
    }
    const zoe = personal.rows.find((r) => r.email === 'ok.1@inbox.test');
    const view = await app.handlers['messages.get'](
      { deliveryId: personal.deliveryId, logId: zoe?.id ?? '0' },
      ctx,
    );
    expect(view.subject).toBe('Bonjour Zoé, votre relevé');
    expect(view.text).toContain('votre relevé de Orléans est prêt.');
    expect(view.html).toContain('<b>Zoé</b>');
    expect(view.to).toBe('ok.1@inbox.test');
  });
});

describe('messages.get', () => {
  it('says when a key that signed the message was removed since, and shows the source without it', async () => {
    app = await open();
    const [rsa, ed] = await keys();
    const { deliveryId, rows } = await deliver(
      TEMPLATE,
      'email,first_name,city\nok.9@inbox.test,Ana,Porto\n',
    );
    await app.handlers['dkim.remove']({ id: ed?.id ?? '0' }, ctx);
    const view = await app.handlers['messages.get']({ deliveryId, logId: rows[0]?.id ?? '0' }, ctx);
    expect(view.dkim.domain).toBe('example.test');
    expect(view.dkim.note).toMatch(/selector ed1, whose key has been removed since/);
    expect(signatureTags(Buffer.from(view.raw))).toHaveLength(0);
    expect(rsa).toBeDefined();
    await expect(app.handlers['messages.get']({ deliveryId, logId: '999999' }, ctx)).rejects.toThrow(
      /has no recipient 999999/,
    );
  });
});

describe('messages.preview', () => {
  it('builds the signed message of a template for a row, naming the fields the row lacks', async () => {
    app = await open();
    const dkim = await keys();
    const view = await app.handlers['messages.preview'](
      { template: TEMPLATE, row: { email: 'zoe@inbox.test', first_name: 'Zoé' } },
      ctx,
    );
    expect(view.kind).toBe('preview');
    expect(view.subject).toBe('Bonjour Zoé, votre relevé');
    expect(view.html).toContain('<img src="http://tracker.invalid/p.gif">');
    expect(view.notes).toEqual(["Not in this recipient's row, left empty: {{city}}."]);
    const verified = await verifyDkim(Buffer.from(view.raw, 'utf8'), dkim);
    expect(verified.map((v) => v.result)).toEqual(['pass', 'pass']);
    await expect(
      app.handlers['messages.preview'](
        { template: { ...TEMPLATE, text: 'Hi {{first name}}' }, row: {} },
        ctx,
      ),
    ).rejects.toThrow(/cannot be built: template text line 1 column 4: invalid field name "first name"/);
  });
});

describe('messages.proof', () => {
  it("sends a marked proof through the delivery's route to each address, outside the delivery", async () => {
    app = await open();
    const dkim = await keys();
    const { deliveryId } = await deliver(TEMPLATE, 'email,first_name,city\nok.1@inbox.test,Zoé,Orléans\n');
    const before = server.messages.length;
    const result = await app.handlers['messages.proof'](
      { source: { kind: 'delivery', deliveryId }, addresses: ['proof.1@inbox.test', 'not an address'] },
      ctx,
    );
    expect(result.subject).toBe('[Proof] Bonjour {{first_name}}, votre relevé');
    expect(result.results).toEqual([
      {
        address: 'proof.1@inbox.test',
        outcome: 'accepted',
        reply: '250 2.0.0 Ok: queued',
        host: '127.0.0.1',
        via: 'route',
      },
      expect.objectContaining({ address: 'not an address', outcome: 'failed' }),
    ]);
    const got = server.messages.slice(before);
    expect(got.map((m) => m.to)).toEqual([['proof.1@inbox.test']]);
    const raw = got[0]?.raw ?? '';
    expect(raw).toMatch(/^Subject: =\?UTF-8\?Q\?=5BProof=5D_Bonjour_Zo/m);
    expect(raw).toMatch(/^X-Relaydeck-Proof: delivery \d+\r$/m);
    expect(raw).not.toMatch(/^X-Relaydeck-ID/im);
    expect((await verifyDkim(Buffer.from(raw, 'utf8'), dkim)).map((v) => v.result)).toEqual(['pass', 'pass']);
    // Not in the delivery's log or counters.
    const log = await app.handlers['logs.page'](LogsPageInput.parse({ deliveryId, limit: 100 }), ctx);
    expect(log.items.map((r) => [r.email, r.attempts])).toEqual([['ok.1@inbox.test', 1]]);

    // A draft's proof goes by its own routes; a refusal is reported per address.
    const draft = await app.handlers['messages.proof'](
      {
        source: {
          kind: 'draft',
          template: TEMPLATE,
          row: { first_name: 'Ana', city: 'Porto' },
          routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
          smarthost: null,
        },
        addresses: ['unknown.1@inbox.test'],
      },
      ctx,
    );
    expect(draft.results).toEqual([
      expect.objectContaining({
        address: 'unknown.1@inbox.test',
        outcome: 'failed',
        reply: expect.stringMatching(/^550 5\.1\.1/),
      }),
    ]);
  });
});

describe('templates.save / list / remove', () => {
  it('keeps saved templates across a reopen and reuses one in a delivery', async () => {
    app = await open();
    const demo = (await app.handlers['templates.list']({}, ctx)).items;
    const saved = await app.handlers['templates.save'](
      { name: 'Monthly statement', template: TEMPLATE },
      ctx,
    );
    expect(saved).toMatchObject({ name: 'Monthly statement', ...TEMPLATE });
    await expect(
      app.handlers['templates.save']({ name: 'monthly STATEMENT', template: STATIC }, ctx),
    ).rejects.toSatisfy(
      (e: unknown) => e instanceof AppError && e.code === 'conflict' && /already exists/.test(e.message),
    );
    const replaced = await app.handlers['templates.save'](
      {
        id: saved.id,
        name: 'Monthly statement',
        template: { ...TEMPLATE, subject: 'Statement for {{first_name}}' },
      },
      ctx,
    );
    expect(replaced).toMatchObject({ id: saved.id, subject: 'Statement for {{first_name}}' });
    const other = await app.handlers['templates.save']({ name: 'Maintenance', template: STATIC }, ctx);
    await app.close();

    app = await open();
    const listed = (await app.handlers['templates.list']({}, ctx)).items;
    expect(listed).toEqual([...demo, replaced, other]);
    // Reused: a delivery made from the saved template sends its subject.
    const reused = listed.find((t) => t.name === 'Monthly statement');
    if (!reused) throw new Error('the saved template is not listed');
    const { fromName, fromAddress, subject, text, html } = reused;
    await deliver(
      { fromName, fromAddress, subject, text, html },
      'email,first_name,city\nok.5@inbox.test,Lu,Lyon\n',
    );
    expect(server.messages.at(-1)?.raw).toMatch(/^Subject: Statement for Lu\r$/m);

    expect(await app.handlers['templates.remove']({ id: other.id }, ctx)).toEqual({ removed: true });
    expect(await app.handlers['templates.remove']({ id: other.id }, ctx)).toEqual({ removed: false });
    expect((await app.handlers['templates.list']({}, ctx)).items).toEqual([...demo, replaced]);
  });
});
