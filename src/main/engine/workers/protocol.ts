/**
 * Messages between the delivery workers' pool (main thread) and each delivery worker. Every post is an array
 * (the requests or replies of one tick, batched: one thread crossing for many messages). Message bytes travel
 * as transferred ArrayBuffers (no copy); private keys travel as KeyObjects, parsed once on the main thread.
 */
import type { LogFields, LogLevel } from '../../logger';
import type { DomainKeys } from '../dkim/signing';
import type { ComposeJob, SmtpOutcome, TransmitJob } from '../types';

export type ToWorker =
  /** Worker settings, sent first. */
  | { kind: 'config'; relayIdleMs: number }
  /** Replaces the worker's keys (sent at start and on every reload, before later requests). */
  | { kind: 'keys'; keys: DomainKeys[] }
  /** A delivery's `template_json`, sent before the first request of that delivery to this worker. */
  | { kind: 'template'; deliveryId: number; json: string }
  /** The delivery finished: its template is dropped. */
  | { kind: 'forget'; deliveryId: number }
  | { kind: 'sign'; id: number; raw: Uint8Array; domain: string; signTime: number }
  /** Compose the message and sign it with the keys of `domain` (null: unsigned); the bytes come back. */
  | { kind: 'compose'; id: number; job: ComposeJob; domain: string | null; signTime: number }
  /** Compose, sign and send: only the outcomes come back. */
  | { kind: 'transmit'; id: number; job: TransmitJob }
  /** The worker's share of a destination's connections went down: sessions beyond it QUIT (`Relay.trim`). */
  | { kind: 'trim'; key: string; maxConnections: number }
  /** QUIT the idle SMTP sessions, wait for the sends in progress, then answer `closed`. */
  | { kind: 'close' };

export type FromWorker =
  | { kind: 'signed'; id: number; raw: Uint8Array; dkimDomain: string | null }
  /** One outcome per recipient of the transaction, in order. */
  | { kind: 'transmitted'; id: number; outcomes: SmtpOutcome[]; dkimDomain: string | null }
  | { kind: 'failed'; id: number; message: string }
  /** The message could not be composed (bad template or fields): a permanent failure of the message. */
  | { kind: 'compose-failed'; id: number; message: string }
  /** SMTP sessions the worker now has open to a destination (sent when the count changed). */
  | { kind: 'sessions'; key: string; open: number }
  | { kind: 'log'; level: LogLevel; msg: string; fields?: LogFields }
  | { kind: 'closed' };

/**
 * A view of `buf` whose ArrayBuffer may be transferred: Node's small Buffers share one pooled ArrayBuffer,
 * which must never be detached, so those are copied first.
 */
export function transferable(buf: Uint8Array): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  const owned =
    buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer
      ? buf
      : new Uint8Array(buf);
  return { bytes: owned, transfer: [owned.buffer as ArrayBuffer] };
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Collects the posts of one tick and sends them as one array (one thread crossing), on the next
 * `setImmediate`: every request or reply made while handling one batch, or one socket event, goes together.
 */
export function createBatcher<T>(post: (items: T[], transfer: ArrayBuffer[]) => void) {
  let items: T[] = [];
  let transfer: ArrayBuffer[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (items.length === 0) return;
    const batch = items;
    const moved = transfer;
    items = [];
    transfer = [];
    post(batch, moved);
  };
  return {
    push(item: T, moved?: ArrayBuffer[]): void {
      items.push(item);
      if (moved) transfer.push(...moved);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
