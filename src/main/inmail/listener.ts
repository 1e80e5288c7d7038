/**
 * The bounce mailbox's SMTP listener (SPEC §4.3): smtp-server on 127.0.0.1, any recipient, no auth, no TLS
 * (loopback only). Each message is handed to `Inmail.receive` (stored and processed before the 250 reply).
 * Bounded, so that no client can hold it or fill the memory:
 * - at most `maxClients` connections at once: the next one is answered `421` and closed (smtp-server's
 *   `maxClients`);
 * - a connection idle for `idleMs` (no command, no data) is answered `421` and closed (smtp-server's
 *   `socketTimeout`), and every connection is closed with `421` after `maxSessionMs` of the injected clock in
 *   all, so a client dripping a byte now and then cannot keep it open;
 * - message data is streamed to a spool file (`spoolDir`, owner-only) as it arrives, not buffered; messages are
 *   then stored and processed one at a time, so at most one message (≤ `maxBytes`) is in memory whatever the
 *   number of connections. Spool files left by a crash (their senders never had a 250) are removed at start;
 * - a message over `maxBytes` is refused with `552 5.3.4` and not stored: a `SIZE=` declared at MAIL FROM is
 *   refused there, before any data; otherwise the data beyond the limit is read and dropped.
 * The listener never sends mail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Clock } from '../clock';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files';
import type { Logger } from '../logger';
import type { Inmail } from './receive';

export const DEFAULT_INMAIL_MAX_BYTES = 25 * 1024 * 1024;
export const DEFAULT_INMAIL_MAX_CLIENTS = 8;
export const DEFAULT_INMAIL_IDLE_MS = 30_000;
export const DEFAULT_INMAIL_MAX_SESSION_MS = 10 * 60_000;

export interface InmailListenerOptions {
  inmail: Inmail;
  logger: Logger;
  /** The session time limit runs on it. */
  clock: Clock;
  host?: string;
  /** 0 = ephemeral. */
  port: number;
  /** Where message data is spooled while it arrives (created owner-only; emptied at start). */
  spoolDir: string;
  maxBytes?: number;
  maxClients?: number;
  idleMs?: number;
  maxSessionMs?: number;
}

export interface InmailListener {
  host: string;
  port: number;
  maxBytes: number;
  close(): Promise<void>;
}

export async function startInmailListener(options: InmailListenerOptions): Promise<InmailListener> {
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxBytes ?? DEFAULT_INMAIL_MAX_BYTES;
  const maxSessionMs = options.maxSessionMs ?? DEFAULT_INMAIL_MAX_SESSION_MS;
  const { clock } = options;
  const log = options.logger.child({ component: 'inmail-listener' });
  /** The session time limit's cancel function, per session id. */
  const deadlines = new Map<string, () => void>();
  ensurePrivateDir(options.spoolDir);
  clearSpool(options.spoolDir, log);
  let spooled = 0;
  /** The messages being stored, one after the other. */
  let processing = Promise.resolve();
  const removeSpool = (file: string) =>
    fs.rm(file, { force: true }, (err) => {
      if (err) log.warn('a spool file could not be removed', { file, err });
    });
  const server = new SMTPServer({
    name: 'inmail.relaydeck.local',
    banner: 'Relaydeck bounce mailbox',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    rejectOversized: true,
    maxClients: options.maxClients ?? DEFAULT_INMAIL_MAX_CLIENTS,
    socketTimeout: options.idleMs ?? DEFAULT_INMAIL_IDLE_MS,
    logger: false,
    onConnect(session: SMTPServerSession, callback) {
      const cancel = clock.at(clock.now() + maxSessionMs, () => {
        deadlines.delete(session.id);
        for (const connection of server.connections) {
          if (connection.id !== session.id) continue;
          log.warn('bounce mailbox session over its time limit: closed', { maxSessionMs });
          connection.send(421, `4.4.2 ${connection.name} session time limit reached, closing connection`);
          connection.close();
        }
      });
      deadlines.set(session.id, cancel);
      callback();
    },
    onClose(session: SMTPServerSession) {
      deadlines.get(session.id)?.();
      deadlines.delete(session.id);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const file = path.join(options.spoolDir, `${session.id}-${++spooled}.eml`);
      const out = fs.createWriteStream(file, { mode: PRIVATE_FILE_MODE });
      let size = 0;
      let failed: Error | null = null;
      out.on('error', (err) => (failed ??= err));
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (stream.sizeExceeded || size > maxBytes || failed) return; // read on, keep nothing
        if (!out.write(chunk)) {
          stream.pause();
          out.once('drain', () => stream.resume());
        }
      });
      stream.on('error', (err) => {
        out.destroy();
        removeSpool(file);
        callback(err);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes) {
          out.destroy();
          removeSpool(file);
          log.warn('an inbound message over the size limit was refused', { maxBytes });
          return callback(
            Object.assign(new Error(`5.3.4 Message exceeds the fixed maximum size of ${maxBytes} bytes`), {
              responseCode: 552,
            }),
          );
        }
        const mailFrom = session.envelope.mailFrom;
        const meta = {
          source: 'smtp' as const,
          envelopeFrom: mailFrom ? mailFrom.address : null,
          envelopeTo: session.envelope.rcptTo[0]?.address ?? null,
        };
        out.end(() => {
          // One message at a time from the spool into the store: memory holds one message, not one per client.
          processing = processing.then(async () => {
            try {
              if (failed) throw failed;
              const result = await options.inmail.receive(await fs.promises.readFile(file), meta);
              callback(null, `2.0.0 Ok: stored as ${result.id}`);
            } catch (err) {
              // Spooling or storing failed (disk full, database closed): the sender keeps the message and retries.
              log.error('an inbound message could not be stored', { err });
              callback(
                Object.assign(new Error('4.3.0 Temporary failure storing the message'), {
                  responseCode: 451,
                }),
              );
            } finally {
              removeSpool(file);
            }
          });
        });
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.warn('bounce mailbox listener error', { err }));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log.info('bounce mailbox listening', { host, port });
  return {
    host,
    port,
    maxBytes,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          for (const cancel of deadlines.values()) cancel();
          deadlines.clear();
          resolve();
        }),
      ),
  };
}

/** Removes the spool files a stopped process left: their senders had no 250, so they send them again. */
function clearSpool(dir: string, log: Logger): void {
  const left = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
  for (const f of left) fs.rmSync(path.join(dir, f), { force: true });
  if (left.length > 0)
    log.info('removed spool files of a previous run (their senders retry)', { files: left.length });
}
