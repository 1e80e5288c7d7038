/**
 * Quarantine search (issue 14 point 11) on a real SQLite file: `@corp.test` lists that domain's addresses,
 * any other text the addresses containing it (case-insensitive), keyset paged in address order, through the
 * trigram index or the key order (both compared with a plain filter of the rows), with the indexes proven by
 * EXPLAIN QUERY PLAN; the index and the counts per status follow every write (kept by quarantine-repo.ts),
 * also for a list written before migration 18.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/store/db';
import { MIGRATIONS } from '../../src/main/store/migrations';
import {
  CONTAINS_INDEX_MAX,
  listQuarantine,
  quarantineCounts,
  quarantinePageQuery,
  removeQuarantine,
  setQuarantineStatus,
  settleQuarantine,
  type QuarantineQuery,
} from '../../src/main/store/quarantine-repo';
import type { QuarantineStatus } from '../../src/shared/contract/bounce';
import { openTempDb, type TempDb } from '../support/store-temp';

const T0 = Date.UTC(2026, 10, 1);
const STATUSES: QuarantineStatus[] = ['quarantine', 'with_errors', 'denylisted', 'allowlisted'];

const ADDRESSES = [
  'ann@corp.test',
  'Bob.Smith@CORP.test',
  'cy@mail.corp.test',
  'dee@corp.testing.com',
  'eve@notcorp.test',
  'corporal@example.com',
  'frank@example.com',
  'gil+corp@example.org',
  'hal@example.org',
  'ivy@corp.test',
];

function insert(db: Db, addresses: readonly string[]): void {
  addresses.forEach((address, i) =>
    setQuarantineStatus(db, { address, status: STATUSES[i % STATUSES.length]!, source: 'manual' }, T0),
  );
}

/** Every page of a query, following the cursors (bounded). */
function allPages(db: Db, query: Omit<QuarantineQuery, 'cursor'>): string[] {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const page = listQuarantine(db, { ...query, cursor });
    out.push(...page.items.map((e) => e.address));
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

const plan = (db: Db, query: QuarantineQuery): string => {
  const { sql, params } = quarantinePageQuery(db, query);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[])
    .map((r) => r.detail)
    .join('\n');
};

const recount = (db: Db) =>
  Object.fromEntries(
    (
      db.prepare('SELECT status, count(*) AS n FROM quarantine GROUP BY status').all() as {
        status: string;
        n: number;
      }[]
    ).map((r) => [r.status, r.n]),
  );

describe('quarantine search', () => {
  let t: TempDb | undefined;
  afterEach(() => t?.dispose());

  it('finds a domain with @corp.test: that domain exactly, in address order, over several pages', () => {
    t = openTempDb();
    insert(t.db, ADDRESSES);
    expect(allPages(t.db, { limit: 2, search: '@corp.test' })).toEqual([
      'ann@corp.test',
      'bob.smith@corp.test',
      'ivy@corp.test',
    ]);
    expect(allPages(t.db, { limit: 2, search: ' @CORP.TEST ' })).toHaveLength(3);
    expect(allPages(t.db, { limit: 2, search: '@mail.corp.test' })).toEqual(['cy@mail.corp.test']);
    expect(allPages(t.db, { limit: 2, search: '@corp' })).toEqual([]);
    expect(allPages(t.db, { limit: 5, search: '@corp.test', status: ['quarantine'] })).toEqual([
      'ann@corp.test',
    ]);
  });

  it('finds a part of the address anywhere in it (corp, CORP, .corp.test, 2 characters)', () => {
    t = openTempDb();
    insert(t.db, ADDRESSES);
    const containing = (text: string) =>
      ADDRESSES.map((a) => a.toLowerCase())
        .filter((a) => a.includes(text))
        .sort();
    for (const text of ['corp', '.corp.test', 'smith@', '+corp', 'ex', 'o', 'example.org'])
      expect(allPages(t.db, { limit: 3, search: text.toUpperCase() }), text).toEqual(containing(text));
    expect(allPages(t.db, { limit: 3, search: 'nothing-like-it' })).toEqual([]);
    expect(allPages(t.db, { limit: 3, search: '"corp' })).toEqual([]);
  });

  it('gives the same pages through the trigram index and, for a common text, in key order', () => {
    t = openTempDb();
    const many = Array.from({ length: CONTAINS_INDEX_MAX + 50 }, (_, i) => `user${i}@common.test`);
    insert(t.db, [...many, 'rare.one@elsewhere.test', 'x@rare.test', ...ADDRESSES]);
    const all = [...many, 'rare.one@elsewhere.test', 'x@rare.test', ...ADDRESSES].map((a) => a.toLowerCase());
    const containing = (text: string) => all.filter((a) => a.includes(text)).sort();
    // "rare" is in 2 addresses (trigram index), "common" in more than CONTAINS_INDEX_MAX (key order).
    expect(plan(t.db, { cursor: null, limit: 100, search: 'rare' })).toMatch(/VIRTUAL TABLE/);
    expect(plan(t.db, { cursor: null, limit: 100, search: 'common' })).not.toMatch(/VIRTUAL TABLE/);
    expect(allPages(t.db, { limit: 100, search: 'rare' })).toEqual(containing('rare'));
    expect(allPages(t.db, { limit: 500, search: 'common' })).toEqual(containing('common'));
    expect(allPages(t.db, { limit: 500, search: 'user1' })).toEqual(containing('user1'));
  });

  it('reads a domain on its index and a rare part through the trigram index, never every address', () => {
    t = openTempDb();
    insert(t.db, ADDRESSES);
    const domain = plan(t.db, { cursor: null, limit: 100, search: '@corp.test' });
    expect(domain).toMatch(/USING (COVERING )?INDEX quarantine_domain \(domain=\?\)/);
    expect(domain).not.toMatch(/TEMP B-TREE/);
    const next = plan(t.db, { cursor: 'WyJhbm5AY29ycC50ZXN0Il0', limit: 100, search: '@corp.test' });
    expect(next).toMatch(/INDEX quarantine_domain \(domain=\? AND addr_key>\?\)/);
    const contains = plan(t.db, { cursor: null, limit: 100, search: 'corp' });
    expect(contains).toMatch(/SCAN quarantine_fts VIRTUAL TABLE/);
    expect(contains).toMatch(/SEARCH quarantine USING PRIMARY KEY \(addr_key=\?\)/);
    expect(contains).not.toMatch(/SCAN quarantine\b(?!_)/);
  });

  it('keeps the search index and the counts per status with every write', () => {
    t = openTempDb();
    insert(t.db, ADDRESSES);
    expect(quarantineCounts(t.db)).toMatchObject(recount(t.db));
    expect(removeQuarantine(t.db, 'ann@corp.test')).toBe(true);
    setQuarantineStatus(t.db, { address: 'ivy@corp.test', status: 'valid', source: 'manual' }, T0);
    setQuarantineStatus(
      t.db,
      { address: 'New.One@corp.test', status: 'with_errors', source: 'manual' },
      T0 - 30 * 86_400_000,
    );
    t.db
      .prepare(
        "UPDATE quarantine SET error_count = 1, last_error_at = ? WHERE addr_key = 'new.one@corp.test'",
      )
      .run(T0 - 30 * 86_400_000);
    expect(settleQuarantine(t.db, T0)).toBeGreaterThan(0);
    expect(recount(t.db)).toMatchObject({ valid: 2 });
    expect(quarantineCounts(t.db)).toEqual({
      valid: 0,
      with_errors: 0,
      quarantine: 0,
      denylisted: 0,
      allowlisted: 0,
      ...recount(t.db),
    });
    expect(allPages(t.db, { limit: 10, search: '@corp.test' })).toEqual([
      'bob.smith@corp.test',
      'ivy@corp.test',
      'new.one@corp.test',
    ]);
    expect(allPages(t.db, { limit: 10, search: 'new.on' })).toEqual(['new.one@corp.test']);
    expect(allPages(t.db, { limit: 10, search: 'ann@' })).toEqual([]);
  });

  it('indexes a list written before migration 18 when it upgrades', () => {
    t = openTempDb({ migrations: MIGRATIONS.filter((m) => m.version < 18) });
    const ins = t.db.prepare(
      "INSERT INTO quarantine(addr_key, status, updated_at, source) VALUES (?, 'quarantine', 0, 'auto')",
    );
    for (const a of ADDRESSES) ins.run(a.toLowerCase());
    t.db.close();
    const db = openDatabase(t.file);
    try {
      expect(allPages(db, { limit: 2, search: '@corp.test' })).toHaveLength(3);
      expect(allPages(db, { limit: 2, search: 'corp' })).toHaveLength(8);
      expect(quarantineCounts(db)).toMatchObject({ quarantine: ADDRESSES.length, valid: 0 });
      setQuarantineStatus(db, { address: 'zed@corp.test', status: 'denylisted', source: 'manual' }, T0);
      expect(allPages(db, { limit: 2, search: 'zed' })).toEqual(['zed@corp.test']);
      expect(quarantineCounts(db)).toMatchObject({ quarantine: ADDRESSES.length, denylisted: 1 });
    } finally {
      db.close();
    }
  });
});

describe('quarantine time rules before each page', () => {
  let t: TempDb | undefined;
  afterEach(() => t?.dispose());

  it('find the rows due on partial indexes, not by reading every address with errors', () => {
    t = openTempDb();
    const plans = (
      t.db
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'quarantine_%_due'")
        .pluck()
        .all() as string[]
    ).length;
    expect(plans).toBe(2);
    const detail = (sql: string) =>
      (t!.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ now: 1, before: 1 }) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
    expect(
      detail(`UPDATE quarantine SET status = 'valid' WHERE status = 'with_errors' AND error_count > 0
        AND last_error_at <= @before`),
    ).toMatch(/INDEX quarantine_counter_due \(status=\? AND last_error_at<\?\)/);
    expect(
      detail(`UPDATE quarantine SET status = 'valid' WHERE status = 'quarantine' AND last_reason = 'mailbox_full'
        AND quarantined_at <= @before`),
    ).toMatch(/INDEX quarantine_mailbox_full_due \(status=\? AND last_reason=\? AND quarantined_at<\?\)/);
  });
});
