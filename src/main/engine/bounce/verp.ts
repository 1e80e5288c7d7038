/**
 * VERP return-paths (SPEC §4.3): the envelope sender of every message encodes which message it is, so a bounce
 * sent to it is tied back to its log row even when the bounce quotes nothing of the original.
 *
 * - one message:  `<local>+<logId>.<deliveryId>.<tag>@<domain>`
 * - one delivery (group transactions, several recipients per MAIL FROM): `<local>+d<deliveryId>.<tag>@<domain>`,
 *   matched by delivery + the failed recipient's address.
 *
 * `<local>@<domain>` is the return-path setting (default `bounces@<From domain>`). The tag is a truncated
 * HMAC-SHA256 of the encoded ids under a key generated once per data dir, so forged or guessed addresses do not
 * match: a bounce to `bounces+123.4.deadbeef00@...` with a wrong tag is kept as unmatched.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Hex characters of the tag (40 bits). */
const TAG_LENGTH = 10;

export type VerpTarget =
  { kind: 'message'; logId: number; deliveryId: number } | { kind: 'delivery'; deliveryId: number };

export interface EnvelopeSender {
  /** MAIL FROM of one message. */
  forMessage(fromAddress: string, logId: number, deliveryId: number): string;
  /** MAIL FROM of a transaction carrying several recipients of one delivery. */
  forDelivery(fromAddress: string, deliveryId: number): string;
}

export interface VerpOptions {
  /** HMAC key (hex). */
  key: string;
  /** The return-path base `<local>@<domain>`; null = `bounces@<From domain>`. */
  returnPath: () => string | null;
}

export function generateVerpKey(): string {
  return randomBytes(32).toString('hex');
}

export function createEnvelopeSender(options: VerpOptions): EnvelopeSender {
  const key = Buffer.from(options.key, 'hex');
  const base = (fromAddress: string): { local: string; domain: string } => {
    const configured = options.returnPath();
    const address = configured ?? `bounces@${fromAddress.slice(fromAddress.lastIndexOf('@') + 1)}`;
    const at = address.lastIndexOf('@');
    return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
  };
  return {
    forMessage(fromAddress, logId, deliveryId) {
      const { local, domain } = base(fromAddress);
      const ids = `${logId}.${deliveryId}`;
      return `${local}+${ids}.${tag(key, ids)}@${domain}`;
    },
    forDelivery(fromAddress, deliveryId) {
      const { local, domain } = base(fromAddress);
      const ids = `d${deliveryId}`;
      return `${local}+${ids}.${tag(key, ids)}@${domain}`;
    },
  };
}

/** What a VERP address encodes, when its tag verifies under `key`; null for any other address. */
export function parseVerp(address: string, key: string): VerpTarget | null {
  const bare = address.trim().replace(/^<|>$/g, '');
  const at = bare.lastIndexOf('@');
  if (at <= 0) return null;
  const local = bare.slice(0, at);
  const m = /\+(?:(\d{1,15})\.(\d{1,15})|d(\d{1,15}))\.([0-9a-f]+)$/i.exec(local);
  if (!m) return null;
  const [, logId, deliveryId, groupDelivery, given = ''] = m;
  const ids = groupDelivery !== undefined ? `d${groupDelivery}` : `${logId}.${deliveryId}`;
  if (!sameTag(tag(Buffer.from(key, 'hex'), ids), given.toLowerCase())) return null;
  return groupDelivery !== undefined
    ? { kind: 'delivery', deliveryId: Number(groupDelivery) }
    : { kind: 'message', logId: Number(logId), deliveryId: Number(deliveryId) };
}

function tag(key: Buffer, ids: string): string {
  return createHmac('sha256', key).update(ids).digest('hex').slice(0, TAG_LENGTH);
}

function sameTag(expected: string, given: string): boolean {
  return given.length === expected.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
}
