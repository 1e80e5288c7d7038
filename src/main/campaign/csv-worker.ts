/**
 * The CSV worker thread (see `csv-off-thread.ts`): reads a recipient list off the main thread. `preview`
 * posts the console's preview; `parse` writes the rows and row errors, in file order, to a private temp file
 * as length-prefixed v8-serialised batches (duplicates are decided later, against the store) and posts the
 * header's columns as soon as it is read, then the counts.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../shared/contract/errors';
import type { ImportError } from '../store/import-errors-repo';
import { previewRecipients, readRecipients, type Recipient } from './csv-import';
import type { CsvWorkerData, FromCsvWorker } from './csv-off-thread';

const port = parentPort;
if (!port) throw new Error('csv-worker must run in a worker thread');
const post = (msg: FromCsvWorker) => port.postMessage(msg);

/** Rows per serialised batch. */
const BATCH = 2_000;

function writeFrame(fd: number, value: unknown): void {
  const body = v8.serialize(value);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  fs.writeSync(fd, head);
  fs.writeSync(fd, body);
}

function parseToFile(data: Extract<CsvWorkerData, { mode: 'parse' }>): void {
  const fd = fs.openSync(data.out, 'w', 0o600);
  try {
    let rows: Recipient[] = [];
    let errors: ImportError[] = [];
    const counts = readRecipients(data.source, {
      columns: (columns) => post({ kind: 'columns', columns: [...columns] }),
      // Duplicates are decided on the main thread, against the rows already written.
      seen: () => false,
      recipient: (r) => {
        rows.push(r);
        if (rows.length >= BATCH) {
          writeFrame(fd, { rows });
          rows = [];
        }
      },
      error: (e) => {
        errors.push(e);
        if (errors.length >= BATCH) {
          writeFrame(fd, { errors });
          errors = [];
        }
      },
    });
    if (rows.length) writeFrame(fd, { rows });
    if (errors.length) writeFrame(fd, { errors });
    post({ kind: 'done', counts });
  } finally {
    fs.closeSync(fd);
  }
}

try {
  const data = workerData as CsvWorkerData;
  switch (data.mode) {
    case 'preview':
      post({ kind: 'preview', preview: previewRecipients(data.source) });
      break;
    case 'parse':
      parseToFile(data);
      break;
  }
} catch (err) {
  post({
    kind: 'failed',
    error:
      err instanceof AppError
        ? { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }
        : { code: null, message: err instanceof Error ? err.message : String(err) },
  });
}
