/** The quarantine policy of SPEC §4.4, rule by rule, on a clock counted in days. */
import { describe, expect, it } from 'vitest';
import {
  applyQuarantineEvent,
  DAY_MS,
  exclusionOf,
  settle,
  type QuarantineEvent,
  type QuarantineState,
} from '../../src/main/quarantine/policy';

const T0 = Date.UTC(2026, 0, 1);
const day = (n: number) => T0 + n * DAY_MS;
const soft: QuarantineEvent = { kind: 'bounce', type: 'soft', reason: 'unreachable' };
const full: QuarantineEvent = { kind: 'bounce', type: 'soft', reason: 'mailbox_full' };
const hard: QuarantineEvent = { kind: 'bounce', type: 'hard', reason: 'user_unknown' };

function run(events: [number, QuarantineEvent][], start: QuarantineState | null = null) {
  let state = start;
  for (const [at, event] of events) state = applyQuarantineEvent(state, event, at) ?? state;
  return state;
}

describe('quarantine policy', () => {
  it('quarantines at once on a hard bounce', () => {
    expect(run([[day(0), hard]])).toMatchObject({
      status: 'quarantine',
      lastReason: 'user_unknown',
      quarantinedAt: day(0),
    });
  });

  it('counts one significant soft error per day and quarantines at the fifth', () => {
    const sameDay = run([
      [day(0), soft],
      [day(0) + 3_600_000, soft],
      [day(0) + 23 * 3_600_000, soft],
    ]);
    expect(sameDay).toMatchObject({ status: 'with_errors', errorCount: 1 });
    const four = run([0, 1, 2, 3].map((d) => [day(d), soft]));
    expect(four).toMatchObject({ status: 'with_errors', errorCount: 4 });
    const five = run([0, 1, 2, 3, 4].map((d) => [day(d), soft]));
    expect(five).toMatchObject({ status: 'quarantine', errorCount: 5, quarantinedAt: day(4) });
  });

  it('resets the counter after 10 days without error', () => {
    const state = run([0, 1, 2].map((d) => [day(d), soft]));
    expect(settle(state!, day(11))).toMatchObject({ status: 'with_errors', errorCount: 3 });
    expect(settle(state!, day(12))).toMatchObject({ status: 'valid', errorCount: 0 });
    expect(run([[day(12), soft]], state)).toMatchObject({ status: 'with_errors', errorCount: 1 });
  });

  it('resets the counter after a successful delivery', () => {
    const state = run([0, 1, 2].map((d) => [day(d), soft]));
    expect(run([[day(3), { kind: 'delivered' }]], state)).toMatchObject({ status: 'valid', errorCount: 0 });
    expect(applyQuarantineEvent(null, { kind: 'delivered' }, day(0))).toBeNull();
  });

  it('clears a mailbox-full quarantine after 30 days, not another one', () => {
    const fullQ = run([0, 1, 2, 3, 4].map((d) => [day(d), full]));
    expect(fullQ).toMatchObject({ status: 'quarantine', lastReason: 'mailbox_full' });
    expect(exclusionOf(fullQ!, day(33))).toBe('quarantined');
    expect(exclusionOf(fullQ!, day(34))).toBeNull();
    const hardQ = run([[day(0), hard]]);
    expect(exclusionOf(hardQ!, day(400))).toBe('quarantined');
  });

  it('denylists on a complaint, even an allowlisted address', () => {
    expect(run([[day(0), { kind: 'complaint' }]])).toMatchObject({
      status: 'denylisted',
      lastReason: 'refused',
      lastType: 'hard',
    });
    const allow: QuarantineState = { ...run([[day(0), soft]])!, status: 'allowlisted' };
    expect(run([[day(1), { kind: 'complaint' }]], allow)?.status).toBe('denylisted');
  });

  it('ignores errors of allowlisted addresses and keeps denylisted ones', () => {
    const allow: QuarantineState = { ...run([[day(0), soft]])!, status: 'allowlisted' };
    expect(run([[day(1), hard]], allow)?.status).toBe('allowlisted');
    const deny = run([[day(0), { kind: 'complaint' }]]);
    expect(
      run(
        [
          [day(1), { kind: 'delivered' }],
          [day(2), hard],
        ],
        deny,
      )?.status,
    ).toBe('denylisted');
    expect(exclusionOf(deny!, day(100))).toBe('denylisted');
  });

  it('changes nothing for ignored and not-defined failures', () => {
    expect(
      applyQuarantineEvent(null, { kind: 'bounce', type: 'ignored', reason: 'error_ignored' }, day(0)),
    ).toBeNull();
    expect(
      applyQuarantineEvent(null, { kind: 'bounce', type: 'not_defined', reason: 'not_defined' }, day(0)),
    ).toBeNull();
  });

  it('never counts a soft refusal (the sender, its IP or its content), however often it repeats', () => {
    const refused: QuarantineEvent = { kind: 'bounce', type: 'soft', reason: 'refused' };
    expect(applyQuarantineEvent(null, refused, day(0))).toBeNull();
    const withErrors = run([[day(0), soft]]);
    const after = run(
      [0, 1, 2, 3, 4, 5, 6].map((d) => [day(d + 1), refused]),
      withErrors,
    );
    expect(after).toMatchObject({ status: 'with_errors', errorCount: 1, lastReason: 'unreachable' });
    // A complaint is a refusal too, but Hard: it still denylists.
    expect(run([[day(0), { kind: 'bounce', type: 'hard', reason: 'refused' }]])).toMatchObject({
      status: 'quarantine',
    });
  });
});
