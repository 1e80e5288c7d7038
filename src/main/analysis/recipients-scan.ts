/**
 * Reads a recipient list as preparation will (the same CSV reader, the same exclusions from the quarantine) and
 * counts what the analysis reports, without writing anything: exclusions by reason, recipients by domain, role
 * accounts, and the personalisation fields of the template that are empty for some recipients.
 */
import { exclusionOf } from '../quarantine/policy';
import { readRecipients, type Recipient, type RecipientSource } from '../campaign/csv-import';
import type { Db } from '../store/db';
import { quarantineLookup } from '../store/quarantine-repo';
import type { FieldGap } from './message-checks';
import { isRoleAccount, type RecipientFacts } from './recipient-checks';

const EXAMPLES = 5;

export interface RecipientScan {
  facts: RecipientFacts;
  gaps: FieldGap[];
  /** The list's columns. */
  columns: string[];
  /** The first recipient that will be sent to (its message is the one the message checks read). */
  first: Recipient | null;
  /** Rows that could not be read (errors are the preview's business; counted here). */
  unreadable: number;
}

/**
 * `fields`: the template's personalisation fields. Throws what preparation throws for a list it refuses (no
 * email column, empty list).
 */
export function scanRecipients(
  db: Db,
  source: RecipientSource,
  fields: readonly string[],
  now: number,
): RecipientScan {
  const lookup = quarantineLookup(db);
  const seen = new Set<string>();
  const excluded = { quarantined: 0, denylisted: 0, double: 0, address_not_specified: 0 };
  const domains = new Map<string, number>();
  const roles = { count: 0, examples: [] as string[] };
  const gaps = new Map<string, FieldGap>();
  let columns: string[] = [];
  /** Each field's column, matched case-insensitively as the template renders it. */
  let fieldColumns: [string, string][] = [];
  let first: Recipient | null = null;
  let rows = 0;
  let unreadable = 0;

  readRecipients(source, {
    columns(c) {
      columns = [...c];
      fieldColumns = fields.flatMap((f): [string, string][] => {
        const column = c.includes(f) ? f : c.find((name) => name.toLowerCase() === f.toLowerCase());
        return column === undefined ? [] : [[f, column]];
      });
    },
    seen(key) {
      if (seen.has(key)) return true;
      seen.add(key);
      return false;
    },
    recipient(r) {
      rows++;
      if (r.kind === 'no_address') {
        excluded.address_not_specified++;
        return;
      }
      if (r.kind === 'duplicate') {
        excluded.double++;
        return;
      }
      const state = lookup(r.addrKey);
      const exclusion = state ? exclusionOf(state, now) : null;
      if (exclusion) {
        excluded[exclusion]++;
        return;
      }
      first ??= r;
      domains.set(r.domain, (domains.get(r.domain) ?? 0) + 1);
      if (isRoleAccount(r.email)) {
        roles.count++;
        if (roles.examples.length < EXAMPLES) roles.examples.push(r.email);
      }
      for (const [field, column] of fieldColumns) {
        if ((r.fields[column] ?? '').trim() !== '') continue;
        const gap = gaps.get(field) ?? { field, recipients: 0, exampleLines: [] };
        gap.recipients++;
        if (gap.exampleLines.length < EXAMPLES) gap.exampleLines.push(r.line);
        gaps.set(field, gap);
      }
    },
    error() {
      unreadable++;
    },
  });
  return {
    facts: { rows, excluded, domains, roleAccounts: roles },
    gaps: [...gaps.values()],
    columns,
    first,
    unreadable,
  };
}
