/**
 * Asynchronous outcomes (SPEC §2.1, §4.3, §4.4), applied in one transaction per inbound message; the log row,
 * its status (SPEC §2.1's table, `reported_failed` / `reported_delayed`) and the counters are written by the
 * ledger (`store/ledger.ts`, `applyReported`), like the MTA's synchronous outcomes:
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
 * Only mail tied to one of our messages (`matchReport`: a verified VERP tag or a 128-bit token) changes anything:
 * its recipients with a diagnostic upsert the qualification table (source `async`), its bounces and complaints
 * feed the quarantine policy. An unmatched report may be forged: it is kept and listed, nothing else.
 */
import type { InboundRecipientResult } from '../../shared/contract/bounce';
import { formatReply } from '../../shared/domain/smtp-reply';
import { qualificationKey } from '../engine/bounce/basic-classifier';
import type { InboundRecipient, InboundReport, InboundVerdict } from './parse/types';
import type { Db } from '../store/db';
import { applyReported, type ReportedEffect } from '../store/ledger';
import { recordQualifications, type QualificationHit } from '../store/qualification-repo';
import { applyQuarantineEvents, type AddressEvent } from '../store/quarantine-repo';
import { rowForRecipient, type Match } from './match';

export interface AppliedReport {
  results: InboundRecipientResult[];
  /** One line for the list: what was done. */
  outcome: string;
  deliveryIds: number[];
  quarantineChanged: boolean;
}

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
    // Only reports tied to a message we sent feed the qualification table: an unmatched one may be forged.
    if (
      match !== null &&
      (report.kind === 'dsn' || report.kind === 'bounce_nonstandard') &&
      (diagnostic || verdict.status)
    ) {
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
): ReportedEffect {
  switch (report.kind) {
    case 'arf': {
      if (verdict.type !== 'hard') return 'recorded';
      const ua = report.feedback?.userAgent ? ` by ${report.feedback.userAgent}` : '';
      const lastReply = `complaint (${report.feedback?.feedbackType ?? 'abuse'}) reported${ua}`;
      return applyReported(db, logId, { kind: 'complaint', lastReply }, now);
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
      const { reason, type, bounceClass } = verdict;
      return applyReported(
        db,
        logId,
        { kind: 'bounce', action, verdict: { reason, type, bounceClass }, lastReply },
        now,
      );
    }
    case 'auto_reply':
    case 'unknown':
      return 'recorded';
  }
}

function describe(effect: ReportedEffect, verdict: InboundVerdict): string {
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
