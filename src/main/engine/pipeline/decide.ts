/**
 * The per-message pipeline's last steps, after the send: classifier -> retry policy -> the ledger's outcome.
 * Pure apart from the injected clock and randomness, so each decision is unit-tested on a fake clock
 * (`test/unit/engine-pipeline-decide.test.ts`); the engine pushes the result to the feedback buffer, which
 * writes it through the ledger.
 */
import type { Clock } from '../../clock';
import { classifyReplyWithRule } from '../bounce/basic-classifier';
import type { Classifier } from '../bounce/classifier';
import type { MessageOutcome } from '../feedback/apply-outcomes';
import type { SentRecord } from '../../store/ledger';
import { decideDisposition, type Disposition } from '../retry/policy';
import type { SmtpOutcome } from '../types';

/** The queue item the outcome is about. */
export interface DecidedItem {
  logId: number;
  deliveryId: number;
  /** Attempts made before this one. */
  attempts: number;
  expiresAt: number;
}

export interface DecideDeps {
  clock: Clock;
  random: () => number;
  classifier?: Pick<Classifier, 'classify'> | undefined;
}

export interface Attempted {
  item: DecidedItem;
  /** The delivery's time scale (retry delays are divided by it). */
  timeScale: number;
  outcome: SmtpOutcome;
  /** The destination key, null when routing found none. */
  destination: string | null;
  dkimDomain: string | null;
  /** What the message of this attempt was built with (absent when no message was composed). */
  sent?: SentRecord | null;
  /** An automation rule bounces the destination's queue: a message that would be retried fails now. */
  bounceQueue: boolean;
  /**
   * The receiver deferred the message because of the destination's pace (a rate, session or block signal):
   * it is retried when the destination can take it, from this time, not on the retry schedule.
   */
  pacedUntil?: number | null;
}

/** Qualifies an attempt's reply and decides what happens to the message. */
export function decideOutcome(deps: DecideDeps, a: Attempted): MessageOutcome {
  const at = deps.clock.now();
  const { outcome, item } = a;
  const classification = outcome.kind === 'accepted' ? null : classifyReplyWithRule(outcome, deps.classifier);
  const decided = decideDisposition({
    outcome,
    attempts: item.attempts + 1,
    now: at,
    expiresAt: item.expiresAt,
    timeScale: a.timeScale,
    random: deps.random,
  });
  const disposition: Disposition =
    a.bounceQueue && decided.kind === 'retry'
      ? { kind: 'bounced' }
      : decided.kind === 'retry' && a.pacedUntil != null
        ? paced(a.pacedUntil, item.expiresAt)
        : decided;
  return {
    logId: item.logId,
    deliveryId: item.deliveryId,
    at,
    attempt: outcome,
    classification,
    disposition,
    destination: a.destination,
    dkimDomain: a.dkimDomain,
    ...(a.sent ? { sent: a.sent } : {}),
  };
}

/** A deferral about the destination's pace: due when the destination can take it (within the validity). */
function paced(dueAt: number, expiresAt: number): Disposition {
  return dueAt >= expiresAt
    ? { kind: 'retry', dueAt: expiresAt, rule: 'validity' }
    : { kind: 'retry', dueAt, rule: 'destination pace' };
}

/** A message whose validity ended before a new attempt: Failed with its last reason. */
export function expiredOutcome(clock: Clock, item: DecidedItem): MessageOutcome {
  return {
    logId: item.logId,
    deliveryId: item.deliveryId,
    at: clock.now(),
    attempt: null,
    classification: null,
    disposition: { kind: 'expired' },
    destination: null,
    dkimDomain: null,
  };
}
