import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyOutcomes, type MessageOutcome } from '../../src/main/engine/feedback/apply-outcomes';
import { relay } from '../../src/main/store/ledger';
import { counterOf, ThroughputTally } from '../../src/main/store/throughput-tally';
import type { SmtpOutcome } from '../../src/main/engine/types';
import { minuteOf } from '../../src/main/store/throughput-repo';
import { insertDelivery, insertRecipients, openTempDb, type TempDb } from '../support/engine-fixtures';

const T0 = Date.UTC(2026, 0, 1, 12, 0);
const MIN = 60_000;
const A = 'smtp:127.0.0.1:2525';
const B = 'mx:example.com';

interface Row {
  delivery_id: number;
  destination: string;
  minute: number;
  relayed: number;
  accepted: number;
  deferred: number;
  bounced: number;
}

const throughputRows = (t: TempDb): Row[] =>
  t.db.prepare('SELECT * FROM throughput ORDER BY delivery_id, destination, minute').all() as Row[];

const reply = (kind: SmtpOutcome['kind'], code: number, text: string): SmtpOutcome => ({
  kind,
  code,
  enhanced: null,
  text,
  command: 'RCPT',
  mxHost: '127.0.0.1',
  ip: '127.0.0.1',
  tls: false,
  durationMs: 5,
});

let t: TempDb;
beforeEach(() => {
  t = openTempDb();
});
afterEach(() => t.cleanup());

describe('minuteOf and counterOf', () => {
  it('floors to the minute and maps dispositions to counters', () => {
    expect(minuteOf(T0 + 59_999)).toBe(T0);
    expect(minuteOf(T0 + MIN)).toBe(T0 + MIN);
    expect(counterOf({ kind: 'delivered' }, true)).toBe('accepted');
    expect(counterOf({ kind: 'retry', dueAt: 0, rule: 'x' }, true)).toBe('deferred');
    expect(counterOf({ kind: 'retry', dueAt: 0, rule: 'x' }, false)).toBeNull();
    expect(counterOf({ kind: 'bounced' }, true)).toBe('bounced');
    expect(counterOf({ kind: 'expired' }, false)).toBe('bounced');
  });
});

describe('ThroughputTally', () => {
  it('aggregates per delivery, destination and minute, and adds to existing rows on write', () => {
    const tally = new ThroughputTally();
    tally.add(1, A, T0 + 1, 'accepted');
    tally.add(1, A, T0 + 59_000, 'accepted');
    tally.add(1, A, T0 + 30_000, 'deferred');
    tally.add(1, A, T0 + MIN, 'accepted');
    tally.add(1, B, T0, 'bounced');
    tally.add(2, A, T0, 'accepted');
    tally.add(2, '', T0, 'relayed', 0);
    expect(tally.entries()).toHaveLength(4);
    const deliveryId = insertDelivery(t.db);
    expect(deliveryId).toBe(1);
    t.db.transaction(() => tally.write(t.db))();
    t.db.transaction(() => tally.write(t.db))();
    expect(throughputRows(t)).toEqual([
      { delivery_id: 1, destination: B, minute: T0, relayed: 0, accepted: 0, deferred: 0, bounced: 2 },
      { delivery_id: 1, destination: A, minute: T0, relayed: 0, accepted: 4, deferred: 2, bounced: 0 },
      { delivery_id: 1, destination: A, minute: T0 + MIN, relayed: 0, accepted: 2, deferred: 0, bounced: 0 },
      { delivery_id: 2, destination: A, minute: T0, relayed: 0, accepted: 2, deferred: 0, bounced: 0 },
    ]);
  });
});

describe('throughput written by the feedback layer', () => {
  it('the ledger relay counts relayed messages per minute with destination ""', () => {
    const deliveryId = insertDelivery(t.db, { now: T0 });
    const ids = insertRecipients(t.db, deliveryId, ['a@x.test', 'b@x.test', 'c@y.test'], T0);
    relay(t.db, { deliveryId, logIds: ids.slice(0, 2), now: T0 + 10 });
    relay(t.db, { deliveryId, logIds: ids, now: T0 + 20 }); // only the third is still pending
    relay(t.db, { deliveryId, logIds: ids, now: T0 + MIN }); // nothing left: no row
    expect(throughputRows(t)).toEqual([
      {
        delivery_id: deliveryId,
        destination: '',
        minute: T0,
        relayed: 3,
        accepted: 0,
        deferred: 0,
        bounced: 0,
      },
    ]);
  });

  it('applyOutcomes writes one row per (delivery, destination, minute), the DKIM domain, and skips stale outcomes', () => {
    const deliveryId = insertDelivery(t.db, { now: T0 });
    const ids = insertRecipients(
      t.db,
      deliveryId,
      ['ok1@x.test', 'ok2@x.test', 'grey@x.test', 'bad@y.test', 'late@z.test', 'gone@x.test'],
      T0,
    );
    relay(t.db, { deliveryId, logIds: ids, now: T0 });
    const [ok1, ok2, grey, bad, late, gone] = ids as [number, number, number, number, number, number];
    const base = { deliveryId, classification: null, dkimDomain: null };
    const outcomes: MessageOutcome[] = [
      {
        ...base,
        logId: ok1,
        at: T0 + 5,
        attempt: reply('accepted', 250, 'ok'),
        disposition: { kind: 'delivered' },
        destination: A,
        // A message that was sent records who signed it (the ledger keeps the domain of a send only).
        dkimDomain: 'sender.test',
        sent: { at: T0 + 5, keys: { rsa: 's1', ed25519: null }, shared: null },
      },
      {
        ...base,
        logId: ok2,
        at: T0 + MIN + 5,
        attempt: reply('accepted', 250, 'ok'),
        disposition: { kind: 'delivered' },
        destination: A,
      },
      {
        ...base,
        logId: grey,
        at: T0 + 6,
        attempt: reply('deferred', 451, 'greylisted'),
        classification: { reason: 'unreachable', type: 'soft', bounceClass: 20 },
        disposition: { kind: 'retry', dueAt: T0 + 5 * MIN, rule: 'greylisting' },
        destination: A,
      },
      {
        ...base,
        logId: bad,
        at: T0 + 7,
        attempt: reply('failed', 550, 'no such user'),
        classification: { reason: 'user_unknown', type: 'hard', bounceClass: 10 },
        disposition: { kind: 'bounced' },
        destination: B,
      },
      {
        ...base,
        logId: late,
        at: T0 + 8,
        attempt: null,
        disposition: { kind: 'expired' },
        destination: null,
      },
      {
        ...base,
        logId: gone,
        at: T0 + 9,
        attempt: reply('accepted', 250, 'ok'),
        disposition: { kind: 'delivered' },
        destination: A,
      },
    ];
    applyOutcomes(t.db, outcomes, T0 + MIN + 10);
    // A second outcome for a message already final is skipped and not counted.
    const again = applyOutcomes(t.db, [outcomes[5]!], T0 + MIN + 20);
    expect(again.skipped).toBe(1);

    const row = (destination: string, minute: number, counts: Partial<Row>): Row => ({
      delivery_id: deliveryId,
      destination,
      minute,
      relayed: 0,
      accepted: 0,
      deferred: 0,
      bounced: 0,
      ...counts,
    });
    expect(throughputRows(t)).toEqual([
      row('', T0, { relayed: 6, bounced: 1 }),
      row(B, T0, { bounced: 1 }),
      row(A, T0, { accepted: 2, deferred: 1 }),
      row(A, T0 + MIN, { accepted: 1 }),
    ]);
    const dkim = (id: number) =>
      t.db.prepare('SELECT dkim_domain FROM delivery_log WHERE id = ?').pluck().get(id) as string | null;
    expect(dkim(ok1)).toBe('sender.test');
    expect(dkim(ok2)).toBeNull();
  });
});
