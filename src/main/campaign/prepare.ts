/**
 * Preparation (campaign side): validate the template against the list, store the delivery, insert one log
 * row per recipient — valid ones `pending` with their Message-ID; rows without an address, duplicates and
 * addresses in quarantine or denylisted (SPEC §4.4) `ignored` with their reason — keep every unusable row in
 * `import_errors`, and set the counters, all in one transaction (a list that fails leaves nothing behind).
 *
 * The list is streamed (text or file) and written in batches, so memory does not grow with its length:
 * duplicates are found in the rows already written (index `log_delivery_addr`) and in the batch being built.
 */
import { randomBytes } from 'node:crypto';
import type { CreateDeliveryResult, MessageTemplate } from '../../shared/contract/schemas';
import type { MethodParsedInput } from '../../shared/contract';
import { effectiveValidity } from '../../shared/domain/duration';
import type { Db } from '../store/db';
import { insertDelivery, setImportErrorCount } from '../store/deliveries-repo';
import { insertImportErrors, type ImportError } from '../store/import-errors-repo';
import { insertLogRows, type NewLogRow } from '../store/ledger';
import { hasLogRowFor, nextLogId } from '../store/log-repo';
import { quarantineLookup } from '../store/quarantine-repo';
import { exclusionOf } from '../quarantine/policy';
import {
  LISTED_ERRORS,
  listedErrors,
  readRecipients,
  type ListCounts,
  type Recipient,
  type RecipientSink,
  type RecipientSource,
} from './csv-import';
import { parseRecipientsOffThread } from './csv-off-thread';
import { assertValidTemplate, fromDomain } from './template-check';

export type CreateDeliveryRequest = MethodParsedInput<'deliveries.create'>;

/** `deliveries.create`'s input, or the CLI's with the list as a file instead of its text. */
export type PrepareRequest = Omit<CreateDeliveryRequest, 'recipients'> & { recipients: RecipientSource };

/** Rows (and import errors) written per batch; one transaction covers the whole list. */
const INSERT_CHUNK = 5_000;

export interface Prepared {
  deliveryId: number;
  import: CreateDeliveryResult['import'];
}

/** Prepares a delivery reading its list on this thread (tests, small lists); the app uses `prepareDeliveryOffThread`. */
export function prepareDelivery(db: Db, input: PrepareRequest, now: number): Prepared {
  return prepareFrom(db, input, now, (sink) => readRecipients(input.recipients, sink));
}

/**
 * Prepares a delivery with its list parsed in a worker thread (`csv-off-thread.ts`): the main thread's event
 * loop runs while the list is read; the header is checked against the template as soon as it is read; then
 * the parsed rows are written in the one transaction (all or nothing, as `prepareDelivery`).
 */
export async function prepareDeliveryOffThread(
  db: Db,
  input: PrepareRequest,
  now: () => number,
): Promise<Prepared> {
  const template = templateOf(input);
  const parsed = await parseRecipientsOffThread(input.recipients, (columns) =>
    assertValidTemplate(template, columns),
  );
  try {
    return prepareFrom(db, input, now(), (sink) => parsed.replay(sink));
  } finally {
    parsed.dispose();
  }
}

function templateOf(input: PrepareRequest): MessageTemplate {
  return { ...input.template, fromAddress: input.template.fromAddress.trim() };
}

function prepareFrom(
  db: Db,
  input: PrepareRequest,
  now: number,
  read: (sink: RecipientSink) => ListCounts,
): Prepared {
  const template = templateOf(input);
  const validity = effectiveValidity(input.validityMs);
  const domain = fromDomain(template);

  return db
    .transaction((): Prepared => {
      const deliveryId = insertDelivery(db, {
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
      const excludedCounts: Record<Exclusion, number> = { quarantined: 0, denylisted: 0 };
      const lookup = quarantineLookup(db);
      let logId = nextLogId(db);
      let batch: Recipient[] = [];
      const batchKeys = new Set<string>();
      let errorBatch: ImportError[] = [];
      const firstErrors: ImportError[] = [];

      const writeBatch = () => {
        const random = randomBytes(batch.length * 6).toString('hex');
        const rows = batch.map((r, j) => {
          const state = r.kind === 'valid' ? lookup(r.addrKey) : null;
          const excluded = state ? exclusionOf(state, now) : null;
          if (excluded) excludedCounts[excluded]++;
          return logRow(r, logId + j, deliveryId, domain, random.slice(j * 12, j * 12 + 12), excluded);
        });
        insertLogRows(db, rows, now);
        logId += batch.length;
        batch = [];
        batchKeys.clear();
      };
      const writeErrors = () => {
        insertImportErrors(db, deliveryId, errorBatch);
        errorBatch = [];
      };

      const counts = read({
        columns: (columns) => assertValidTemplate(template, columns),
        seen: (key) => {
          if (batchKeys.has(key) || hasLogRowFor(db, deliveryId, key)) return true;
          batchKeys.add(key);
          return false;
        },
        recipient: (r) => {
          batch.push(r);
          if (batch.length >= INSERT_CHUNK) writeBatch();
        },
        error: (e) => {
          if (firstErrors.length < LISTED_ERRORS) firstErrors.push(e);
          errorBatch.push(e);
          if (errorBatch.length >= INSERT_CHUNK) writeErrors();
        },
      });
      writeBatch();
      writeErrors();

      const excluded = excludedCounts.quarantined + excludedCounts.denylisted;
      setImportErrorCount(db, deliveryId, counts.errors);
      return {
        deliveryId,
        import: {
          total: counts.total,
          accepted: counts.valid - excluded,
          duplicates: counts.duplicates,
          noAddress: counts.noAddress,
          quarantined: excludedCounts.quarantined,
          denylisted: excludedCounts.denylisted,
          ...listedErrors(firstErrors, counts.errors),
        },
      };
    })
    .immediate();
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
