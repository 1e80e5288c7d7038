/**
 * Recipient lists are read off the main thread: a 180 MB list parsed on the main thread froze the console and
 * the engine for over a minute. A worker thread (`csv-worker.ts`) runs the streaming reader of `csv-import.ts`:
 * for the console's preview it returns the preview; for a delivery it writes the parsed rows to a private temp
 * file (mode 0600, removed after use) that the preparation's transaction then replays. The main thread's event
 * loop keeps running while the list is parsed; only the store writes (one transaction, all or nothing) stay on
 * it. The header is checked against the template as soon as the worker has read it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode, type ErrorDetail } from '../../shared/contract/errors';
import type { RecipientsPreview } from '../../shared/contract/schemas';
import { workerScript } from '../engine/workers/script';
import type { ImportError } from '../store/import-errors-repo';
import type { ListCounts, Recipient, RecipientSink, RecipientSource } from './csv-import';

export type CsvWorkerData =
  { mode: 'preview'; source: RecipientSource } | { mode: 'parse'; source: RecipientSource; out: string };

export type FromCsvWorker =
  | { kind: 'preview'; preview: RecipientsPreview }
  | { kind: 'columns'; columns: string[] }
  | { kind: 'done'; counts: ListCounts }
  | { kind: 'failed'; error: { code: ErrorCode | null; message: string; details?: ErrorDetail[] } };

/** A list parsed by the worker, waiting in its temp file to be replayed into the store. */
export interface ParsedList {
  columns: readonly string[];
  /** Hands every row and row error to `sink`, deciding duplicates with `sink.seen`; returns the counts. */
  replay(sink: RecipientSink): ListCounts;
  /**
   * The same, one batch per `step` call (the caller wraps each in a transaction), the event loop running
   * between two batches.
   */
  replayInSteps(sink: RecipientSink, step: (run: () => void) => void): Promise<ListCounts>;
  /** Removes the temp file. */
  dispose(): void;
}

function csvWorker(workerData: CsvWorkerData): Worker {
  return new Worker(workerScript('csv-worker', path.join(__dirname, 'csv-worker.ts')), { workerData });
}

function failure(error: Extract<FromCsvWorker, { kind: 'failed' }>['error']): Error {
  return error.code ? new AppError(error.code, error.message, error.details) : new Error(error.message);
}

/**
 * Runs a worker until `handle` settles the result (returns a value, or throws to fail); the worker is
 * stopped if it is still running then.
 */
function runWorker<T>(
  data: CsvWorkerData,
  handle: (msg: Exclude<FromCsvWorker, { kind: 'failed' }>) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = csvWorker(data);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (msg: FromCsvWorker) => {
      if (msg.kind === 'failed') return settle(() => reject(failure(msg.error)));
      try {
        const value = handle(msg);
        if (value !== undefined) settle(() => resolve(value));
      } catch (err) {
        settle(() => reject(err));
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) =>
      settle(() =>
        reject(
          new Error(`the CSV worker stopped (exit code ${code}) before reading ${data.source.fileName}`),
        ),
      ),
    );
  });
}

/** The console's preview of a list, read in a worker thread. */
export function previewRecipientsOffThread(source: RecipientSource): Promise<RecipientsPreview> {
  return runWorker({ mode: 'preview', source }, (msg): RecipientsPreview | undefined =>
    msg.kind === 'preview' ? msg.preview : undefined,
  );
}

/**
 * Parses a list in a worker thread into a temp file. `checkColumns` sees the header as soon as it is read
 * (throw to refuse the list: the worker is stopped at once).
 */
export async function parseRecipientsOffThread(
  source: RecipientSource,
  checkColumns: (columns: readonly string[]) => void,
): Promise<ParsedList> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-csv-'));
  const out = path.join(dir, 'rows.bin');
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  let columns: readonly string[] = [];
  try {
    const counts = await runWorker({ mode: 'parse', source, out }, (msg): ListCounts | undefined => {
      switch (msg.kind) {
        case 'columns':
          columns = msg.columns;
          checkColumns(columns);
          return undefined;
        case 'done':
          return msg.counts;
        case 'preview':
          return undefined;
      }
    });
    return {
      columns,
      replay: (sink) => {
        const replayer = replayer_(out, columns, counts, sink);
        for (let more = true; more;) more = replayer.next();
        return replayer.counts;
      },
      replayInSteps: async (sink, step) => {
        const replayer = replayer_(out, columns, counts, sink);
        for (let more = true; more;) {
          step(() => (more = replayer.next()));
          if (more) await new Promise<void>((resolve) => setImmediate(resolve));
        }
        return replayer.counts;
      },
      dispose,
    };
  } catch (err) {
    dispose();
    throw err;
  }
}

function readFully(fd: number, length: number): Buffer | null {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, null);
    if (n === 0) return got === 0 ? null : buf.subarray(0, got);
    got += n;
  }
  return buf;
}

/** Reads the temp file one batch per `next()` (false once it is all read; the file is closed then). */
function replayer_(
  file: string,
  columns: readonly string[],
  parsed: ListCounts,
  sink: RecipientSink,
): { next(): boolean; counts: ListCounts } {
  sink.columns(columns);
  const counts: ListCounts = { ...parsed, valid: 0, duplicates: 0 };
  let fd: number | null = fs.openSync(file, 'r');
  const close = () => {
    if (fd !== null) fs.closeSync(fd);
    fd = null;
  };
  return {
    counts,
    next() {
      if (fd === null) return false;
      try {
        const head = readFully(fd, 4);
        if (!head) {
          close();
          return false;
        }
        const body = readFully(fd, head.readUInt32BE(0));
        if (!body) throw new Error(`${file} ends inside a batch`);
        const batch = v8.deserialize(body) as { rows?: Recipient[]; errors?: ImportError[] };
        for (const r of batch.rows ?? []) {
          if (r.kind === 'valid') {
            if (sink.seen(r.addrKey)) {
              r.kind = 'duplicate';
              counts.duplicates++;
            } else counts.valid++;
          }
          sink.recipient(r);
        }
        for (const e of batch.errors ?? []) sink.error(e);
        return true;
      } catch (err) {
        close();
        throw err;
      }
    },
  };
}
