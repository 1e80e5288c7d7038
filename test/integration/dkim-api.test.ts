/**
 * The DKIM methods over openApp's handlers, end to end: a key generated through the API signs the next
 * messages at once (the signer is reloaded), a disabled key stops signing, removal deletes the key file.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_APP } from '../support/app-options';
import { openApp, type App } from '../../src/main/app';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { signatureTags, verifyDkim } from '../support/dkim-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'ipc' } as const;
let tmp: TempDir;
let app: App;
let server: ScriptedServer;

beforeEach(async () => {
  tmp = makeTempDir();
  server = await startScriptedServer();
  app = await openApp({
    ...TEST_APP,
    dataDir: tmp.dir,
    sandbox: false,
  });
});
afterEach(async () => {
  await app.close();
  await server.close();
  tmp.remove();
});

async function deliver(addresses: string[]): Promise<{ raw: Buffer; dkimDomain: string | null }[]> {
  const before = server.messages.length;
  const created = await app.handlers['deliveries.create'](
    deliveryRequest({
      csv: csvOf(addresses),
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
      timeScale: 100_000,
    }),
    ctx,
  );
  await app.campaign.whenRelayed(Number(created.delivery.id));
  await app.engine.whenIdle();
  const rows = app.db
    .prepare('SELECT dkim_domain FROM delivery_log WHERE delivery_id = ? ORDER BY id')
    .all(Number(created.delivery.id)) as { dkim_domain: string | null }[];
  return server.messages.slice(before).map((m, i) => ({
    raw: Buffer.from(m.raw, 'latin1'),
    dkimDomain: rows[i]?.dkim_domain ?? null,
  }));
}

describe('dkim.* handlers', () => {
  it('sign the next messages at once after generate, stop after disable, delete the file on remove', async () => {
    // The test template sends from sender@example.test.
    const unsigned = await deliver(['ok.1@inbox.test']);
    expect(unsigned.map((m) => [signatureTags(m.raw).length, m.dkimDomain])).toEqual([[0, null]]);

    const key = await app.handlers['dkim.generate'](
      { domain: 'example.test', selector: 'api1', algorithm: 'rsa-sha256', bits: 1024 },
      ctx,
    );
    expect(key).toMatchObject({ domain: 'example.test', selector: 'api1', enabled: true, bits: 1024 });
    expect((await app.handlers['dkim.list']({}, ctx)).items).toEqual([key]);

    const signed = await deliver(['ok.2@inbox.test', 'ok.3@inbox.test']);
    expect(signed).toHaveLength(2);
    for (const m of signed) {
      expect(m.dkimDomain).toBe('example.test');
      expect(await verifyDkim(m.raw, [key])).toEqual([
        expect.objectContaining({ result: 'pass', selector: 'api1' }),
      ]);
    }

    const disabled = await app.handlers['dkim.setEnabled']({ id: key.id, enabled: false }, ctx);
    expect(disabled.enabled).toBe(false);
    const after = await deliver(['ok.4@inbox.test']);
    expect(after.map((m) => [signatureTags(m.raw).length, m.dkimDomain])).toEqual([[0, null]]);

    const file = (
      app.db.prepare('SELECT key_path FROM dkim_keys WHERE id = ?').get(Number(key.id)) as {
        key_path: string;
      }
    ).key_path;
    expect(fs.existsSync(file)).toBe(true);
    expect(await app.handlers['dkim.remove']({ id: key.id }, ctx)).toEqual({ removed: true });
    expect(fs.existsSync(file)).toBe(false);
    expect(await app.handlers['dkim.remove']({ id: key.id }, ctx)).toEqual({ removed: false });
    await expect(
      (async () => app.handlers['dkim.setEnabled']({ id: key.id, enabled: true }, ctx))(),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses a duplicate selector and an unusable PEM with registry codes naming the field', async () => {
    await app.handlers['dkim.generate'](
      { domain: 'a.test', selector: 's', algorithm: 'ed25519-sha256', bits: 2048 },
      ctx,
    );
    await expect(
      app.handlers['dkim.generate'](
        { domain: 'A.test', selector: 'S', algorithm: 'rsa-sha256', bits: 1024 },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'conflict', details: [{ field: 'selector' }] });
    await expect(
      (async () =>
        app.handlers['dkim.import'](
          { domain: 'b.test', selector: 's', privateKeyPem: 'x'.repeat(60) },
          ctx,
        ))(),
    ).rejects.toMatchObject({ code: 'invalid_input', details: [{ field: 'privateKeyPem' }] });
    expect((await app.handlers['dkim.list']({}, ctx)).items.map((k) => k.domain)).toEqual(['a.test']);
  });
});
