/** The quarantine page's wording and small pure helpers, free of React. */
import {
  QUARANTINE_STATUSES,
  type QuarantineEntry,
  type QuarantineStatus,
} from '../../../shared/contract/bounce';
import { addressKey, checkAddress } from '../../../shared/domain/address';
import { parseAddressSearch } from '../../../shared/domain/address-search';
import type { Tone } from '../../components/tones';

export const QUARANTINE_STATUS_LABELS: Record<QuarantineStatus, string> = {
  valid: 'Valid',
  with_errors: 'With errors',
  quarantine: 'Quarantine',
  denylisted: 'Denylisted',
  allowlisted: 'Allowlisted',
};

export const QUARANTINE_STATUS_TONE: Record<QuarantineStatus, Tone> = {
  valid: 'green',
  with_errors: 'amber',
  quarantine: 'red',
  denylisted: 'red',
  allowlisted: 'blue',
};

export const QUARANTINE_STATUS_HINTS: Record<QuarantineStatus, string> = {
  valid: 'Mail is sent; no error counted',
  with_errors: 'Mail is sent; soft errors are being counted',
  quarantine: 'Excluded at preparation (reason: Address in quarantine)',
  denylisted: 'Excluded at preparation (reason: Denylisted address); set by complaints',
  allowlisted: 'Mail is always sent; errors are ignored',
};

export const QUARANTINE_SOURCE_LABELS: Record<QuarantineEntry['source'], string> = {
  auto: 'Automatic',
  manual: 'Manual',
  import: 'Import',
};

export const QUARANTINE_STATUS_OPTIONS = QUARANTINE_STATUSES.map((s) => ({
  id: s,
  label: QUARANTINE_STATUS_LABELS[s],
  tone: QUARANTINE_STATUS_TONE[s],
}));

/** The address as the list keys it (lower case), or what is wrong with it. */
export function quarantineAddress(
  text: string,
): { ok: true; address: string } | { ok: false; message: string } {
  const checked = checkAddress(text);
  if (!checked.ok || checked.address === undefined)
    return { ok: false, message: checked.message ?? 'not an address' };
  return { ok: true, address: addressKey(checked.address) };
}

/** The search box filters by address prefix, case-insensitively. */
/** The search as sent: `@corp.test` (that domain) or a part of the address, lower-cased (see address-search). */
export const searchPrefix = (text: string): string => addressKey(text);

/** Saves a text file the browser way (works in Electron's renderer too). */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

/** What the empty list says when a search or a status filter matches nothing. */
export function noMatchText(search: string, byStatus: boolean): string {
  const parsed = parseAddressSearch(search);
  const statuses = byStatus ? ' with the selected statuses' : '';
  switch (parsed.kind) {
    case 'all':
      return `No address${statuses}. Change the status filters.`;
    case 'domain':
      return `No address at ${parsed.domain}${statuses}. @${parsed.domain} finds that domain only: search .${parsed.domain} for its subdomains.`;
    case 'contains':
      return `No address contains “${parsed.text}”${statuses}. Any part of an address works (corp, bob@, .fr); @corp.test finds one domain.`;
  }
}
