/**
 * Asynchronous outcomes (SPEC §2.1, §4.3, §4.4), applied in one transaction per inbound message:
 * - DSN / non-standard bounce, `Action: failed` (after the receiver had accepted the message): the row becomes
 *   Failed from Sent, with the reason, type, class and diagnostic of the report; the success counter loses it
 *   in both reporting modes (SPEC §2.1 "hard bounce reported": EFS Sent -> Failed, classic decreases). A row
 *   that is not Sent (still in the MTA, already Failed) only records the reason and type (an already Failed
 *   row moves in or out of the hard bounces with its type). A message counts once in the soft bounces, even
 *   when a soft DSN follows a synchronous soft bounce and the accepted retry that cleared its type.
 * - `Action: delayed`: the reason is updated, the status is unchanged.
 * - ARF complaint: the address is denylisted; the row keeps its status, records reason Refused (class 90) and
 *   the delivery's complaints counter goes up (once per row).
 * - auto-reply, success notifications, unknown mail: recorded on the inbound message only.
 * Every report recipient with a diagnostic upserts the qualification table (source `async`); bounces and
 * complaints of mail tied to one of our messages feed the quarantine policy (an unmatched report may be forged).
 */
import type { InboundRecipientResult } from '../../shared/contract/bounce';
import type { FailureType, ReasonId } from '../../shared/domain/reasons';
import type { LogStatus } from '../../shared/domain/statuses';
import { formatReply } from '../../shared/domain/smtp-reply';
import { qualificationKey } from '../engine/bounce/basic-classifier';
import type { InboundRecipient, InboundReport, InboundVerdict } from './parse/types';
import { softIncrement, statusMoveSql } from '../store/counters';
import type { Db } from '../store/db';
import { recordQualifications, type QualificationHit } from '../store/qualification-repo';
import { applyQuarantineEvents, type AddressEvent } from '../store/quarantine-repo';
import { stmt } from '../store/statements';
import { rowForRecipient, type Match } from './match';

export interface AppliedReport {
  results: InboundRecipientResult[];
  /** One line for the list: what was done. */
  outcome: string;
  deliveryIds: number[];
  quarantineChanged: boolean;
}

interface LogState {
  status: LogStatus;
  failure_type: FailureType | null;
  reason: ReasonId | null;
  bounce_class: number | null;
  addr_key: string;
  delivery_id: number;
  soft_counted: number;
}

type Effect = 'failed' | 'reason_updated' | 'complaint' | 'recorded';

/** Call inside a transaction. */
export function applyReport(
  db: Db,
  report: InboundReport,
  verdicts: readonly InboundVerdict[],
  match: Match | null,
  now: number,
): AppliedReport {
  const results: InboundRecipientResult[] = [];
  const hits: QualificationHit[] = [];
  const quarantine: AddressEvent[] = [];
  const deliveries = new Set<number>();
  const effects: string[] = [];
  verdicts.forEach((verdict, i) => {
    const recipient: InboundRecipient | undefined = report.recipients[i];
    const target = match ? rowForRecipient(db, match, verdict.recipient) : null;
    const diagnostic = recipient?.diagnostic ?? null;
    if ((report.kind === 'dsn' || report.kind === 'bounce_nonstandard') && (diagnostic || verdict.status)) {
      const reply = { code: verdict.code, enhanced: verdict.status, text: diagnostic ?? '' };
      hits.push({
        key: qualificationKey(reply),
        source: 'async',
        code: verdict.code,
        enhanced: verdict.status,
        raw: formatReply(reply),
        reason: verdict.reason,
        type: verdict.type,
        bounceClass: verdict.bounceClass,
        ruleId: verdict.ruleId,
        why: verdict.why,
      });
    }
    let applied = 'recorded only';
    if (target) {
      const effect = applyToRow(db, report, verdict, recipient, target.logId, now);
      deliveries.add(target.deliveryId);
      applied = describe(effect, verdict);
      if (effect !== 'recorded') effects.push(applied);
    } else if (match === null && report.kind !== 'unknown') {
      applied = 'not matched to a message: recorded only';
    }
    // Only mail tied to a message we sent changes the quarantine: an unmatched report could be forged.
    const address = target?.email ?? null;
    if (address) {
      if (report.kind === 'arf' && verdict.type === 'hard') {
        quarantine.push({ address, event: { kind: 'complaint' } });
      } else if (
        (report.kind === 'dsn' || report.kind === 'bounce_nonstandard') &&
        (recipient?.action === 'failed' || recipient?.action === null || recipient?.action === undefined)
      ) {
        quarantine.push({ address, event: { kind: 'bounce', type: verdict.type, reason: verdict.reason } });
      }
    }
    results.push({
      recipient: verdict.recipient,
      action: recipient?.action ?? null,
      status: verdict.status,
      code: verdict.code,
      diagnostic,
      reason: verdict.reason,
      type: verdict.type,
      bounceClass: verdict.bounceClass,
      ruleId: verdict.ruleId,
      logId: target ? String(target.logId) : null,
      applied,
    });
  });
  recordQualifications(db, hits, now);
  const { changed } = applyQuarantineEvents(db, quarantine, now);
  const outcome =
    effects.length > 0 ? [...new Set(effects)].join('; ') : match ? 'recorded only' : 'unmatched: kept';
  return { results, outcome, deliveryIds: [...deliveries], quarantineChanged: changed > 0 };
}

function applyToRow(
  db: Db,
  report: InboundReport,
  verdict: InboundVerdict,
  recipient: InboundRecipient | undefined,
  logId: number,
  now: number,
): Effect {
  const row = stmt(
    db,
    `SELECT status, failure_type, reason, bounce_class, addr_key, delivery_id, soft_counted
       FROM delivery_log WHERE id = ?`,
  ).get(logId) as LogState | undefined;
  if (!row) return 'recorded';
  switch (report.kind) {
    case 'arf': {
      if (verdict.type !== 'hard') return 'recorded';
      if (row.reason === 'refused' && row.bounce_class === 90) return 'complaint';
      const ua = report.feedback?.userAgent ? ` by ${report.feedback.userAgent}` : '';
      stmt(
        db,
        `UPDATE delivery_log SET reason = 'refused', bounce_class = 90, last_reply = ?, updated_at = ?
          WHERE id = ?`,
      ).run(`complaint (${report.feedback?.feedbackType ?? 'abuse'}) reported${ua}`, now, logId);
      stmt(db, 'UPDATE deliveries SET n_complaints = n_complaints + 1 WHERE id = ?').run(row.delivery_id);
      return 'complaint';
    }
    case 'dsn':
    case 'bounce_nonstandard': {
      const action = recipient?.action ?? null;
      if (action === 'delivered' || action === 'relayed' || action === 'expanded') return 'recorded';
      if (verdict.type === 'ignored') return 'recorded';
      const lastReply = formatReply({
        code: verdict.code,
        enhanced: verdict.status,
        text: recipient?.diagnostic ?? `${report.format ?? report.kind} report`,
      });
      stmt(
        db,
        `UPDATE delivery_log SET failure_type = ?, reason = ?, bounce_class = ?, last_reply = ?, updated_at = ?
          WHERE id = ?`,
      ).run(verdict.type, verdict.reason, verdict.bounceClass, lastReply, now, logId);
      const failed = action !== 'delayed' && row.status === 'sent';
      if (failed) stmt(db, 'UPDATE delivery_log SET status = ? WHERE id = ?').run('failed', logId);
      // Hard bounces are Failed rows with a hard type: a report about a row already Failed requalifies it.
      const statusNow = failed ? 'failed' : row.status;
      const delta = {
        id: row.delivery_id,
        hard:
          Number(statusNow === 'failed' && verdict.type === 'hard') -
          Number(row.status === 'failed' && row.failure_type === 'hard'),
        soft: softIncrement(verdict.type, row.soft_counted),
      };
      if (failed) {
        stmt(
          db,
          `UPDATE deliveries SET ${statusMoveSql('sent', 'failed')}, n_success = n_success - 1,
                  n_hard = n_hard + @hard, n_soft = n_soft + @soft
            WHERE id = @id`,
        ).run({ ...delta, n: 1 });
        return 'failed';
      }
      if (delta.hard || delta.soft)
        stmt(db, 'UPDATE deliveries SET n_hard = n_hard + @hard, n_soft = n_soft + @soft WHERE id = @id').run(
          delta,
        );
      return 'reason_updated';
    }
    case 'auto_reply':
    case 'unknown':
      return 'recorded';
  }
}

function describe(effect: Effect, verdict: InboundVerdict): string {
  switch (effect) {
    case 'failed':
      return `message failed: ${verdict.reason} (${verdict.type})`;
    case 'reason_updated':
      return `reason updated: ${verdict.reason} (${verdict.type}), status unchanged`;
    case 'complaint':
      return 'complaint: address denylisted';
    case 'recorded':
      return 'recorded only';
  }
}
