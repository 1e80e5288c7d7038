/**
 * Managing DKIM keys: generate or import a key for a (domain, selector), enable/disable, remove. Used by the
 * API handlers and by `relaydeck dkim`; the caller reloads the keyring after a change (another process's
 * keyring notices it through the `dkim_keys` revision).
 */
import type { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import type { DkimGenerateInput, DkimImportInput, DkimKey } from '../../../shared/contract/mta';
import type { Db } from '../../store/db';
import {
  algorithmOf,
  deleteDkimKey,
  findDkimKeyRow,
  getDkimKeyRow,
  insertDkimKey,
  keyTypeOf,
  listDkimKeyRows,
  setDkimKeyEnabled,
  toDkimKey,
  type DkimKeyRow,
} from '../../store/dkim-repo';
import { keyFilePath, removeKeyFile, writeKeyFile } from './key-files';
import { generateKeyMaterial, readPrivateKeyPem, type KeyMaterial } from './keys';

export interface KeyAdminContext {
  db: Db;
  dataDir: string;
  now: number;
}

export function listDkimKeys(db: Db): DkimKey[] {
  return listDkimKeyRows(db).map(toDkimKey);
}

export async function generateDkimKey(
  ctx: KeyAdminContext,
  input: z.output<typeof DkimGenerateInput>,
): Promise<DkimKey> {
  const name = normalise(input.domain, input.selector);
  assertFree(ctx.db, name);
  const material = await generateKeyMaterial(keyTypeOf(input.algorithm), input.bits);
  assertFree(ctx.db, name); // another request may have taken the name while the key was being generated
  return store(ctx, name, material);
}

/** `field` names the key's source in errors (the API field, or the CLI's `--key FILE`). */
export function importDkimKey(
  ctx: KeyAdminContext,
  input: z.output<typeof DkimImportInput>,
  field = 'privateKeyPem',
): DkimKey {
  const name = normalise(input.domain, input.selector);
  assertFree(ctx.db, name);
  return store(ctx, name, readPrivateKeyPem(input.privateKeyPem, field));
}

export function setDkimKeyEnabledById(db: Db, id: number, enabled: boolean): DkimKey {
  requireRow(db, id);
  setDkimKeyEnabled(db, id, enabled);
  return toDkimKey(requireRow(db, id));
}

/** Deletes the key's row and its private key file. */
export function removeDkimKey(db: Db, id: number): boolean {
  const row = getDkimKeyRow(db, id);
  if (!row) return false;
  deleteDkimKey(db, id);
  removeKeyFile(row.key_path);
  return true;
}

export function findDkimKey(db: Db, domain: string, selector: string): DkimKey | undefined {
  const name = normalise(domain, selector);
  const row = findDkimKeyRow(db, name.domain, name.selector);
  return row ? toDkimKey(row) : undefined;
}

interface KeyName {
  domain: string;
  selector: string;
}

function normalise(domain: string, selector: string): KeyName {
  return { domain: domain.trim().toLowerCase().replace(/\.$/, ''), selector: selector.trim().toLowerCase() };
}

function assertFree(db: Db, name: KeyName): void {
  if (findDkimKeyRow(db, name.domain, name.selector)) {
    throw new AppError(
      'conflict',
      `A DKIM key already exists for selector "${name.selector}" of ${name.domain}; choose another selector or remove it first`,
      [{ field: 'selector', message: 'already used for this domain' }],
    );
  }
}

function store(ctx: KeyAdminContext, name: KeyName, material: KeyMaterial): DkimKey {
  const file = keyFilePath(ctx.dataDir, name.domain, name.selector);
  writeKeyFile(file, material.privatePem);
  let row: DkimKeyRow;
  try {
    row = insertDkimKey(ctx.db, {
      ...name,
      algorithm: algorithmOf(material.type),
      bits: material.bits,
      keyPath: file,
      publicKey: material.publicKey,
      createdAt: ctx.now,
    });
  } catch (err) {
    removeKeyFile(file);
    throw err;
  }
  return toDkimKey(row);
}

function requireRow(db: Db, id: number): DkimKeyRow {
  const row = getDkimKeyRow(db, id);
  if (!row) throw new AppError('not_found', `DKIM key ${id} does not exist`);
  return row;
}
