import { describe, expect, it } from 'vitest';
import type { DestinationState } from '../../src/shared/contract/mta';
import { SHAPING_EVENT_KINDS } from '../../src/shared/contract/mta';
import {
  ago,
  dayShares,
  describeLimitChange,
  domainsLabel,
  formatDay,
  hasLearnt,
  historyBars,
  hostsLabel,
  isSuspended,
  limitCell,
  limitTitle,
  limitView,
  rateLabel,
  SHAPING_KINDS,
  suspensionLabel,
  windowShares,
} from '../../src/renderer/features/destinations/destinations-model';
import { toAlignedData, widen } from '../../src/renderer/features/deliveries/ThroughputChart';

const limits = { maxConnections: 10, maxMessagesPerConnection: 100, messagesPerHour: 6000 };
const dest = (patch: Partial<DestinationState> = {}): DestinationState => ({
  key: 'mx:gmail-smtp-in.l.google.com',
  kind: 'mx',
  hosts: ['gmail-smtp-in.l.google.com', 'alt1.gmail-smtp-in.l.google.com'],
  domains: ['gmail.com', 'googlemail.com', 'example.org', 'example.net'],
  domainCount: 6,
  ruleId: 'gmail',
  configured: limits,
  effective: limits,
  openConnections: 2,
  inFlight: 3,
  queued: 40,
  currentRatePerHour: 1234.4,
  suspendedUntil: null,
  suspendedReason: null,
  lastReply: '250 2.0.0 OK',
  lastReplyAt: 1_000,
  lastHour: { accepted: 10, deferred: 1, failed: 0 },
  learnt: { maxConnections: null, maxMessagesPerConnection: null, messagesPerHour: null, at: null },
  suspensionLevel: 0,
  ...patch,
});

describe('destinations page wording', () => {
  it('summarises hosts and domains', () => {
    expect(hostsLabel(dest())).toBe('gmail-smtp-in.l.google.com, alt1.gmail-smtp-in.l.google.com');
    expect(hostsLabel(dest({ hosts: [] }))).toBe('mx:gmail-smtp-in.l.google.com');
    expect(domainsLabel(dest())).toBe('gmail.com, googlemail.com, example.org +3');
    expect(domainsLabel(dest({ domains: ['a.test'], domainCount: 1 }))).toBe('a.test');
    expect(domainsLabel(dest({ domains: [], domainCount: 0 }))).toBe('—');
  });

  it('shows the limit in force and the rule limit only when adaptation lowered it', () => {
    expect(rateLabel(dest())).toEqual({ current: '1,234/h', limit: '6,000/h', configured: null });
    expect(rateLabel(dest({ effective: { ...limits, messagesPerHour: 3000 } }))).toEqual({
      current: '1,234/h',
      limit: '3,000/h',
      configured: '6,000/h',
    });
    expect(
      rateLabel(
        dest({
          configured: { ...limits, messagesPerHour: null },
          effective: { ...limits, messagesPerHour: null },
        }),
      ).limit,
    ).toBe('unlimited');
  });

  it('treats a suspension as over once its time has passed', () => {
    expect(isSuspended(dest({ suspendedUntil: 5_000 }), 4_999)).toBe(true);
    expect(isSuspended(dest({ suspendedUntil: 5_000 }), 5_000)).toBe(false);
    expect(isSuspended(dest(), 0)).toBe(false);
  });

  it('labels every kind of automatic change and says how long ago a reply came', () => {
    expect(Object.keys(SHAPING_KINDS).sort()).toEqual([...SHAPING_EVENT_KINDS].sort());
    expect(ago(null, 0)).toBe('—');
    expect(ago(0, 12_000)).toBe('12s ago');
    expect(ago(0, 5 * 60_000)).toBe('5m ago');
    expect(ago(0, 3 * 3_600_000)).toBe('3h ago');
    expect(ago(0, 2 * 86_400_000)).toBe('2d ago');
  });
});

const learnt = (patch: Partial<DestinationState['learnt']>): Partial<DestinationState> => ({
  learnt: { maxConnections: null, maxMessagesPerConnection: null, messagesPerHour: null, at: null, ...patch },
});

const day = (d: string, accepted: number, deferred: number, failed: number, refusedSessions = 0) => ({
  destination: 'mx:a.test',
  day: d,
  accepted,
  deferred,
  failed,
  refusedSessions,
  maxConnections: 3,
  maxMessagesPerConnection: null,
  messagesPerHour: 1200,
});

describe('learnt limits wording', () => {
  it("puts a learnt limit next to the rule's, and the rule's alone when nothing was learnt", () => {
    expect(limitCell(dest(), 'connections')).toEqual({ text: '10', rule: null, learnt: false });
    const d = dest({
      ...learnt({ maxConnections: 3, messagesPerHour: 1200, at: Date.UTC(2026, 2, 1, 9) }),
      effective: { ...limits, maxConnections: 3, messagesPerHour: 1200 },
    });
    expect(hasLearnt(dest())).toBe(false);
    expect(hasLearnt(d)).toBe(true);
    expect(limitCell(d, 'connections')).toEqual({ text: '3', rule: '10 rule', learnt: true });
    expect(limitCell(d, 'messagesPerConnection')).toEqual({ text: '100', rule: null, learnt: false });
    expect(limitCell(d, 'rate')).toEqual({ text: '1,200/h', rule: '6,000/h rule', learnt: true });
    // Rates of five figures and more are compact in the table, written out in the detail.
    const fast = dest({
      ...learnt({ messagesPerHour: 45_000 }),
      configured: { ...limits, messagesPerHour: null },
      effective: { ...limits, messagesPerHour: 45_000 },
    });
    expect(limitCell(fast, 'rate')).toEqual({ text: '45K/h', rule: 'unlimited rule', learnt: true });
    expect(limitView(fast, 'rate')).toMatchObject({ rule: 'unlimited', learnt: '45,000/h', label: 'Rate' });
  });

  it('says in the tooltip when a limit was learnt, or that the rule applies', () => {
    const d = dest({
      ...learnt({ maxConnections: 3, at: Date.UTC(2026, 2, 1, 9) }),
      effective: { ...limits, maxConnections: 3 },
    });
    expect(limitTitle(d, 'connections')).toMatch(
      /^Learnt connections limit: 3, from the receiver's answers on .*2026.*\. Rule: 10\. In force: 3\.$/,
    );
    expect(limitTitle(d, 'messagesPerConnection')).toBe(
      "Messages per connection: 100, the rule's limit (nothing learnt)",
    );
    // Below the rule with nothing learnt: the connections' slow start (or a throttle, or a probing session).
    const starting = dest({ effective: { ...limits, maxConnections: 1 } });
    expect(limitCell(starting, 'connections')).toEqual({ text: '1', rule: '10 rule', learnt: false });
    expect(limitTitle(starting, 'connections')).toMatch(
      /^Connections in force: 1, below the rule's 10 \(nothing learnt: the connections' slow start/,
    );
  });

  it('reads a learnt-limit change of the shaping log, and nothing else', () => {
    expect(describeLimitChange({ detail: { limit: 'connections', from: 25, to: 3 } })).toBe(
      'connections 25 → 3',
    );
    expect(describeLimitChange({ detail: { limit: 'messagesPerConnection', from: null, to: 20 } })).toBe(
      'messages per connection rule → 20',
    );
    expect(describeLimitChange({ detail: { limit: 'rate', from: 45_000, to: 1200 } })).toBe(
      'rate 45,000/h → 1,200/h',
    );
    expect(describeLimitChange({ detail: { limit: 'rate', from: null, to: 600 } })).toBe(
      'rate unlimited → 600/h',
    );
    expect(describeLimitChange({ detail: { source: 'console', mxRules: 3 } })).toBeNull();
    expect(describeLimitChange({ detail: { limit: 'colour', from: 1, to: 2 } })).toBeNull();
    expect(describeLimitChange({ detail: { limit: 'rate', from: '1', to: 2 } })).toBeNull();
  });

  it('names the suspension level', () => {
    expect(suspensionLabel(0)).toBe('none');
    expect(suspensionLabel(1)).toBe('1 suspension');
    expect(suspensionLabel(3)).toBe('3 suspensions in a row');
  });
});

describe('reputation history per day', () => {
  it('gives the shares of the messages answered, refused sessions apart', () => {
    expect(dayShares(day('2026-03-01', 90, 8, 2, 5))).toEqual({
      answered: 100,
      accepted: 0.9,
      deferred: 0.08,
      bounced: 0.02,
    });
    expect(dayShares(day('2026-03-01', 0, 0, 0, 4))).toEqual({
      answered: 0,
      accepted: null,
      deferred: null,
      bounced: null,
    });
    expect(windowShares([day('2026-03-01', 90, 10, 0, 1), day('2026-03-02', 100, 0, 0, 2)])).toEqual({
      answered: 200,
      accepted: 0.95,
      deferred: 0.05,
      bounced: 0,
      refusedSessions: 3,
    });
  });

  it('lays out every day of the window as stacked percentages, days without answers empty', () => {
    const bars = historyBars(
      [day('2026-02-27', 50, 30, 20), day('2026-03-01', 3, 0, 0), day('2026-03-02', 0, 0, 0, 9)],
      '2026-02-27',
      '2026-03-02',
    );
    const midnight = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;
    expect(bars).toEqual({
      x: ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'].map(midnight),
      total: [100, null, 100, null],
      acceptedDeferred: [80, null, 100, null],
      accepted: [50, null, 100, null],
    });
  });

  it('writes days in UTC', () => {
    expect(formatDay('2026-03-01', true)).toMatch(/2026/);
    expect(formatDay('2026-03-01')).toMatch(/1/);
    expect(formatDay('2026-03-01')).not.toMatch(/Feb|28/);
  });
});

describe('throughput chart data', () => {
  it('lays the points out as uPlot columns with x in seconds', () => {
    expect(
      toAlignedData([
        { minute: 60_000, relayed: 5, accepted: 3, deferred: 1, bounced: 0 },
        { minute: 120_000, relayed: 0, accepted: 2, deferred: 0, bounced: 1 },
      ]),
    ).toEqual([
      [60, 120],
      [5, 0],
      [3, 2],
      [1, 0],
      [0, 1],
    ]);
    expect(toAlignedData([{ minute: 120_000, relayed: 2, accepted: 1, deferred: 0, bounced: 0 }])).toEqual([
      [60, 120, 180],
      [0, 2, 0],
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(widen(600, 660)).toEqual([330, 930]);
    expect(widen(0, 3600)).toEqual([0, 3600]);
  });
});
