/**
 * Owner-only files and directories (POSIX): the data dir is 0700, the database (with its -wal and -shm), the
 * secrets file and the logs are 0600. Created so, and tightened when an existing one (from an earlier version,
 * or made under a loose umask) is found open to the group or others. A leaf module (node built-ins only):
 * the store, the logger, the secret store and the app all use it. On Windows the modes mean nothing and nothing
 * is changed (the profile directory's ACLs apply).
 */
import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const posix = process.platform !== 'win32';

/** Creates the directory (and missing parents) as 0700, and tightens it to 0700 when it already exists. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** Creates the file empty as 0600 when it is missing (never truncates), and tightens it to 0600. */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}

/** Tightens the file to 0600 when it exists; a missing file is fine. */
export function tightenFile(file: string): void {
  tighten(file, PRIVATE_FILE_MODE);
}

function tighten(target: string, mode: number): void {
  if (!posix) return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((stat.mode & 0o777) !== mode) fs.chmodSync(target, mode);
}
