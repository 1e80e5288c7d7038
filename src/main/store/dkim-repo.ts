/**
 * DKIM keys (table `dkim_keys`, one row per domain and selector). The private key itself is a file with
 * owner-only permissions (see engine/dkim/key-files.ts); the row keeps its path and the public part.
 */
import type { DkimKey } from '../../shared/contract/mta';
import { dkimDnsName, dkimTxtRecord, type DkimKeyType } from '../../shared/domain/dkim';
import type { Db } from './db';
import { stmt } from './statements';

export type DkimAlgorithmId = DkimKey['algorithm'];

export interface DkimKeyRow {
  id: number;
  domain: string;
  selector: string;
  algorithm: DkimAlgorithmId;
  bits: number | null;
  key_path: string;
  /** The `p=` value of the TXT record. */
  public_key: string;
  enabled: number;
  created_at: number;
}

export interface NewDkimKey {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithmId;
  bits: number | null;
  keyPath: string;
  publicKey: string;
  createdAt: number;
}

export function keyTypeOf(algorithm: DkimAlgorithmId): DkimKeyType {
  switch (algorithm) {
    case 'rsa-sha256':
      return 'rsa';
    case 'ed25519-sha256':
      return 'ed25519';
  }
}

export function algorithmOf(type: DkimKeyType): DkimAlgorithmId {
  switch (type) {
    case 'rsa':
      return 'rsa-sha256';
    case 'ed25519':
      return 'ed25519-sha256';
  }
}

export function toDkimKey(row: DkimKeyRow): DkimKey {
  const dnsName = dkimDnsName(row.selector, row.domain);
  return {
    id: String(row.id),
    domain: row.domain,
    selector: row.selector,
    algorithm: row.algorithm,
    bits: row.bits,
    dnsName,
    txtRecord: dkimTxtRecord(keyTypeOf(row.algorithm), row.public_key),
    enabled: row.enabled === 1,
    createdAt: row.created_at,
  };
}

/** Every key, by domain then selector. */
export function listDkimKeyRows(db: Db): DkimKeyRow[] {
  return stmt(db, 'SELECT * FROM dkim_keys ORDER BY domain, selector').all() as DkimKeyRow[];
}

/** Enabled keys, newest first within a domain (the signer uses the newest key of each algorithm). */
export function listEnabledDkimKeyRows(db: Db): DkimKeyRow[] {
  return stmt(
    db,
    'SELECT * FROM dkim_keys WHERE enabled = 1 ORDER BY domain, created_at DESC, id DESC',
  ).all() as DkimKeyRow[];
}

export function getDkimKeyRow(db: Db, id: number): DkimKeyRow | undefined {
  return stmt(db, 'SELECT * FROM dkim_keys WHERE id = ?').get(id) as DkimKeyRow | undefined;
}

export function findDkimKeyRow(db: Db, domain: string, selector: string): DkimKeyRow | undefined {
  return stmt(db, 'SELECT * FROM dkim_keys WHERE domain = ? AND selector = ?').get(domain, selector) as
    DkimKeyRow | undefined;
}

export function insertDkimKey(db: Db, key: NewDkimKey): DkimKeyRow {
  const result = stmt(
    db,
    `INSERT INTO dkim_keys (domain, selector, algorithm, bits, key_path, public_key, enabled, created_at)
     VALUES (@domain, @selector, @algorithm, @bits, @keyPath, @publicKey, 1, @createdAt)`,
  ).run(key);
  const row = getDkimKeyRow(db, Number(result.lastInsertRowid));
  if (!row) throw new Error(`DKIM key ${key.domain}/${key.selector} vanished after insert`);
  return row;
}

export function setDkimKeyEnabled(db: Db, id: number, enabled: boolean): void {
  stmt(db, 'UPDATE dkim_keys SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id);
}

export function deleteDkimKey(db: Db, id: number): boolean {
  return stmt(db, 'DELETE FROM dkim_keys WHERE id = ?').run(id).changes > 0;
}
