/**
 * DKIM naming and DNS record text (RFC 6376 §3.6, RFC 8463): the key's DNS name, the TXT record value to
 * publish, its zone-file form (TXT character-strings are at most 255 bytes, so a long record is published
 * as several quoted strings that resolvers concatenate), and the signing-domain candidates of a From domain.
 */

export type DkimKeyType = 'rsa' | 'ed25519';

/** TXT character-strings hold at most 255 bytes (RFC 1035 §3.3.14). */
export const TXT_STRING_MAX = 255;

/** `<selector>._domainkey.<domain>` */
export function dkimDnsName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain}`;
}

/**
 * The TXT record value. `publicKey` is the base64 of the SubjectPublicKeyInfo DER for RSA and of the raw
 * 32-byte public key for ed25519 (RFC 8463 §4).
 */
export function dkimTxtRecord(type: DkimKeyType, publicKey: string): string {
  return `v=DKIM1; k=${type}; p=${publicKey}`;
}

/** Splits a TXT value into character-strings of at most 255 bytes (the value is ASCII). */
export function splitTxtStrings(value: string, max = TXT_STRING_MAX): string[] {
  if (value === '') return [''];
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += max) parts.push(value.slice(i, i + max));
  return parts;
}

/**
 * The record as a zone-file line, e.g. `s1._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=MII…" "…" )`.
 * Each string is on its own line when there are several.
 */
export function dkimZoneRecord(dnsName: string, value: string): string {
  const strings = splitTxtStrings(value).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`);
  if (strings.length === 1) return `${dnsName}. IN TXT ${strings[0] ?? '""'}`;
  return `${dnsName}. IN TXT (\n  ${strings.join('\n  ')} )`;
}

/** The default selector of a new key: `rd<yyyymm>` of the given time (UTC), e.g. `rd202504`. */
export function defaultDkimSelector(now: number): string {
  const d = new Date(now);
  return `rd${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The domains whose key may sign a message from `fromDomain`, most specific first: the domain itself, then
 * each parent domain with at least two labels (`news.example.com` -> `news.example.com`, `example.com`).
 */
export function signingDomainCandidates(fromDomain: string): string[] {
  const labels = fromDomain.trim().toLowerCase().replace(/\.$/, '').split('.');
  if (labels.some((l) => l === '')) return [];
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** The domain whose key signs a message from `fromDomain`: itself, else its nearest parent with a key. */
export function findSigningDomain(fromDomain: string, hasKey: (domain: string) => boolean): string | null {
  return signingDomainCandidates(fromDomain).find(hasKey) ?? null;
}

/** The keys a domain can sign with: an enabled RSA key of at least 1024 bits, an enabled ed25519 key. */
export interface DomainKeyTypes {
  rsa: boolean;
  ed25519: boolean;
}

/** Why a domain's keys sign a message (SPEC §5: rsa-sha256 always, ed25519 only as a second signature). */
export type SigningBasis =
  /** The From domain or a parent has an RSA key: aligned with From (DMARC). */
  | 'from'
  /** From's side has no RSA key: the envelope sender's (return-path) domain or a parent has one. */
  | 'envelope'
  /** No RSA key on either side: an ed25519 key signs alone (most receivers cannot verify it). */
  | 'ed25519-only';

export interface SigningChoice {
  /** The d= domain. */
  domain: string;
  basis: SigningBasis;
  /** Whether d= is the From domain or a parent of it (the signature counts for DMARC). */
  fromSide: boolean;
  rsa: boolean;
  ed25519: boolean;
}

/**
 * Which domain's keys sign a message (SPEC §5), in order: the From domain or its nearest parent with an RSA
 * key (plus its ed25519 key as a second signature); else the envelope sender's domain or a parent with an RSA
 * key; else a domain with an ed25519 key alone, From's side first; else null (unsigned). `keysOf` gives the
 * usable keys of a domain (RSA keys under 1024 bits and disabled keys are not usable). Shared by the engine,
 * the message viewer's rebuild and the delivery analysis, so they always agree.
 */
export function chooseSigning(
  fromDomain: string,
  envelopeDomain: string | null,
  keysOf: (domain: string) => DomainKeyTypes | undefined,
): SigningChoice | null {
  const fromSide = signingDomainCandidates(fromDomain);
  const envelopeSide = envelopeDomain === null ? [] : signingDomainCandidates(envelopeDomain);
  const pick = (domains: string[], test: (k: DomainKeyTypes) => boolean) =>
    domains.find((d) => {
      const k = keysOf(d);
      return k !== undefined && test(k);
    });
  const choice = (domain: string, basis: SigningBasis): SigningChoice => {
    const k = keysOf(domain) ?? { rsa: false, ed25519: false };
    return { domain, basis, fromSide: fromSide.includes(domain), rsa: k.rsa, ed25519: k.ed25519 };
  };
  const fromRsa = pick(fromSide, (k) => k.rsa);
  if (fromRsa) return choice(fromRsa, 'from');
  const envelopeRsa = pick(envelopeSide, (k) => k.rsa);
  if (envelopeRsa) return choice(envelopeRsa, 'envelope');
  const ed = pick(fromSide, (k) => k.ed25519) ?? pick(envelopeSide, (k) => k.ed25519);
  return ed ? choice(ed, 'ed25519-only') : null;
}

/** "Signed by example.com (rsa-sha256 + ed25519)", "… : not aligned with From", "Unsigned". */
export function describeSigning(
  signing: { domain: string; rsa: boolean; ed25519: boolean } | null,
  fromDomain: string | null,
): string {
  if (!signing) return 'Unsigned';
  const algorithms = [signing.rsa ? 'rsa-sha256' : null, signing.ed25519 ? 'ed25519' : null]
    .filter(Boolean)
    .join(' + ');
  const aligned =
    fromDomain === null || signingDomainCandidates(fromDomain).includes(signing.domain.toLowerCase());
  const base = `Signed by ${signing.domain}${algorithms ? ` (${algorithms})` : ''}`;
  if (!aligned) return `${base}: not aligned with From`;
  if (!signing.rsa) return `${base}: no RSA signature, most receivers cannot verify it`;
  return base;
}
