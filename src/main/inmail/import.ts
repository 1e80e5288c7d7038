/**
 * Import of .eml and .mbox files into the bounce mailbox (SPEC §4.3): the CLI's `relaydeck inmail import` and
 * the console's drag-and-drop (`inmail.import`). An mbox holds many messages (split by `readMbox`); anything
 * else is one message. Every message is stored, whatever its content, and only once: importing the same file
 * again stores and applies nothing (`duplicates`); the per-message errors say which ones could not be processed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InmailImportResult } from '../../shared/contract/bounce';
import { readMbox } from './parse/mbox';
import type { Inmail } from './receive';

/** An mbox by its extension, or by its first line (`From ` separator). */
export function looksLikeMbox(fileName: string, head: Buffer): boolean {
  return /\.mbox$/i.test(fileName) || head.subarray(0, 5).toString('latin1') === 'From ';
}

/** Resuming a partial import (the CLI's import journal): skip the first messages, report each one done. */
export interface ImportProgressOptions {
  /** Messages at the start of the file already imported by an earlier, interrupted run. */
  skip?: number;
  /** Called after each message is stored and applied, with its position in the file (1-based). */
  onMessage?: (position: number) => void;
}

/** Whether a file is an mbox (by its extension or its first line). */
export function isMboxFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(5);
  try {
    fs.readSync(fd, head, 0, 5, 0);
  } finally {
    fs.closeSync(fd);
  }
  return looksLikeMbox(file, head);
}

export async function importFile(
  inmail: Inmail,
  file: string,
  options: ImportProgressOptions = {},
): Promise<InmailImportResult> {
  if (isMboxFile(file)) return importMessages(inmail, readMbox(file), options);
  return importMessages(inmail, [fs.readFileSync(file)], options);
}

/** Imports file content received over the API (mbox content goes through a private temp file). */
export async function importContent(
  inmail: Inmail,
  fileName: string,
  content: Buffer,
): Promise<InmailImportResult> {
  if (!looksLikeMbox(fileName, content)) return importMessages(inmail, [content]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-import-'));
  try {
    const file = path.join(dir, 'import.mbox');
    fs.writeFileSync(file, content, { mode: 0o600 });
    return await importMessages(inmail, readMbox(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function importMessages(
  inmail: Inmail,
  messages: AsyncIterable<Buffer> | Iterable<Buffer>,
  options: ImportProgressOptions = {},
): Promise<InmailImportResult> {
  const result: InmailImportResult = { messages: 0, matched: 0, unmatched: 0, duplicates: 0, errors: [] };
  const skip = options.skip ?? 0;
  let position = 0;
  for await (const raw of messages) {
    position++;
    if (position <= skip) continue;
    result.messages++;
    const received = await inmail.receive(raw, { source: 'import' });
    if (received.duplicate) result.duplicates++;
    else if (received.matched) result.matched++;
    else result.unmatched++;
    if (received.error) result.errors.push({ index: result.messages, message: received.error });
    options.onMessage?.(position);
  }
  return result;
}
