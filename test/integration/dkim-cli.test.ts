/**
 * `relaydeck dkim add|list|remove` against a temp data dir (the built CLI), then a real delivery through the
 * bundled engine and its signing workers to a scripted SMTP server: every captured message carries DKIM
 * signatures that mailauth verifies against the printed TXT records, and the log rows keep the DKIM domain.
 */
import crypto from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DkimKey } from '../../src/shared/contract/mta';
import { dkimZoneRecord } from '../../src/shared/domain/dkim';
import { openDatabase } from '../../src/main/store/db';
import { signatureTags, verifyDkim } from '../support/dkim-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const exec = promisify(execFile);
let tmp: TempDir;
let data: string;
let server: ScriptedServer;

const relaydeck = (args: string[]) =>
  exec(process.execPath, [cli, ...args], {
    cwd: tmp.dir,
    timeout: 45_000,
    env: { ...process.env, RELAYDECK_DATA: '' },
  });
const failure = async (args: string[]) =>
  (await relaydeck(args).then(
    () => ({ code: 0, stderr: '' }),
    (e: unknown) => e,
  )) as { code: number; stderr: string };

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  tmp = makeTempDir();
  data = path.join(tmp.dir, 'data');
  server = await startScriptedServer();
});
afterAll(async () => {
  await server?.close();
  tmp?.remove();
});

async function listKeys(): Promise<DkimKey[]> {
  const { stdout } = await relaydeck(['dkim', 'list', '--json', '--data', data]);
  return z.array(DkimKey).parse(JSON.parse(stdout));
}

describe('relaydeck dkim', () => {
  it('adds generated and imported keys and prints their TXT records in zone-file form', async () => {
    const rsa = await relaydeck([
      'dkim',
      'add',
      '--domain',
      'sender.test',
      '--selector',
      's1',
      '--bits',
      '1024',
      '--data',
      data,
    ]);
    expect(rsa.stdout).toContain('DKIM key added for sender.test, selector s1 (rsa-sha256, 1024 bits).');
    expect(rsa.stdout).toContain('Publish this TXT record at s1._domainkey.sender.test:');
    expect(rsa.stdout).toMatch(
      /^s1\._domainkey\.sender\.test\. IN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+"$/m, // 1024 bits: one string
    );

    const ed = await relaydeck([
      'dkim',
      'add',
      '--domain',
      'sender.test',
      '--selector',
      'ed1',
      '--type',
      'ed25519',
      '--data',
      data,
    ]);
    expect(ed.stdout).toMatch(
      /^ed1\._domainkey\.sender\.test\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/m,
    );

    const pem = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' });
    fs.writeFileSync(path.join(tmp.dir, 'key.pem'), pem);
    const imported = await relaydeck([
      'dkim',
      'add',
      '--domain',
      'imported.test',
      '--selector',
      'k1',
      '--key',
      'key.pem',
      '--data',
      data,
    ]);
    expect(imported.stdout).toContain('(rsa-sha256, 2048 bits)');

    const keys = await listKeys();
    expect(keys.map((k) => [k.domain, k.selector, k.algorithm, k.bits, k.enabled])).toEqual([
      ['imported.test', 'k1', 'rsa-sha256', 2048, true],
      ['sender.test', 'ed1', 'ed25519-sha256', null, true],
      ['sender.test', 's1', 'rsa-sha256', 1024, true],
    ]);
    // What `add` printed is the record `list` reports.
    const s1 = keys.find((k) => k.selector === 's1');
    expect(rsa.stdout).toContain(dkimZoneRecord('s1._domainkey.sender.test', s1?.txtRecord ?? ''));

    const text = await relaydeck(['dkim', 'list', '--data', data]);
    expect(text.stdout).toContain('sender.test  s1  rsa-sha256, 1024 bits  enabled');
    expect(text.stdout).toContain('imported.test  k1  rsa-sha256, 2048 bits  enabled');

    for (const file of ['sender.test/s1.pem', 'sender.test/ed1.pem', 'imported.test/k1.pem']) {
      expect(fs.statSync(path.join(data, 'dkim', file)).mode & 0o777).toBe(0o600);
    }
    expect(fs.statSync(path.join(data, 'dkim')).mode & 0o777).toBe(0o700);
  });

  it('reports mistakes clearly: duplicates, unusable key files, bad options', async () => {
    const dup = await failure(['dkim', 'add', '--domain', 'sender.test', '--selector', 'S1', '--data', data]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('A DKIM key already exists for selector "s1" of sender.test');

    fs.writeFileSync(
      path.join(tmp.dir, 'public.pem'),
      crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const pub = await failure([
      'dkim',
      'add',
      '--domain',
      'x.test',
      '--selector',
      'a',
      '--key',
      'public.pem',
      '--data',
      data,
    ]);
    expect(pub.code).toBe(1);
    expect(pub.stderr).toContain('relaydeck dkim: --key public.pem: this is a public key');

    const missing = await failure([
      'dkim',
      'add',
      '--domain',
      'x.test',
      '--selector',
      'a',
      '--key',
      'nope.pem',
      '--data',
      data,
    ]);
    expect(missing.stderr).toContain('cannot read nope.pem: ENOENT');

    const noSelector = await failure(['dkim', 'add', '--domain', 'x.test', '--data', data]);
    expect(noSelector.code).toBe(2);
    expect(noSelector.stderr).toContain('missing required option --selector');

    const badDomain = await failure([
      'dkim',
      'add',
      '--domain',
      'not a domain',
      '--selector',
      'a',
      '--data',
      data,
    ]);
    expect(badDomain.code).toBe(2);
    expect(badDomain.stderr).toContain('--domain: a domain name (got "not a domain")');

    const badType = await failure([
      'dkim',
      'add',
      '--domain',
      'x.test',
      '--selector',
      'a',
      '--type',
      'dsa',
      '--data',
      data,
    ]);
    expect(badType.stderr).toContain('--type must be rsa or ed25519, got "dsa"');
    expect((await listKeys()).filter((k) => k.domain === 'x.test')).toEqual([]);
  });

  it('signs a real delivery: every message verifies against the published records, the log keeps the DKIM domain', async () => {
    fs.writeFileSync(
      path.join(tmp.dir, 'list.csv'),
      ['email;first', 'ok.a@inbox.test;A', 'ok.b@inbox.test;B', 'ok.c@inbox.test;C'].join('\r\n'),
    );
    fs.writeFileSync(
      path.join(tmp.dir, 'news.eml'),
      'From: News <news@mail.sender.test>\r\nSubject: Hi {{first}}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello {{first}}\r\n',
    );
    await relaydeck([
      'deliver',
      '--data',
      data,
      '--recipients',
      'list.csv',
      '--message',
      'news.eml',
      '--route',
      `*=127.0.0.1:${server.port}`,
      '--time-scale',
      '100000',
      '--wait',
      '--json',
    ]);
    const keys = await listKeys();
    expect(server.messages).toHaveLength(3);
    for (const message of server.messages) {
      const raw = Buffer.from(message.raw, 'latin1');
      const verified = await verifyDkim(raw, keys);
      // mail.sender.test has no key of its own: the parent domain's keys sign (RSA, then ed25519).
      expect(verified.map((v) => [v.result, v.domain, v.selector, v.algorithm])).toEqual([
        ['pass', 'sender.test', 's1', 'rsa-sha256'],
        ['pass', 'sender.test', 'ed1', 'ed25519-sha256'],
      ]);
      expect(
        signatureTags(raw).every(
          (t) =>
            t.h
              ?.toLowerCase()
              .split(':')
              .filter((h) => h === 'from').length === 2,
        ),
      ).toBe(true);
    }
    const db = openDatabase(path.join(data, 'relaydeck.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT status, dkim_domain FROM delivery_log ORDER BY id').all();
      expect(rows).toEqual([
        { status: 'sent', dkim_domain: 'sender.test' },
        { status: 'sent', dkim_domain: 'sender.test' },
        { status: 'sent', dkim_domain: 'sender.test' },
      ]);
    } finally {
      db.close();
    }
  });

  it('removes a key and its private key file', async () => {
    await relaydeck(['dkim', 'remove', '--domain', 'imported.test', '--selector', 'k1', '--data', data]);
    expect(fs.existsSync(path.join(data, 'dkim', 'imported.test', 'k1.pem'))).toBe(false);
    expect((await listKeys()).map((k) => k.selector)).toEqual(['ed1', 's1']);
    const again = await failure([
      'dkim',
      'remove',
      '--domain',
      'imported.test',
      '--selector',
      'k1',
      '--data',
      data,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no DKIM key for selector "k1" of imported.test');
  });
});
