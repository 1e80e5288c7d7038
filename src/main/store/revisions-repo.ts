/**
 * Revisions: one counter per topic, bumped by the triggers of migration 9 on every write to the topic's tables,
 * whichever process or code path writes. A running process notices another process's writes by reading these
 * few rows (see `revision-watcher.ts`) instead of the data they guard.
 */
import type { Db } from './db';
import { stmt } from './statements';

export const REVISION_TOPICS = ['mx_rules', 'bounce_rules', 'dkim_keys', 'settings'] as const;
/**
 * `mx_rules`: MX rules, automation rules, adaptive settings; `bounce_rules`: bounce rules, class mapping, manual
 * qualifications; `dkim_keys`: DKIM keys; `settings`: every setting.
 */
export type RevisionTopic = (typeof REVISION_TOPICS)[number];

export type Revisions = Record<RevisionTopic, number>;

/** Every topic's revision, in one read. */
export function readRevisions(db: Db): Revisions {
  const rows = stmt(db, 'SELECT topic, revision FROM revisions').raw().all() as [string, number][];
  const out: Revisions = { mx_rules: 0, bounce_rules: 0, dkim_keys: 0, settings: 0 };
  for (const [topic, revision] of rows) if (topic in out) out[topic as RevisionTopic] = revision;
  return out;
}

export function revisionOf(db: Db, topic: RevisionTopic): number {
  return (
    (stmt(db, 'SELECT revision FROM revisions WHERE topic = ?').pluck().get(topic) as number | undefined) ?? 0
  );
}

/** Writes made through this connection by this process, per connection (see `noteLocalWrite`). */
const localWrites = new WeakMap<Db, { n: number }>();

/**
 * Counts a write made by this process, so watchers of this connection check the revisions at once rather than
 * at the end of their period (a setting saved through the API is in force for the next message).
 */
export function noteLocalWrite(db: Db): void {
  const entry = localWrites.get(db);
  if (entry) entry.n++;
  else localWrites.set(db, { n: 1 });
}

/** The counter `noteLocalWrite` moves; watchers hold on to it and compare its `n`. */
export function localWriteCounter(db: Db): { readonly n: number } {
  let entry = localWrites.get(db);
  if (!entry) localWrites.set(db, (entry = { n: 0 }));
  return entry;
}
