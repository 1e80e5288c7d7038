/**
 * Real `relaydeck` processes (the built CLI, out/main/cli.cjs) and a loopback SMTP receiver that counts every
 * accepted message by its X-Relaydeck-ID, for tests of several processes on one data dir.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'out/main/cli.cjs');

/** Builds the main side (out/main/cli.cjs and its workers) for the tests that run the built CLI. */
export function buildCli(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: ROOT, stdio: 'pipe' });
}

export interface Receiver {
  port: number;
  /** Times each message (`deliveryId.logId`) was accepted. */
  received: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** Accepts everything on 127.0.0.1 (ephemeral port), answering the end of DATA after `delayMs`. */
export async function startReceiver(delayMs: number): Promise<Receiver> {
  const received = new Map<string, number>();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: 500,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
        const id = /^X-Relaydeck-ID:\s*(\d+\.\d+)/im.exec(head)?.[1];
        const accept = () => {
          if (!id) return callback(new Error('no X-Relaydeck-ID header'));
          received.set(id, (received.get(id) ?? 0) + 1);
          total++;
          callback();
        };
        if (delayMs > 0) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    received,
    total: () => total,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** Starts `relaydeck ...args` in `cwd` (RELAYDECK_DATA cleared: the arguments name the data dir). */
export function relaydeck(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, RELAYDECK_DATA: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

/** The exit code, or a failure naming the process's output if it has not exited within `timeoutMs`. */
export async function exitCode(p: Proc, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      reject(new Error(`relaydeck did not exit within ${timeoutMs} ms:\n${p.output()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `relaydeck ...args`, waits for its output to show `progress` (a line it prints while working), then
 * kills it with SIGKILL: a crash at a known point of a long command. Fails, naming the output, if the line
 * does not come within `timeoutMs` or the process ends first.
 */
export async function killAfter(
  args: string[],
  cwd: string,
  progress: RegExp,
  timeoutMs: number,
): Promise<Proc> {
  const p = relaydeck(args, cwd);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no progress line; output: ${p.output()}`)), timeoutMs);
    const check = () => {
      if (!progress.test(p.output())) return;
      clearTimeout(timer);
      resolve();
    };
    p.child.stderr?.on('data', check);
    p.child.stdout?.on('data', check);
    p.child.on('exit', () => reject(new Error(`exited before the kill; output: ${p.output()}`)));
  });
  p.child.kill('SIGKILL');
  await p.exited;
  return p;
}
