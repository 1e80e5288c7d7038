import { describe, expect, it } from 'vitest';
import { isValidMask, maskMatches, mostSpecific } from '../../src/shared/domain/domain-mask';

describe('domain masks', () => {
  it('matches exact domains, subdomain wildcards and *', () => {
    expect(maskMatches('example.com', 'EXAMPLE.com')).toBe(true);
    expect(maskMatches('example.com', 'mail.example.com')).toBe(false);
    expect(maskMatches('*.example.com', 'mail.example.com')).toBe(true);
    expect(maskMatches('*.example.com', 'example.com')).toBe(false);
    expect(maskMatches('*.test', 'inbox.test')).toBe(true);
    expect(maskMatches('*', 'anything.org')).toBe(true);
  });

  it('picks the most specific matching route whatever the order', () => {
    const routes = [
      { mask: '*', target: 'all' },
      { mask: '*.test', target: 'tests' },
      { mask: 'inbox.test', target: 'inbox' },
      { mask: '*.b.test', target: 'deep' },
    ];
    expect(mostSpecific(routes, 'inbox.test')?.target).toBe('inbox');
    expect(mostSpecific(routes, 'a.b.test')?.target).toBe('deep');
    expect(mostSpecific(routes, 'corp.test')?.target).toBe('tests');
    expect(mostSpecific(routes, 'example.com')?.target).toBe('all');
    expect(mostSpecific(routes.slice(1, 3), 'example.com')).toBeUndefined();
  });

  it('validates masks', () => {
    for (const ok of ['*', '*.test', 'example.com', 'a-b.example.co.uk']) expect(isValidMask(ok)).toBe(true);
    for (const bad of ['', '**', '*.', 'exa mple.com', '*example.com', 'a.*.com'])
      expect(isValidMask(bad)).toBe(false);
  });
});
