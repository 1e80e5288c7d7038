/**
 * The recipient checks of the delivery analysis: who preparation will exclude and why, role accounts (shared
 * mailboxes that rarely subscribed and often complain), domains one typo away from a big provider's
 * (`gmial.com`), and domains that cannot receive mail (no such domain, null MX, RFC 7505), looked up through the
 * injected resolver.
 */
import { parse as parseDomain } from 'tldts';
import type { AnalysisCheck } from '../../shared/contract/analysis';
import { dnsCode, type AnalysisDns } from './dns';

const AREA = 'recipients' as const;
const EXAMPLES = 5;

/** What preparation would do with the list, counted without creating anything. */
export interface RecipientFacts {
  /** Data rows of the list. */
  rows: number;
  /** Rows preparation would exclude, by reason (SPEC §1: quarantined, denylisted, duplicate, no address). */
  excluded: { quarantined: number; denylisted: number; double: number; address_not_specified: number };
  /** Recipients to deliver, by domain. */
  domains: ReadonlyMap<string, number>;
  /** Role-account recipients (a few addresses) and their count. */
  roleAccounts: { count: number; examples: string[] };
}

/** Local parts of shared mailboxes (RFC 2142 and the usual business ones). */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'abuse',
  'admin',
  'administrator',
  'billing',
  'contact',
  'enquiries',
  'help',
  'hostmaster',
  'info',
  'jobs',
  'mail',
  'marketing',
  'newsletter',
  'no-reply',
  'noc',
  'noreply',
  'office',
  'postmaster',
  'privacy',
  'sales',
  'security',
  'support',
  'team',
  'webmaster',
]);

export function isRoleAccount(address: string): boolean {
  const at = address.lastIndexOf('@');
  const local = (at < 0 ? address : address.slice(0, at)).toLowerCase().split('+')[0] ?? '';
  return ROLE_LOCAL_PARTS.has(local);
}

/** The big mailbox providers whose domains are mistyped most. */
export const PROVIDER_DOMAINS = [
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.fr',
  'yahoo.co.uk',
  'ymail.com',
  'hotmail.com',
  'hotmail.fr',
  'hotmail.co.uk',
  'outlook.com',
  'outlook.fr',
  'live.com',
  'live.fr',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'comcast.net',
  'orange.fr',
  'wanadoo.fr',
  'free.fr',
  'sfr.fr',
  'laposte.net',
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'mail.com',
  'web.de',
  't-online.de',
  'proton.me',
  'protonmail.com',
] as const;

/** Providers whose mail domains exist under many country suffixes (yahoo.de, hotmail.it, outlook.es, …). */
const MULTI_SUFFIX_PROVIDERS: ReadonlySet<string> = new Set([
  'yahoo',
  'hotmail',
  'outlook',
  'live',
  'gmx',
  'msn',
  'aol',
]);

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), stopped past `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]!.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const prev = rows[i - 1]!;
      const row = rows[i]!;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The provider domain `domain` is probably a typo of: one edit away (two for long names), same top-level
 * domain or a mistyped one (`gmail.con`); null for the providers themselves and for unrelated domains.
 */
export function providerTypo(domain: string): string | null {
  const d = domain.toLowerCase();
  if ((PROVIDER_DOMAINS as readonly string[]).includes(d)) return null;
  const parsed = parseDomain(d);
  if (parsed.isIcann && parsed.domainWithoutSuffix && MULTI_SUFFIX_PROVIDERS.has(parsed.domainWithoutSuffix))
    return null;
  let best: { provider: string; distance: number } | null = null;
  for (const provider of PROVIDER_DOMAINS) {
    const max = provider.length >= 10 ? 2 : 1;
    const distance = editDistance(d, provider, max);
    if (distance <= max && (!best || distance < best.distance)) best = { provider, distance };
  }
  return best?.provider ?? null;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function checkExclusions(facts: RecipientFacts): AnalysisCheck {
  const e = facts.excluded;
  const excluded = e.quarantined + e.denylisted + e.double + e.address_not_specified;
  const toDeliver = facts.rows - excluded;
  const details = [
    e.quarantined && `Quarantined: ${e.quarantined.toLocaleString('en-US')}`,
    e.denylisted && `Denylisted: ${e.denylisted.toLocaleString('en-US')}`,
    e.double && `Duplicates: ${e.double.toLocaleString('en-US')}`,
    e.address_not_specified && `No address: ${e.address_not_specified.toLocaleString('en-US')}`,
  ].filter((d): d is string => typeof d === 'string');
  if (toDeliver <= 0)
    return {
      id: 'recipients.excluded',
      area: AREA,
      result: 'error',
      title: 'No recipient left to deliver to',
      explanation: `All ${plural(facts.rows, 'row')} of the list would be excluded.`,
      fix: 'Check the list: the address column, and whether these addresses are quarantined.',
      details,
    };
  const share = facts.rows > 0 ? excluded / facts.rows : 0;
  return {
    id: 'recipients.excluded',
    area: AREA,
    result: share > 0.1 ? 'warning' : excluded > 0 ? 'info' : 'pass',
    title:
      excluded === 0
        ? `${plural(toDeliver, 'recipient')} to deliver, none excluded`
        : `${plural(toDeliver, 'recipient')} to deliver, ${excluded.toLocaleString('en-US')} excluded`,
    explanation:
      excluded === 0
        ? 'Every row has an address that is neither quarantined, denylisted nor repeated.'
        : 'Preparation leaves these rows out (status Ignored, with the reason).' +
          (share > 0.1
            ? ` That is ${(share * 100).toFixed(1)} % of the list: an old or bought list has this profile.`
            : ''),
    ...(share > 0.1 && {
      fix: 'Clean the list at its source before sending, and check where it comes from.',
    }),
    ...(details.length > 0 && { details }),
  };
}

export function checkRoleAccounts(facts: RecipientFacts): AnalysisCheck {
  const { count, examples } = facts.roleAccounts;
  if (count === 0)
    return {
      id: 'recipients.roles',
      area: AREA,
      result: 'pass',
      title: 'No role accounts',
      explanation: 'No shared mailbox such as info@ or sales@ in the list.',
    };
  return {
    id: 'recipients.roles',
    area: AREA,
    result: 'warning',
    title: `${plural(count, 'role account')} (info@, sales@, …)`,
    explanation:
      'Shared mailboxes are read by several people who did not subscribe; they complain more and some are ' +
      'spam traps. Mailbox providers count those complaints against you.',
    fix: 'Remove role accounts unless they asked for this mail.',
    details: examples.slice(0, EXAMPLES),
  };
}

export function checkTypos(facts: RecipientFacts): AnalysisCheck {
  const typos: { domain: string; provider: string; recipients: number }[] = [];
  for (const [domain, recipients] of facts.domains) {
    const provider = providerTypo(domain);
    if (provider) typos.push({ domain, provider, recipients });
  }
  typos.sort((a, b) => b.recipients - a.recipients);
  if (typos.length === 0)
    return {
      id: 'recipients.typos',
      area: AREA,
      result: 'pass',
      title: 'No mistyped provider domains',
      explanation: 'No domain looks like a typo of a big mailbox provider’s.',
    };
  const total = typos.reduce((n, t) => n + t.recipients, 0);
  return {
    id: 'recipients.typos',
    area: AREA,
    result: 'warning',
    title: `${plural(total, 'recipient')} on mistyped provider domains`,
    explanation:
      'These domains are one typo away from a big provider’s: the messages bounce, or reach a typo-squatter ' +
      'or a spam trap.',
    fix: 'Correct the addresses at the source of the list (and check its sign-up form).',
    details: typos
      .slice(0, 10)
      .map((t) => `${t.domain} (${plural(t.recipients, 'recipient')}): did you mean ${t.provider}?`),
  };
}

/** At most this many domains are looked up (the largest first); the rest are named as not checked. */
export const MX_LOOKUP_LIMIT = 500;
const MX_CONCURRENCY = 8;

type MxVerdict = 'ok' | 'no_domain' | 'null_mx' | 'no_mail_host' | 'lookup_failed';

async function mxVerdict(dns: AnalysisDns, domain: string): Promise<{ verdict: MxVerdict; code?: string }> {
  try {
    const mx = await dns.resolveMx(domain);
    // RFC 7505: a single MX of preference 0 with the root as exchange ("." or "") means no mail.
    if (mx.length === 1 && (mx[0]!.exchange === '' || mx[0]!.exchange === '.')) return { verdict: 'null_mx' };
    return { verdict: 'ok' };
  } catch (err) {
    const code = dnsCode(err);
    if (code === 'ENOTFOUND') return { verdict: 'no_domain' };
    if (code !== 'ENODATA') return { verdict: 'lookup_failed', code };
  }
  // No MX: mail goes to the domain's own address (RFC 5321 §5.1) if it has one.
  try {
    if ((await dns.resolve4(domain)).length > 0) return { verdict: 'ok' };
  } catch (err) {
    if (!['ENOTFOUND', 'ENODATA'].includes(dnsCode(err)))
      return { verdict: 'lookup_failed', code: dnsCode(err) };
  }
  try {
    if ((await dns.resolve6(domain)).length > 0) return { verdict: 'ok' };
  } catch (err) {
    if (!['ENOTFOUND', 'ENODATA'].includes(dnsCode(err)))
      return { verdict: 'lookup_failed', code: dnsCode(err) };
  }
  return { verdict: 'no_mail_host' };
}

const VERDICT_TEXT: Record<Exclude<MxVerdict, 'ok'>, string> = {
  no_domain: 'domain does not exist',
  null_mx: 'takes no mail (null MX)',
  no_mail_host: 'no MX and no address',
  lookup_failed: 'lookup failed',
};

export async function checkDomainsMx(dns: AnalysisDns, facts: RecipientFacts): Promise<AnalysisCheck> {
  const domains = [...facts.domains].sort((a, b) => b[1] - a[1]);
  const looked = domains.slice(0, MX_LOOKUP_LIMIT);
  const results: { domain: string; recipients: number; verdict: MxVerdict; code?: string }[] = [];
  let next = 0;
  async function worker() {
    while (next < looked.length) {
      const [domain, recipients] = looked[next++]!;
      results.push({ domain, recipients, ...(await mxVerdict(dns, domain)) });
    }
  }
  await Promise.all(Array.from({ length: Math.min(MX_CONCURRENCY, looked.length) }, worker));
  const dead = results.filter((r) => r.verdict !== 'ok' && r.verdict !== 'lookup_failed');
  const failed = results.filter((r) => r.verdict === 'lookup_failed');
  dead.sort((a, b) => b.recipients - a.recipients);
  const skipped = domains.length - looked.length;
  const notChecked =
    skipped > 0
      ? [`${plural(skipped, 'smaller domain')} not looked up (the ${MX_LOOKUP_LIMIT} largest were)`]
      : [];
  if (dead.length === 0 && failed.length === 0)
    return {
      id: 'recipients.mx',
      area: AREA,
      result: 'pass',
      title: `All ${plural(looked.length, 'domain')} looked up take mail`,
      explanation: 'Each has an MX record, or an address mail can go to.',
      ...(notChecked.length > 0 && { details: notChecked }),
    };
  const deadRecipients = dead.reduce((n, r) => n + r.recipients, 0);
  return {
    id: 'recipients.mx',
    area: AREA,
    result: 'warning',
    title:
      dead.length > 0
        ? `${plural(deadRecipients, 'recipient')} on ${plural(dead.length, 'domain')} that take no mail`
        : `${plural(failed.length, 'domain')} could not be looked up`,
    explanation:
      'Messages to a domain that does not exist or publishes a null MX bounce (reason Invalid domain); many such ' +
      'bounces lower your reputation.',
    fix: 'Remove these addresses from the list, or correct their domains.',
    details: [
      ...dead
        .slice(0, 10)
        .map(
          (r) =>
            `${r.domain} (${plural(r.recipients, 'recipient')}): ${VERDICT_TEXT[r.verdict as Exclude<MxVerdict, 'ok'>]}`,
        ),
      ...failed.slice(0, 5).map((r) => `${r.domain}: lookup failed (${r.code ?? 'error'}), not judged`),
      ...notChecked,
    ],
  };
}
