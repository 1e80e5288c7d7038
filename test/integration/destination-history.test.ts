/**
 * The reputation history on a real SQLite file: the recorder (engine/shaper/history.ts) writing through the
 * engine's store port, counts added per day and limits replaced, the window read oldest first through the
 * primary key, the destinations the store knows (learnt limits of destination_state), retention, a malformed
 * row refused by name, and a write refused by a lock held by another connection kept for the next flush.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { createDestinationHistory } from '../../src/main/engine/shaper/history';
import {
  destinationDays,
  HISTORY_SQL,
  historyDestinations,
  pruneDestinationDays,
  recordDestinationDays,
  storedDestinations,
  STORED_DESTINATIONS_SQL,
} from '../../src/main/store/destination-days-repo';
import { createEngineStore } from '../../src/main/store/engine-store';
import { openTempDb, type TempDb } from '../support/store-temp';

const DAY = 86_400_000;
const A = 'mx:mx1.a.test,mx2.a.test';
const B = 'smtp:127.0.0.1:2525';
const limits = { maxConnections: 4, maxMessagesPerConnection: 50, messagesPerHour: 900 };

let tmp: TempDb;
afterEach(() => tmp?.dispose());

describe('destination history in the store', () => {
  it('adds the counts of each flush to the day and keeps the last limits', () => {
    tmp = openTempDb();
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 10));
    const history = createDestinationHistory({ store: createEngineStore(tmp.db), clock });

    for (let i = 0; i < 3; i++) history.note(A, 'accepted');
    history.note(A, 'deferred');
    history.note(B, 'failed');
    expect(history.flush(() => limits)).toEqual({ ok: true, rows: 2 });
    clock.advance(60_000);
    history.note(A, 'accepted');
    history.note(A, 'refused_session');
    history.flush(() => ({ maxConnections: 2, maxMessagesPerConnection: null, messagesPerHour: 450.5 }));
    clock.advance(DAY);
    history.note(A, 'failed');
    history.flush(() => limits);

    expect(destinationDays(tmp.db, A, 30, clock.now())).toEqual([
      {
        destination: A,
        day: '2026-03-01',
        accepted: 4,
        deferred: 1,
        failed: 0,
        refusedSessions: 1,
        maxConnections: 2,
        maxMessagesPerConnection: null,
        messagesPerHour: 450.5,
      },
      {
        destination: A,
        day: '2026-03-02',
        accepted: 0,
        deferred: 0,
        failed: 1,
        refusedSessions: 0,
        maxConnections: 4,
        maxMessagesPerConnection: 50,
        messagesPerHour: 900,
      },
    ]);
    expect(destinationDays(tmp.db, B, 30, clock.now()).map((d) => [d.day, d.failed])).toEqual([
      ['2026-03-01', 1],
    ]);
    // The window ends on today's day and counts `days` days back, today included.
    expect(destinationDays(tmp.db, A, 1, clock.now()).map((d) => d.day)).toEqual(['2026-03-02']);
    expect(destinationDays(tmp.db, A, 2, clock.now()).map((d) => d.day)).toEqual([
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(historyDestinations(tmp.db)).toEqual([
      { destination: A, firstDay: '2026-03-01', lastDay: '2026-03-02' },
      { destination: B, firstDay: '2026-03-01', lastDay: '2026-03-01' },
    ]);
  });

  it('reads a destination through the primary key', () => {
    tmp = openTempDb();
    const plan = tmp.db
      .prepare(`EXPLAIN QUERY PLAN ${HISTORY_SQL}`)
      .all({ destination: A, from: '2026-01-01', to: '2026-02-01' }) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH destination_days USING PRIMARY KEY/);
  });

  it('lists the destinations the store knows with their learnt limits', () => {
    tmp = openTempDb();
    const now = Date.UTC(2026, 2, 5);
    tmp.db
      .prepare(
        `INSERT INTO destination_state (key, suspended_until, rate_per_hour, max_connections, reason, updated_at,
           learnt_max_connections, learnt_messages_per_connection, suspension_level, learnt_at)
         VALUES (?, NULL, 600, NULL, NULL, ?, 3, 20, 1, ?), ('*', NULL, NULL, NULL, NULL, ?, NULL, NULL, 0, NULL)`,
      )
      .run(A, now, now - 1000, now);
    recordDestinationDays(
      tmp.db,
      [
        {
          destination: B,
          day: '2026-03-04',
          accepted: 1,
          deferred: 0,
          failed: 0,
          refusedSessions: 0,
          ...limits,
        },
      ],
      now,
    );
    expect(storedDestinations(tmp.db)).toEqual([
      {
        key: A,
        learntMaxConnections: 3,
        learntMessagesPerConnection: 20,
        ratePerHour: 600,
        suspendedUntil: null,
        suspensionLevel: 1,
        learntAt: now - 1000,
        reason: null,
        lastDay: null,
      },
      {
        key: B,
        learntMaxConnections: null,
        learntMessagesPerConnection: null,
        ratePerHour: null,
        suspendedUntil: null,
        suspensionLevel: 0,
        learntAt: null,
        reason: null,
        lastDay: '2026-03-04',
      },
    ]);
  });

  it('lists many destinations with history by seeking the primary key, never walking every day', () => {
    tmp = openTempDb();
    const now = Date.UTC(2026, 2, 31);
    const rows = [];
    for (let d = 0; d < 200; d++) {
      for (let day = 1; day <= 20; day++) {
        rows.push({
          destination: `mx:mx${String(d).padStart(3, '0')}.test`,
          day: `2026-03-${String(day + (d % 5)).padStart(2, '0')}`,
          accepted: 1,
          deferred: 0,
          failed: 0,
          refusedSessions: 0,
          ...limits,
        });
      }
    }
    recordDestinationDays(tmp.db, rows, now);
    const listed = storedDestinations(tmp.db);
    expect(listed).toHaveLength(200);
    expect(listed[0]).toMatchObject({
      key: 'mx:mx000.test',
      lastDay: '2026-03-20',
      learntMaxConnections: null,
    });
    expect(listed[199]).toMatchObject({ key: 'mx:mx199.test', lastDay: '2026-03-24' });
    const plan = (
      tmp.db.prepare(`EXPLAIN QUERY PLAN ${STORED_DESTINATIONS_SQL}`).all() as { detail: string }[]
    ).map((p) => p.detail);
    expect(plan.filter((d) => /destination_days/.test(d)).length).toBeGreaterThan(0);
    expect(plan.filter((d) => /SCAN destination_days/.test(d))).toEqual([]);
  });

  it('drops the days past the retention, also with the first batch of a day', () => {
    tmp = openTempDb();
    const now = Date.UTC(2027, 5, 1);
    const row = (day: string) => ({
      destination: A,
      day,
      accepted: 1,
      deferred: 0,
      failed: 0,
      refusedSessions: 0,
      ...limits,
    });
    recordDestinationDays(tmp.db, [row('2026-01-01'), row('2026-04-27'), row('2026-04-28')], now);
    // The last 400 days up to 2027-06-01 start on 2026-04-28.
    expect(pruneDestinationDays(tmp.db, now)).toBe(2);
    expect(destinationDays(tmp.db, A, 400, now).map((d) => d.day)).toEqual(['2026-04-28']);

    recordDestinationDays(tmp.db, [row('2026-01-02')], now);
    createEngineStore(tmp.db).recordDestinationDays([row('2027-06-01')], now);
    expect(historyDestinations(tmp.db)).toEqual([
      { destination: A, firstDay: '2026-04-28', lastDay: '2027-06-01' },
    ]);
  });

  it('refuses a malformed row by name and writes nothing of its batch', () => {
    tmp = openTempDb();
    const good = {
      destination: A,
      day: '2026-03-01',
      accepted: 1,
      deferred: 0,
      failed: 0,
      refusedSessions: 0,
      ...limits,
    };
    expect(() =>
      recordDestinationDays(tmp.db, [good, { ...good, day: '1/3/2026' }], Date.UTC(2026, 2, 1)),
    ).toThrow(/destination_days row 1 \(mx:mx1.a.test,mx2.a.test 1\/3\/2026\): day must be YYYY-MM-DD/);
    expect(() => recordDestinationDays(tmp.db, [{ ...good, deferred: -1 }], Date.UTC(2026, 2, 1))).toThrow(
      /row 0 .*deferred must be a count \(got -1\)/,
    );
    expect(historyDestinations(tmp.db)).toEqual([]);
  });

  it('keeps the counts when another connection holds the write lock, and writes them once it is free', () => {
    tmp = openTempDb();
    tmp.db.pragma('busy_timeout = 20');
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 10));
    const history = createDestinationHistory({ store: createEngineStore(tmp.db), clock });
    const other = new Database(tmp.file);
    try {
      history.note(A, 'accepted');
      history.note(A, 'deferred');
      other.exec('BEGIN IMMEDIATE');
      const refused = history.flush(() => limits);
      expect(refused.ok).toBe(false);
      history.note(A, 'accepted');
      other.exec('COMMIT');
      expect(history.flush(() => limits)).toEqual({ ok: true, rows: 1 });
      expect(history.flush(() => limits)).toEqual({ ok: true, rows: 0 });
    } finally {
      other.close();
    }
    expect(destinationDays(tmp.db, A, 7, clock.now()).map((d) => [d.accepted, d.deferred])).toEqual([[2, 1]]);
  });
});
