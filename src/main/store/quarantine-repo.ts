/**
 * The quarantine list (SPEC §4.4): one row per lower-cased address. Events go through the pure policy
 * (`src/main/quarantine/policy.ts`); this module reads and writes the rows, in the caller's transaction.
 */
import type { QuarantineEntry, QuarantineStatus } from '../../shared/contract/bounce';
import { QUARANTINE_STATUSES } from '../../shared/contract/bounce';
import { addressKey } from '../../shared/domain/address';
import { parseAddressSearch } from '../../shared/domain/address-search';
import type { FailureType, ReasonId } from '../../shared/domain/reasons';
import {
  applyQuarantineEvent,
  COUNTER_RESET_MS,
  MAILBOX_FULL_RELEASE_MS,
  VALID_STATE,
  type QuarantineEvent,
  type QuarantineSource,
  type QuarantineState,
} from '../quarantine/policy';
import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { stmt } from './statements';

interface QuarantineRow {
  addr_key: string;
  status: QuarantineStatus;
  error_count: number;
  last_error_at: number | null;
  last_counted_error_at: number | null;
  last_reason: ReasonId | null;
  last_type: FailureType | null;
  quarantined_at: number | null;
  updated_at: number;
  source: QuarantineSource;
  note: string;
}

const COLUMNS = `addr_key, status, error_count, last_error_at, last_counted_error_at, last_reason, last_type,
  quarantined_at, updated_at, source, note`;

function toState(row: QuarantineRow): QuarantineState {
  return {
    status: row.status,
    errorCount: row.error_count,
    lastErrorAt: row.last_error_at,
    lastCountedErrorAt: row.last_counted_error_at,
    lastReason: row.last_reason,
    lastType: row.last_type,
    quarantinedAt: row.quarantined_at,
    source: row.source,
    note: row.note,
  };
}

function toEntry(row: QuarantineRow): QuarantineEntry {
  return {
    address: row.addr_key,
    status: row.status,
    errorCount: row.error_count,
    lastErrorAt: row.last_error_at,
    lastReason: row.last_reason,
    lastType: row.last_type,
    quarantinedAt: row.quarantined_at,
    updatedAt: row.updated_at,
    source: row.source,
    note: row.note,
  };
}

function readRow(db: Db, key: string): QuarantineRow | undefined {
  return stmt(db, `SELECT ${COLUMNS} FROM quarantine WHERE addr_key = ?`).get(key) as
    QuarantineRow | undefined;
}

export function getQuarantineState(db: Db, address: string): QuarantineState | null {
  const row = readRow(db, addressKey(address));
  return row ? toState(row) : null;
}

export function getQuarantineEntry(db: Db, address: string): QuarantineEntry | null {
  const row = readRow(db, addressKey(address));
  return row ? toEntry(row) : null;
}

/** Moves the count of addresses per status (`quarantine_counts`, migration 18) by `delta`. */
function count(db: Db, status: QuarantineStatus, delta: number): void {
  if (delta === 0) return;
  stmt(
    db,
    `INSERT INTO quarantine_counts(status, n) VALUES (@status, @delta)
     ON CONFLICT(status) DO UPDATE SET n = n + excluded.n`,
  ).run({ status, delta });
}

function writeState(
  db: Db,
  key: string,
  before: QuarantineStatus | null,
  s: QuarantineState,
  now: number,
): void {
  stmt(
    db,
    `INSERT INTO quarantine (${COLUMNS})
     VALUES (@key, @status, @errorCount, @lastErrorAt, @lastCountedErrorAt, @lastReason, @lastType,
             @quarantinedAt, @now, @source, @note)
     ON CONFLICT(addr_key) DO UPDATE SET status = excluded.status, error_count = excluded.error_count,
       last_error_at = excluded.last_error_at, last_counted_error_at = excluded.last_counted_error_at,
       last_reason = excluded.last_reason, last_type = excluded.last_type,
       quarantined_at = excluded.quarantined_at, updated_at = excluded.updated_at, source = excluded.source,
       note = excluded.note`,
  ).run({ key, ...s, now });
  if (before === null) addToSearch(db, key);
  if (before === s.status) return;
  if (before !== null) count(db, before, -1);
  count(db, s.status, +1);
}

/** Numbers a new address and puts it in the trigram index (`quarantine_search`, `quarantine_fts`, migration 18). */
function addToSearch(db: Db, key: string): void {
  const { id } = stmt(db, 'INSERT INTO quarantine_search(addr_key) VALUES (?) RETURNING id').get(key) as {
    id: number;
  };
  stmt(db, 'INSERT INTO quarantine_fts(rowid, addr_key) VALUES (?, ?)').run(id, key);
}

function removeFromSearch(db: Db, key: string): void {
  const row = stmt(db, 'DELETE FROM quarantine_search WHERE addr_key = ? RETURNING id').get(key) as
    { id: number } | undefined;
  if (row) stmt(db, 'DELETE FROM quarantine_fts WHERE rowid = ?').run(row.id);
}

function sameState(a: QuarantineState | null, b: QuarantineState | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface AddressEvent {
  address: string;
  event: QuarantineEvent;
}

/**
 * Applies events in order (call inside the caller's transaction). Returns the addresses whose entry changed
 * status, and whether any entry changed at all.
 */
export function applyQuarantineEvents(
  db: Db,
  events: readonly AddressEvent[],
  now: number,
): { changed: number; newQuarantines: string[] } {
  let changed = 0;
  const newQuarantines: string[] = [];
  for (const { address, event } of events) {
    const key = addressKey(address);
    if (key === '') continue;
    const row = readRow(db, key);
    const before = row ? toState(row) : null;
    const after = applyQuarantineEvent(before, event, now);
    if (!after || sameState(before, after)) continue;
    writeState(db, key, before?.status ?? null, after, now);
    changed++;
    if (after.status === 'quarantine' && before?.status !== 'quarantine') newQuarantines.push(key);
  }
  return { changed, newQuarantines };
}

/** Runs the time-based rules over the whole list (counter reset after 10 days, mailbox-full release). */
export function settleQuarantine(db: Db, now: number): number {
  const before = now - COUNTER_RESET_MS;
  const resetSql = (status: QuarantineStatus) =>
    `UPDATE quarantine SET status = 'valid', error_count = 0, last_counted_error_at = NULL, updated_at = @now
      WHERE status = '${status}' AND error_count > 0 AND last_error_at <= @before`;
  const reset = stmt(db, resetSql('with_errors')).run({ now, before }).changes;
  const cleared = stmt(db, resetSql('valid')).run({ now, before }).changes;
  const released = stmt(
    db,
    `UPDATE quarantine SET status = 'valid', error_count = 0, last_counted_error_at = NULL, quarantined_at = NULL,
            updated_at = @now
      WHERE status = 'quarantine' AND last_reason = 'mailbox_full' AND quarantined_at <= @before`,
  ).run({ now, before: now - MAILBOX_FULL_RELEASE_MS }).changes;
  count(db, 'with_errors', -reset);
  count(db, 'quarantine', -released);
  count(db, 'valid', reset + released);
  return reset + cleared + released;
}

/** Sets an address's status by hand (console, import). `valid` clears its error history. */
export function setQuarantineStatus(
  db: Db,
  input: { address: string; status: QuarantineStatus; note?: string | undefined; source: QuarantineSource },
  now: number,
): QuarantineEntry {
  const key = addressKey(input.address);
  const row = readRow(db, key);
  const base = row ? toState(row) : VALID_STATE;
  const cleared = input.status === 'valid';
  const state: QuarantineState = {
    ...base,
    status: input.status,
    errorCount: cleared ? 0 : base.errorCount,
    lastCountedErrorAt: cleared ? null : base.lastCountedErrorAt,
    quarantinedAt: input.status === 'quarantine' ? (base.quarantinedAt ?? now) : null,
    source: input.source,
    note: input.note ?? base.note,
  };
  writeState(db, key, row?.status ?? null, state, now);
  return toEntry(readRow(db, key) as QuarantineRow);
}

export function removeQuarantine(db: Db, address: string): boolean {
  const removed = stmt(db, 'DELETE FROM quarantine WHERE addr_key = ? RETURNING status').get(
    addressKey(address),
  ) as { status: QuarantineStatus } | undefined;
  if (removed) {
    count(db, removed.status, -1);
    removeFromSearch(db, addressKey(address));
  }
  return removed !== undefined;
}

export interface QuarantineQuery {
  cursor: string | null;
  limit: number;
  status?: QuarantineStatus[] | undefined;
  search?: string | undefined;
}

/** The shortest text the trigram index can find (FTS5's trigram tokenizer indexes 3-character sequences). */
export const TRIGRAM_MIN = 3;
/**
 * Up to this many addresses containing the text, a page is read through the trigram index (the candidates'
 * keys, sorted); beyond, the text is common enough (>= 1 in 500 of a million) that reading the addresses in
 * key order fills a page sooner than sorting every candidate would.
 */
export const CONTAINS_INDEX_MAX = 2000;

/** An FTS5 phrase query for a literal substring: the text in double quotes, its quotes doubled. */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

const CANDIDATES_SQL = `SELECT count(*) AS n FROM
  (SELECT rowid FROM quarantine_fts WHERE quarantine_fts MATCH @phrase LIMIT @cap)`;

/**
 * The WHERE terms of a quarantine search (see `parseAddressSearch`). `@corp.test`: the domain column's index
 * (migration 18). A part of the address of 3 characters or more: the trigram index (`quarantine_fts`) when
 * it finds at most CONTAINS_INDEX_MAX addresses, else the addresses in key order until the page is full (the
 * text is then common, so a page fills fast). A 1- or 2-character part (the index cannot find it) reads the
 * addresses in key order too: such short parts are in most addresses; a rare pair reads the whole list.
 */
function searchTerms(db: Db, search: string | undefined, params: Record<string, unknown>): string[] {
  const parsed = parseAddressSearch(search);
  switch (parsed.kind) {
    case 'all':
      return [];
    case 'domain':
      params.domain = parsed.domain;
      return ['domain = @domain'];
    case 'contains': {
      params.text = parsed.text;
      const scan = ['instr(addr_key, @text) > 0'];
      if ([...parsed.text].length < TRIGRAM_MIN) return scan;
      const phrase = ftsPhrase(parsed.text);
      const { n } = stmt(db, CANDIDATES_SQL).get({ phrase, cap: CONTAINS_INDEX_MAX + 1 }) as { n: number };
      if (n > CONTAINS_INDEX_MAX) return scan;
      params.phrase = phrase;
      return [
        `addr_key IN (SELECT s.addr_key FROM quarantine_search s
           WHERE s.id IN (SELECT rowid FROM quarantine_fts WHERE quarantine_fts MATCH @phrase))`,
      ];
    }
  }
}

/** The SQL and parameters of one keyset page of the quarantine list (exported for the query-plan test). */
export function quarantinePageQuery(
  db: Db,
  query: QuarantineQuery,
): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { limit: query.limit + 1 };
  const where = searchTerms(db, query.search, params);
  if (query.status?.length) {
    where.push(`status IN (${query.status.map((_, i) => `@s${i}`).join(', ')})`);
    query.status.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (query.cursor) {
    const [after] = decodeCursor(query.cursor, 1);
    where.push('addr_key > @after');
    params.after = String(after);
  }
  const sql = `SELECT ${COLUMNS} FROM quarantine ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY addr_key LIMIT @limit`;
  return { sql, params };
}

/**
 * Keyset page in address order. Search: `@corp.test` (that domain) or a part of the address (`corp`), see
 * `parseAddressSearch`; status filter on the `quarantine_status` index.
 */
export function listQuarantine(
  db: Db,
  query: QuarantineQuery,
): { items: QuarantineEntry[]; nextCursor: string | null } {
  const { sql, params } = quarantinePageQuery(db, query);
  const rows = stmt(db, sql).all(params) as QuarantineRow[];
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return { items: page.map(toEntry), nextCursor: more && last ? encodeCursor([last.addr_key]) : null };
}

/** Addresses per status, from the counts kept with every write (never a count over the list). */
export function quarantineCounts(db: Db): Record<QuarantineStatus, number> {
  const counts = Object.fromEntries(QUARANTINE_STATUSES.map((s) => [s, 0])) as Record<
    QuarantineStatus,
    number
  >;
  const rows = stmt(db, 'SELECT status, n FROM quarantine_counts').all() as {
    status: QuarantineStatus;
    n: number;
  }[];
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** Every entry, in address order, in chunks (export). */
export function* iterateQuarantine(
  db: Db,
  status: QuarantineStatus[] | undefined,
): Generator<QuarantineEntry> {
  let cursor: string | null = null;
  for (let round = 0; round < 100_000_000; round++) {
    const page = listQuarantine(db, { cursor, limit: 1000, status });
    yield* page.items;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** A lookup for preparation: the exclusion of one address key, if any (settled at `now`). */
export function quarantineLookup(db: Db): (addrKey: string) => QuarantineState | null {
  const get = db.prepare(`SELECT ${COLUMNS} FROM quarantine WHERE addr_key = ?`);
  return (key) => {
    const row = get.get(key) as QuarantineRow | undefined;
    return row ? toState(row) : null;
  };
}
