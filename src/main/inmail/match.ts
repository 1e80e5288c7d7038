/**
 * Tying an inbound report to the message we sent (SPEC §4.3), in this order of trust:
 * 1. the VERP address the report was sent to (SMTP envelope recipient, else the report's To header) — its
 *    HMAC tag verifies, so it cannot be forged; a per-delivery VERP (group transactions) gives the delivery and
 *    the recipient address gives the row;
 * 2. our trace header `X-Relaydeck-Id: <deliveryId>.<logId>` in the returned part;
 * 3. the returned part's Message-ID (`<logId.deliveryId.random@domain>`, compared in full with the row's).
 * Headers in the returned part can be forged by anyone who saw the message, so 2 and 3 are checked against
 * the store (the row must exist and carry that Message-ID) but grant nothing VERP does not.
 */
import { addressKey } from '../../shared/domain/address';
import type { InboundReport } from './parse/types';
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
  const trace = /^\s*(\d{1,15})\.(\d{1,15})\s*$/.exec(report.original?.relaydeckId ?? '');
  if (trace) {
    const row = logRow(db, Number(trace[2]));
    if (row && row.deliveryId === Number(trace[1]))
      return { by: 'trace_header', deliveryId: row.deliveryId, row };
  }
  const messageId = report.original?.messageId?.trim();
  const ids = messageId ? /^<?(\d{1,15})\.(\d{1,15})\.[^@>\s]+@[^>\s]+>?$/.exec(messageId) : null;
  if (messageId && ids) {
    const row = logRow(db, Number(ids[1]));
    const bracketed = messageId.startsWith('<') ? messageId : `<${messageId}>`;
    if (row && row.deliveryId === Number(ids[2]) && row.messageId === bracketed)
      return { by: 'message_id', deliveryId: row.deliveryId, row };
  }
  return null;
}

/**
 * The log row a recipient of the report stands for: the row of the same address in the matched delivery,
 * else the row the message identifies (reports often name a forwarded or rewritten address).
 */
export function rowForRecipient(db: Db, match: Match, recipient: string | null): LogTarget | null {
  if (recipient) {
    const key = addressKey(recipient);
    if (match.row && addressKey(match.row.email) === key) return match.row;
    const byAddress = logTargetByAddress(db, match.deliveryId, key);
    if (byAddress) return byAddress;
  }
  return match.row;
}
