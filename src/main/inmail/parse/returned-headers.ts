/**
 * The recipient of a bounce that names none in its own words, read from the header of the returned message
 * (the last resort of SPEC §4.3): a bulk sender sends one message per recipient, so the returned copy's
 * `To` is the failed address; the envelope fields the receiving side added (X-Original-To, Delivered-To,
 * Envelope-To, X-RCPT-TO) and the `for <address>` of its Received fields name it too. A mailing-list copy
 * (List-Id) or a To with several addresses says nothing about which one failed, so only the envelope
 * fields count then. A VERP return path that encodes the recipient (`bounces+user=example.com@`) is read
 * here too; the caller trusts it before the returned header, whose To may be a list address.
 */
import { decodeHeader, headerOf, headersOf, splitHeaders, type HeaderField } from './mime';

const ADDRESS_RE = /[^\s<>"'(),;:@]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+/gi;
const ENVELOPE_FIELDS = ['x-original-to', 'delivered-to', 'envelope-to', 'x-envelope-to', 'x-rcpt-to'];
/** Header values are searched for addresses in their first this many characters (bounded regex work). */
const MAX_VALUE = 4000;
/** Received fields read for `for <address>`: the nearest hops are the receiving side's. */
const MAX_RECEIVED = 6;

/** Every address in a header value (display names and groups tolerated). */
export function addressesIn(value: string | null): string[] {
  if (!value) return [];
  return [...decodeHeader(value.slice(0, MAX_VALUE)).matchAll(ADDRESS_RE)].map((m) => m[0]);
}

/** The header fields of a returned message pasted as text (or null when the text has no header block). */
export function headersOfPastedCopy(copy: string): HeaderField[] | null {
  const start = copy.search(/^[A-Za-z][\w-]*:[ \t]/m);
  if (start < 0) return null;
  const { headers } = splitHeaders(copy.slice(start));
  const known = headers.filter((h) =>
    ['received', 'from', 'to', 'subject', 'message-id', 'date', 'return-path'].includes(h.name),
  );
  return known.length >= 2 ? headers : null;
}

/** The failed recipient the returned header names, or null when it cannot be told. */
export function recipientOfReturnedHeaders(
  headers: readonly HeaderField[],
  isCandidate: (address: string) => boolean,
): string | null {
  const usable = (list: string[]) => [...new Set(list.filter(isCandidate).map((a) => a.toLowerCase()))];
  const to = usable(addressesIn(headerOf(headers, 'to')));
  const cc = usable(headersOf(headers, 'cc').flatMap(addressesIn));
  const list = headerOf(headers, 'list-id') !== null;
  if (!list && to.length === 1 && cc.length === 0 && to[0]) return originalCase(headers, to[0]);
  for (const name of ENVELOPE_FIELDS) {
    const found = usable(headersOf(headers, name).flatMap(addressesIn));
    if (found.length === 1 && found[0]) return found[0];
  }
  const received = usable(
    headersOf(headers, 'received')
      .slice(0, MAX_RECEIVED)
      .map(
        (r) =>
          /\bfor\s+<?([^\s<>;@]{1,64}@[^\s<>;]{1,255}?)>?\s*[;(]/i.exec(r.slice(0, MAX_VALUE))?.[1] ?? '',
      ),
  );
  if (received.length === 1 && received[0]) return received[0];
  return null;
}

/**
 * The recipient a VERP address encodes, or null: after the first `+` (`list-bounces+user=example.com@host`),
 * or after the last `-` that follows a bounce word or a number (`news-bounce-user=example.com@host`,
 * ezmlm's `list-return-42-user=example.com@host`): a bare `-` is too common inside local parts to split on.
 */
export function recipientOfVerp(address: string | null): string | null {
  const local = /^([^@]{1,200})@/.exec(address ?? '')?.[1] ?? '';
  const encoded =
    /^[^+]+\+(.+)$/.exec(local)?.[1] ??
    /^.*(?:bounces?|return|owner|errors?|verp|bnc|\d)-(.+)$/i.exec(local)?.[1] ??
    null;
  const m = /^([^=+]+)=((?:[a-z0-9-]+\.)+[a-z]{2,})$/i.exec(encoded ?? '');
  return m?.[1] && m[2] ? `${m[1]}@${m[2]}` : null;
}

function originalCase(headers: readonly HeaderField[], lower: string): string {
  return addressesIn(headerOf(headers, 'to')).find((a) => a.toLowerCase() === lower) ?? lower;
}
