/**
 * The DKIM keyring (SPEC §5): the keys that sign, per domain — the newest enabled RSA key and the newest
 * enabled ed25519 key of each (domain, selector) row in `dkim_keys`, their private key files parsed once into
 * KeyObjects. It follows the store: `reload()` after a change made by this process, and the revision watcher's
 * `dkim_keys` topic for changes made by another one (`relaydeck dkim add` next to a running `serve`). Every load
 * is pushed to the attached key sinks (the delivery workers, which sign); the keyring itself owns no thread.
 */
import type { SigningChoice } from '../../../shared/domain/dkim';
import type { Logger } from '../../logger';
import type { Db } from '../../store/db';
import { listEnabledDkimKeyRows, type DkimKeyRow } from '../../store/dkim-repo';
import type { RevisionWatcher } from '../../store/revision-watcher';
import { chooseDomainKeys, chooseKeyRows } from './key-choice';
import { readKeyFile } from './key-files';
import { parseStoredKey } from './keys';
import type { DomainKeys, SigningKey } from './signing';

/** Where the keys go on every load (the delivery workers' pool). */
export interface KeySink {
  setKeys(keys: DomainKeys[]): void;
}

export interface DkimKeyring {
  /**
   * Which domain's keys sign a message from `fromDomain` whose envelope sender is at `envelopeDomain` (SPEC §5,
   * `chooseSigning`): From's side with an RSA key, else the envelope's, else an ed25519 key alone; null: unsigned.
   */
  choose(fromDomain: string, envelopeDomain?: string | null): SigningChoice | null;
  /** The d= domain of `choose`, or null. */
  signingDomain(fromDomain: string, envelopeDomain?: string | null): string | null;
  /** The keys in force, per domain. */
  keys(): DomainKeys[];
  /** Pushes the keys to `sink` now and after every load, until the returned function is called. */
  attach(sink: KeySink): () => void;
  /** Re-reads the keys from the store (after a key was added, removed, enabled or disabled). */
  reload(): void;
  /** Stops following the store. */
  close(): void;
}

export interface DkimKeyringOptions {
  db: Db;
  logger: Logger;
  /** Tells when another process changed the keys (topic `dkim_keys`). */
  revisions: RevisionWatcher;
}

export function createDkimKeyring(options: DkimKeyringOptions): DkimKeyring {
  const { db, revisions } = options;
  const log = options.logger.child({ component: 'dkim' });
  /** Parsed keys by row id and file content: a reload re-parses only new or changed keys. */
  const parsed = new Map<number, { pem: string; signing: SigningKey }>();
  const sinks = new Set<KeySink>();
  let domains = new Map<string, DomainKeys>();
  let list: DomainKeys[] = [];
  let closed = false;
  const subscription = revisions.subscribe('dkim_keys', load);

  function load(): void {
    subscription.mark();
    const next = new Map<string, DomainKeys>();
    const used = new Set<number>();
    for (const [domain, rows] of chooseKeyRows(listEnabledDkimKeyRows(db))) {
      const rsa = rows.rsa && signingKeyOf(rows.rsa);
      const ed25519 = rows.ed25519 && signingKeyOf(rows.ed25519);
      if (rows.rsa && rsa) used.add(rows.rsa.id);
      if (rows.ed25519 && ed25519) used.add(rows.ed25519.id);
      if (rsa || ed25519) next.set(domain, { domain, rsa: rsa ?? null, ed25519: ed25519 ?? null });
    }
    for (const id of parsed.keys()) if (!used.has(id)) parsed.delete(id);
    domains = next;
    list = [...domains.values()];
    for (const sink of sinks) sink.setKeys(list);
    log.info('DKIM keys loaded', {
      domains: list.map((d) => ({
        domain: d.domain,
        rsa: d.rsa?.selector ?? null,
        ed25519: d.ed25519?.selector ?? null,
      })),
    });
  }

  function signingKeyOf(row: DkimKeyRow): SigningKey | null {
    let pem: string;
    try {
      pem = readKeyFile(row.key_path);
    } catch (err) {
      log.error('DKIM private key file cannot be read: the key is not used', {
        domain: row.domain,
        selector: row.selector,
        file: row.key_path,
        err,
      });
      return null;
    }
    const hit = parsed.get(row.id);
    if (hit && hit.pem === pem) return hit.signing;
    try {
      const signing = { selector: row.selector, key: parseStoredKey(pem) };
      parsed.set(row.id, { pem, signing });
      return signing;
    } catch (err) {
      log.error('DKIM private key file is not a valid key: the key is not used', {
        domain: row.domain,
        selector: row.selector,
        file: row.key_path,
        err,
      });
      return null;
    }
  }

  load();

  const choose = (fromDomain: string, envelopeDomain?: string | null): SigningChoice | null => {
    revisions.check();
    const chosen = chooseDomainKeys(domains, fromDomain, envelopeDomain ?? null);
    if (!chosen) return null;
    const { keys: _keys, ...choice } = chosen;
    return choice;
  };
  return {
    choose,
    signingDomain: (fromDomain, envelopeDomain) => choose(fromDomain, envelopeDomain)?.domain ?? null,
    keys: () => list,
    attach(sink) {
      sinks.add(sink);
      sink.setKeys(list);
      return () => {
        sinks.delete(sink);
      };
    },
    reload() {
      if (!closed) load();
    },
    close() {
      closed = true;
      subscription.close();
      sinks.clear();
    },
  };
}
