/**
 * Preparation (campaign side): validate the template against the list, store the delivery, insert one log
 * row per recipient — valid ones `pending` with their Message-ID; rows without an address, duplicates and
 * addresses in quarantine or denylisted (SPEC §4.4) `ignored` with their reason — keep every unusable row in
 * `import_errors`, and set the counters, all in one transaction.
 */
import { randomBytes } from 'node:crypto';
import type { CreateDeliveryResult, MessageTemplate } from '../../shared/contract/schemas';
import type { MethodParsedInput } from '../../shared/contract';
import { effectiveValidity } from '../../shared/domain/duration';
import type { Db } from '../store/db';
import { insertDelivery, setPreparedCounts } from '../store/deliveries-repo';
import { insertImportErrors } from '../store/import-errors-repo';
import { insertLogRows, nextLogId, type NewLogRow } from '../store/log-repo';
import { quarantineLookup } from '../store/quarantine-repo';
import { exclusionOf } from '../quarantine/policy';
import { listedErrors, parseRecipients, type Recipient } from './csv-import';
import { assertValidTemplate, fromDomain } from './template-check';

export type CreateDeliveryRequest = MethodParsedInput<'deliveries.create'>;

/** Rows inserted per statement batch; one transaction covers the whole list. */
const INSERT_CHUNK = 5_000;

export interface Prepared {
  deliveryId: number;
  import: CreateDeliveryResult['import'];
}

export function prepareDelivery(db: Db, input: CreateDeliveryRequest, now: number): Prepared {
  const parsed = parseRecipients(input.recipients.fileName, input.recipients.csv);
  const template: MessageTemplate = { ...input.template, fromAddress: input.template.fromAddress.trim() };
  assertValidTemplate(template, parsed.columns);
  const validity = effectiveValidity(input.validityMs);
  const domain = fromDomain(template);

  const excludedCounts: Record<Exclusion, number> = { quarantined: 0, denylisted: 0 };
  const deliveryId = db
    .transaction(() => {
      const id = insertDelivery(db, {
        name: input.name,
        reporting: input.reporting,
        template,
        routes: input.routes,
        smarthost: input.smarthost,
        validityRequestedMs: input.validityMs,
        validityMs: validity.ms,
        timeScale: input.timeScale,
        recipientsPerTransaction: input.recipientsPerTransaction,
        createdAt: now,
      });
      let logId = nextLogId(db);
      const lookup = quarantineLookup(db);
      const excludedOf = (r: Recipient): Exclusion | null => {
        if (r.kind !== 'valid') return null;
        const state = lookup(r.addrKey);
        return state ? exclusionOf(state, now) : null;
      };
      for (let i = 0; i < parsed.recipients.length; i += INSERT_CHUNK) {
        const chunk = parsed.recipients.slice(i, i + INSERT_CHUNK);
        const random = randomBytes(chunk.length * 6).toString('hex');
        const rows = chunk.map((r, j) => {
          const excluded = excludedOf(r);
          if (excluded) excludedCounts[excluded]++;
          return logRow(r, logId + j, id, domain, random.slice(j * 12, j * 12 + 12), excluded);
        });
        insertLogRows(db, rows, now);
        logId += chunk.length;
      }
      insertImportErrors(db, id, parsed.errors);
      const excluded = excludedCounts.quarantined + excludedCounts.denylisted;
      const ignored = parsed.counts.duplicates + parsed.counts.noAddress + excluded;
      setPreparedCounts(db, id, {
        initial: parsed.recipients.length,
        pending: parsed.counts.valid - excluded,
        ignored,
        importErrors: parsed.errors.length,
      });
      return id;
    })
    .immediate();

  return {
    deliveryId,
    import: {
      total: parsed.counts.total,
      accepted: parsed.counts.valid - excludedCounts.quarantined - excludedCounts.denylisted,
      duplicates: parsed.counts.duplicates,
      noAddress: parsed.counts.noAddress,
      quarantined: excludedCounts.quarantined,
      denylisted: excludedCounts.denylisted,
      ...listedErrors(parsed.errors),
    },
  };
}

type Exclusion = 'quarantined' | 'denylisted';

function logRow(
  r: Recipient,
  id: number,
  deliveryId: number,
  fromDomainName: string,
  hex: string,
  excluded: Exclusion | null,
): NewLogRow {
  const base = {
    id,
    deliveryId,
    line: r.line,
    email: r.email,
    addrKey: r.addrKey,
    domain: r.domain,
    fields: r.fields,
  };
  switch (r.kind) {
    case 'valid':
      if (excluded)
        return { ...base, status: 'ignored', failureType: 'hard', reason: excluded, messageId: null };
      return {
        ...base,
        status: 'pending',
        failureType: null,
        reason: null,
        messageId: `<${id}.${deliveryId}.${hex}@${fromDomainName}>`,
      };
    case 'no_address':
      return {
        ...base,
        status: 'ignored',
        failureType: 'hard',
        reason: 'address_not_specified',
        messageId: null,
      };
    case 'duplicate':
      return { ...base, status: 'ignored', failureType: 'ignored', reason: 'double', messageId: null };
  }
}
