/** DKIM test helpers: a fixture DNS resolver publishing keys' TXT records, and signature verification. */
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import type { DkimKey } from '../../src/shared/contract/mta';
import { splitTxtStrings } from '../../src/shared/domain/dkim';

/**
 * A mailauth resolver answering TXT queries for the given keys as published in DNS: long records split
 * into 255-byte strings. Records the names looked up.
 */
export function txtResolver(keys: readonly DkimKey[], lookups: string[] = []) {
  return async (name: string, rr: string): Promise<string[][]> => {
    lookups.push(`${rr} ${name}`);
    const key = keys.find((k) => k.dnsName === name.toLowerCase());
    if (rr !== 'TXT' || !key)
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [splitTxtStrings(key.txtRecord)];
  };
}

export interface VerifiedSignature {
  result: string;
  comment: string | undefined;
  domain: string;
  selector: string | undefined;
  algorithm: string | undefined;
}

export async function verifyDkim(raw: Buffer, keys: readonly DkimKey[]): Promise<VerifiedSignature[]> {
  const verified = await dkimVerify(raw, { resolver: txtResolver(keys) });
  // mailauth's typings name the algorithm `algorithm`; its verifier reports it as `algo`.
  return verified.results.map((r) => ({
    result: r.status.result,
    comment: r.status.comment,
    domain: r.signingDomain,
    selector: r.selector,
    algorithm: (r as { algo?: string }).algo,
  }));
}

/** The tags of each DKIM-Signature header of a message (unfolded, whitespace removed). */
export function signatureTags(raw: Buffer): Record<string, string>[] {
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  return unfolded
    .split('\r\n')
    .filter((line) => /^dkim-signature:/i.test(line))
    .map((line) => {
      const tags: Record<string, string> = {};
      for (const part of line.slice(line.indexOf(':') + 1).split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0) tags[part.slice(0, eq).trim()] = part.slice(eq + 1).replace(/\s+/g, '');
      }
      return tags;
    });
}
