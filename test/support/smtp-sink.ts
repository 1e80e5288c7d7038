/**
 * Debian postfix's `smtp-sink` on 127.0.0.1 for integration tests (an ephemeral port picked by binding port 0
 * and closing it), with its options to refuse or disconnect at given commands (`-r`, `-f`, `-q`, `-Q`; see
 * `man smtp-sink`). `SMTP_SINK_PATH` is null when it is not installed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

const PATH = '/usr/sbin/smtp-sink';
export const SMTP_SINK_PATH: string | null = fs.existsSync(PATH) ? PATH : null;

export interface SmtpSink {
  port: number;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

export async function startSmtpSink(args: string[]): Promise<SmtpSink> {
  if (!SMTP_SINK_PATH) throw new Error(`${PATH} is not installed (Debian package postfix)`);
  const port = await freePort();
  // smtp-sink refuses to run as root without -u.
  const user = os.userInfo().uid === 0 ? ['-u', 'nobody'] : [];
  const child = spawn(SMTP_SINK_PATH, [...user, ...args, `127.0.0.1:${port}`, '100'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  // Ready once it accepts a connection: at most 200 tries, 20 ms apart.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`smtp-sink exited: ${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return { port, close };
    if (i >= 200) {
      await close();
      throw new Error(`smtp-sink did not listen on 127.0.0.1:${port}: ${stderr}`);
    }
    // A readiness poll (smtp-sink says nothing once it listens), not a wait for an outcome.
    await delay(20);
  }
}
