import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine, createSmtpRelayFactory } from '../../src/main/engine';
import { ManualClock } from '../../src/main/clock';
import type { Engine } from '../../src/main/engine/types';
import { silentLogger } from '../../src/main/logger';
import { MAX_SERIES_MINUTES, throughputSeries } from '../../src/main/store/throughput-repo';
import {
  logByEmail,
  openTempDb,
  recordingNotifier,
  relayedDelivery,
  type TempDb,
  engineStorePorts,
} from '../support/engine-fixtures';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { noDns } from '../support/dns-fixtures';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 30);
const MINUTE0 = Date.UTC(2026, 0, 1, 9, 0);
const MIN = 60_000;
let t: TempDb;
let engine: Engine | null = null;
let server: ScriptedServer | null = null;
beforeEach(() => {
  t = openTempDb();
});
afterEach(async () => {
  await engine?.stop();
  await server?.close();
  engine = null;
  server = null;
  t.cleanup();
});

describe('throughput series of a delivery through a scripted server', () => {
  it('counts relay and every outcome in the minute it happened, matching the attempts', async () => {
    const clock = new ManualClock(T0);
    server = await startScriptedServer({ starttls: false });
    const recipients = ['ok1@x.test', 'ok2@x.test', 'grey@x.test', 'unknown@x.test', 'full@x.test'];
    const { deliveryId } = relayedDelivery(t.db, recipients, {
      now: T0,
      validityMs: 10 * MIN,
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: server.port } }],
    });
    engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(t.db, clock),
      logger: silentLogger,
      notify: recordingNotifier(),
      defaultRoute: () => null,
      sandboxAddress: () => null,
      random: () => 0.5,
      options: { feedbackFlushMs: 0 },
    });
    engine.start();
    const log = (email: string) => logByEmail(t.db, deliveryId, email);
    await vi.waitFor(() => expect(recipients.every((r) => log(r).attempts === 1)).toBe(true), {
      timeout: 10_000,
    });
    clock.advance(5 * MIN); // greylisting retry
    await vi.waitFor(() => expect(log('grey@x.test').status).toBe('sent'), { timeout: 10_000 });
    clock.advance(5 * MIN); // the validity ends: mailbox full expires
    await engine.whenIdle();

    const dest = `smtp:127.0.0.1:${server.port}`;
    const series = throughputSeries(t.db, { deliveryId });
    expect(series.map((p) => p.minute)).toEqual(Array.from({ length: 11 }, (_, i) => MINUTE0 + i * MIN));
    const nonZero = series.filter((p) => p.relayed + p.accepted + p.deferred + p.bounced > 0);
    expect(nonZero).toEqual([
      { minute: MINUTE0, relayed: 5, accepted: 2, deferred: 2, bounced: 1 },
      { minute: MINUTE0 + 5 * MIN, relayed: 0, accepted: 1, deferred: 0, bounced: 0 },
      { minute: MINUTE0 + 10 * MIN, relayed: 0, accepted: 0, deferred: 0, bounced: 1 },
    ]);

    // Cross-check against the attempts table: accepted and deferred attempts per minute.
    const attempts = t.db
      .prepare(
        `SELECT (at / 60000) * 60000 AS minute, outcome, COUNT(*) AS n FROM attempts GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all() as { minute: number; outcome: string; n: number }[];
    for (const a of attempts) {
      const point = series.find((p) => p.minute === a.minute);
      const column = { accepted: 'accepted', deferred: 'deferred', failed: 'bounced' } as const;
      expect(point?.[column[a.outcome as keyof typeof column]]).toBe(a.n);
    }

    // By destination: the delivery outcomes; destination '' holds the relay counts and the outcomes that
    // had no destination (here the expiry, which makes no attempt).
    expect(throughputSeries(t.db, { destination: dest }).map((p) => p.accepted)).toEqual([2, 0, 0, 0, 0, 1]);
    expect(
      throughputSeries(t.db, { deliveryId, destination: '' }).filter((p) => p.relayed + p.bounced > 0),
    ).toEqual([
      { minute: MINUTE0, relayed: 5, accepted: 0, deferred: 0, bounced: 0 },
      { minute: MINUTE0 + 10 * MIN, relayed: 0, accepted: 0, deferred: 0, bounced: 1 },
    ]);
    // An explicit window is dense and rounded to whole minutes; an empty filter gives nothing.
    expect(
      throughputSeries(t.db, { deliveryId, from: MINUTE0 + 4 * MIN + 59_999, to: MINUTE0 + 6 * MIN + 1 }),
    ).toEqual([
      { minute: MINUTE0 + 4 * MIN, relayed: 0, accepted: 0, deferred: 0, bounced: 0 },
      { minute: MINUTE0 + 5 * MIN, relayed: 0, accepted: 1, deferred: 0, bounced: 0 },
      { minute: MINUTE0 + 6 * MIN, relayed: 0, accepted: 0, deferred: 0, bounced: 0 },
    ]);
    expect(throughputSeries(t.db, { deliveryId: deliveryId + 1 })).toEqual([]);
    expect(throughputSeries(t.db, { deliveryId, from: MINUTE0 + 20 * MIN })).toEqual([]);
  });

  it('caps a long range to its last 7 days of minutes', () => {
    const { deliveryId } = relayedDelivery(t.db, ['a@x.test'], { now: MINUTE0 });
    const series = throughputSeries(t.db, { deliveryId, from: MINUTE0 - 30 * 86_400_000, to: MINUTE0 });
    expect(series).toHaveLength(MAX_SERIES_MINUTES);
    expect(series.at(-1)).toEqual({ minute: MINUTE0, relayed: 1, accepted: 0, deferred: 0, bounced: 0 });
    expect(series[0]?.minute).toBe(MINUTE0 - (MAX_SERIES_MINUTES - 1) * MIN);
  });
});

describe('throughput series query plans', () => {
  const plan = (sql: string, params: Record<string, unknown>) =>
    (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);

  it.each([
    ['delivery', 'delivery_id = @d', /USING (COVERING )?INDEX throughput_delivery_minute/],
    ['destination', 'destination = @dest', /USING (COVERING )?INDEX throughput_destination/],
    ['delivery and destination', 'delivery_id = @d AND destination = @dest', /USING PRIMARY KEY/],
    ['no filter', '1', /USING (COVERING )?INDEX throughput_minute/],
  ])('a series by %s is an index range search', (_name, where, index) => {
    const params = { d: 1, dest: 'x', from: 0, to: 1 };
    const series = plan(
      `SELECT minute, SUM(relayed), SUM(accepted), SUM(deferred), SUM(bounced) FROM throughput
        WHERE ${where} AND minute BETWEEN @from AND @to GROUP BY minute ORDER BY minute`,
      params,
    );
    expect(series.join('\n')).toMatch(index);
    expect(series.join('\n')).not.toMatch(/SCAN throughput(?! USING)/);
    expect(series.join('\n')).toMatch(/SEARCH throughput/);
    for (const agg of ['MIN', 'MAX']) {
      const bound = plan(`SELECT ${agg}(minute) FROM throughput WHERE ${where}`, params).join('\n');
      expect(bound).toMatch(/SEARCH throughput/);
    }
  });
});
