/**
 * `relaydeck inmail import PATH...`: imports .eml and .mbox files into the bounce mailbox of a data dir
 * (SPEC §4.3): each message is stored, parsed, tied to its message and applied, like mail received by the
 * listener; a message already stored is skipped. Unmatched messages are kept and listed.
 * `relaydeck inmail retention [--days N] [--max-mb N]`: shows or sets how long inbound mail is kept, and
 * applies it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InmailImportResult } from '../../../shared/contract/bounce';
import { DEFAULT_INBOUND_RETENTION } from '../../inmail';
import { importFile, isMboxFile, type ImportProgressOptions } from '../../inmail/import';
import type { Db } from '../../store/db';
import {
  beginImport,
  completeImport,
  recordImportProgress,
  unfinishedImports,
} from '../../store/imports-repo';
import { getSetting, setSetting } from '../../store/settings-repo';
import {
  parseCommandLine,
  parseSubcommand,
  UsageError,
  type Command,
  type CommandIo,
  CLI_APP,
  withStoreApp,
} from './common';

export const inmailCommand: Command = {
  name: 'inmail',
  summary: 'Import .eml / .mbox files into the bounce mailbox',
  usage: `
Usage: relaydeck inmail import [--json] [--data DIR] PATH...
       relaydeck inmail retention [--days N] [--max-mb N] [--data DIR]

import: stores every message of the files (one per .eml, many per .mbox), qualifies it with the stored bounce
rules, ties it to the message it reports on (verified VERP return-path, or the trace header's or Message-ID's
token) and applies the outcome (failed message, denylisted address, ...). Messages that match nothing are kept
and listed in the console. A message already in the mailbox (same content) is skipped: importing a file
again stores and applies nothing.

retention: prints how long inbound mail is kept (default: ${DEFAULT_INBOUND_RETENTION.days} days, ${DEFAULT_INBOUND_RETENTION.maxMegabytes} MB of
raw messages); with --days and/or --max-mb sets it. Either way it is applied at once (older messages, then the oldest beyond
the size, are deleted).

An mbox is imported message by message and journaled: an import stopped mid-way (killed) is reported as
a partial import by the next run, and importing the same unchanged file again resumes after the messages
already done. Progress goes to standard error.

Options:
  --json         print one JSON object per file: {file, messages, matched, unmatched, duplicates, errors}
  --days N       retention: keep messages received in the last N days (1-36500)
  --max-mb N     retention: keep at most N MB of raw messages (1-1000000)
  --data DIR     data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help     show this help`,
  async run(argv, io) {
    const subcommand = parseSubcommand(this, argv, ['import', 'retention'] as const, io);
    if (!subcommand) return 0;
    if (subcommand.sub === 'retention') return retention(this, subcommand.rest, io);
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
    let failed = 0;
    const now = () => CLI_APP.clock.now();
    await withStoreApp(parsed.values.data, async (app) => {
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
          `${file}: ${result.messages} message(s), ${result.matched} matched, ${result.unmatched} unmatched, ${result.duplicates} already received\n`,
        );
        for (const e of result.errors) io.stdout.write(`  message ${e.index}: ${e.message}\n`);
      }
    });
    return failed > 0 ? 1 : 0;
  },
};

function intFlag(value: string | undefined, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${flag} ${value}: expected a whole number from 1 to ${max}`);
  return n;
}

async function retention(command: Command, argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(
    command,
    argv,
    { days: { type: 'string' }, 'max-mb': { type: 'string' }, data: { type: 'string' } },
    io,
  );
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
  const days = intFlag(parsed.values.days, 'days', 36_500);
  const maxMegabytes = intFlag(parsed.values['max-mb'], 'max-mb', 1_000_000);
  await withStoreApp(parsed.values.data, (app) => {
    const current = getSetting(app.db, 'inmail.retention') ?? DEFAULT_INBOUND_RETENTION;
    const next = { days: days ?? current.days, maxMegabytes: maxMegabytes ?? current.maxMegabytes };
    if (days !== undefined || maxMegabytes !== undefined) setSetting(app.db, 'inmail.retention', next);
    const deleted = app.bounce.inmail.applyRetention();
    io.stdout.write(
      `inbound mail kept ${next.days} day(s), at most ${next.maxMegabytes} MB; ${deleted} message(s) deleted\n`,
    );
  });
  return 0;
}

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
