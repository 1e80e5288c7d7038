/**
 * Destinations known from the store only (api/stored-destinations.ts): kind and hosts read from the key, the
 * rule its hosts match, the learnt limits and the effective ones (the lower of rule and learnt), a suspension
 * shown only while it lasts, and live destinations listed first and never duplicated.
 */
import { describe, expect, it } from 'vitest';
import {
  keyTarget,
  storedDestinationState,
  withStoredDestinations,
} from '../../src/main/api/stored-destinations';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import type { StoredDestination } from '../../src/main/store/destination-days-repo';

const NOW = Date.UTC(2026, 5, 1, 12);

const stored = (patch: Partial<StoredDestination> = {}): StoredDestination => ({
  key: 'mx:alt1.gmail-smtp-in.l.google.com,gmail-smtp-in.l.google.com',
  learntMaxConnections: 3,
  learntMessagesPerConnection: null,
  ratePerHour: 1200,
  suspendedUntil: null,
  suspensionLevel: 2,
  learntAt: NOW - 3_600_000,
  reason: null,
  lastDay: '2026-06-01',
  ...patch,
});

describe('stored destinations', () => {
  it('reads the kind and hosts from the key', () => {
    expect(keyTarget('mx:a.mx.test,b.mx.test')).toEqual({ kind: 'mx', hosts: ['a.mx.test', 'b.mx.test'] });
    expect(keyTarget('smtp:127.0.0.1:2525')).toEqual({ kind: 'smtp', hosts: ['127.0.0.1'] });
    expect(keyTarget('other')).toEqual({ kind: 'smtp', hosts: [] });
  });

  it('matches the rule by host and lowers its limits to the learnt ones', () => {
    const d = storedDestinationState(stored(), DEFAULT_RULES.mxRules, NOW);
    expect(d).toMatchObject({
      kind: 'mx',
      hosts: ['alt1.gmail-smtp-in.l.google.com', 'gmail-smtp-in.l.google.com'],
      ruleId: 'gmail',
      configured: { maxConnections: 20, maxMessagesPerConnection: 100, messagesPerHour: 60_000 },
      effective: { maxConnections: 3, maxMessagesPerConnection: 100, messagesPerHour: 1200 },
      learnt: {
        maxConnections: 3,
        maxMessagesPerConnection: null,
        messagesPerHour: 1200,
        at: NOW - 3_600_000,
      },
      suspensionLevel: 2,
      live: false,
      openConnections: 0,
      queued: 0,
      suspendedUntil: null,
    });
  });

  it('keeps the rule where the learnt limit is above it, and learns a rate under a rule without one', () => {
    const d = storedDestinationState(
      stored({ key: 'mx:mx.other.test', learntMaxConnections: 40, ratePerHour: 500 }),
      DEFAULT_RULES.mxRules,
      NOW,
    );
    expect(d.ruleId).toBe('generic');
    expect(d.effective.maxConnections).toBe(d.configured.maxConnections);
    expect(d.effective.messagesPerHour).toBe(
      d.configured.messagesPerHour === null ? 500 : Math.min(500, d.configured.messagesPerHour),
    );
  });

  it('shows a suspension only while it lasts', () => {
    const on = stored({ suspendedUntil: NOW + 60_000, reason: '421 too many connections' });
    expect(storedDestinationState(on, DEFAULT_RULES.mxRules, NOW)).toMatchObject({
      suspendedUntil: NOW + 60_000,
      suspendedReason: '421 too many connections',
    });
    expect(storedDestinationState(on, DEFAULT_RULES.mxRules, NOW + 60_000)).toMatchObject({
      suspendedUntil: null,
      suspendedReason: null,
    });
  });

  it('lists the live destinations first and adds only the stored ones the engine does not know', () => {
    const live = storedDestinationState(stored({ key: 'mx:live.test' }), DEFAULT_RULES.mxRules, NOW);
    const merged = withStoredDestinations(
      [{ ...live, live: undefined }],
      [stored({ key: 'mx:live.test' }), stored({ key: 'mx:kept.test' })],
      DEFAULT_RULES.mxRules,
      NOW,
    );
    expect(merged.map((d) => [d.key, d.live])).toEqual([
      ['mx:live.test', undefined],
      ['mx:kept.test', false],
    ]);
  });
});
