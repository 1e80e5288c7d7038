import { describe, expect, it } from 'vitest';
import { normaliseReply, normaliseText } from '../../src/main/engine/bounce/normalise';

describe('normaliseReply', () => {
  it('collapses identical failures to different addresses', () => {
    expect(normaliseReply('550 5.1.1 <a@b.com>: User unknown')).toBe('550 5.1.1 <{email}>: User unknown');
    expect(normaliseReply('550 5.1.1 <c@d.org>: User unknown')).toBe(
      normaliseReply('550 5.1.1 <a@b.com>: User unknown'),
    );
  });

  it('replaces IPs, dates, times, hosts with digits, ids, numbers and URL queries; keeps codes', () => {
    expect(
      normaliseReply(
        '421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred - see https://postmaster.yahooinc.com/error-codes?x=1',
      ),
    ).toBe(
      '421 4.7.0 [TSS04] Messages from {ip} temporarily deferred - see https://postmaster.yahooinc.com/error-codes?{query}',
    );
    expect(
      normaliseText('from 2a00:1450:4864:20::1a at Mon, 1 Jan 2024 10:00:00 +0000 queue 4F2C81234A'),
    ).toBe('from {ip} at {date} queue {id}');
    expect(
      normaliseText('[BN8NAM11FT012.eop-nam11.prod.protection.outlook.com 2024-03-02T10:11:12.000Z] (S3150)'),
    ).toBe('[{host} {date}] (S3150)');
    expect(normaliseText('retry in 120 seconds at 10:11:12')).toBe('retry in {n} seconds at {time}');
  });

  it('joins multi-line replies and keeps the first code', () => {
    expect(normaliseReply('550-5.1.1 The email account\r\n550 5.1.1 does not exist')).toBe(
      '550 5.1.1 The email account does not exist',
    );
  });

  it('caps the length', () => {
    expect(normaliseReply(`550 ${'x '.repeat(5000)}`).length).toBeLessThanOrEqual(1000);
  });
});
