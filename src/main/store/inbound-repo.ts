/**
 * The bounce mailbox's messages (SPEC §4.3). A message is stored and processed in one transaction
 * (`src/main/inmail/receive.ts`): its row, its raw source and what parsing, matching and applying made of it
 * are written together, so no crash leaves a stored message unprocessed. The raw source is a BLOB in
 * `inbound_raw`, apart from the rows so that paging never reads it: stored atomically with its row (no orphan
 * files after a crash), in the backups of the one data file, bounded by the listener's size limit and by the
 * retention setting (`applyInboundRetention`). Each row keeps the SHA-256 of its source (`content_hash`,
 * unique): the same message received or imported twice is stored once.
 */
import {
  INBOUND_RAW_PREVIEW_BYTES,
  LOG_REPORTS_MAX,
  type LogReport,
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
  /** SHA-256 of `raw` (hex). */
  contentHash: string;
}

/** Stores a received message (row + raw source) and returns its id; in the caller's transaction if any. */
export function storeInbound(db: Db, m: NewInbound): number {
  const run = () => {
    const id = Number(
      stmt(
        db,
        `INSERT INTO inbound_messages (received_at, source, envelope_from, envelope_to, size, content_hash)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(m.receivedAt, m.source, m.envelopeFrom, m.envelopeTo, m.raw.length, m.contentHash)
        .lastInsertRowid,
    );
    stmt(db, 'INSERT INTO inbound_raw (message_id, raw) VALUES (?, ?)').run(id, m.raw);
    return id;
  };
  return writeTransaction(db, run)();
}

/** The message already stored with this content (SHA-256 hex), if any. */
export function inboundByHash(db: Db, contentHash: string): { id: number; matched: boolean } | null {
  const row = stmt(
    db,
    'SELECT id, log_id IS NOT NULL OR delivery_id IS NOT NULL AS matched FROM inbound_messages WHERE content_hash = ?',
  ).get(contentHash) as { id: number; matched: number } | undefined;
  return row ? { id: row.id, matched: row.matched === 1 } : null;
}

/** Messages stored but never processed (only possible for rows written before migration 11), oldest first. */
export function unprocessedInbound(db: Db, limit: number): { id: number; envelopeTo: string | null }[] {
  return (
    stmt(
      db,
      'SELECT id, envelope_to FROM inbound_messages WHERE processed_at IS NULL ORDER BY id LIMIT ?',
    ).all(limit) as { id: number; envelope_to: string | null }[]
  ).map((r) => ({ id: r.id, envelopeTo: r.envelope_to }));
}

export interface InboundRetention {
  /** Messages received more than this many days ago are deleted. */
  days: number;
  /** Above this total of raw sizes, the oldest messages are deleted. */
  maxBytes: number;
}

/**
 * Deletes the messages older than `retention.days` before `now`, then the oldest ones until the raw sources
 * total at most `retention.maxBytes` (their raw sources go with them: `ON DELETE CASCADE`). Returns how many
 * messages were deleted.
 */
export function applyInboundRetention(db: Db, retention: InboundRetention, now: number): number {
  return writeTransaction(db, () => {
    const cutoff = now - retention.days * 86_400_000;
    let deleted = stmt(db, 'DELETE FROM inbound_messages WHERE received_at < ?').run(cutoff).changes;
    const total = (
      stmt(db, 'SELECT coalesce(sum(size), 0) AS n FROM inbound_messages').get() as { n: number }
    ).n;
    if (total > retention.maxBytes) {
      // The newest messages whose sizes add up to at most maxBytes stay; every older one goes.
      const last = stmt(
        db,
        `SELECT id FROM (SELECT id, sum(size) OVER (ORDER BY id DESC) AS running FROM inbound_messages)
          WHERE running > ? ORDER BY id DESC LIMIT 1`,
      ).get(retention.maxBytes) as { id: number } | undefined;
      if (last) deleted += stmt(db, 'DELETE FROM inbound_messages WHERE id <= ?').run(last.id).changes;
    }
    return deleted;
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

/** Exported for the test of its query plan (`inbound_log`, `inbound_delivery`). */
export const REPORTS_FOR_LOG_ROW_SQL = `SELECT id, received_at, kind, format, results_json, outcome FROM (
    SELECT * FROM inbound_messages WHERE log_id = @logId
    UNION ALL
    SELECT * FROM inbound_messages
     WHERE delivery_id = @deliveryId AND log_id IS NULL
       AND EXISTS (SELECT 1 FROM json_each(results_json) WHERE json_extract(value, '$.logId') = @logKey))
  ORDER BY received_at DESC, id DESC LIMIT @limit`;

/**
 * The reports received about one log row, oldest first (at most `LOG_REPORTS_MAX`, the newest): the messages
 * tied to the row itself (`inbound_log`), and those tied to its delivery only whose recipients name the row (a
 * group transaction's report; `inbound_delivery`). Each gives the recipient result about this row (the first
 * when none names it: a complaint or an auto-reply tied by its trace header).
 */
export function reportsForLogRow(db: Db, logId: number, deliveryId: number): LogReport[] {
  const rows = stmt(db, REPORTS_FOR_LOG_ROW_SQL).all({
    logId,
    deliveryId,
    logKey: String(logId),
    limit: LOG_REPORTS_MAX,
  }) as Pick<InboundRow, 'id' | 'received_at' | 'kind' | 'format' | 'results_json' | 'outcome'>[];
  return rows.reverse().map((r) => {
    const results = JSON.parse(r.results_json) as InboundRecipientResult[];
    const mine = results.find((x) => x.logId === String(logId)) ?? results[0];
    return {
      inboundId: String(r.id),
      at: r.received_at,
      kind: r.kind,
      format: r.format,
      action: mine?.action ?? null,
      status: mine?.status ?? null,
      code: mine?.code ?? null,
      diagnostic: mine?.diagnostic ?? null,
      reason: mine?.reason ?? null,
      type: mine?.type ?? null,
      applied: mine?.applied ?? r.outcome,
    };
  });
}
