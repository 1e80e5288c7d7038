/**
 * The identifiers a returned copy of our message carries (SPEC §4.3), made unguessable so that a report quoting
 * them cannot be forged by someone who never saw the message:
 *
 * - the Message-ID of every log row is `<logId.deliveryId.token@domain>`, where `token` is 128 random bits (32
 *   hex characters) written once with the row (campaign preparation, or the ledger's relay for a row without
 *   one) and kept in the store;
 * - the trace header is `X-Relaydeck-Id: <deliveryId>.<logId>.<token>`, the same token.
 *
 * inMail accepts either only when the token equals the stored row's (compared in constant time). Mail sent
 * before tokens existed (`X-Relaydeck-Id: <deliveryId>.<logId>`, Message-IDs with a 48-bit or time-based
 * part) is therefore never tied back by these headers: only its verified VERP address can match it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes of a token (128 bits). */
export const TRACE_TOKEN_BYTES = 16;
const TOKEN = /^[0-9a-f]{32}$/;

export function newTraceToken(): string {
  return randomBytes(TRACE_TOKEN_BYTES).toString('hex');
}

/** The token of one of our Message-IDs (`<logId.deliveryId.token@domain>`), null for any other shape. */
export function messageIdToken(messageId: string | null | undefined): string | null {
  if (!messageId) return null;
  const m = /^<?\d{1,15}\.\d{1,15}\.([0-9a-f]{32})@[^>\s]+>?$/.exec(messageId.trim());
  return m?.[1] ?? null;
}

/**
 * The trace header's value of one message: `<deliveryId>.<logId>.<token>` with its Message-ID's token; without a
 * token (a Message-ID not of ours) only `<deliveryId>.<logId>`, which inMail never trusts.
 */
export function traceValue(deliveryId: number, logId: number, messageId: string | null): string {
  const token = messageIdToken(messageId);
  return token ? `${deliveryId}.${logId}.${token}` : `${deliveryId}.${logId}`;
}

export interface TraceIds {
  deliveryId: number;
  logId: number;
  token: string;
}

/** A trace header value carrying a token; null for anything else (the old untokened form included). */
export function parseTrace(value: string | null | undefined): TraceIds | null {
  const m = /^\s*(\d{1,15})\.(\d{1,15})\.([0-9a-f]{32})\s*$/i.exec(value ?? '');
  if (!m) return null;
  return { deliveryId: Number(m[1]), logId: Number(m[2]), token: (m[3] ?? '').toLowerCase() };
}

/** Constant-time comparison of a given token with the stored one. */
export function sameToken(stored: string | null, given: string | null): boolean {
  if (!stored || !given || !TOKEN.test(stored) || !TOKEN.test(given)) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(given));
}
