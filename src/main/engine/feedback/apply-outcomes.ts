/**
 * The engine's side of the feedback (EFS): an outcome as the engine knows it (the attempt, the classifier's
 * verdict, the retry policy's disposition) becomes the ledger's outcome (`store/ledger.ts`), which writes the
 * log, queue, counters, throughput, qualification and quarantine rows in one transaction per batch.
 */
import type { Db } from '../../store/db';
import {
  applyOutcomes as applyToLedger,
  type ApplyResult,
  type LedgerOutcome,
  type SentRecord,
} from '../../store/ledger';
import type { QualificationHit } from '../../store/qualification-repo';
import { formatReply } from '../../../shared/domain/smtp-reply';
import type { SmtpOutcome } from '../types';
import { qualificationKey, type Classification } from '../bounce/basic-classifier';
import type { Disposition } from '../retry/policy';

export type { ApplyResult } from '../../store/ledger';

export interface MessageOutcome {
  logId: number;
  deliveryId: number;
  at: number;
  /** The SMTP attempt, or null when the message expired without a new attempt. */
  attempt: SmtpOutcome | null;
  /** Qualification of the attempt's reply; null for an accepted message or an expiry without attempt. */
  classification: Classification | null;
  disposition: Disposition;
  /** The destination key the message was routed to (`Destination.key`); null when routing found none. */
  destination: string | null;
  /** The domain whose DKIM key signed the message (`d=`); null when it was not signed. */
  dkimDomain: string | null;
  /** What the attempt's message was built with (Date, DKIM selectors, shared Message-ID); absent: none sent. */
  sent?: SentRecord | null;
}

export function applyOutcomes(db: Db, outcomes: readonly MessageOutcome[], now: number): ApplyResult {
  return applyToLedger(db, outcomes.map(toLedgerOutcome), now);
}

export function toLedgerOutcome(o: MessageOutcome): LedgerOutcome {
  const { attempt, classification } = o;
  // A QUEUE attempt (an automation rule bounced the destination's queue) notes the trigger, already qualified
  // when it was received: the qualification table lists what receivers answered.
  const qualification =
    attempt && attempt.kind !== 'accepted' && attempt.command !== 'QUEUE' && classification
      ? qualificationHit(attempt, classification)
      : null;
  return { ...o, qualification };
}

function qualificationHit(attempt: SmtpOutcome, c: Classification): QualificationHit {
  return {
    key: qualificationKey(attempt),
    source: 'sync',
    code: attempt.code,
    enhanced: attempt.enhanced,
    raw: formatReply(attempt),
    reason: c.reason,
    type: c.type,
    bounceClass: c.bounceClass,
    ruleId: c.ruleId ?? 'none',
    why: c.why ?? '',
  };
}
