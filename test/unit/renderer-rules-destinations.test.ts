import { describe, expect, it } from 'vitest';
import type { DestinationState } from '../../src/shared/contract/mta';
import { SHAPING_EVENT_KINDS } from '../../src/shared/contract/mta';
import {
  ago,
  domainsLabel,
  hostsLabel,
  isSuspended,
  rateLabel,
  SHAPING_KINDS,
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
