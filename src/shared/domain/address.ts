/**
 * Email address syntax (RFC 5321 mailbox: dot-atom or quoted local part, a domain name or address literal),
 * with the length limits of RFC 5321 §4.5.3.1.
 */

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`);
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const U_LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

export type AddressProblem = 'empty' | 'no_at' | 'local_part' | 'domain' | 'too_long';

export interface AddressCheck {
  ok: boolean;
  problem?: AddressProblem;
  message?: string;
  /** Normalised form: trimmed, domain lower-cased. */
  address?: string;
  domain?: string;
}

export function checkAddress(raw: string): AddressCheck {
  const value = raw.trim();
  if (value === '') return { ok: false, problem: 'empty', message: 'no address' };
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) {
    return { ok: false, problem: 'no_at', message: `"${value}" is not an address (expected local@domain)` };
  }
  const local = value.slice(0, at);
  const domain = value
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (value.length > 254 || local.length > 64) {
    return { ok: false, problem: 'too_long', message: `"${value}" is longer than RFC 5321 allows` };
  }
  if (!DOT_ATOM.test(local) && !QUOTED.test(local)) {
    return { ok: false, problem: 'local_part', message: `"${value}" has an invalid local part "${local}"` };
  }
  if (!isValidDomain(domain) && !/^\[(?:\d{1,3}\.){3}\d{1,3}\]$/.test(domain)) {
    return { ok: false, problem: 'domain', message: `"${value}" has an invalid domain "${domain}"` };
  }
  return { ok: true, address: `${local}@${domain}`, domain };
}

export function isValidDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((l) => LABEL.test(l) || U_LABEL.test(l));
}

/** The key an address is matched by (quarantine, duplicates): the whole address lower-cased. */
export function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
