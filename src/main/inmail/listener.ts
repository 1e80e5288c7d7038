/**
 * The bounce mailbox's SMTP listener (SPEC §4.3): smtp-server on 127.0.0.1, any recipient, no auth, no TLS
 * (loopback only). Each message is handed to `Inmail.receive` (stored before the 250 reply). Messages larger
 * than `maxBytes` are kept cut at that size (never dropped). The listener never sends mail.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../logger';
import type { Inmail } from './receive';

export const DEFAULT_INMAIL_MAX_BYTES = 25 * 1024 * 1024;

export interface InmailListenerOptions {
  inmail: Inmail;
  logger: Logger;
  host?: string;
  /** 0 = ephemeral. */
  port: number;
  maxBytes?: number;
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
  const log = options.logger.child({ component: 'inmail-listener' });
  const server = new SMTPServer({
    name: 'inmail.relaydeck.local',
    banner: 'Relaydeck bounce mailbox',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let kept = 0;
      stream.on('data', (chunk: Buffer) => {
        if (kept >= maxBytes) return;
        const part = chunk.subarray(0, maxBytes - kept);
        chunks.push(part);
        kept += part.length;
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        options.inmail
          .receive(Buffer.concat(chunks), {
            source: 'smtp',
            envelopeFrom: mailFrom ? mailFrom.address : null,
            envelopeTo: rcpts[0] ?? null,
          })
          .then(
            (result) => callback(null, `2.0.0 Ok: stored as ${result.id}`),
            (err: unknown) => {
              // Storing failed (disk full, database closed): the sender keeps the message and retries.
              log.error('an inbound message could not be stored', { err });
              callback(
                Object.assign(new Error('4.3.0 Temporary failure storing the message'), {
                  responseCode: 451,
                }),
              );
            },
          );
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
