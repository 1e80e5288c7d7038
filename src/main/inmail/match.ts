/**
 * Tying an inbound report to the message we sent (SPEC §4.3), by identifiers nobody can forge without having
 * seen the message (a report tied by none of them is kept unmatched and changes nothing):
 * 1. the VERP address the report was sent to (SMTP envelope recipient, else the report's To header) — its
 *    HMAC tag verifies under the VERP key; a per-delivery VERP (group transactions) gives the delivery and
 *    the recipient address gives the row;
 * 2. our trace header `X-Relaydeck-Id: <deliveryId>.<logId>.<token>` in the returned part, the token being the
 *    row's stored 128-bit random Message-ID token (`engine/bounce/trace.ts`);
 * 3. the returned part's Message-ID (`<logId.deliveryId.token@domain>`, compared in full with the row's).
 * The untokened trace header of mail sent before tokens existed (`<deliveryId>.<logId>`) and Message-IDs
 * without a 128-bit token are guessable and never match. A per-message identifier (1 for one message, 2, 3)
 * vouches for that one row only: a report naming other recipients of the same delivery does not reach their
 * rows (`rowForRecipient`).
 */
import { addressKey } from '../../shared/domain/address';
import type { InboundReport } from './parse/types';
import { messageIdToken, parseTrace, sameToken } from '../engine/bounce/trace';
import { parseVerp } from '../engine/bounce/verp';
import type { Db } from '../store/db';
import type { MatchedBy } from '../store/inbound-repo';
import { deliveryExists } from '../store/deliveries-repo';
import { logTargetByAddress, logTargetById as logRow, type LogTarget } from '../store/log-repo';

export type { LogTarget } from '../store/log-repo';

export interface Match {
  by: MatchedBy;
  deliveryId: number;
  /** The row the message itself identifies (null for a per-delivery VERP). */
  row: LogTarget | null;
}

export function matchReport(
  db: Db,
  report: InboundReport,
  envelopeTo: string | null,
  verpKey: string,
): Match | null {
  for (const address of [envelopeTo, report.envelopeTo]) {
    if (!address) continue;
    const target = parseVerp(address, verpKey);
    if (!target) continue;
    if (target.kind === 'message') {
      const row = logRow(db, target.logId);
      if (row && row.deliveryId === target.deliveryId) return { by: 'verp', deliveryId: row.deliveryId, row };
    } else if (deliveryExists(db, target.deliveryId)) {
      return { by: 'verp', deliveryId: target.deliveryId, row: null };
    }
  }
  const trace = parseTrace(report.original?.relaydeckId);
  if (trace) {
    const row = logRow(db, trace.logId);
    if (row && row.deliveryId === trace.deliveryId && sameToken(messageIdToken(row.messageId), trace.token))
      return { by: 'trace_header', deliveryId: row.deliveryId, row };
  }
  const messageId = report.original?.messageId?.trim() ?? null;
  const ids = messageId ? /^<?(\d{1,15})\.(\d{1,15})\./.exec(messageId) : null;
  const given = messageIdToken(messageId);
  if (messageId && ids && given) {
    const row = logRow(db, Number(ids[1]));
    const bracketed = messageId.startsWith('<') ? messageId : `<${messageId}>`;
    if (
      row &&
      row.deliveryId === Number(ids[2]) &&
      sameToken(messageIdToken(row.messageId), given) &&
      row.messageId === bracketed
    )
      return { by: 'message_id', deliveryId: row.deliveryId, row };
  }
  return null;
}

/**
 * The log row a recipient of the report stands for.
 * - Matched by a per-delivery VERP (group transactions): the row of the same address in that delivery.
 * - Matched by one message's identifier: that message's row only. A recipient with another address stands for
 *   it too (reports often name a forwarded or rewritten address), unless the address is another recipient of
 *   the same delivery: one message's identifier never vouches for another message's row (a report quoting one
 *   genuine header must not fail the delivery's other recipients), so that recipient is recorded only.
 */
export function rowForRecipient(db: Db, match: Match, recipient: string | null): LogTarget | null {
  const key = recipient ? addressKey(recipient) : null;
  if (!match.row) return key ? logTargetByAddress(db, match.deliveryId, key) : null;
  if (!key || addressKey(match.row.email) === key) return match.row;
  return logTargetByAddress(db, match.deliveryId, key) ? null : match.row;
}
