/**
 * The bounce side's runtime, created by `openApp`: the stored, reloadable bounce classifier the engine and
 * inMail share, the VERP envelope sender, the inMail pipeline, its SMTP listener and the IMAP poller.
 */
import { createReloadableClassifier, type ReloadableClassifier } from '../engine/bounce/basic-classifier';
import { createEnvelopeSender, generateVerpKey, type EnvelopeSender } from '../engine/bounce/verp';
import type { Clock } from '../clock';
import { silentLogger, type Logger } from '../logger';
import { loadBounceRules, mappingOf } from '../store/bounce-rules-repo';
import type { Db } from '../store/db';
import { manualOverrides } from '../store/qualification-repo';
import { createRevisionWatcher, type RevisionWatcher } from '../store/revision-watcher';
import { getSetting, watchedSetting } from '../store/settings-repo';
import type { SecretStore } from '../secrets/secret-store';
import { createImapPoller, type ImapClientFactory, type ImapConfig, type ImapPoller } from './imap-poller';
import { startInmailListener, type InmailListener } from './listener';
import { createInmail, type Inmail, type InmailNotifier } from './receive';

export { type Inmail, DEFAULT_INBOUND_RETENTION } from './receive';
export { type ImapPoller, type ImapConfig } from './imap-poller';
export { type InmailListener, DEFAULT_INMAIL_MAX_BYTES } from './listener';

/** The VERP key of this data dir (a secret: `src/main/secrets`), generated and stored on first use. */
export function verpKeyOf(secrets: SecretStore): string {
  const existing = secrets.get('verpKey');
  if (existing) return existing;
  const key = generateVerpKey();
  secrets.set('verpKey', key);
  return key;
}

/** The stored IMAP settings with the password from the secret store; null when IMAP was never set up. */
export function imapConfigOf(db: Db, secrets: SecretStore): ImapConfig | null {
  const settings = getSetting(db, 'inmail.imap');
  if (!settings) return null;
  // Read when the poller connects, so a password this process cannot open (sealed by the desktop app's
  // keychain) fails that poll with the store's message instead of the bounce side's start.
  return {
    ...settings,
    get password() {
      return secrets.get('imapPassword') ?? '';
    },
  };
}

/**
 * The classifier over the stored rules, mapping and analyst overrides; `reload()` after any of them changes.
 * Changes made by another process (a second console on the same data dir) are noticed by the revision
 * watcher (topic `bounce_rules`), checked when a reply is classified.
 */
export function createStoredClassifier(
  db: Db,
  o: { clock: Clock; logger?: Logger; revisions?: RevisionWatcher },
): ReloadableClassifier {
  const revisions = o.revisions ?? createRevisionWatcher({ db, clock: o.clock });
  const log = (o.logger ?? silentLogger).child({ component: 'bounce-rules' });
  // Called from `revisions.check()`, which runs only once `inner` exists.
  const subscription = revisions.subscribe('bounce_rules', () => {
    try {
      inner.reload();
      log.info('bounce rules changed in the store: reloaded', { rules: inner.rules.length });
    } catch (err) {
      log.error('the stored bounce rules cannot be loaded: the rules in force stay', { err });
    }
  });
  const inner = createReloadableClassifier(() => {
    subscription.mark();
    const state = loadBounceRules(db);
    return { rules: state.rules, mapping: mappingOf(state.classMapping), overrides: manualOverrides(db) };
  });
  const current = (): ReloadableClassifier => {
    revisions.check();
    return inner;
  };
  return {
    get rules() {
      return current().rules;
    },
    explain: (reply) => current().explain(reply),
    explainWithSource: (reply) => current().explainWithSource(reply),
    classify: (reply) => current().classify(reply),
    reload: () => inner.reload(),
  };
}

export function createStoredEnvelopeSender(
  db: Db,
  revisions: RevisionWatcher,
  secrets: SecretStore,
): EnvelopeSender {
  const returnPath = watchedSetting(db, 'returnPath', revisions);
  return createEnvelopeSender({ key: verpKeyOf(secrets), returnPath: () => returnPath() ?? null });
}

export const DEFAULT_IMAP_CONFIG: ImapConfig = {
  host: '',
  port: 993,
  tls: true,
  user: '',
  password: '',
  mailbox: 'INBOX',
  intervalSec: 300,
  enabled: false,
};

export interface BounceSideOptions {
  db: Db;
  clock: Clock;
  /** The app's revision watcher (stored rules and settings written by another process). */
  revisions: RevisionWatcher;
  /** The data dir's secrets: the VERP key and the IMAP password. */
  secrets: SecretStore;
  logger: Logger;
  notify: InmailNotifier;
  /** Where the SMTP listener spools message data as it arrives (`<data dir>/inmail-spool`). */
  spoolDir: string;
  /** The SMTP listener: its port (0 = ephemeral; default the `inmail.port` setting) or false for none. */
  listen:
    { port?: number; maxBytes?: number; maxClients?: number; idleMs?: number; maxSessionMs?: number } | false;
  imapConnect?: ImapClientFactory;
}

export interface BounceSide {
  classifier: ReloadableClassifier;
  envelopeSender: EnvelopeSender;
  inmail: Inmail;
  listener: InmailListener | null;
  imap: ImapPoller;
  close(): Promise<void>;
}

export async function startBounceSide(o: BounceSideOptions): Promise<BounceSide> {
  const classifier = createStoredClassifier(o.db, {
    clock: o.clock,
    logger: o.logger,
    revisions: o.revisions,
  });
  const inmail = createInmail({
    db: o.db,
    clock: o.clock,
    classifier,
    verpKey: verpKeyOf(o.secrets),
    notify: o.notify,
    logger: o.logger,
  });
  // Messages a version before migration 11 stored but never processed (killed in between), then retention.
  await inmail.resumeUnprocessed();
  inmail.applyRetention();
  const listener =
    o.listen === false
      ? null
      : await startInmailListener({
          inmail,
          logger: o.logger,
          clock: o.clock,
          port: o.listen.port ?? getSetting(o.db, 'inmail.port') ?? 0,
          spoolDir: o.spoolDir,
          ...(o.listen.maxBytes !== undefined ? { maxBytes: o.listen.maxBytes } : {}),
          ...(o.listen.maxClients !== undefined ? { maxClients: o.listen.maxClients } : {}),
          ...(o.listen.idleMs !== undefined ? { idleMs: o.listen.idleMs } : {}),
          ...(o.listen.maxSessionMs !== undefined ? { maxSessionMs: o.listen.maxSessionMs } : {}),
        });
  const imap = createImapPoller({
    config: () => imapConfigOf(o.db, o.secrets),
    inmail,
    clock: o.clock,
    logger: o.logger,
    ...(o.imapConnect ? { connect: o.imapConnect } : {}),
  });
  return {
    classifier,
    envelopeSender: createStoredEnvelopeSender(o.db, o.revisions, o.secrets),
    inmail,
    listener,
    imap,
    async close() {
      await imap.stop();
      await listener?.close();
    },
  };
}
