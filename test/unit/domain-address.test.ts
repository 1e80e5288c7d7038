import { describe, expect, it } from 'vitest';
import { addressKey, checkAddress, domainOf, isValidDomain } from '../../src/shared/domain/address';

describe('checkAddress', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['  Bob.Smith+tag@Example.COM ', 'Bob.Smith+tag@example.com'],
    ['"john doe"@example.org', '"john doe"@example.org'],
    ["o'hara@sub.example.co.uk", "o'hara@sub.example.co.uk"],
    ['user@[192.168.0.1]', 'user@[192.168.0.1]'],
    ['jürgen@bücher.de', null],
    ['user@bücher.de', 'user@bücher.de'],
  ])('accepts %j', (raw, normalised) => {
    const check = checkAddress(raw);
    if (normalised === null) {
      expect(check.ok).toBe(false);
      expect(check.problem).toBe('local_part');
    } else {
      expect(check).toMatchObject({ ok: true, address: normalised });
    }
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['no-at-sign', 'no_at'],
    ['@example.com', 'no_at'],
    ['user@', 'no_at'],
    ['a..b@example.com', 'local_part'],
    ['.a@example.com', 'local_part'],
    ['a b@example.com', 'local_part'],
    ['user@localhost', 'domain'],
    ['user@-bad.com', 'domain'],
    ['user@bad_domain.com', 'domain'],
    [`${'x'.repeat(65)}@example.com`, 'too_long'],
  ])('rejects %j as %s', (raw, problem) => {
    const check = checkAddress(raw);
    expect(check.ok).toBe(false);
    expect(check.problem).toBe(problem);
    expect(check.message).toBeTruthy();
  });
});

describe('address helpers', () => {
  it('keys addresses case-insensitively and extracts the domain', () => {
    expect(addressKey(' Alice@Example.COM')).toBe('alice@example.com');
    expect(domainOf('a@b@Example.com')).toBe('example.com');
    expect(isValidDomain('example')).toBe(false);
    expect(isValidDomain('a.example')).toBe(true);
  });
});
