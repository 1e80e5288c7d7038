/**
 * Retry policy and validity (SPEC §3). Pure: from a deferral (reply, attempt count) it decides when the next
 * attempt happens. Delays are real-time values divided by the delivery's time scale (sandbox compression).
 * The rules are an ordered data table, first match wins, like the classifier's.
 */
import type { SmtpOutcome } from '../types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const BACKOFF_BASE_MS = 10 * MINUTE;
export const BACKOFF_MAX_MS = 4 * HOUR;
export const BACKOFF_JITTER = 0.2;

export type RetryReply = Pick<SmtpOutcome, 'code' | 'enhanced' | 'text'>;

export interface RetryRule {
  name: string;
  /** When either is given, at least one must match. */
  enhanced?: RegExp;
  text?: RegExp;
  /** A fixed delay; rules without one use the exponential back-off. */
  delayMs?: number;
}

export const RETRY_RULES: readonly RetryRule[] = [
  // Mailbox full first: its texts often say "try again later" too.
  { name: 'mailbox_full', enhanced: /^4\.2\.2$/, text: /mailbox (is )?full|over ?quota/i, delayMs: 4 * HOUR },
  {
    name: 'greylisting',
    enhanced: /^4\.7\.1$/,
    text: /grey ?list|gray ?list|try again later/i,
    delayMs: 5 * MINUTE,
  },
  { name: 'backoff' },
];

export interface RetryDelay {
  /** Delay before the next attempt, already divided by the time scale. */
  delayMs: number;
  /** Name of the retry rule that decided it (logged with the decision). */
  rule: string;
}

/**
 * @param attempts attempts made so far, including the one that was just deferred (>= 1)
 * @param random a number in [0, 1) for the jitter
 */
export function retryDelay(
  reply: RetryReply,
  attempts: number,
  timeScale: number,
  random: () => number,
): RetryDelay {
  const rule = RETRY_RULES.find((r) => retryRuleMatches(r, reply)) ?? { name: 'backoff' };
  const realMs = rule.delayMs ?? backoffMs(attempts, random());
  return { delayMs: Math.max(1, Math.round(realMs / Math.max(1, timeScale))), rule: rule.name };
}

/** 10 min, 20 min, 40 min ... capped at 4 h, each ±20 %. */
export function backoffMs(attempts: number, random01: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 16));
  const base = Math.min(BACKOFF_BASE_MS * 2 ** exponent, BACKOFF_MAX_MS);
  const jittered = base * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random01);
  return Math.min(jittered, BACKOFF_MAX_MS);
}

function retryRuleMatches(rule: RetryRule, reply: RetryReply): boolean {
  if (!rule.enhanced && !rule.text) return true;
  // Fixed-delay rules are about transient replies only; a 5xx is never retried.
  if (reply.code !== null && (reply.code < 400 || reply.code >= 500)) return false;
  return (
    (rule.enhanced !== undefined && reply.enhanced !== null && rule.enhanced.test(reply.enhanced)) ||
    (rule.text !== undefined && rule.text.test(reply.text))
  );
}

/** What happens to a message after an outcome. */
export type Disposition =
  | { kind: 'delivered' }
  /** Permanent failure: the message is final (Failed). */
  | { kind: 'bounced' }
  /** Transient failure: next attempt at `dueAt` (which may be the expiry check itself). */
  | { kind: 'retry'; dueAt: number; rule: string }
  /** The validity ended while the message was still deferred: final (Failed, last error's reason). */
  | { kind: 'expired' };

export interface DispositionInput {
  outcome: Pick<SmtpOutcome, 'kind' | 'code' | 'enhanced' | 'text'>;
  /** Attempts including this one. */
  attempts: number;
  now: number;
  expiresAt: number;
  timeScale: number;
  random: () => number;
}

/**
 * Validity: a deferral whose next attempt would fall at or after `expiresAt` is not retried early nor dropped
 * early: it is re-checked exactly at `expiresAt`, where the engine fails it without a further attempt
 * (SPEC §3: "at the end of the validity a message still being retried becomes Failed with the last error's
 * reason"). Choosing "no extra attempt at expiry" keeps the outcome time deterministic and never sends a
 * message after its validity.
 */
export function decideDisposition(input: DispositionInput): Disposition {
  const { outcome, now, expiresAt } = input;
  switch (outcome.kind) {
    case 'accepted':
      return { kind: 'delivered' };
    case 'failed':
      return { kind: 'bounced' };
    case 'deferred': {
      if (now >= expiresAt) return { kind: 'expired' };
      const { delayMs, rule } = retryDelay(outcome, input.attempts, input.timeScale, input.random);
      const dueAt = now + delayMs;
      return dueAt >= expiresAt
        ? { kind: 'retry', dueAt: expiresAt, rule: 'validity' }
        : { kind: 'retry', dueAt, rule };
    }
  }
}
