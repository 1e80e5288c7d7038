/**
 * DKIM coverage end to end (SPEC §5, issue 15 item 3): the engine sends to a loopback smtp-server and mailauth
 * verifies what it received. Every message is signed rsa-sha256, plus ed25519 when the domain has such a key;
 * a From domain without a key is signed by the envelope sender's (return-path) domain, and the log row, the
 * message viewer's rebuild and the engine's log say so; an ed25519 key alone signs only when there is no RSA key.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine';
import { setSetting } from '../../src/main/store/settings-repo';
import { LogsPageInput, type DkimKey, type MessageTemplate } from '../../src/shared/contract';
import { captureLogger } from '../support/api-test-logger';
import { TEST_APP } from '../support/app-options';
import { deliveryRequest } from '../support/campaign-fixtures';
import { signatureTags, verifyDkim } from '../support/dkim-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'ipc' } as const;
let tmp: TempDir;
let app: App;
let server: ScriptedServer;
let logger: ReturnType<typeof captureLogger>;

const TEMPLATE: MessageTemplate = {
  fromName: 'Relaydeck',
  fromAddress: 'news@shop.example.test',
  subject: 'Hello {{first}}',
  text: 'Hello {{first}}, your statement is ready.',
  html: '<p>Hello {{first}}, your statement is ready.</p>',
};

beforeEach(async () => {
  tmp = makeTempDir();
  server = await startScriptedServer();
  logger = captureLogger();
});
afterEach(async () => {
  await app.close();
  await server.close();
  tmp.remove();
});

function generate(domain: string, selector: string, algorithm: 'rsa-sha256' | 'ed25519-sha256') {
  return app.handlers['dkim.generate']({ domain, selector, algorithm, bits: 1024 }, ctx);
}

async function deliver(csv: string) {
  const created = await app.handlers['deliveries.create'](
    deliveryRequest({
      template: TEMPLATE,
      csv,
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
      timeScale: 10_000,
    }),
    ctx,
  );
  const deliveryId = created.delivery.id;
  await app.campaign.whenRelayed(Number(deliveryId));
  await app.engine.whenIdle();
  const page = await app.handlers['logs.page'](LogsPageInput.parse({ deliveryId, limit: 100 }), ctx);
  const received = new Map(server.messages.flatMap((m) => m.to.map((to) => [to, m] as const)));
  return { deliveryId, rows: page.items, received };
}

async function verified(raw: string, keys: readonly DkimKey[]) {
  const results = await verifyDkim(Buffer.from(raw, 'utf8'), keys);
  return results.map((v) => `${v.result} d=${v.domain} s=${v.selector} ${v.algorithm}`).sort();
}

describe.each([
  ['delivery workers', {}],
  ['main-thread relay', { relayFactory: createSmtpRelayFactory({ clock: systemClock }) }],
] as const)('DKIM coverage of the engine on the %s path', (_name, options) => {
  beforeEach(async () => {
    app = await openApp({ ...TEST_APP, dataDir: tmp.dir, sandbox: false, logger, ...options });
  });

  it('signs rsa-sha256 + ed25519 with the From domain when it has both keys; mailauth verifies both', async () => {
    const keys = [
      await generate('shop.example.test', 'rsa1', 'rsa-sha256'),
      await generate('shop.example.test', 'ed1', 'ed25519-sha256'),
      await generate('bounce.example.net', 'b1', 'rsa-sha256'),
    ];
    setSetting(app.db, 'returnPath', 'bounces@bounce.example.net');
    const { rows, received } = await deliver('email,first\nok.1@inbox.test,Zoé\n');
    const msg = received.get('ok.1@inbox.test');
    expect(msg?.from).toMatch(/^bounces\+.*@bounce\.example\.net$/);
    expect(await verified(msg?.raw ?? '', keys)).toEqual([
      'pass d=shop.example.test s=ed1 ed25519-sha256',
      'pass d=shop.example.test s=rsa1 rsa-sha256',
    ]);
    expect(rows[0]?.dkimDomain).toBe('shop.example.test');
  });

  it("signs with the envelope sender's domain when From has no key: d= the return-path domain, said by the log row and the engine's log once", async () => {
    const keys = [
      await generate('example.net', 'b1', 'rsa-sha256'),
      await generate('example.net', 'be1', 'ed25519-sha256'),
    ];
    setSetting(app.db, 'returnPath', 'bounces@bounce.example.net');
    const { deliveryId, rows, received } = await deliver(
      'email,first\nok.1@inbox.test,Zoé\nok.2@inbox.test,Hans\nok.3@inbox.test,Ana\n',
    );
    expect(received.size).toBe(3);
    for (const row of rows) {
      const msg = received.get(row.email);
      expect(msg?.from).toMatch(/@bounce\.example\.net$/);
      expect(await verified(msg?.raw ?? '', keys)).toEqual([
        'pass d=example.net s=b1 rsa-sha256',
        'pass d=example.net s=be1 ed25519-sha256',
      ]);
      expect(row.dkimDomain).toBe('example.net');
      // The message viewer rebuilds the same bytes, signed by the same domain.
      const view = await app.handlers['messages.get']({ deliveryId, logId: row.id }, ctx);
      expect(view.raw).toBe(msg?.raw);
      expect(view.dkim).toEqual({ domain: 'example.net', selectors: ['b1', 'be1'], note: null });
    }
    const notes = logger.records.filter((e) => /not aligned with From/.test(e.msg));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.fields).toMatchObject({
      deliveryId: Number(deliveryId),
      fromDomain: 'shop.example.test',
      dkimDomain: 'example.net',
    });
  });

  it('signs with an ed25519 key alone only when no RSA key exists, and records it; no key at all: unsigned, dkim_domain null', async () => {
    const ed = await generate('example.test', 'ed1', 'ed25519-sha256');
    const first = await deliver('email,first\nok.1@inbox.test,Zoé\n');
    const msg = first.received.get('ok.1@inbox.test');
    expect(await verified(msg?.raw ?? '', [ed])).toEqual(['pass d=example.test s=ed1 ed25519-sha256']);
    expect(first.rows[0]?.dkimDomain).toBe('example.test');
    expect(logger.records.some((e) => /signed with ed25519 alone/.test(e.msg))).toBe(true);

    await app.handlers['dkim.remove']({ id: ed.id }, ctx);
    const second = await deliver('email,first\nok.2@inbox.test,Hans\n');
    expect(signatureTags(Buffer.from(second.received.get('ok.2@inbox.test')?.raw ?? ''))).toEqual([]);
    expect(second.rows[0]?.dkimDomain).toBeNull();
    expect(logger.records.some((e) => /messages leave unsigned/.test(e.msg))).toBe(true);
  });
});
