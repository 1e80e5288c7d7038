/**
 * Secrets at rest: the IMAP password and the VERP signing key live outside the shared database, in
 * `<data dir>/secrets.json` (0600 in a 0700 data dir, written atomically). The entry points choose how the
 * values are kept there and inject the store into `openApp` (`AppOptions.secrets`) like the other collaborators:
 * under plain Node (CLI, `serve`, tests) values are kept as they are, readable by the owner only; the Electron
 * app passes a `SecretBox` backed by `safeStorage` (the OS keychain), and the IMAP password is kept sealed by it.
 * The VERP key stays unsealed in the owner-only file in every mode: the desktop app and the CLI share the data
 * dir (the same default directory) and must sign and verify return paths with the same key.
 *
 * A password sealed by the desktop app's keychain cannot be opened by the CLI: reading it fails with a message
 * saying so (IMAP polling from the CLI then reports that error). Secret values are never logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/contract/errors';
import { PRIVATE_FILE_MODE, ensurePrivateDir, tightenFile } from '../private-files';

export const SECRETS_FILE_NAME = 'secrets.json';

export const SECRET_NAMES = ['verpKey', 'imapPassword'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Kept sealed when the entry point gives a keychain (see above for the VERP key). */
const SEALED: ReadonlySet<SecretName> = new Set<SecretName>(['imapPassword']);

/** The port: synchronous (the VERP key is read when the bounce side starts, the password at each IMAP poll). */
export interface SecretStore {
  /** The value, or undefined when none is stored. Throws `unavailable` when it is sealed by another keychain. */
  get(name: SecretName): string | undefined;
  /** Stores the value; an empty string removes it. */
  set(name: SecretName, value: string): void;
  /** Where the secrets are kept, for messages (never a value). */
  readonly location: string;
}

/** Seals values with the OS keychain (Electron's `safeStorage`). */
export interface SecretBox {
  /** Names the keychain in messages (`safeStorage`). */
  readonly name: string;
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
}

/** What `openApp` is given: builds the store of the data dir it opens. */
export type SecretStoreFactory = (dataDir: string) => SecretStore;

const Entry = z.union([z.object({ plain: z.string() }), z.object({ sealed: z.string(), by: z.string() })]);
const SecretsFile = z.object({
  format: z.literal('relaydeck-secrets'),
  version: z.literal(1),
  entries: z.partialRecord(z.enum(SECRET_NAMES), Entry),
});
type SecretsFile = z.infer<typeof SecretsFile>;

/** The store of plain Node: values kept as they are, in the owner-only file. */
export const fileSecrets: SecretStoreFactory = (dataDir) => createFileSecretStore(dataDir);

/** The store of the Electron app when the keychain can seal: values kept sealed by `box`. */
export function sealedSecrets(box: SecretBox): SecretStoreFactory {
  return (dataDir) => createFileSecretStore(dataDir, box);
}

export function createFileSecretStore(dataDir: string, box?: SecretBox): SecretStore {
  const file = path.join(path.resolve(dataDir), SECRETS_FILE_NAME);

  function read(): SecretsFile {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { format: 'relaydeck-secrets', version: 1, entries: {} };
      }
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new AppError('internal', `${file} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = SecretsFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'internal',
        `${file}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  }

  function write(content: SecretsFile): void {
    ensurePrivateDir(path.dirname(file));
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      fs.writeFileSync(fd, JSON.stringify(content, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    tightenFile(tmp);
    fs.renameSync(tmp, file);
  }

  return {
    location: file,
    get(name) {
      tightenFile(file);
      const entry = read().entries[name];
      if (entry === undefined) return undefined;
      if ('plain' in entry) return entry.plain;
      if (!box || box.name !== entry.by) {
        throw new AppError(
          'unavailable',
          `The ${name} in ${file} is sealed by the desktop app's keychain (${entry.by}) and cannot be read here: ` +
            'use the desktop app on this data directory',
        );
      }
      return box.open(Buffer.from(entry.sealed, 'base64'));
    },
    set(name, value) {
      const content = read();
      if (value === '') delete content.entries[name];
      else
        content.entries[name] =
          box && SEALED.has(name)
            ? { sealed: box.seal(value).toString('base64'), by: box.name }
            : { plain: value };
      write(content);
    },
  };
}
