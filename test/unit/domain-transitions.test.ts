import { describe, expect, it } from 'vitest';
import { nextStatus, successDelta } from '../../src/shared/domain/transitions';

describe('SPEC §2.1 status table (synchronous and asynchronous events)', () => {
  it('relays and cancels only messages not relayed yet', () => {
    expect(nextStatus('efs', 'relayed', 'pending')).toBe('taken_into_account');
    expect(nextStatus('classic', 'relayed', 'pending')).toBe('sent');
    expect(nextStatus('efs', 'relayed', 'sent')).toBe('sent');
    expect(nextStatus('efs', 'cancelled', 'pending')).toBe('cancelled');
    expect(nextStatus('classic', 'cancelled', 'taken_into_account')).toBe('taken_into_account');
  });

  it.each(['efs', 'classic'] as const)('%s: the MTA outcomes', (mode) => {
    const inMta = mode === 'efs' ? 'taken_into_account' : 'sent';
    expect(nextStatus(mode, 'hard_bounce', inMta)).toBe('failed');
    expect(nextStatus(mode, 'soft_bounce', inMta)).toBe(inMta);
    expect(nextStatus(mode, 'delivered', inMta)).toBe('sent');
    expect(nextStatus(mode, 'expired', inMta)).toBe('failed');
  });

  it.each(['efs', 'classic'] as const)(
    '%s: a report fails a Sent message only; delays and complaints keep the status',
    (mode) => {
      expect(nextStatus(mode, 'reported_failed', 'sent')).toBe('failed');
      expect(nextStatus(mode, 'reported_failed', 'taken_into_account')).toBe('taken_into_account');
      expect(nextStatus(mode, 'reported_failed', 'failed')).toBe('failed');
      expect(nextStatus(mode, 'reported_delayed', 'sent')).toBe('sent');
      expect(nextStatus(mode, 'complaint', 'sent')).toBe('sent');
    },
  );

  it('moves the success counter with the Sent status', () => {
    expect(successDelta('pending', 'sent')).toBe(1);
    expect(successDelta('sent', 'failed')).toBe(-1);
    expect(successDelta('taken_into_account', 'failed')).toBe(0);
  });
});
