/**
 * Is a reply a receiver's "slow down" signal (SPEC §6)? 421 (service not available, closing) at any stage,
 * 4.7.28 anywhere, and 4xx replies to the connection, EHLO or MAIL that talk about rate ("rate", "too many",
 * "try again later"). A 4xx to RCPT saying "try again later" is greylisting of one recipient, not a signal
 * about the destination.
 */
import type { SmtpOutcome } from '../types';

const RATE_TEXT = /\brate\b|rate.?limit|too many|try again later|throttl/i;
const SESSION_COMMANDS = new Set(['CONNECT', 'EHLO', 'MAIL']);

export function isRateSignal(outcome: Pick<SmtpOutcome, 'code' | 'enhanced' | 'text' | 'command'>): boolean {
  const { code } = outcome;
  if (code === null || code < 400 || code >= 500) return false;
  if (code === 421) return true;
  if (outcome.enhanced === '4.7.28') return true;
  return SESSION_COMMANDS.has(outcome.command ?? '') && RATE_TEXT.test(outcome.text);
}
