import { describe, expect, it } from 'vitest';
import { QUARANTINE_STATUSES } from '../../src/shared/contract/bounce';
import {
  QUARANTINE_STATUS_HINTS,
  QUARANTINE_STATUS_LABELS,
  QUARANTINE_STATUS_OPTIONS,
  quarantineAddress,
  searchPrefix,
} from '../../src/renderer/features/quarantine/quarantine-model';

describe('quarantine page model', () => {
  it('keys addresses in lower case, as the list does', () => {
    expect(quarantineAddress('  Bob.Smith@Example.COM ')).toEqual({
      ok: true,
      address: 'bob.smith@example.com',
    });
    expect(searchPrefix('  BOB.S ')).toBe('bob.s');
  });

  it('says what is wrong with an address that is not one', () => {
    expect(quarantineAddress('')).toEqual({ ok: false, message: 'no address' });
    const noAt = quarantineAddress('bob.example.com');
    expect(noAt.ok).toBe(false);
    if (!noAt.ok) expect(noAt.message).toContain('bob.example.com');
    expect(quarantineAddress('bob@localhost').ok).toBe(false);
  });

  it('labels, explains and offers every status of the contract, in its order', () => {
    expect(QUARANTINE_STATUS_OPTIONS.map((o) => o.id)).toEqual([...QUARANTINE_STATUSES]);
    for (const s of QUARANTINE_STATUSES) {
      expect(QUARANTINE_STATUS_LABELS[s]).toBeTruthy();
      expect(QUARANTINE_STATUS_HINTS[s]).toBeTruthy();
    }
  });
});
