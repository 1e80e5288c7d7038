/**
 * The reputation history's recorder (engine/shaper/history.ts) on a ManualClock with a fake store: counts per
 * destination and UTC day, one batch per flush with the limits in force, a day boundary between notes, and a
 * refused write kept for the next flush (nothing lost, nothing written twice).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { createDestinationHistory, type HistoryLimits } from '../../src/main/engine/shaper/history';
import type { DestinationDayIncrement } from '../../src/main/store/destination-days-repo';
import type { HistoryStore } from '../../src/main/store/engine-store';

const HOUR = 3_600_000;

function fakeStore() {
  const batches: { rows: DestinationDayIncrement[]; now: number }[] = [];
  let refuse = 0;
  const store: HistoryStore = {
    recordDestinationDays(rows, now) {
      if (refuse > 0) {
        refuse -= 1;
        throw new Error('database is locked');
      }
      batches.push({ rows: rows.map((r) => ({ ...r })), now });
    },
  };
  return { store, batches, refuseNext: (n = 1) => (refuse = n) };
}

const LIMITS: Record<string, HistoryLimits> = {
  'mx:mx.a.test': { maxConnections: 3, maxMessagesPerConnection: 20, messagesPerHour: 1200 },
  'mx:mx.b.test': { maxConnections: null, maxMessagesPerConnection: null, messagesPerHour: null },
};
const limitsOf = (d: string): HistoryLimits => LIMITS[d]!;

describe('destination history recorder', () => {
  it('counts each kind of answer per destination and writes one batch with the limits in force', () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 10, 9));
    const { store, batches } = fakeStore();
    const history = createDestinationHistory({ store, clock });
    for (let i = 0; i < 5; i++) history.note('mx:mx.a.test', 'accepted');
    history.note('mx:mx.a.test', 'deferred');
    history.note('mx:mx.a.test', 'deferred');
    history.note('mx:mx.a.test', 'failed');
    history.note('mx:mx.a.test', 'refused_session');
    history.note('mx:mx.b.test', 'accepted');

    expect(batches).toEqual([]);
    expect(history.flush(limitsOf)).toEqual({ ok: true, rows: 2 });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.now).toBe(clock.now());
    expect(batches[0]!.rows).toEqual([
      {
        destination: 'mx:mx.a.test',
        day: '2026-05-10',
        accepted: 5,
        deferred: 2,
        failed: 1,
        refusedSessions: 1,
        maxConnections: 3,
        maxMessagesPerConnection: 20,
        messagesPerHour: 1200,
      },
      {
        destination: 'mx:mx.b.test',
        day: '2026-05-10',
        accepted: 1,
        deferred: 0,
        failed: 0,
        refusedSessions: 0,
        maxConnections: null,
        maxMessagesPerConnection: null,
        messagesPerHour: null,
      },
    ]);

    // Written counts are not written again; an empty flush does not reach the store.
    expect(history.flush(limitsOf)).toEqual({ ok: true, rows: 0 });
    expect(batches).toHaveLength(1);
    history.note('mx:mx.a.test', 'accepted');
    history.flush(limitsOf);
    expect(batches[1]!.rows.map((r) => [r.destination, r.accepted, r.deferred])).toEqual([
      ['mx:mx.a.test', 1, 0],
    ]);
  });

  it('puts notes on either side of midnight UTC on their own day', () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 10, 23, 59, 59));
    const { store, batches } = fakeStore();
    const history = createDestinationHistory({ store, clock });
    history.note('mx:mx.a.test', 'accepted');
    history.note('mx:mx.a.test', 'deferred');
    clock.advance(2_000);
    history.note('mx:mx.a.test', 'accepted');
    history.note('mx:mx.a.test', 'accepted');
    history.flush(limitsOf);
    expect(batches[0]!.rows.map((r) => [r.day, r.accepted, r.deferred])).toEqual([
      ['2026-05-10', 1, 1],
      ['2026-05-11', 2, 0],
    ]);
  });

  it('keeps a refused batch and writes it, with later notes, at the next flush', () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 10, 12));
    const { store, batches, refuseNext } = fakeStore();
    const history = createDestinationHistory({ store, clock });
    history.note('mx:mx.a.test', 'accepted');
    history.note('mx:mx.a.test', 'refused_session');
    refuseNext(2);
    const refused = history.flush(limitsOf);
    expect(refused).toMatchObject({ ok: false, rows: 1 });
    expect(String((refused as { error: unknown }).error)).toContain('database is locked');

    history.note('mx:mx.a.test', 'accepted');
    clock.advance(12 * HOUR); // the next day
    history.note('mx:mx.a.test', 'failed');
    expect(history.flush(limitsOf).ok).toBe(false);
    expect(batches).toEqual([]);

    expect(history.flush(limitsOf)).toEqual({ ok: true, rows: 2 });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.rows.map((r) => [r.day, r.accepted, r.failed, r.refusedSessions])).toEqual([
      ['2026-05-10', 2, 0, 1],
      ['2026-05-11', 0, 1, 0],
    ]);
    expect(history.flush(limitsOf)).toEqual({ ok: true, rows: 0 });
  });

  it('asks each destination its limits once per flush, at the flush', () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 10, 23));
    const { store, batches } = fakeStore();
    const history = createDestinationHistory({ store, clock });
    history.note('mx:mx.a.test', 'accepted');
    clock.advance(2 * HOUR);
    history.note('mx:mx.a.test', 'accepted');
    const asked: string[] = [];
    history.flush((d) => {
      asked.push(d);
      return { maxConnections: 2, maxMessagesPerConnection: 10, messagesPerHour: 360 };
    });
    expect(asked).toEqual(['mx:mx.a.test']);
    expect(batches[0]!.rows.map((r) => r.maxConnections)).toEqual([2, 2]);
  });
});
