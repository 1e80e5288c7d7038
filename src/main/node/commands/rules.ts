/**
 * `relaydeck rules export|import|reset`: the MX rules, automation rules and adaptive settings as one JSON
 * document that analysts keep under version control. Export is canonical (schema key order, two-space
 * indent, trailing newline), so exporting the same rules twice gives byte-identical files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorDetail } from '../../../shared/contract/errors';
import type { RulesDocument } from '../../../shared/contract/mta';
import { checkRulesJson, describeRules, formatRulesJson } from '../../../shared/contract/rules-json';
import { openApp, type App } from '../../app';
import { replaceRules } from '../../api/handlers-mta';
import { dataDirLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import {
  parseCommandLine,
  parseSubcommand,
  UsageError,
  type Command,
  type CommandIo,
  CLI_APP,
} from './common';

const SUBCOMMANDS = ['export', 'import', 'reset'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

const ctx = { transport: 'ipc' } as const;

function formatProblem(file: string, p: ErrorDetail): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.column ?? 1}` : file;
  return `  ${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'Export, import or reset the MX rules and automation rules (JSON)',
  usage: `
Usage: relaydeck rules export [--out FILE] [--data DIR]
       relaydeck rules import FILE [--data DIR]
       relaydeck rules reset [--data DIR]

The MX rules (per-destination limits), automation rules (reactions to replies) and adaptive settings, as one
JSON document ("format": "relaydeck-rules") to keep under version control.

  export   write the rules in force as pretty JSON (stable key order: the same rules export byte-identical)
  import   check FILE and replace the rules with it; every problem is printed with its JSON path
           (e.g. mxRules.3.match.mask) and nothing is saved when there is one (exit code 1)
  reset    restore the shipped default rules

The console and the engine of "relaydeck serve" apply rules saved from the console at once; a serve or run
process already running on the same data dir applies rules imported here within a few seconds (from its
next message on, no restart) and logs it.

Options:
  --out FILE   export: write to FILE instead of stdout
  --data DIR   data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help   show this help`,
  async run(argv, io) {
    const subcommand = parseSubcommand(this, argv, SUBCOMMANDS, io);
    if (!subcommand) return 0;
    const { sub } = subcommand;
    const args = parseRulesArgs(this, sub, subcommand.rest, io);
    if (!args) return 0;
    // Read and check the file before opening the data dir: a bad file must leave nothing behind.
    let doc: RulesDocument | null = null;
    if (sub === 'import') {
      const file = args.file as string;
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
          cause: err,
        });
      }
      const checked = checkRulesJson(text);
      if (!checked.ok) {
        const name = path.basename(file);
        const n = checked.problems.length;
        io.stderr.write(
          `relaydeck rules: ${name} is not a valid rules document (${n} problem${n === 1 ? '' : 's'}); nothing was saved\n` +
            `${checked.problems.map((p) => formatProblem(name, p)).join('\n')}\n`,
        );
        return 1;
      }
      doc = checked.doc;
    }
    const dataDir = resolveDataDir(args.data);
    const app = await openApp({
      ...CLI_APP,
      dataDir,
      logger: dataDirLogger(dataDir),
      engine: false,
      sandbox: false,
    });
    try {
      return await runSubcommand(sub, app, { ...args, doc }, io);
    } finally {
      await app.close();
    }
  },
};

interface RulesArgs {
  data?: string;
  out?: string;
  file?: string;
}

/** The subcommand's flags and FILE; null when help was printed. */
function parseRulesArgs(command: Command, sub: Subcommand, argv: string[], io: CommandIo): RulesArgs | null {
  const parsed = parseCommandLine(
    command,
    argv,
    { data: { type: 'string' }, ...(sub === 'export' ? { out: { type: 'string' } } : {}) },
    io,
    sub === 'import',
  );
  if (!parsed) return null;
  const values = parsed.values as { data?: string; out?: string };
  const args: RulesArgs = {};
  if (values.data !== undefined) args.data = values.data;
  if (values.out !== undefined) args.out = values.out;
  if (sub === 'import') {
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) throw new UsageError('import needs the FILE to import');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    args.file = file;
  }
  return args;
}

async function runSubcommand(
  sub: Subcommand,
  app: App,
  args: RulesArgs & { doc: RulesDocument | null },
  io: CommandIo,
): Promise<number> {
  switch (sub) {
    case 'export': {
      const text = formatRulesJson(await app.handlers['rules.get']({}, ctx));
      if (args.out) fs.writeFileSync(args.out, text);
      else io.stdout.write(text);
      return 0;
    }
    case 'import': {
      if (!args.doc) throw new Error('import without a checked document');
      const saved = replaceRules(app.db, args.doc, 'import', Date.now());
      io.stdout.write(`Imported ${describeRules(saved)} from ${args.file} into ${app.dataDir}\n`);
      return 0;
    }
    case 'reset': {
      const saved = await app.handlers['rules.reset']({}, ctx);
      io.stdout.write(`Restored the default rules (${describeRules(saved)}) in ${app.dataDir}\n`);
      return 0;
    }
  }
}
