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
