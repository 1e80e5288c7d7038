/**
 * `relaydeck inmail import PATH...`: imports .eml and .mbox files into the bounce mailbox of a data dir
 * (SPEC §4.3): each message is stored, parsed, tied to its message and applied, like mail received by the
 * listener. Unmatched messages are kept and listed.
 */
import fs from 'node:fs';
import { openApp } from '../../app';
import { importFile } from '../../inmail/import';
import { silentLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import { parseCommandLine, parseSubcommand, UsageError, type Command, CLI_APP } from './common';

export const inmailCommand: Command = {
  name: 'inmail',
  summary: 'Import .eml / .mbox files into the bounce mailbox',
  usage: `
Usage: relaydeck inmail import [--json] [--data DIR] PATH...

Stores every message of the files (one per .eml, many per .mbox), qualifies it with the stored bounce rules,
ties it to the message it reports on (VERP return-path, trace header, Message-ID) and applies the outcome
(failed message, denylisted address, ...). Messages that match nothing are kept and listed in the console.

Options:
  --json         print one JSON object per file: {file, messages, matched, unmatched, duplicates, errors}
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
    try {
      for (const file of parsed.positionals) {
        const result = await importFile(app.bounce.inmail, file);
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
    } finally {
      await app.close();
    }
    return failed > 0 ? 1 : 0;
  },
};
