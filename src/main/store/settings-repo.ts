/** Typed settings: each key has a schema; values are stored as JSON text. */
import { z } from 'zod';
import { AdaptiveSettings } from '../../shared/contract/mta';
import { ClassMappingRow } from '../../shared/contract/bounce';
import { RouteTarget } from '../../shared/contract/schemas';
import { SandboxProfilesDocument } from '../../shared/contract/simulation';
import { writeTransaction, type Db } from './db';
import type { RevisionWatcher } from './revision-watcher';
import { noteLocalWrite } from './revisions-repo';
import { stmt } from './statements';

export const SETTINGS = {
  /** Route for messages no delivery route or smart host matches; null = MX lookup. */
  defaultRoute: RouteTarget.nullable(),
  /** When the first-start demo content was seeded (epoch ms). */
  demoSeededAt: z.number().int(),
  /** When the simulator's demo campaign list was seeded (epoch ms). */
  demoSimulationSeededAt: z.number().int(),
  /** The adaptive shaping settings of the rules document (the rules themselves are in mx_rules/automation_rules). */
  adaptiveSettings: AdaptiveSettings,
  /** The bounce class -> reason/type mapping in force (absent = the shipped BOUNCE_CLASS_MAPPING). */
  bounceClassMapping: z.array(ClassMappingRow),
  /** When the bounce rules were last saved (absent = the shipped defaults, never saved). */
  bounceRulesSavedAt: z.number().int(),
  /** The VERP base address `<local>@<domain>`; absent = `bounces@<the From domain>`. */
  returnPath: z.string().regex(/^[^\s@+]+@[^\s@]+$/),
  /** Port of the inMail SMTP listener on 127.0.0.1 (0 = ephemeral). */
  'inmail.port': z.number().int().min(0).max(65535),
  /**
   * How long inbound mail is kept (`src/main/inmail/receive.ts`, on the injected clock): messages older than
   * `days`, then the oldest beyond `maxMegabytes` of raw sources, are deleted. Absent = DEFAULT_INBOUND_RETENTION.
   */
  'inmail.retention': z.object({
    days: z.number().int().min(1).max(36_500),
    maxMegabytes: z.number().int().min(1).max(1_000_000),
  }),
  /**
   * IMAP polling of a bounce mailbox. The password is not here: it is a secret of the data dir
   * (`src/main/secrets`); a password found in an older row is moved out by `dropLegacySecrets`.
   */
  'inmail.imap': z.object({
    host: z.string(),
    port: z.number().int(),
    tls: z.boolean(),
    user: z.string(),
    mailbox: z.string(),
    intervalSec: z.number().int(),
    enabled: z.boolean(),
  }),
  /** The sandbox's provider profiles as edited in the console (absent = DEFAULT_SANDBOX_PROFILES). */
  'sandbox.profiles': SandboxProfilesDocument,
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.output<(typeof SETTINGS)[K]>;

/** Parsed values per connection, each with the stored text it came from. */
const parsedCache = new WeakMap<Db, Map<SettingKey, { raw: string; value: unknown }>>();

/**
 * Reads a setting. The row is read every time (one primary-key lookup), so a value written by another
 * connection or process is seen at once; only the JSON parse and the schema check are skipped while the stored
 * text is unchanged (the engine reads some settings per message). The value is shared between reads, hence
 * frozen.
 */
export function getSetting<K extends SettingKey>(db: Db, key: K): SettingValue<K> | undefined {
  const row = stmt(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (!row) return undefined;
  let cache = parsedCache.get(db);
  if (!cache) parsedCache.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit?.raw === row.value) return hit.value as SettingValue<K>;
  const parsed = SETTINGS[key].safeParse(JSON.parse(row.value));
  if (!parsed.success) throw new Error(`setting "${key}" holds an invalid value: ${row.value}`);
  const value = deepFreeze(parsed.data);
  cache.set(key, { raw: row.value, value });
  return value as SettingValue<K>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * A reader of one setting for the message path, where `getSetting`'s row read per message adds up: the value is
 * read once, then again only when the watcher reports that the settings changed (at once after a write by this
 * process; within the watcher's period of its clock after a write by another process, e.g. the `relaydeck` CLI
 * next to a running engine).
 */
export function watchedSetting<K extends SettingKey>(
  db: Db,
  key: K,
  revisions: RevisionWatcher,
): () => SettingValue<K> | undefined {
  let value: SettingValue<K> | undefined;
  let stale = true;
  const subscription = revisions.subscribe('settings', () => {
    stale = true;
  });
  return () => {
    revisions.check();
    if (stale) {
      stale = false;
      subscription.mark();
      value = getSetting(db, key);
    }
    return value;
  };
}

export function setSetting<K extends SettingKey>(db: Db, key: K, value: SettingValue<K>): void {
  const checked = SETTINGS[key].parse(value);
  stmt(
    db,
    'INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(checked));
  noteLocalWrite(db);
}

/** Removes a setting (its default applies again). */
export function deleteSetting(db: Db, key: SettingKey): void {
  stmt(db, 'DELETE FROM settings WHERE key = ?').run(key);
  noteLocalWrite(db);
}

/**
 * Secrets that earlier versions kept in `settings`: the VERP key (`verpKey`) and the IMAP password (in
 * `inmail.imap`). Read as stored, unvalidated; absent fields are undefined.
 */
export function legacySecrets(db: Db): { verpKey?: string; imapPassword?: string } {
  const raw = (key: string): unknown => {
    const row = stmt(db, 'SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  };
  const found: { verpKey?: string; imapPassword?: string } = {};
  const verpKey = raw('verpKey');
  if (typeof verpKey === 'string') found.verpKey = verpKey;
  const imap = raw('inmail.imap');
  if (typeof imap === 'object' && imap !== null && 'password' in imap && typeof imap.password === 'string') {
    found.imapPassword = imap.password;
  }
  return found;
}

/**
 * Removes the secrets `legacySecrets` found (once they are safe elsewhere) so that no copy is left in the data
 * file: deleted with `secure_delete`, then the file is rebuilt (VACUUM: earlier versions of the rows may linger in
 * free space) and the WAL checkpointed and truncated. Run once, when an older data dir is opened. Returns false
 * when the rebuild could not run (another process busy on the file): the rows are gone all the same.
 */
export function dropLegacySecrets(db: Db): boolean {
  const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    writeTransaction(db, () => {
      stmt(db, "DELETE FROM settings WHERE key = 'verpKey'").run();
      const row = stmt(db, "SELECT value FROM settings WHERE key = 'inmail.imap'").get() as
        { value: string } | undefined;
      if (row) {
        const value = JSON.parse(row.value) as Record<string, unknown>;
        delete value.password;
        stmt(db, "UPDATE settings SET value = ? WHERE key = 'inmail.imap'").run(JSON.stringify(value));
      }
      noteLocalWrite(db);
    })();
    try {
      db.exec('VACUUM');
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0;
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw err;
    }
  } finally {
    db.pragma(`secure_delete = ${secureDelete ? 'ON' : 'OFF'}`);
  }
}
