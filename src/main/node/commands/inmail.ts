/**
 * `relaydeck inmail import PATH...`: imports .eml and .mbox files into the bounce mailbox of a data dir
 * (SPEC §4.3): each message is stored, parsed, tied to its message and applied, like mail received by the
 * listener. Unmatched messages are kept and listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InmailImportResult } from '../../../shared/contract/bounce';
import { openApp } from '../../app';
import { importFile, isMboxFile, type ImportProgressOptions } from '../../inmail/import';
import type { Db } from '../../store/db';
import {
  beginImport,
  completeImport,
  recordImportProgress,
  unfinishedImports,
} from '../../store/imports-repo';
import { silentLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import {
  parseCommandLine,
  parseSubcommand,
  UsageError,
  type Command,
  type CommandIo,
  CLI_APP,
} from './common';

export const inmailCommand: Command = {
  name: 'inmail',
  summary: 'Import .eml / .mbox files into the bounce mailbox',
  usage: `
Usage: relaydeck inmail import [--json] [--data DIR] PATH...

Stores every message of the files (one per .eml, many per .mbox), qualifies it with the stored bounce rules,
ties it to the message it reports on (VERP return-path, trace header, Message-ID) and applies the outcome
(failed message, denylisted address, ...). Messages that match nothing are kept and listed in the console.
An mbox is imported message by message and journaled: an import stopped mid-way (killed) is reported as a
partial import by the next run, and importing the same unchanged file again resumes after the messages
already done. Progress goes to standard error.

Options:
  --json         print one JSON object per file: {file, messages, matched, unmatched, errors}
  --data DIR     data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help     show this help`,
  async run(argv, io) {
    const subcommand = parseSubcommand(this, argv, ['import'] as const, io);
    if (!subcommand) return 0;
    const parsed = parseCommandLine(
      this,
      subcommand.rest,
      { json: { type: 'boolean' }, data: { type: 'string' } },
      io,
    );
    if (!parsed) return 0;
    if (parsed.positionals.length === 0) throw new UsageError('give at least one .eml or .mbox file');
    for (const file of parsed.positionals) {
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`${file}: no such file`);
    }
    const app = await openApp({
      ...CLI_APP,
      dataDir: resolveDataDir(parsed.values.data),
      engine: false,
      sandbox: false,
      inmail: false,
      logger: silentLogger,
    });
    let failed = 0;
    const now = () => CLI_APP.clock.now();
    try {
      reportUnfinished(app.db, parsed.positionals, io);
      for (const file of parsed.positionals) {
        const result = await importJournaled(app.db, file, io, now, (options) =>
          importFile(app.bounce.inmail, file, options),
        );
        failed += result.errors.length;
        if (parsed.values.json) {
          io.stdout.write(`${JSON.stringify({ file, ...result })}\n`);
          continue;
        }
        io.stdout.write(
          `${file}: ${result.messages} message(s), ${result.matched} matched, ${result.unmatched} unmatched\n`,
        );
        for (const e of result.errors) io.stdout.write(`  message ${e.index}: ${e.message}\n`);
      }
    } finally {
      await app.close();
    }
    return failed > 0 ? 1 : 0;
  },
};

const PROGRESS_EVERY = 100;
const iso = (ms: number) => new Date(ms).toISOString();

/** Imports of other files left unfinished by an earlier run (killed mid-way): said before anything else. */
function reportUnfinished(db: Db, files: readonly string[], io: CommandIo): void {
  const given = new Set(files.map((f) => path.resolve(f)));
  for (const u of unfinishedImports(db, 'mbox')) {
    if (given.has(u.source)) continue;
    io.stderr.write(
      `partial import: ${u.source} stopped after ${u.done} message(s) (started ${iso(u.startedAt)}, last message ${iso(u.updatedAt)}); import it again to resume\n`,
    );
  }
}

/**
 * An mbox is imported message by message (each stored and applied in its own transaction), so its progress
 * is kept in the import journal: a run killed mid-way leaves a partial import that the next run reports and
 * resumes after the messages already done (when the file is unchanged). Progress goes to stderr.
 */
async function importJournaled(
  db: Db,
  file: string,
  io: CommandIo,
  now: () => number,
  run: (options: ImportProgressOptions) => Promise<InmailImportResult>,
): Promise<InmailImportResult> {
  if (!isMboxFile(file)) return run({});
  const stat = fs.statSync(file);
  const { row, resumed } = beginImport(db, {
    kind: 'mbox',
    source: path.resolve(file),
    fingerprint: `${stat.size}:${stat.mtimeMs}`,
    now: now(),
  });
  const skip = resumed?.done ?? 0;
  if (resumed) {
    io.stderr.write(
      `${file}: resuming a partial import started ${iso(resumed.startedAt)}: its first ${skip} message(s) were imported then and are skipped\n`,
    );
  }
  const result = await run({
    skip,
    onMessage: (position) => {
      recordImportProgress(db, row.id, position, now());
      if (position % PROGRESS_EVERY === 0)
        io.stderr.write(`${file}: ${position} message(s) imported so far\n`);
    },
  });
  completeImport(db, row.id, skip + result.messages, now());
  return result;
}
