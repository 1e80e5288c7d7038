/** Writing to a Node stream with backpressure, and a size-capped in-memory sink for the API's exports. */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export class Output {
  private pending = 0;

  constructor(readonly stream: NodeJS.WritableStream & Partial<Pick<Writable, 'errored'>>) {}

  /** Writes; waits for 'drain' when the stream's buffer is full. Rejects once the stream has failed. */
  async write(chunk: string | Buffer): Promise<void> {
    this.check();
    if (!this.stream.write(chunk)) await once(this.stream as NodeJS.EventEmitter, 'drain');
    // Give other work (the engine, the API) a turn now and then during long exports.
    if (++this.pending % 2000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Throws the stream's error, if it failed (e.g. a size cap). */
  check(): void {
    if (this.stream.errored) throw this.stream.errored;
  }
}

/** Ends a writable stream we own and waits until everything is flushed (or it fails). */
export async function endStream(stream: Writable): Promise<void> {
  stream.end();
  await finished(stream);
}

/** Collects what is written, failing with `tooLarge()` as soon as more than `maxBytes` arrive. */
export class CappedBuffer extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.chunks.length = 0;
      callback(this.tooLarge());
      return;
    }
    this.chunks.push(chunk);
    callback();
  }

  contents(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
