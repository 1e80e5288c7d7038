/**
 * The bounce mailbox's messages (SPEC §4.3). A message is stored first — row and raw source in one
 * transaction, before anything reads it — then parsed, matched and applied (`recordProcessing`). The raw
 * source is a BLOB in `inbound_raw`, apart from the rows so that paging never reads it: stored atomically with
 * its row (no orphan files after a crash), in the backups of the one data file, bounded by the listener's
 * size limit.
 */
import {
  INBOUND_RAW_PREVIEW_BYTES,
  type InboundMessage,
  type InboundMessageSummary,
  type InboundRecipientResult,
} from '../../shared/contract/bounce';
import { AppError } from '../../shared/contract/errors';
import { decodeCursor, encodeCursor } from './cursor';
import { writeTransaction, type Db } from './db';
import { stmt } from './statements';

export type InboundSource = InboundMessageSummary['source'];
export type InboundKind = InboundMessageSummary['kind'];
export type MatchedBy = NonNullable<InboundMessageSummary['matchedBy']>;

export interface NewInbound {
  receivedAt: number;
  source: InboundSource;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  raw: Buffer;
}

/** Stores a received message (row + raw source) and returns its id. */
export function storeInbound(db: Db, m: NewInbound): number {
  return writeTransaction(db, () => {
    const id = Number(
      stmt(
        db,
        `INSERT INTO inbound_messages (received_at, source, envelope_from, envelope_to, size)
         VALUES (?, ?, ?, ?, ?)`,
      ).run(m.receivedAt, m.source, m.envelopeFrom, m.envelopeTo, m.raw.length).lastInsertRowid,
    );
    stmt(db, 'INSERT INTO inbound_raw (message_id, raw) VALUES (?, ?)').run(id, m.raw);
    return id;
  })();
}

export interface InboundProcessing {
  from: string | null;
  subject: string | null;
  messageId: string | null;
  kind: InboundKind;
  format: string | null;
  note: string | null;
  matchedBy: MatchedBy | null;
  deliveryId: number | null;
  logId: number | null;
  results: InboundRecipientResult[];
  outcome: string | null;
  error: string | null;
}

/** Records what parsing, matching and applying made of a stored message (in the caller's transaction). */
export function recordProcessing(db: Db, id: number, p: InboundProcessing, now: number): void {
  stmt(
    db,
    `UPDATE inbound_messages
        SET from_addr = @from, subject = @subject, message_id = @messageId, kind = @kind, format = @format,
            note = @note, matched_by = @matchedBy, delivery_id = @deliveryId, log_id = @logId,
            results_json = @results, outcome = @outcome, error = @error, processed_at = @now
      WHERE id = @id`,
  ).run({ ...p, id, results: JSON.stringify(p.results), now });
}

/** Records an error of a stored message that could not be processed (it stays listed). */
export function recordInboundError(db: Db, id: number, error: string, now: number): void {
  stmt(db, 'UPDATE inbound_messages SET error = ?, processed_at = ? WHERE id = ?').run(error, now, id);
}

interface InboundRow {
  id: number;
  received_at: number;
  source: InboundSource;
  envelope_from: string | null;
  envelope_to: string | null;
  from_addr: string | null;
  subject: string | null;
  message_id: string | null;
  kind: InboundKind;
  format: string | null;
  note: string | null;
  size: number;
  matched_by: MatchedBy | null;
  delivery_id: number | null;
  log_id: number | null;
  results_json: string;
  outcome: string | null;
  error: string | null;
}

/** The recipients a report names (failed, complaining, auto-replying), for the list's Recipients column. */
function recipientsOf(resultsJson: string): string[] {
  const results = JSON.parse(resultsJson) as Pick<InboundRecipientResult, 'recipient'>[];
  return results.flatMap((r) => (r.recipient ? [r.recipient] : [])).slice(0, 100);
}

function toSummary(r: InboundRow): InboundMessageSummary {
  return {
    id: String(r.id),
    receivedAt: r.received_at,
    source: r.source,
    envelopeFrom: r.envelope_from,
    envelopeTo: r.envelope_to,
    from: r.from_addr,
    subject: r.subject,
    messageId: r.message_id,
    kind: r.kind,
    format: r.format,
    size: r.size,
    recipients: recipientsOf(r.results_json),
    matched: r.delivery_id !== null || r.log_id !== null,
    matchedBy: r.matched_by,
    deliveryId: r.delivery_id === null ? null : String(r.delivery_id),
    logId: r.log_id === null ? null : String(r.log_id),
    outcome: r.outcome,
    error: r.error,
  };
}

export interface InboundQuery {
  cursor: string | null;
  limit: number;
  matched?: boolean | undefined;
  kind?: InboundKind[] | undefined;
}

/** Newest first, keyset-paged on id (`inbound_unmatched` serves the unmatched filter). */
export function listInbound(
  db: Db,
  q: InboundQuery,
): { items: InboundMessageSummary[]; nextCursor: string | null } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  if (q.matched === false) where.push('log_id IS NULL AND delivery_id IS NULL');
  if (q.matched === true) where.push('(log_id IS NOT NULL OR delivery_id IS NOT NULL)');
  if (q.kind?.length) {
    where.push(`kind IN (${q.kind.map((_, i) => `@k${i}`).join(', ')})`);
    q.kind.forEach((k, i) => (params[`k${i}`] = k));
  }
  if (q.cursor) {
    const [id] = decodeCursor(q.cursor, 1);
    where.push('id < @id');
    params.id = id;
  }
  const sql = `SELECT * FROM inbound_messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT @limit`;
  const rows = stmt(db, sql).all(params) as InboundRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  return { items: page.map(toSummary), nextCursor: more && last ? encodeCursor([last.id]) : null };
}

export function getInbound(db: Db, id: number): InboundMessage {
  const row = stmt(db, 'SELECT * FROM inbound_messages WHERE id = ?').get(id) as InboundRow | undefined;
  if (!row) throw new AppError('not_found', `No inbound message ${id}`);
  const raw = stmt(
    db,
    'SELECT substr(raw, 1, ?) AS head, length(raw) AS size FROM inbound_raw WHERE message_id = ?',
  ).get(INBOUND_RAW_PREVIEW_BYTES, id) as { head: Buffer; size: number } | undefined;
  return {
    ...toSummary(row),
    note: row.note,
    recipients: JSON.parse(row.results_json) as InboundRecipientResult[],
    raw: raw ? Buffer.from(raw.head).toString('latin1') : '',
    rawTruncated: raw ? raw.size > INBOUND_RAW_PREVIEW_BYTES : false,
  };
}

export function readInboundRaw(db: Db, id: number): Buffer | null {
  const row = stmt(db, 'SELECT raw FROM inbound_raw WHERE message_id = ?').get(id) as
    { raw: Buffer } | undefined;
  return row ? row.raw : null;
}

export function inboundCounts(db: Db): { messages: number; unmatched: number } {
  const messages = (stmt(db, 'SELECT count(*) AS n FROM inbound_messages').get() as { n: number }).n;
  const unmatched = (
    stmt(
      db,
      'SELECT count(*) AS n FROM inbound_messages WHERE log_id IS NULL AND delivery_id IS NULL',
    ).get() as {
      n: number;
    }
  ).n;
  return { messages, unmatched };
}
