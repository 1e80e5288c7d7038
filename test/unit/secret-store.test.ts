/**
 * The secret store's modes (`src/main/secrets/secret-store.ts`), on real files in a temp dir: plain values in an
 * owner-only file written atomically; with a keychain box (the Electron mode) the IMAP password is sealed and
 * never in the file as written, while the VERP key stays readable by every face of the app; a password sealed by
 * the desktop app's keychain read without it fails naming the file; a damaged file is reported with its name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/contract/errors';
import {
  SECRETS_FILE_NAME,
  createFileSecretStore,
  sealedSecrets,
  type SecretBox,
} from '../../src/main/secrets/secret-store';
import { makeTempDir, type TempDir } from '../support/store-temp';

/** A stand-in for safeStorage: reversible, and the sealed bytes do not contain the plain text. */
const box: SecretBox = {
  name: 'safeStorage',
  seal: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
  open: (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString('utf8'),
};

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.remove());

const fileOf = (dir: string) => path.join(dir, SECRETS_FILE_NAME);

describe('the file secret store', () => {
  it('keeps values in an owner-only file, replaced atomically; an empty value removes one', () => {
    const dir = path.join(tmp.dir, 'data');
    const store = createFileSecretStore(dir);
    expect(store.get('verpKey')).toBeUndefined();
    store.set('verpKey', 'ab'.repeat(16));
    store.set('imapPassword', 'pw-1');
    expect(store.get('verpKey')).toBe('ab'.repeat(16));
    expect(createFileSecretStore(dir).get('imapPassword')).toBe('pw-1');
    if (process.platform !== 'win32') {
      expect(fs.statSync(fileOf(dir)).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    }
    expect(fs.readdirSync(dir)).toEqual([SECRETS_FILE_NAME]);
    store.set('imapPassword', '');
    expect(store.get('imapPassword')).toBeUndefined();
    expect(store.location).toBe(fileOf(dir));
  });

  it('tightens a secrets file found open to others when reading it', () => {
    if (process.platform === 'win32') return;
    const store = createFileSecretStore(tmp.dir);
    store.set('verpKey', 'cd'.repeat(16));
    fs.chmodSync(fileOf(tmp.dir), 0o644);
    expect(store.get('verpKey')).toBe('cd'.repeat(16));
    expect(fs.statSync(fileOf(tmp.dir)).mode & 0o777).toBe(0o600);
  });

  it('with a keychain, seals the IMAP password and keeps the VERP key readable without it', () => {
    const sealed = sealedSecrets(box)(tmp.dir);
    sealed.set('imapPassword', 'keychain-only-password');
    sealed.set('verpKey', 'ef'.repeat(16));
    expect(sealed.get('imapPassword')).toBe('keychain-only-password');
    const text = fs.readFileSync(fileOf(tmp.dir), 'utf8');
    expect(text).not.toContain('keychain-only-password');
    expect(text).toContain('"by": "safeStorage"');

    const plain = createFileSecretStore(tmp.dir);
    expect(plain.get('verpKey')).toBe('ef'.repeat(16));
    let error: unknown;
    try {
      plain.get('imapPassword');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('unavailable');
    expect((error as AppError).message).toContain(fileOf(tmp.dir));
    expect((error as AppError).message).toMatch(/sealed by the desktop app's keychain \(safeStorage\)/);
  });

  it('reports a damaged secrets file with its name, and changes nothing', () => {
    fs.writeFileSync(fileOf(tmp.dir), '{"format":"relaydeck-secrets","version":1,"entries":{"verpKey":{}}}');
    const store = createFileSecretStore(tmp.dir);
    expect(() => store.get('verpKey')).toThrow(new RegExp(`${SECRETS_FILE_NAME}: entries\\.verpKey`));
    expect(() => store.set('imapPassword', 'x')).toThrow(/secrets\.json/);
    fs.writeFileSync(fileOf(tmp.dir), 'not json');
    expect(() => store.get('verpKey')).toThrow(/secrets\.json is not valid JSON/);
    expect(fs.readFileSync(fileOf(tmp.dir), 'utf8')).toBe('not json');
  });
});
