import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/contract/errors';
import {
  defaultDkimSelector,
  dkimDnsName,
  dkimTxtRecord,
  dkimZoneRecord,
  findSigningDomain,
  signingDomainCandidates,
  splitTxtStrings,
} from '../../src/shared/domain/dkim';
import { chooseKeyRows } from '../../src/main/engine/dkim/key-choice';
import { keyFilePath, removeKeyFile, writeKeyFile } from '../../src/main/engine/dkim/key-files';
import { generateKeyMaterial, readPrivateKeyPem } from '../../src/main/engine/dkim/keys';
import type { DkimKeyRow } from '../../src/main/store/dkim-repo';
import { makeTempDir, type TempDir } from '../support/store-temp';

describe('DKIM TXT record', () => {
  it('publishes an RSA key as base64 SubjectPublicKeyInfo DER', async () => {
    const m = await generateKeyMaterial('rsa', 1024);
    expect(m.bits).toBe(1024);
    const txt = dkimTxtRecord(m.type, m.publicKey);
    expect(txt).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    const pub = crypto.createPublicKey({
      key: Buffer.from(m.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    expect(pub.asymmetricKeyType).toBe('rsa');
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(1024);
    // The published key is the public half of the stored private key.
    const fromPrivate = crypto.createPublicKey(m.privatePem).export({ type: 'spki', format: 'der' });
    expect(fromPrivate.toString('base64')).toBe(m.publicKey);
  });

  it('publishes an ed25519 key as the raw 32-byte key (RFC 8463)', async () => {
    const m = await generateKeyMaterial('ed25519');
    expect(m.bits).toBeNull();
    expect(Buffer.from(m.publicKey, 'base64')).toHaveLength(32);
    expect(dkimTxtRecord(m.type, m.publicKey)).toBe(`v=DKIM1; k=ed25519; p=${m.publicKey}`);
    const spki = crypto.createPublicKey(m.privatePem).export({ type: 'spki', format: 'der' });
    expect(spki.subarray(-32).toString('base64')).toBe(m.publicKey);
  });

  it('names the record <selector>._domainkey.<domain>', () => {
    expect(dkimDnsName('rd202504', 'example.com')).toBe('rd202504._domainkey.example.com');
  });

  it('splits long values into 255-byte strings in the zone-file form', async () => {
    const m = await generateKeyMaterial('rsa', 2048);
    const txt = dkimTxtRecord('rsa', m.publicKey);
    const parts = splitTxtStrings(txt);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 255)).toBe(true);
    expect(parts[0]).toHaveLength(255);
    expect(parts.join('')).toBe(txt);
    const zone = dkimZoneRecord('s1._domainkey.example.com', txt);
    expect(zone).toBe(`s1._domainkey.example.com. IN TXT (\n  "${parts[0]}"\n  "${parts[1]}" )`);
    expect(dkimZoneRecord('s._domainkey.a.test', 'v=DKIM1; k=ed25519; p=abc')).toBe(
      's._domainkey.a.test. IN TXT "v=DKIM1; k=ed25519; p=abc"',
    );
  });

  it('defaults the selector to rd<yyyymm>', () => {
    expect(defaultDkimSelector(Date.UTC(2025, 3, 30))).toBe('rd202504');
    expect(defaultDkimSelector(Date.UTC(2026, 11, 31, 23))).toBe('rd202612');
  });
});

describe('DKIM key import', () => {
  const expectInvalid = (pem: string, message: RegExp) => {
    let caught: unknown;
    try {
      readPrivateKeyPem(pem);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    const err = caught as AppError;
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/^privateKeyPem: /);
    expect(err.message).toMatch(message);
    expect(err.details?.[0]?.field).toBe('privateKeyPem');
  };

  it('accepts PKCS#1 and PKCS#8 RSA keys and ed25519 keys', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const a = readPrivateKeyPem(pkcs1);
    const b = readPrivateKeyPem(`\n  ${pkcs8}\n`);
    expect(a).toMatchObject({ type: 'rsa', bits: 1024 });
    expect(a.publicKey).toBe(b.publicKey);
    expect(a.privatePem).toContain('BEGIN PRIVATE KEY'); // stored normalised as PKCS#8
    const ed = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(readPrivateKeyPem(ed.toString())).toMatchObject({ type: 'ed25519', bits: null });
  });

  it('refuses what is not a usable private key, naming the field', () => {
    expectInvalid('hello', /not a PEM private key/);
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    expectInvalid(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(), /public key/);
    const small = crypto.generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey;
    expectInvalid(
      small.export({ type: 'pkcs8', format: 'pem' }).toString(),
      /at least 1024 bits \(this one has 512\)/,
    );
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expectInvalid(ec.export({ type: 'pkcs8', format: 'pem' }).toString(), /RSA or ed25519.*an ec key/);
    const encrypted = pair.privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    expectInvalid(encrypted, /encrypted/);
    expectInvalid('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /cannot be read/);
  });

  it('refuses RSA sizes outside 1024..8192 when generating', async () => {
    await expect(generateKeyMaterial('rsa', 512)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('DKIM key choice', () => {
  it('walks from the From domain to its parent domains', () => {
    expect(signingDomainCandidates('News.Example.COM.')).toEqual(['news.example.com', 'example.com']);
    expect(signingDomainCandidates('a.b.example.co.uk')).toEqual([
      'a.b.example.co.uk',
      'b.example.co.uk',
      'example.co.uk',
      'co.uk',
    ]);
    expect(signingDomainCandidates('localhost')).toEqual([]);
    const keys = new Set(['example.com', 'mail.example.com']);
    const has = (d: string) => keys.has(d);
    expect(findSigningDomain('news.example.com', has)).toBe('example.com');
    expect(findSigningDomain('x.mail.example.com', has)).toBe('mail.example.com');
    expect(findSigningDomain('mail.example.com', has)).toBe('mail.example.com');
    expect(findSigningDomain('example.org', has)).toBeNull();
    expect(findSigningDomain('notexample.com', has)).toBeNull();
  });

  it('uses the newest enabled key of each algorithm per domain', () => {
    let id = 0;
    const row = (
      domain: string,
      algorithm: DkimKeyRow['algorithm'],
      createdAt: number,
      enabled = 1,
    ): DkimKeyRow => ({
      id: ++id,
      domain,
      selector: `s${id}`,
      algorithm,
      bits: algorithm === 'rsa-sha256' ? 2048 : null,
      key_path: `/k/${id}.pem`,
      public_key: 'x',
      enabled,
      created_at: createdAt,
    });
    const rows = [
      row('example.com', 'rsa-sha256', 100),
      row('example.com', 'rsa-sha256', 300),
      row('example.com', 'rsa-sha256', 500, 0), // newest, but disabled
      row('example.com', 'ed25519-sha256', 200),
      row('other.test', 'ed25519-sha256', 100),
    ];
    const chosen = chooseKeyRows(rows);
    expect(chosen.get('example.com')?.rsa?.selector).toBe('s2');
    expect(chosen.get('example.com')?.ed25519?.selector).toBe('s4');
    expect(chosen.get('other.test')).toMatchObject({ rsa: null, ed25519: { selector: 's5' } });
    expect(chooseKeyRows([row('a.test', 'rsa-sha256', 1, 0)]).size).toBe(0);
  });
});

describe('DKIM key files', () => {
  let tmp: TempDir;
  afterEach(() => tmp.remove());

  it('are owner-only: directories 0700, files 0600, whatever the umask and existing modes', () => {
    tmp = makeTempDir();
    const file = keyFilePath(tmp.dir, 'example.com', 'rd202504');
    expect(file).toBe(path.join(tmp.dir, 'dkim', 'example.com', 'rd202504.pem'));
    fs.mkdirSync(path.join(tmp.dir, 'dkim'), { mode: 0o755 });
    fs.chmodSync(path.join(tmp.dir, 'dkim'), 0o755);
    const previous = process.umask(0);
    try {
      writeKeyFile(file, 'PEM');
    } finally {
      process.umask(previous);
    }
    const mode = (p: string) => fs.statSync(p).mode & 0o777;
    expect(mode(path.join(tmp.dir, 'dkim'))).toBe(0o700);
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('PEM');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['rd202504.pem']); // no temporary file left

    removeKeyFile(file);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });
});
