/**
 * The authentication checks of the delivery analysis (SPEC §5): the DKIM key that will sign and its DNS record,
 * SPF for the return-path domain evaluated for the sending addresses, and DMARC for the From domain with the
 * alignment of From with the DKIM and SPF domains. SPF and DMARC are evaluated by mailauth (the library that
 * signs and verifies here) through the injected resolver; this module turns its findings into plain checks.
 */
import { isIP } from 'node:net';
import { dmarc, spf } from 'mailauth';
import type { AnalysisCheck } from '../../shared/contract/analysis';
import {
  chooseSigning,
  dkimDnsName,
  signingDomainCandidates,
  type DkimKeyType,
  type SigningBasis,
} from '../../shared/domain/dkim';
import { dnsCode, isNoRecord, mailauthResolver, type AnalysisDns } from './dns';

/** A key that signs for its domain (the newest enabled key of its type, as the engine chooses). */
export interface SigningKey {
  domain: string;
  selector: string;
  type: DkimKeyType;
  /** RSA modulus length; null for ed25519. */
  bits: number | null;
  /** The `p=` value the key's TXT record must publish. */
  publicKey: string;
}

export interface DkimFindings {
  checks: AnalysisCheck[];
  /** The d= domain that will sign, or null when the messages would leave unsigned. */
  signingDomain: string | null;
}

/** RFC 6376 §3.2 tag=value list; null when it is not one (a tag without `=`, an empty or repeated name). */
export function parseTagList(text: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (!/^[a-z][a-z0-9_]*$/.test(name) || tags.has(name)) return null;
    tags.set(name, part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return tags;
}

const DKIM_AREA = 'authentication' as const;

/** An RSA key under 1024 bits never signs (SPEC §5, RFC 8301). */
const MIN_RSA_BITS = 1024;
const usable = (k: SigningKey) => k.type !== 'rsa' || k.bits === null || k.bits >= MIN_RSA_BITS;

/**
 * The domain whose keys sign a message, as the engine chooses it (`chooseSigning`, shared with the engine):
 * the From domain or a parent with an RSA key, else the envelope sender's domain or a parent with one, else a
 * domain with an ed25519 key alone. `aligned`: d= is on From's side (it counts for DMARC).
 */
export function chooseSigningDomain(
  fromDomain: string,
  envelopeDomain: string,
  keys: readonly SigningKey[],
): { domain: string; aligned: boolean; basis: SigningBasis } | null {
  const choice = chooseSigning(fromDomain, envelopeDomain, (d) => {
    const of = keys.filter((k) => k.domain === d && usable(k));
    if (of.length === 0) return undefined;
    return { rsa: of.some((k) => k.type === 'rsa'), ed25519: of.some((k) => k.type === 'ed25519') };
  });
  return choice && { domain: choice.domain, aligned: choice.fromSide, basis: choice.basis };
}

export async function checkDkim(
  dns: AnalysisDns,
  input: { fromDomain: string; envelopeDomain: string; keys: readonly SigningKey[] },
): Promise<DkimFindings> {
  const chosen = chooseSigningDomain(input.fromDomain, input.envelopeDomain, input.keys);
  // RSA keys too short to be used, on the domains that could sign: said, since they explain an unsigned result.
  const candidates = new Set([
    ...signingDomainCandidates(input.fromDomain),
    ...signingDomainCandidates(input.envelopeDomain),
  ]);
  const short = input.keys.filter((k) => !usable(k) && candidates.has(k.domain));
  if (!chosen) {
    return {
      signingDomain: null,
      checks: [
        {
          id: 'dkim.key',
          area: DKIM_AREA,
          result: 'error',
          title: `No DKIM key for ${input.fromDomain}`,
          explanation:
            (input.envelopeDomain === input.fromDomain
              ? `${input.fromDomain} has no enabled DKIM key that can sign`
              : `Neither ${input.fromDomain} nor the return-path domain ${input.envelopeDomain} has an enabled DKIM key that can sign`) +
            ', so the messages would leave unsigned. Gmail and Yahoo refuse or junk unsigned bulk mail.',
          fix: `Generate a key for ${input.fromDomain} on the DKIM page and publish the TXT record it shows.`,
        },
        ...(short.length > 0 ? [strengthCheck(short)] : []),
      ],
    };
  }
  const keys = input.keys.filter((k) => k.domain === chosen.domain && usable(k));
  const checks: AnalysisCheck[] = [keyCheck(input.fromDomain, chosen, keys)];
  for (const key of keys) checks.push(await dnsCheck(dns, key));
  checks.push(strengthCheck(keys));
  return { checks, signingDomain: chosen.domain };
}

function describeKey(k: SigningKey): string {
  return k.type === 'rsa' ? `rsa-sha256 ${k.bits ?? '?'}-bit` : 'ed25519-sha256';
}

function keyCheck(
  fromDomain: string,
  chosen: { domain: string; aligned: boolean },
  keys: readonly SigningKey[],
): AnalysisCheck {
  const list = keys.map((k) => `selector ${k.selector} (${describeKey(k)})`).join(' and ');
  if (chosen.aligned)
    return {
      id: 'dkim.key',
      area: DKIM_AREA,
      result: 'pass',
      title: `Signed by ${chosen.domain}: ${list}`,
      explanation: `Every message from ${fromDomain} is signed with d=${chosen.domain}, aligned with From for DMARC.`,
    };
  return {
    id: 'dkim.key',
    area: DKIM_AREA,
    result: 'warning',
    title: `No DKIM key for ${fromDomain}: signed by ${chosen.domain} instead`,
    explanation:
      `${fromDomain} has no enabled key, so the messages are signed with the return-path domain's key ` +
      `(${list}). The signature is valid but not aligned with From, so it does not count for DMARC.`,
    fix: `Generate a key for ${fromDomain} on the DKIM page and publish its TXT record.`,
  };
}

async function dnsCheck(dns: AnalysisDns, key: SigningKey): Promise<AnalysisCheck> {
  const name = dkimDnsName(key.selector, key.domain);
  const id = `dkim.dns.${key.selector}.${key.type}`;
  const fix = `Publish the TXT record shown on the DKIM page for ${name}.`;
  let records: string[];
  try {
    records = (await dns.resolveTxt(name)).map((r) => r.join(''));
  } catch (err) {
    if (isNoRecord(err))
      return {
        id,
        area: DKIM_AREA,
        result: 'error',
        title: `No DKIM record published at ${name}`,
        explanation: 'Receivers cannot find the public key, so every signature with this selector fails.',
        fix,
      };
    return {
      id,
      area: DKIM_AREA,
      result: 'warning',
      title: `Could not look up ${name} (${dnsCode(err)})`,
      explanation: 'The DNS lookup failed, so the published key could not be compared with the stored one.',
      fix: 'Run the analysis again; if it keeps failing, check the DNS servers this machine uses.',
    };
  }
  const parsed = records.map((text) => ({ text, tags: parseTagList(text) }));
  const keyRecords = parsed.filter((r) => r.tags?.has('p'));
  if (keyRecords.length !== 1) {
    return {
      id,
      area: DKIM_AREA,
      result: 'error',
      title:
        keyRecords.length === 0
          ? `The record at ${name} is not a DKIM key record`
          : `${keyRecords.length} DKIM records at ${name}`,
      explanation:
        keyRecords.length === 0
          ? 'It has no valid "p=" tag (the public key), so receivers cannot verify the signatures.'
          : 'Receivers expect exactly one key record per selector; with several the result is unpredictable.',
      fix,
      details: records.map((r) => `Found: ${r}`),
    };
  }
  const record = keyRecords[0]!;
  const tags = record.tags!;
  const published = tags.get('p') ?? '';
  const publishedType = tags.get('k') ?? 'rsa';
  const version = tags.get('v');
  if (version !== undefined && version !== 'DKIM1')
    return {
      id,
      area: DKIM_AREA,
      result: 'error',
      title: `The record at ${name} is malformed (v=${version})`,
      explanation: 'A DKIM key record that has a v= tag must have v=DKIM1; receivers ignore this one.',
      fix,
      details: [`Found: ${record.text}`],
    };
  if (published === '')
    return {
      id,
      area: DKIM_AREA,
      result: 'error',
      title: `The key at ${name} is revoked (empty p=)`,
      explanation: 'An empty p= tag tells receivers the key was withdrawn; every signature with it fails.',
      fix,
    };
  if (publishedType !== key.type || published !== key.publicKey)
    return {
      id,
      area: DKIM_AREA,
      result: 'error',
      title: `The key published at ${name} is not the stored key`,
      explanation:
        publishedType !== key.type
          ? `DNS publishes a k=${publishedType} key but the stored key is ${key.type}, so signatures fail.`
          : 'DNS publishes another public key than the one Relaydeck signs with, so signatures fail.',
      fix,
      details: [`Found: ${record.text}`],
    };
  return {
    id,
    area: DKIM_AREA,
    result: 'pass',
    title: `DKIM record at ${name} matches the stored key`,
    explanation: `The published ${key.type} public key is the one the messages are signed with.`,
  };
}

function strengthCheck(keys: readonly SigningKey[]): AnalysisCheck {
  const rsa = keys.find((k) => k.type === 'rsa');
  if (!rsa)
    return {
      id: 'dkim.strength',
      area: DKIM_AREA,
      result: 'error',
      title: 'No RSA key: signed with ed25519 only',
      explanation:
        'Few receivers verify ed25519-sha256 signatures (RFC 8463); to the others the messages look unsigned. ' +
        'An RSA signature must always be there, ed25519 only as a second one.',
      fix: 'Generate an RSA key (2048 bits) for this domain on the DKIM page.',
    };
  const bits = rsa.bits ?? 0;
  if (bits < 1024)
    return {
      id: 'dkim.strength',
      area: DKIM_AREA,
      result: 'error',
      title: `RSA key of ${bits} bits is too short`,
      explanation:
        'Receivers ignore RSA DKIM keys shorter than 1024 bits (RFC 8301), so Relaydeck never signs with one.',
      fix: 'Generate a 2048-bit key on the DKIM page and publish it.',
    };
  if (bits < 2048)
    return {
      id: 'dkim.strength',
      area: DKIM_AREA,
      result: 'warning',
      title: `RSA key of ${bits} bits: 2048 advised`,
      explanation: '1024-bit keys are accepted but considered weak; the big providers advise 2048 bits.',
      fix: 'Generate a 2048-bit key on the DKIM page, publish it, then disable the old one.',
    };
  return {
    id: 'dkim.strength',
    area: DKIM_AREA,
    result: 'pass',
    title: `RSA key of ${bits} bits`,
    explanation: 'Key length meets receivers’ requirements.',
  };
}

// ---- SPF ----

/** RFC 7208 §4.6.4: the terms that cost a DNS lookup, at most 10 per evaluation. */
const LOOKUP_TERM = /^[+\-~?]?(include:|a$|a[:/]|mx$|mx[:/]|ptr$|ptr:|exists:|redirect=)/i;
export const SPF_LOOKUP_LIMIT = 10;

/**
 * The DNS-querying terms of an SPF record and of the records it includes or redirects to, counted over the
 * whole tree (an evaluation stops at its first match, a receiver's may not). Records not among the `known`
 * answers are fetched; terms with macros are counted but not followed; the walk stops past the limit.
 */
export async function countSpfLookups(
  dns: Pick<AnalysisDns, 'resolveTxt'>,
  domain: string,
  known: ReadonlyMap<string, string[]>,
): Promise<number> {
  const seen = new Set<string>();
  let count = 0;
  async function walk(name: string): Promise<void> {
    const key = name.toLowerCase();
    if (seen.has(key) || count > SPF_LOOKUP_LIMIT) return;
    seen.add(key);
    let records = known.get(key);
    if (!records) {
      try {
        records = (await dns.resolveTxt(key)).map((r) => r.join(''));
      } catch {
        return; // a void or failed lookup: counted as the term that asked for it, nothing to follow
      }
    }
    const record = records.find((r) => /^v=spf1(\s|$)/i.test(r));
    if (!record) return;
    for (const term of record.split(/\s+/).slice(1)) {
      if (!LOOKUP_TERM.test(term)) continue;
      count++;
      const target = /^[+\-~?]?(?:include:|redirect=)(.+)$/i.exec(term)?.[1];
      if (target && !target.includes('%')) await walk(target);
    }
  }
  await walk(domain);
  return count;
}

/** Addresses receivers never see (loopback, private, link-local): SPF cannot be judged for them. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = ip.toLowerCase();
  return v6 === '::1' || v6.startsWith('fe80:') || v6.startsWith('fc') || v6.startsWith('fd');
}

export interface SpfFindings {
  checks: AnalysisCheck[];
  /** SPF passed for every public sending address (the SPF side of DMARC alignment). */
  passes: boolean;
}

type SpfStatus = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';

export async function checkSpf(
  dns: AnalysisDns,
  input: { returnPathDomain: string; ips: readonly string[]; helo: string },
): Promise<SpfFindings> {
  const domain = input.returnPathDomain.toLowerCase();
  const area = 'authentication' as const;
  const recorder = mailauthResolver(dns);
  const publicIps = input.ips.filter((ip) => !isPrivateAddress(ip));
  // With only private addresses the record is still read (found, syntax, lookups) through a documentation
  // address; its verdict for that address means nothing and is not reported.
  const evaluated = publicIps.length > 0 ? publicIps : ['192.0.2.1'];
  const results: { ip: string; status: SpfStatus; comment: string }[] = [];
  for (const ip of evaluated) {
    const r = await spf({
      sender: `postmaster@${domain}`,
      ip,
      helo: input.helo,
      mta: input.helo,
      resolver: recorder.resolve as never,
      maxResolveCount: SPF_LOOKUP_LIMIT,
    });
    const comment = typeof r.status.comment === 'string' ? r.status.comment : '';
    results.push({ ip, status: r.status.result as SpfStatus, comment });
  }
  const records = (recorder.txt.get(domain) ?? []).filter((r) => /^v=spf1(\s|$)/i.test(r));
  const permerror = results.find((r) => r.status === 'permerror');
  // mailauth stops at the limit, so the records past it were never fetched: the count is then a lower bound.
  const overLimit = permerror !== undefined && /too many dns requests/i.test(permerror.comment);
  const lookups = Math.max(
    await countSpfLookups(dns, domain, recorder.txt),
    overLimit ? SPF_LOOKUP_LIMIT + 1 : 0,
  );
  const checks: AnalysisCheck[] = [];
  const first = results[0]!;
  const fix = `Publish one TXT record on ${domain} starting with "v=spf1" that lists the sending addresses.`;

  if (first.status === 'temperror') {
    checks.push({
      id: 'spf.record',
      area,
      result: 'warning',
      title: `Could not look up the SPF record of ${domain}`,
      explanation: 'The DNS lookup failed, so SPF could not be checked.',
      ...(first.comment && { details: [first.comment] }),
      fix: 'Run the analysis again; if it keeps failing, check the DNS servers this machine uses.',
    });
    return { checks, passes: false };
  }
  if (records.length === 0) {
    checks.push({
      id: 'spf.record',
      area,
      result: 'error',
      title: `No SPF record for ${domain}`,
      explanation:
        `${domain} is the return-path domain (the envelope sender); without an SPF record receivers cannot ` +
        'tell which servers may send for it. Gmail and Yahoo require SPF for bulk senders.',
      fix,
    });
    return { checks, passes: false };
  }
  if (records.length > 1 || (permerror && lookups <= SPF_LOOKUP_LIMIT)) {
    checks.push({
      id: 'spf.record',
      area,
      result: 'error',
      title:
        records.length > 1
          ? `${records.length} SPF records for ${domain}`
          : `The SPF record of ${domain} is invalid`,
      explanation:
        records.length > 1
          ? 'A domain must publish exactly one SPF record; with several, receivers treat SPF as broken (permerror).'
          : `Receivers treat it as broken (permerror${permerror?.comment ? `: ${permerror.comment}` : ''}).`,
      fix: `Merge them into one valid record on ${domain}.`,
      details: records.map((r) => `Found: ${r}`),
    });
    return { checks, passes: false };
  }
  checks.push({
    id: 'spf.record',
    area,
    result: 'pass',
    title: `SPF record found for ${domain}`,
    explanation: 'The return-path domain publishes one SPF record.',
    details: [`Found: ${records[0]}`],
  });
  checks.push(
    lookups > SPF_LOOKUP_LIMIT
      ? {
          id: 'spf.lookups',
          area,
          result: 'error',
          title: `SPF needs more than ${SPF_LOOKUP_LIMIT} DNS lookups`,
          explanation:
            'RFC 7208 allows 10 lookups (include, a, mx, ptr, exists, redirect, counted through the includes); ' +
            'beyond that receivers stop and treat SPF as broken (permerror).',
          fix: 'Replace includes by the ip4:/ip6: ranges they resolve to, or remove providers no longer used.',
        }
      : {
          id: 'spf.lookups',
          area,
          result: 'pass',
          title: `SPF uses ${lookups} of ${SPF_LOOKUP_LIMIT} DNS lookups`,
          explanation: 'Within the limit of RFC 7208.',
        },
  );
  if (lookups > SPF_LOOKUP_LIMIT) return { checks, passes: false };

  if (publicIps.length === 0) {
    checks.push({
      id: 'spf.ips',
      area,
      result: 'info',
      title: `SPF not evaluated for ${input.ips.join(', ') || 'this machine'}`,
      explanation:
        'The sending addresses are private or loopback: receivers see the public address of your network, ' +
        'which this machine cannot know.',
      fix: 'Configure the public source addresses in the routing settings to have them checked.',
    });
    return { checks, passes: false };
  }
  const failing = results.filter((r) => r.status !== 'pass');
  if (failing.length === 0) {
    checks.push({
      id: 'spf.ips',
      area,
      result: 'pass',
      title: `SPF passes for ${publicIps.join(', ')}`,
      explanation: `The SPF record of ${domain} allows every sending address.`,
    });
    return { checks, passes: true };
  }
  const hard = failing.some((r) => r.status === 'fail');
  checks.push({
    id: 'spf.ips',
    area,
    result: hard ? 'error' : 'warning',
    title: `SPF does not pass for ${failing.map((r) => r.ip).join(', ')}`,
    explanation: hard
      ? `The SPF record of ${domain} forbids these addresses (-all): receivers may refuse the messages.`
      : `The SPF record of ${domain} does not list these addresses (${failing.map((r) => r.status).join(', ')}).`,
    fix: `Add the addresses (ip4:/ip6:) to the SPF record of ${domain}.`,
    details: failing.map((r) => `${r.ip}: ${r.status}`),
  });
  return { checks, passes: false };
}

// ---- DMARC ----

export async function checkDmarc(
  dns: AnalysisDns,
  input: { fromDomain: string; dkimDomain: string | null; spfDomain: string; spfPasses: boolean },
): Promise<AnalysisCheck[]> {
  const area = 'authentication' as const;
  const recorder = mailauthResolver(dns);
  const result = await dmarc({
    headerFrom: `postmaster@${input.fromDomain}`,
    spfDomains: input.spfPasses ? [input.spfDomain] : [],
    dkimDomains: input.dkimDomain ? [{ domain: input.dkimDomain }] : [],
    resolver: recorder.resolve as never,
  });
  const fix = `Publish a TXT record at _dmarc.${input.fromDomain}, e.g. "v=DMARC1; p=none; rua=mailto:dmarc@${input.fromDomain}".`;
  if (!result || result.status.result === 'none')
    return [
      {
        id: 'dmarc.record',
        area,
        result: 'warning',
        title: `No DMARC record for ${input.fromDomain}`,
        explanation:
          'Gmail and Yahoo require a DMARC record (p=none is enough) from bulk senders; without one their ' +
          'messages are more likely refused or junked.',
        fix,
      },
    ];
  if (result.status.result === 'temperror')
    return [
      {
        id: 'dmarc.record',
        area,
        result: 'warning',
        title: `Could not look up the DMARC record of ${input.fromDomain}`,
        explanation: 'The DNS lookup failed, so DMARC could not be checked.',
        fix: 'Run the analysis again; if it keeps failing, check the DNS servers this machine uses.',
      },
    ];
  const record = result.rr ?? '';
  const tags = parseTagList(record);
  const policy = tags?.get('p')?.toLowerCase();
  if (!tags || !policy || !['none', 'quarantine', 'reject'].includes(policy))
    return [
      {
        id: 'dmarc.record',
        area,
        result: 'error',
        title: `The DMARC record of ${input.fromDomain} is malformed`,
        explanation: 'It has no valid policy (p=none, quarantine or reject), so receivers ignore it.',
        fix,
        details: [`Found: ${record}`],
      },
    ];
  const applied = (result.policy ?? policy).toLowerCase();
  const checks: AnalysisCheck[] = [
    {
      id: 'dmarc.record',
      area,
      result: 'pass',
      title: `DMARC record found for ${input.fromDomain} (p=${applied})`,
      explanation:
        applied === 'none'
          ? 'Receivers report on failures but do not act on them.'
          : `Receivers ${applied === 'reject' ? 'refuse' : 'junk'} messages that fail DMARC.`,
      details: [`Found: ${record}`],
    },
  ];
  const dkimAligned = Boolean(result.alignment?.dkim?.result);
  const spfAligned = Boolean(result.alignment?.spf?.result);
  const how = [
    input.dkimDomain
      ? `DKIM d=${input.dkimDomain} ${dkimAligned ? 'is' : 'is not'} aligned`
      : 'no DKIM signature',
    `SPF ${input.spfDomain} ${spfAligned ? 'is aligned' : input.spfPasses ? 'is not aligned' : 'does not pass'}`,
  ].join('; ');
  if (result.status.result === 'pass')
    checks.push({
      id: 'dmarc.alignment',
      area,
      result: 'pass',
      title: `From ${input.fromDomain} is aligned`,
      explanation: `DMARC passes: ${how}.`,
    });
  else
    checks.push({
      id: 'dmarc.alignment',
      area,
      result: applied === 'none' ? 'warning' : 'error',
      title: `From ${input.fromDomain} is not aligned: DMARC fails`,
      explanation:
        `Neither DKIM nor SPF authenticates the From domain (${how}). ` +
        (applied === 'none'
          ? 'With p=none receivers still deliver, but Gmail and Yahoo require alignment from bulk senders.'
          : `With p=${applied} receivers ${applied === 'reject' ? 'refuse' : 'junk'} these messages.`),
      fix: `Sign with a DKIM key of ${input.fromDomain}, or use a return-path under ${input.fromDomain} that SPF passes.`,
    });
  return checks;
}
