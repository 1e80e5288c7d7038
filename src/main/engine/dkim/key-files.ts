/**
 * Private key files: `<dataDir>/dkim/<domain>/<selector>.pem`, directories 0700 and files 0600 (owner-only,
 * SPEC §5). Files are written to a temporary name and renamed, so a key file is never half-written.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const KEY_DIR_MODE = 0o700;
export const KEY_FILE_MODE = 0o600;

/** The file of a key. `domain` and `selector` are validated DNS names (no path separators). */
export function keyFilePath(dataDir: string, domain: string, selector: string): string {
  return path.join(path.resolve(dataDir), 'dkim', domain, `${selector}.pem`);
}

export function writeKeyFile(file: string, pem: string): void {
  const dir = path.dirname(file);
  for (const d of [path.dirname(dir), dir]) {
    fs.mkdirSync(d, { recursive: true, mode: KEY_DIR_MODE });
    fs.chmodSync(d, KEY_DIR_MODE); // an existing directory or the umask may have left wider modes
  }
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, pem, { mode: KEY_FILE_MODE, flag: 'wx' });
    fs.chmodSync(tmp, KEY_FILE_MODE);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

export function readKeyFile(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** Deletes a key file and its domain directory when it is left empty. */
export function removeKeyFile(file: string): void {
  fs.rmSync(file, { force: true });
  try {
    fs.rmdirSync(path.dirname(file));
  } catch {
    // not empty (other selectors of the domain) or already gone
  }
}
