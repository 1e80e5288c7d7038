/**
 * A stable console URL per data directory: `relaydeck serve` keeps the port and the access token it used in
 * `<data dir>/console.json` (owner-only, like `secrets.json`) and listens on them again at the next start, so a
 * tab left open (and a bookmark of the printed URL) reconnects by itself after a restart. `--port N` and
 * `--new-token` change them (and the new values are kept); a kept port another program has taken since is
 * replaced by a free one, said clearly (`Served.portFallback`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenFile } from '../private-files';

export const CONSOLE_FILE_NAME = 'console.json';

const ConsoleFile = z.object({
  format: z.literal('relaydeck-console'),
  version: z.literal(1),
  port: z.number().int().min(1).max(65_535),
  token: z.string().regex(/^[A-Za-z0-9_-]{32,128}$/),
});

export interface ConsoleAddress {
  port: number;
  token: string;
}

export function consoleFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), CONSOLE_FILE_NAME);
}

/**
 * The kept address, or null when there is none. A file that cannot be read as one (edited by hand, cut short)
 * is reported through `onProblem` and ignored: a new address is made and written over it.
 */
export function readConsoleAddress(
  dataDir: string,
  onProblem: (message: string) => void,
): ConsoleAddress | null {
  const file = consoleFile(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  tightenFile(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    onProblem(`${file} is not valid JSON: a new console address is made`);
    return null;
  }
  const parsed = ConsoleFile.safeParse(json);
  if (!parsed.success) {
    onProblem(`${file} does not hold a console port and token: a new console address is made`);
    return null;
  }
  return { port: parsed.data.port, token: parsed.data.token };
}

/** Writes the address atomically, owner-only (0600 in the 0700 data dir). */
export function writeConsoleAddress(dataDir: string, address: ConsoleAddress): void {
  const dir = path.resolve(dataDir);
  ensurePrivateDir(dir);
  const file = consoleFile(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  const body = { format: 'relaydeck-console', version: 1, ...address };
  fs.writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  tightenFile(tmp);
  fs.renameSync(tmp, file);
}
