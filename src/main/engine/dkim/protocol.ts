/**
 * Messages between the signer (main thread) and its signing workers. Message bytes travel as transferred
 * ArrayBuffers (no copy); private keys travel as KeyObjects, parsed once on the main thread and shared.
 */
import type { DomainKeys } from './signing';

export type ToWorker =
  /** Replaces the worker's keys (sent at start and on every reload, before later sign requests). */
  | { kind: 'keys'; keys: DomainKeys[] }
  | { kind: 'sign'; id: number; raw: Uint8Array; domain: string; signTime: number };

export type FromWorker =
  | { kind: 'signed'; id: number; raw: Uint8Array; dkimDomain: string | null }
  | { kind: 'failed'; id: number; message: string };

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
