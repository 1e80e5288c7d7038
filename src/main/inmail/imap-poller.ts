/**
 * Optional IMAP polling of a bounce mailbox (SPEC §4.3), off by default. Every `intervalSec` the poller fetches
 * the unseen messages of the mailbox, hands each to `Inmail.receive` (stored first) and flags the stored ones
 * \Seen, so a crash between the two only re-imports (never loses) a message. The IMAP client is injected
 * (`ImapClientFactory`); production uses imapflow (`imapflowClient`).
 */
import { ImapFlow } from 'imapflow';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Inmail } from './receive';

export interface ImapConfig {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password: string;
  mailbox: string;
  intervalSec: number;
  enabled: boolean;
}

/** The few IMAP operations the poller needs. */
export interface ImapSession {
  /** Unseen messages of the mailbox: their UID and raw source. */
  fetchUnseen(mailbox: string): Promise<{ uid: number; source: Buffer }[]>;
  markSeen(mailbox: string, uids: number[]): Promise<void>;
  close(): Promise<void>;
}

export type ImapClientFactory = (config: ImapConfig) => Promise<ImapSession>;

export type ImapState = 'off' | 'idle' | 'polling' | 'error';

export interface ImapStatus {
  enabled: boolean;
  state: ImapState;
  lastPollAt: number | null;
  lastError: string | null;
  lastFetched: number;
}

export interface ImapPoller {
  status(): ImapStatus;
  /** Re-reads the settings: starts, stops or re-arms the timer. */
  reload(): void;
  /** Polls now (tests, "poll now"); resolves when the poll is over. */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface ImapPollerDeps {
  config: () => ImapConfig | null;
  inmail: Inmail;
  clock: Clock;
  logger: Logger;
  connect?: ImapClientFactory;
}

export function createImapPoller(deps: ImapPollerDeps): ImapPoller {
  const connect = deps.connect ?? imapflowClient;
  const log = deps.logger.child({ component: 'imap-poller' });
  let cancel: (() => void) | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const status: ImapStatus = {
    enabled: false,
    state: 'off',
    lastPollAt: null,
    lastError: null,
    lastFetched: 0,
  };

  function arm(): void {
    cancel?.();
    cancel = null;
    const config = deps.config();
    status.enabled = config?.enabled === true;
    if (!config?.enabled || stopped) {
      if (status.state !== 'error') status.state = 'off';
      return;
    }
    if (status.state === 'off') status.state = 'idle';
    cancel = deps.clock.at(deps.clock.now() + config.intervalSec * 1000, () => {
      cancel = null;
      void pollNow().finally(arm);
    });
  }

  async function poll(config: ImapConfig): Promise<void> {
    status.state = 'polling';
    let session: ImapSession | null = null;
    try {
      session = await connect(config);
      const messages = await session.fetchUnseen(config.mailbox);
      const stored: number[] = [];
      for (const m of messages) {
        await deps.inmail.receive(m.source, { source: 'imap' });
        stored.push(m.uid);
      }
      if (stored.length) await session.markSeen(config.mailbox, stored);
      status.lastFetched = stored.length;
      status.lastError = null;
      status.state = 'idle';
      if (stored.length) log.info('IMAP poll', { fetched: stored.length, mailbox: config.mailbox });
    } catch (err) {
      status.state = 'error';
      status.lastError = err instanceof Error ? err.message : String(err);
      log.warn('IMAP poll failed', { err, host: config.host, mailbox: config.mailbox });
    } finally {
      status.lastPollAt = deps.clock.now();
      await session?.close().catch(() => undefined);
    }
  }

  function pollNow(): Promise<void> {
    const config = deps.config();
    if (!config?.enabled || !config.host) return Promise.resolve();
    running ??= poll(config).finally(() => {
      running = null;
    });
    return running;
  }

  arm();
  return {
    status: () => ({ ...status }),
    reload: () => {
      if (!deps.config()?.enabled) status.state = 'off';
      arm();
    },
    pollNow,
    async stop() {
      stopped = true;
      cancel?.();
      cancel = null;
      await running;
      status.state = 'off';
    },
  };
}

/** The production client: imapflow, one connection per poll. */
export const imapflowClient: ImapClientFactory = async (config) => {
  const client = new ImapFlow({
    host: config.host,
    port: config.port,
    secure: config.tls,
    auth: { user: config.user, pass: config.password },
    logger: false,
  });
  await client.connect();
  return {
    async fetchUnseen(mailbox) {
      const lock = await client.getMailboxLock(mailbox);
      try {
        const out: { uid: number; source: Buffer }[] = [];
        for await (const m of client.fetch({ seen: false }, { uid: true, source: true }, { uid: true })) {
          if (m.source) out.push({ uid: m.uid, source: m.source });
        }
        return out;
      } finally {
        lock.release();
      }
    },
    async markSeen(mailbox, uids) {
      const lock = await client.getMailboxLock(mailbox);
      try {
        await client.messageFlagsAdd(uids, ['\\Seen'], { uid: true });
      } finally {
        lock.release();
      }
    },
    async close() {
      await client.logout();
    },
  };
};
