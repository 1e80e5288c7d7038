/**
 * Opaque keyset cursors: the sort key values of the last row seen, JSON-encoded as base64url. Clients pass
 * them back unchanged; anything that does not decode to the expected shape is `invalid_input`.
 */
import { AppError } from '../../shared/contract/errors';

export type CursorValue = string | number | null;

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): CursorValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== arity ||
    !parsed.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
  ) {
    throw new AppError('invalid_input', 'The page cursor is not valid (it must come from a previous page)', [
      { field: 'cursor', message: 'not a cursor returned by this API' },
    ]);
  }
  return parsed as CursorValue[];
}
