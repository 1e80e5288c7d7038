/**
 * Preparation (campaign side): validate the template against the list, store the delivery, insert one log
 * row per recipient — valid ones `pending` with their Message-ID; rows without an address, duplicates and
 * addresses in quarantine or denylisted (SPEC §4.4) `ignored` with their reason — keep every unusable row in
 * `import_errors`, and set the counters, all or nothing (a list that fails leaves nothing behind): in one
 * transaction (`prepareDelivery`), or, in the app, a batch per transaction under a journal entry that keeps
 * the delivery from starting until its last batch and removes it after a failure or a crash
 * (`prepareDeliveryOffThread`).
 *
 * The list is streamed (text or file) and written in batches, so memory does not grow with its length:
 * duplicates are found in the rows already written (index `log_delivery_addr`) and in the batch being built.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { CreateDeliveryResult, MessageTemplate } from '../../shared/contract/schemas';
import type { MethodParsedInput } from '../../shared/contract';
import { effectiveValidity } from '../../shared/domain/duration';
import { writeTransaction, type Db } from '../store/db';
import { deleteDelivery, insertDelivery, setImportErrorCount } from '../store/deliveries-repo';
import {
  abandonImport,
  beginImport,
  completeImport,
  importUnfinished,
  unfinishedImports,
} from '../store/imports-repo';
import { insertImportErrors, type ImportError } from '../store/import-errors-repo';
import { insertLogRows, type NewLogRow } from '../store/ledger';
import { hasLogRowFor, nextLogId } from '../store/log-repo';
import { quarantineLookup } from '../store/quarantine-repo';
import { exclusionOf } from '../quarantine/policy';
import { TRACE_TOKEN_BYTES } from '../engine/bounce/trace';
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

/** Rows (and import errors) written per batch. */
const INSERT_CHUNK = 5_000;

export interface Prepared {
  deliveryId: number;
  import: CreateDeliveryResult['import'];
}

/** Prepares a delivery reading its list on this thread (tests, small lists); the app uses `prepareDeliveryOffThread`. */
export function prepareDelivery(db: Db, input: PrepareRequest, now: number): Prepared {
  return writeTransaction(db, (): Prepared => {
    const writer = openWriter(db, input, now);
    const counts = readRecipients(input.recipients, writer.sink);
    writer.flush();
    return writer.finish(counts);
  })();
}

/**
 * Prepares a delivery with its list parsed in a worker thread (`csv-off-thread.ts`), the header checked
 * against the template as soon as it is read. The parsed rows are then written a batch per transaction,
 * the event loop running between batches, under an `imports` journal entry (kind `delivery`): until the last
 * batch the delivery cannot be started, a failure deletes it with its rows, and a process killed mid-way
 * leaves the journal entry that `abandonInterruptedPreparations` finds at the next start (the delivery is
 * then deleted): all or nothing.
 */
export async function prepareDeliveryOffThread(
  db: Db,
  input: PrepareRequest,
  now: () => number,
  onProgress?: (rowsWritten: number) => void,
): Promise<Prepared> {
  const template = templateOf(input);
  const parsed = await parseRecipientsOffThread(input.recipients, (columns) =>
    assertValidTemplate(template, columns),
  );
  try {
    const started = now();
    const { writer, journal } = writeTransaction(db, () => {
      const w = openWriter(db, input, started);
      const { row } = beginImport(db, {
        kind: 'delivery',
        source: preparationSource(w.deliveryId),
        fingerprint: processTag(),
        now: started,
      });
      return { writer: w, journal: row.id };
    })();
    try {
      const counts = await parsed.replayInSteps(writer.sink, (step) => {
        writeTransaction(db, () => {
          step();
          writer.flush();
        })();
        // Reported once committed: "N rows written" is what a crash right now would leave behind.
        onProgress?.(writer.written());
      });
      return writeTransaction(db, () => {
        const prepared = writer.finish(counts);
        completeImport(db, journal, counts.total, now());
        return prepared;
      })();
    } catch (err) {
      writeTransaction(db, () => {
        deleteDelivery(db, writer.deliveryId);
        abandonImport(db, journal, now());
      })();
      throw err;
    }
  } finally {
    parsed.dispose();
  }
}

/** Whether the delivery's list is still being written (it cannot be started yet). */
export function preparing(db: Db, deliveryId: number): boolean {
  return importUnfinished(db, 'delivery', preparationSource(deliveryId));
}

/**
 * Deletes the deliveries whose preparation was stopped mid-way by a process that no longer runs (on this
 * host; one on another host is left alone), and closes their journal entries. Returns their ids.
 */
export function abandonInterruptedPreparations(db: Db, now: number): number[] {
  const removed: number[] = [];
  for (const u of unfinishedImports(db, 'delivery')) {
    const at = u.fingerprint.lastIndexOf(':');
    const host = u.fingerprint.slice(0, at);
    const pid = Number(u.fingerprint.slice(at + 1));
    if (host !== os.hostname() || processRuns(pid)) continue;
    const deliveryId = Number(u.source.slice(u.source.indexOf(':') + 1));
    writeTransaction(db, () => {
      deleteDelivery(db, deliveryId);
      abandonImport(db, u.id, now);
    })();
    removed.push(deliveryId);
  }
  return removed;
}

function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The journal's name for the preparation of a delivery. */
export function preparationSource(deliveryId: number): string {
  return `delivery:${deliveryId}`;
}

/** This process, as the journal records it (`host:pid`). */
export function processTag(): string {
  return `${os.hostname()}:${process.pid}`;
}

function templateOf(input: PrepareRequest): MessageTemplate {
  return { ...input.template, fromAddress: input.template.fromAddress.trim() };
}

interface ListWriter {
  deliveryId: number;
  sink: RecipientSink;
  /** Writes the rows and errors gathered so far (call inside the caller's transaction). */
  flush(): void;
  /** Rows and row errors written so far. */
  written(): number;
  /** The counters and the result, once every row is written (inside the caller's transaction). */
  finish(counts: ListCounts): Prepared;
}

/** Stores the delivery (inside the caller's transaction) and returns the sink that writes its rows. */
function openWriter(db: Db, input: PrepareRequest, now: number): ListWriter {
  const template = templateOf(input);
  const validity = effectiveValidity(input.validityMs);
  const domain = fromDomain(template);
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
  let batch: Recipient[] = [];
  const batchKeys = new Set<string>();
  let errorBatch: ImportError[] = [];
  const firstErrors: ImportError[] = [];
  let written = 0;

  const writeBatch = () => {
    if (batch.length === 0) return;
    // Ids are taken when the batch is written (another delivery may be prepared between two batches).
    const logId = nextLogId(db);
    // The Message-ID's token: 128 random bits per row (engine/bounce/trace.ts), so that a report quoting
    // the Message-ID or the trace header cannot be forged.
    const random = randomBytes(batch.length * TRACE_TOKEN_BYTES).toString('hex');
    const width = TRACE_TOKEN_BYTES * 2;
    const rows = batch.map((r, j) => {
      const state = r.kind === 'valid' ? lookup(r.addrKey) : null;
      const excluded = state ? exclusionOf(state, now) : null;
      if (excluded) excludedCounts[excluded]++;
      return logRow(r, logId + j, deliveryId, domain, random.slice(j * width, (j + 1) * width), excluded);
    });
    insertLogRows(db, rows, now);
    written += rows.length;
    batch = [];
    batchKeys.clear();
  };
  const writeErrors = () => {
    if (errorBatch.length === 0) return;
    insertImportErrors(db, deliveryId, errorBatch);
    written += errorBatch.length;
    errorBatch = [];
  };

  return {
    deliveryId,
    sink: {
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
    },
    flush: () => {
      writeBatch();
      writeErrors();
    },
    written: () => written,
    finish: (counts) => {
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
          ...(counts.encoding ? { encoding: counts.encoding } : {}),
        },
      };
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
