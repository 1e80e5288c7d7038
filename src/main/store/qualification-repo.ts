/**
 * The delivery-log qualification table (SPEC §4.2): every non-success reply (synchronous, in the feedback
 * transaction) and every recipient of an inbound report upserts the row of its normalised key — occurrences
 * +1, last seen, the first raw text kept. Rows whose classification came from no specific rule (RFC 3463
 * fallback, bare code, nothing) are `to_qualify`.
 *
 * Requalifying a row (`updateQualification`) marks it manual: its reason/type/class then override the rules
 * for every future reply with that key (`manualOverrides`, loaded by the reloadable classifier).
 */
import type {
  QualificationRow,
  QualificationSource,
  QualificationStatus,
} from '../../shared/contract/bounce';
import type { BounceClass, FailureType, ReasonId } from '../../shared/domain/reasons';
import { AppError } from '../../shared/contract/errors';
import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { stmt } from './statements';

export interface QualificationHit {
  key: string;
  source: QualificationSource;
  code: number | null;
  enhanced: string | null;
  raw: string;
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
  ruleId: string;
  /** Why the rule decided (`BounceExplanation.why`). */
  why: string;
}

interface QualificationDbRow {
  id: number;
  norm_key: string;
  source: QualificationSource;
  code: number | null;
  enhanced: string | null;
  first_raw: string;
  first_seen_at: number;
  last_seen_at: number;
  occurrences: number;
  reason: ReasonId;
  type: FailureType;
  bounce_class: number;
  rule_id: string;
  why: string;
  status: QualificationStatus;
  manual: number;
  updated_at: number;
}

const FIRST_RAW_MAX = 4000;

/** Rule ids of verdicts that no specific rule gave (the classifier's fallbacks). */
export function isUnqualifiedRule(ruleId: string): boolean {
  return ruleId === 'none' || ruleId.startsWith('status:') || ruleId.startsWith('code:');
}

/** Upserts each hit (call inside the caller's transaction). */
export function recordQualifications(db: Db, hits: readonly QualificationHit[], now: number): void {
  const upsert = stmt(
    db,
    `INSERT INTO qualification (norm_key, source, code, enhanced, first_raw, first_seen_at, last_seen_at,
       occurrences, reason, type, bounce_class, rule_id, why, status, manual, updated_at)
     VALUES (@key, @source, @code, @enhanced, @raw, @now, @now, 1, @reason, @type, @bounceClass, @ruleId,
       @why, @status, 0, @now)
     ON CONFLICT(norm_key) DO UPDATE SET
       occurrences = occurrences + 1,
       last_seen_at = max(last_seen_at, excluded.last_seen_at),
       reason = CASE WHEN manual THEN reason ELSE excluded.reason END,
       type = CASE WHEN manual THEN type ELSE excluded.type END,
       bounce_class = CASE WHEN manual THEN bounce_class ELSE excluded.bounce_class END,
       rule_id = CASE WHEN manual THEN rule_id ELSE excluded.rule_id END,
       why = CASE WHEN manual THEN why ELSE excluded.why END,
       status = CASE WHEN manual OR status = 'ignore' THEN status ELSE excluded.status END,
       updated_at = excluded.updated_at`,
  );
  for (const h of hits) {
    upsert.run({
      key: h.key,
      source: h.source,
      code: h.code,
      enhanced: h.enhanced,
      raw: h.raw.slice(0, FIRST_RAW_MAX),
      now,
      reason: h.reason,
      type: h.type,
      bounceClass: h.bounceClass,
      ruleId: h.ruleId,
      why: h.why,
      status: isUnqualifiedRule(h.ruleId) ? 'to_qualify' : 'keep',
    });
  }
}

function toRow(r: QualificationDbRow): QualificationRow {
  return {
    id: String(r.id),
    key: r.norm_key,
    source: r.source,
    code: r.code,
    enhanced: r.enhanced,
    firstRaw: r.first_raw,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    occurrences: r.occurrences,
    reason: r.reason,
    type: r.type,
    bounceClass: r.bounce_class,
    ruleId: r.rule_id,
    why: r.why,
    status: r.status,
    manual: r.manual === 1,
    updatedAt: r.updated_at,
  };
}

export interface QualificationQuery {
  cursor: string | null;
  limit: number;
  status?: QualificationStatus[] | undefined;
  source?: QualificationSource | undefined;
  search?: string | undefined;
  sort: 'newest' | 'frequent';
}

/** Keyset page, newest (last seen) or most frequent first; `id` breaks ties. */
export function listQualifications(
  db: Db,
  q: QualificationQuery,
): { items: QualificationRow[]; nextCursor: string | null } {
  const column = q.sort === 'newest' ? 'last_seen_at' : 'occurrences';
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit + 1 };
  if (q.status?.length) {
    where.push(`status IN (${q.status.map((_, i) => `@s${i}`).join(', ')})`);
    q.status.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (q.source) {
    where.push('source = @source');
    params.source = q.source;
  }
  const search = q.search?.trim();
  if (search) {
    where.push('(instr(lower(norm_key), @search) > 0 OR instr(lower(first_raw), @search) > 0)');
    params.search = search.toLowerCase();
  }
  if (q.cursor) {
    const [value, id] = decodeCursor(q.cursor, 2);
    where.push(`(${column} < @value OR (${column} = @value AND id < @id))`);
    params.value = value;
    params.id = id;
  }
  const sql = `SELECT * FROM qualification ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${column} DESC, id DESC LIMIT @limit`;
  const rows = stmt(db, sql).all(params) as QualificationDbRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map(toRow),
    nextCursor:
      more && last
        ? encodeCursor([q.sort === 'newest' ? last.last_seen_at : last.occurrences, last.id])
        : null,
  };
}

export function getQualification(db: Db, id: number): QualificationRow {
  const row = stmt(db, 'SELECT * FROM qualification WHERE id = ?').get(id) as QualificationDbRow | undefined;
  if (!row) throw new AppError('not_found', `No qualification row ${id}`);
  return toRow(row);
}

/** Requalifies a row: its status, and (made manual) the verdict future replies with its key get. */
export function updateQualification(
  db: Db,
  input: {
    id: number;
    status: QualificationStatus;
    reason?: ReasonId | undefined;
    type?: FailureType | undefined;
    bounceClass?: BounceClass | undefined;
  },
  now: number,
): QualificationRow {
  const current = getQualification(db, input.id);
  const requalified =
    input.reason !== undefined || input.type !== undefined || input.bounceClass !== undefined;
  stmt(
    db,
    `UPDATE qualification SET status = @status, reason = @reason, type = @type, bounce_class = @bounceClass,
            manual = @manual, rule_id = @ruleId, updated_at = @now
      WHERE id = @id`,
  ).run({
    id: input.id,
    status: input.status,
    reason: input.reason ?? current.reason,
    type: input.type ?? current.type,
    bounceClass: input.bounceClass ?? current.bounceClass,
    manual: requalified || current.manual ? 1 : 0,
    ruleId: requalified ? 'manual' : current.ruleId,
    now,
  });
  return getQualification(db, input.id);
}

export interface ManualVerdict {
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
}

/** Every analyst override, by normalised key. */
export function manualOverrides(db: Db): Map<string, ManualVerdict> {
  const rows = stmt(
    db,
    'SELECT norm_key, reason, type, bounce_class FROM qualification WHERE manual = 1',
  ).all() as { norm_key: string; reason: ReasonId; type: FailureType; bounce_class: BounceClass }[];
  return new Map(
    rows.map((r) => [r.norm_key, { reason: r.reason, type: r.type, bounceClass: r.bounce_class }]),
  );
}
