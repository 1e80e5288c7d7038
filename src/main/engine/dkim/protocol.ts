/**
 * Messages between the signer (main thread) and its signing workers. Message bytes travel as transferred
 * ArrayBuffers (no copy); private keys travel as KeyObjects, parsed once on the main thread and shared.
 */
import type { DomainKeys } from './signing';

/** One recipient's message, composed in a worker from its delivery's template (sent to that worker once). */
export interface ComposeJob {
  deliveryId: number;
  logId: number;
  email: string;
  messageId: string | null;
  /** JSON object of the recipient's CSV columns. */
  fieldsJson: string;
  /** The Date header's time (ms since the epoch). */
  date: number;
}

export type ToWorker =
  /** Replaces the worker's keys (sent at start and on every reload, before later sign requests). */
  | { kind: 'keys'; keys: DomainKeys[] }
  | { kind: 'sign'; id: number; raw: Uint8Array; domain: string; signTime: number }
  /** A delivery's `template_json`, sent before the first compose request of that delivery to this worker. */
  | { kind: 'template'; deliveryId: number; json: string }
  /** The delivery finished: its template is dropped. */
  | { kind: 'forget'; deliveryId: number }
  /** Compose the message and sign it with the keys of `domain` (null: unsigned): it crosses threads once. */
  | { kind: 'compose'; id: number; job: ComposeJob; domain: string | null; signTime: number };

export type FromWorker =
  | { kind: 'signed'; id: number; raw: Uint8Array; dkimDomain: string | null }
  | { kind: 'failed'; id: number; message: string }
  /** The message could not be composed (bad template or fields): a permanent failure of the message. */
  | { kind: 'compose-failed'; id: number; message: string };

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
