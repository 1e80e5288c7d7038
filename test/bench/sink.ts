/**
 * The loopback SMTP sink of the benchmark: Debian postfix's `smtp-sink` on 127.0.0.1 (an ephemeral port
 * picked by binding port 0 and closing it), and its ceiling measured with `smtp-source` against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';

export const SMTP_SINK = '/usr/sbin/smtp-sink';
export const SMTP_SOURCE = '/usr/sbin/smtp-source';

export interface Sink {
  port: number;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** smtp-sink refuses to run as root without -u. */
function userArgs(): string[] {
  return os.userInfo().uid === 0 ? ['-u', 'nobody'] : [];
}

export async function startSink(backlog = 1000): Promise<Sink> {
  const port = await freePort();
  const child = spawn(SMTP_SINK, [...userArgs(), '-c', `127.0.0.1:${port}`, String(backlog)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`smtp-sink exited: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`smtp-sink did not listen on 127.0.0.1:${port} within 5 s: ${stderr()}`);
}

export interface Ceiling {
  command: string;
  messages: number;
  seconds: number;
  msgsPerSec: number;
}

/**
 * `smtp-source -d -s 20 -m N -l 5000`: 20 parallel sessions, each reusing its connection (-d) like the
 * engine does, 5,000-byte messages.
 */
export async function measureCeiling(port: number, messages: number, timeoutMs: number): Promise<Ceiling> {
  const args = ['-d', '-s', '20', '-m', String(messages), '-l', '5000', `127.0.0.1:${port}`];
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`smtp-source did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`smtp-source exited with ${code}: ${stderr}`));
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { command: `smtp-source ${args.join(' ')}`, messages, seconds, msgsPerSec: messages / seconds };
}
