/**
 * What a receiver's reply says about its limits (SPEC §6): each signal names the one limit it concerns, so the
 * shaper lowers that limit and only that one.
 *
 * - `connections`: a session refused at connect or greeting (421 / 4xx / 554 banner, "too many connections",
 *   connection refused or reset) while the receiver was holding other sessions of ours: its connection limit is
 *   about the sessions it had accepted (`concurrent`).
 * - `blocked`: the same refusal, answered by the receiver (a 4xx banner), with no other session open: it refuses
 *   us outright for now (a penalty box, an overloaded host). Nothing to lower; repeated, it suspends the
 *   destination. A TCP refusal with nothing open is a host down, not a signal.
 * - `session`: a 421, a drop, or a "too many messages in this connection" reply to MAIL / RCPT / DATA on a
 *   session that had already carried `completed` transactions: its messages-per-connection limit is that many.
 * - `rate`: a rate or volume reply (4.7.28, [TSS04], RL000001, "rate limit", "throttled", "server busy", a 421
 *   that is none of the above, "try again later" to the session's commands): the message rate is too high.
 *
 * A reply to RCPT saying "try again later" without talking about rate is greylisting of one recipient, not a
 * signal about the destination; a timeout is a slow or dead host, not a limit.
 */
import type { SmtpOutcome, SmtpStage } from '../types';

export type LimitSignal =
  | { kind: 'connections'; concurrent: number }
  | { kind: 'blocked' }
  | { kind: 'session'; completed: number }
  | { kind: 'rate' };

const CONNECTIONS_TEXT =
  /too many (?:concurrent |simultaneous |smtp |open )*(?:connections|sessions)|(?:concurrent|simultaneous) connections|connection (?:limit|count)|maximum number of (?:concurrent )?connections|too many connects/i;
const SESSION_TEXT =
  /too many (?:messages|mails|transactions) (?:in|on|per|for) (?:this |one |a )?(?:connection|session)|(?:messages|mails|transactions) per (?:connection|session)|(?:connection|session) (?:message )?limit/i;
const RATE_TEXT =
  /\brate\b|rate.?limit|throttl|\bvolume\b|\bTSS?0\d\b|\bRL0+\d\b|4\.7\.28|server busy|too many (?:messages|mails|emails)|too much mail|too many recipients from/i;
/** "Try again later" is about the sender's pace when it answers the session's own commands. */
const LATER_TEXT = /try again later|try later/i;
/** Texts of a connection that ended without a reply, when the receiver refused or cut it (not a timeout). */
const REFUSED_TEXT = /connection refused|closed before|dropped|reset|ECONNRESET|ECONNREFUSED/i;

/** The stage an outcome answered: the relay's own, else placed by the command (outcomes made elsewhere). */
export function stageOf(outcome: Pick<SmtpOutcome, 'stage' | 'command'>): SmtpStage {
  if (outcome.stage) return outcome.stage;
  switch (outcome.command) {
    case 'CONNECT':
      return 'connect';
    case 'EHLO':
      return 'ehlo';
    case 'STARTTLS':
      return 'starttls';
    case 'MAIL':
      return 'mail';
    case 'RCPT':
      return 'rcpt';
    case 'DATA':
      return 'data-end';
    default:
      return 'none';
  }
}

export function limitSignal(
  outcome: Pick<SmtpOutcome, 'kind' | 'code' | 'enhanced' | 'text' | 'command' | 'stage' | 'session'>,
  openSessions: number,
): LimitSignal | null {
  if (outcome.kind === 'accepted') return null;
  const { code, text } = outcome;
  const stage = stageOf(outcome);
  // The sessions the receiver held for us when it answered (the relay's count, else the destination's).
  const concurrent = outcome.session?.concurrent ?? openSessions;
  if (stage === 'connect' || stage === 'greeting') {
    const refused = code === null ? REFUSED_TEXT.test(text) : code === 421 || code >= 400;
    if (!refused) return null;
    // A banner deferring us for our volume ([TSS04] at the greeting, a penalty box) is about the rate.
    if (code !== null && code < 500 && !CONNECTIONS_TEXT.test(text) && isRateReply(outcome))
      return concurrent > 0 ? { kind: 'rate' } : { kind: 'blocked' };
    // A 5xx banner is a limit only when it says so (otherwise it is a block list refusal: a bounce).
    if (code !== null && code >= 500 && !CONNECTIONS_TEXT.test(text)) return null;
    if (concurrent > 0) return { kind: 'connections', concurrent };
    // A host that refuses TCP with nothing open is down, not pacing us: the retry schedule applies.
    return code === null ? null : { kind: 'blocked' };
  }
  if (code !== null && code >= 500) return null;
  const transaction = stage === 'mail' || stage === 'rcpt' || stage === 'data';
  const completed = outcome.session?.completed ?? 0;
  if (transaction && completed > 0 && SESSION_TEXT.test(text)) return { kind: 'session', completed };
  if (code === null) {
    // A session cut by the receiver at the start of a transaction, after some messages: its message budget.
    return transaction && completed > 0 && REFUSED_TEXT.test(text) ? { kind: 'session', completed } : null;
  }
  if (code < 400) return null;
  if (CONNECTIONS_TEXT.test(text))
    return concurrent > 0 ? { kind: 'connections', concurrent } : { kind: 'blocked' };
  const rateText = isRateReply(outcome);
  if (code === 421) {
    if (rateText) return { kind: 'rate' };
    return transaction && completed > 0 && stage === 'mail'
      ? { kind: 'session', completed }
      : { kind: 'rate' };
  }
  if (rateText) return { kind: 'rate' };
  // "Try again later" to RCPT is greylisting of one recipient; to DATA, a receiver's passing trouble.
  return (stage === 'ehlo' || stage === 'mail') && LATER_TEXT.test(text) ? { kind: 'rate' } : null;
}

function isRateReply(outcome: Pick<SmtpOutcome, 'enhanced' | 'text'>): boolean {
  return outcome.enhanced === '4.7.28' || RATE_TEXT.test(outcome.text);
}
