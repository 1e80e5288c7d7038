/**
 * Domain masks as used by routes and rules: `example.com` (exact), `*.example.com` (any subdomain, not the
 * domain itself), `*.test` and `*` (everything). The most specific mask wins.
 */

export function isValidMask(mask: string): boolean {
  if (mask === '*') return true;
  const body = mask.startsWith('*.') ? mask.slice(2) : mask;
  return /^(?!-)[a-z0-9-]+(?:\.[a-z0-9-]+)*$/i.test(body);
}

export function maskMatches(mask: string, domain: string): boolean {
  const m = mask.toLowerCase();
  const d = domain.toLowerCase();
  if (m === '*') return true;
  if (m.startsWith('*.')) return d.endsWith(m.slice(1));
  return d === m;
}

/** Higher is more specific: exact > longer wildcard > shorter wildcard > `*`. */
export function maskSpecificity(mask: string): number {
  if (mask === '*') return 0;
  const labels = mask.split('.').length;
  return mask.startsWith('*.') ? labels * 2 - 1 : labels * 2 + 1000;
}

export function mostSpecific<T extends { mask: string }>(items: readonly T[], domain: string): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const item of items) {
    if (!maskMatches(item.mask, domain)) continue;
    const score = maskSpecificity(item.mask);
    if (score > bestScore) {
      best = item;
      bestScore = score;
    }
  }
  return best;
}
