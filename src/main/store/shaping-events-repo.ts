/** The log of automatic shaping changes (SPEC §6: every automatic change is logged with its cause). */
import type { ShapingEvent } from '../../shared/contract/mta';
import { decodeCursor, encodeCursor } from './cursor';
import type { Db } from './db';
import { stmt } from './statements';

export type ShapingEventKind = ShapingEvent['kind'];

export interface NewShapingEvent {
  at: number;
  destination: string;
  kind: ShapingEventKind;
  cause: string;
  detail?: Record<string, unknown>;
}

export function recordShapingEvent(db: Db, event: NewShapingEvent): void {
  stmt(
    db,
    'INSERT INTO shaping_events (at, destination, kind, cause, detail_json) VALUES (?, ?, ?, ?, ?)',
  ).run(event.at, event.destination, event.kind, event.cause, JSON.stringify(event.detail ?? {}));
}

interface EventRow {
  id: number;
  at: number;
  destination: string;
  kind: ShapingEventKind;
  cause: string;
  detail_json: string;
}

/** Newest first, keyset-paged on (at, id). */
export function listShapingEvents(
  db: Db,
  query: { cursor: string | null; limit: number; destination?: string | undefined },
): { items: ShapingEvent[]; nextCursor: string | null } {
  const [at, id] = query.cursor ? decodeCursor(query.cursor, 2) : [null, null];
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit + 1 };
  if (query.destination !== undefined) {
    where.push('destination = @destination');
    params.destination = query.destination;
  }
  if (at !== null && id !== null) {
    where.push('(at < @at OR (at = @at AND id < @id))');
    params.at = at;
    params.id = id;
  }
  const sql = `SELECT id, at, destination, kind, cause, detail_json FROM shaping_events
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY at DESC, id DESC LIMIT @limit`;
  const rows = stmt(db, sql).all(params) as EventRow[];
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: String(r.id),
      at: r.at,
      destination: r.destination,
      kind: r.kind,
      cause: r.cause,
      detail: JSON.parse(r.detail_json) as Record<string, unknown>,
    })),
    nextCursor: more && last ? encodeCursor([last.at, last.id]) : null,
  };
}
