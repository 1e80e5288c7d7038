/**
 * The one way a running process sees another process's writes (`relaydeck rules import`, `relaydeck dkim add`
 * or a second console next to a running `serve`): the triggers of migration 9 bump a revision per topic on
 * every write, and one watcher per connection reads those few rows at most once per `periodMs` of the injected
 * clock — on its users' paths, no timer — and calls the subscribers of the topics that moved. A write made by
 * this process (`noteLocalWrite`) makes the next check read at once.
 *
 * The MX rules (the shaper), the bounce rules (the stored classifier), the DKIM keys (the keyring) and the
 * settings read on the message path (`watchedSetting`) all follow it.
 */
import type { Clock } from '../clock';
import type { Db } from './db';
import {
  localWriteCounter,
  readRevisions,
  revisionOf,
  type RevisionTopic,
  type Revisions,
} from './revisions-repo';

/** How often, at most, the revisions are read (ms of the watcher's clock). */
export const REVISIONS_CHECK_MS = 1_000;

export interface RevisionSubscription {
  /**
   * The subscriber's state now reflects the store: call it right before loading that state, so that no write
   * is missed and the subscriber's own loads are not reported back to it.
   */
  mark(): void;
  close(): void;
}

export interface RevisionWatcher {
  /**
   * Calls `onChange` from a later `check` when `topic`'s revision moved since the subscriber's last `mark` (or,
   * before any, since it subscribed: a subscriber whose state was loaded earlier, at an unknown revision, is
   * called at the first check).
   */
  subscribe(topic: RevisionTopic, onChange: () => void): RevisionSubscription;
  /**
   * Reads the revisions when `periodMs` of the clock passed since the last read (or this process wrote since),
   * and calls the subscribers of the topics that moved. Otherwise costs a clock read and two comparisons.
   */
  check(): void;
}

interface Subscriber {
  topic: RevisionTopic;
  onChange: () => void;
  /** The revision the subscriber's state reflects; null: unknown (called at the first check). */
  seen: number | null;
}

export interface RevisionWatcherOptions {
  db: Db;
  clock: Clock;
  periodMs?: number;
}

export function createRevisionWatcher(options: RevisionWatcherOptions): RevisionWatcher {
  const { db, clock } = options;
  const periodMs = options.periodMs ?? REVISIONS_CHECK_MS;
  const local = localWriteCounter(db);
  const subscribers = new Set<Subscriber>();
  let seenLocal = local.n;
  let checkedAt = clock.now();
  let checking = false;

  function notify(current: Revisions): void {
    for (const s of [...subscribers]) {
      const revision = current[s.topic];
      if (s.seen === revision || !subscribers.has(s)) continue;
      s.seen = revision;
      s.onChange();
    }
  }

  return {
    subscribe(topic, onChange) {
      const s: Subscriber = { topic, onChange, seen: null };
      subscribers.add(s);
      return {
        mark() {
          s.seen = revisionOf(db, topic);
        },
        close() {
          subscribers.delete(s);
        },
      };
    },
    check() {
      const now = clock.now();
      if (now - checkedAt < periodMs && local.n === seenLocal) return;
      // A subscriber's reload may read through code that checks again: one check at a time.
      if (checking) return;
      checking = true;
      try {
        checkedAt = now;
        seenLocal = local.n;
        notify(readRevisions(db));
      } finally {
        checking = false;
      }
    },
  };
}
