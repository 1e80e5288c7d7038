/**
 * The feedback layer writes a batch of outcomes with one read and one statement per table and message, so a
 * batch must leave the store exactly as the same outcomes applied one at a time (whose counters the KPI property
 * test checks against a recomputation from the logs). fast-check drives random outcome lists, with several
 * outcomes for one message in a batch (a deferral, then the retry's acceptance), into two stores prepared alike.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { applyOutcomes } from '../../src/main/engine/feedback/apply-outcomes';
import type { Db } from '../../src/main/store/db';
import { mtaOutcome, SMTP_EVENTS } from '../support/efs-events';
import { insertDelivery, insertRecipients, openTempDb, type TempDb } from '../support/engine-fixtures';
import { relay } from '../../src/main/store/ledger';
import type { ReportingMode } from '../../src/shared/domain/statuses';

const T0 = Date.UTC(2026, 3, 1);
const DOMAINS = ['inbox.test', 'mail.test', 'corp.test'];

/** Every table the feedback layer writes, in a stable order. */
const TABLES: Record<string, string> = {
  deliveries: 'SELECT * FROM deliveries ORDER BY id',
  delivery_log: 'SELECT * FROM delivery_log ORDER BY id',
  queue: 'SELECT * FROM queue ORDER BY log_id',
  attempts: 'SELECT * FROM attempts ORDER BY id',
  delivery_domains: 'SELECT * FROM delivery_domains ORDER BY delivery_id, domain',
  delivery_reasons: 'SELECT * FROM delivery_reasons ORDER BY delivery_id, reason, failure_type',
  throughput: 'SELECT * FROM throughput ORDER BY delivery_id, destination, minute',
  qualification: 'SELECT * FROM qualification ORDER BY norm_key',
  quarantine: 'SELECT * FROM quarantine ORDER BY addr_key',
};

const dump = (db: Db) =>
  Object.fromEntries(Object.entries(TABLES).map(([name, sql]) => [name, db.prepare(sql).all()]));

function prepare(db: Db, mode: ReportingMode, recipients: number) {
  const deliveryId = insertDelivery(db, { reporting: mode, now: T0 });
  const emails = Array.from({ length: recipients }, (_, i) => `user${i}@${DOMAINS[i % DOMAINS.length]}`);
  const logIds = insertRecipients(db, deliveryId, emails, T0);
  relay(db, { deliveryId, logIds, now: T0 });
  // The relay gives each row a Message-ID with a random token (engine/bounce/trace.ts); the two stores of a run
  // must differ only by the outcomes' batching, so their tokens are made equal.
  db.prepare(
    `UPDATE delivery_log SET message_id = '<' || id || '.' || delivery_id || '.' || printf('%032x', id) || '@sender.test>'`,
  ).run();
  return { deliveryId, logIds };
}

// Fresh stores per run, so a counterexample shrinks to the outcomes that make the difference.
let stores: TempDb[] = [];
afterEach(() => {
  stores.forEach((s) => s.cleanup());
  stores = [];
});

describe('a batch of outcomes == the same outcomes one at a time', () => {
  it('leaves every table the feedback layer writes identical (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ReportingMode>('efs', 'classic'),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ event: fc.constantFrom(...SMTP_EVENTS), row: fc.nat() }), {
          minLength: 1,
          maxLength: 30,
        }),
        (mode, recipients, events) => {
          stores.forEach((s) => s.cleanup());
          stores = [openTempDb(), openTempDb()];
          const [one, batch] = stores as [TempDb, TempDb];
          const { deliveryId, logIds } = prepare(one.db, mode, recipients);
          expect(prepare(batch.db, mode, recipients)).toEqual({ deliveryId, logIds });
          const outcomes = events.map((e) =>
            mtaOutcome(e.event, logIds[e.row % logIds.length]!, deliveryId, T0),
          );
          const singly = outcomes.map((o) => applyOutcomes(one.db, [o], T0));
          const together = applyOutcomes(batch.db, outcomes, T0);
          expect(dump(batch.db)).toEqual(dump(one.db));
          expect(together.skipped).toBe(singly.reduce((n, r) => n + r.skipped, 0));
          expect(together.completed).toEqual(singly.flatMap((r) => r.completed));
        },
      ),
      { numRuns: 60, seed: 20260401 },
    );
  });
});
