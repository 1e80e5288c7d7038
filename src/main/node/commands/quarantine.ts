/**
 * `relaydeck quarantine list|set|remove|import|export`: the quarantine list of a data dir (SPEC §4.4).
 */
import fs from 'node:fs';
import { QUARANTINE_STATUSES, QuarantineStatus } from '../../../shared/contract/bounce';
import { importQuarantineCsv } from '../../quarantine/import';
import {
  parseFlags,
  parseSubcommand,
  requireFlag,
  UsageError,
  type Command,
  type CommandIo,
  CLI_APP,
  withStoreApp,
} from './common';
import { ENCODING_USAGE, encodingFlag, encodingLine } from './encoding-flag';

const SUBCOMMANDS = ['list', 'set', 'remove', 'import', 'export'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
const ctx = { transport: 'ipc' as const };

export const quarantineCommand: Command = {
  name: 'quarantine',
  summary: 'List, edit, import or export the quarantine list',
  usage: `
Usage: relaydeck quarantine list [--status S] [--search TEXT] [--json] [--data DIR]
       relaydeck quarantine set --address A --status S [--note TEXT] [--data DIR]
       relaydeck quarantine remove --address A [--data DIR]
       relaydeck quarantine import --file F.csv [--encoding NAME] [--data DIR]
       relaydeck quarantine export [--file F.csv] [--status S] [--data DIR]

--search @corp.test lists the addresses of that domain (not its subdomains: search .corp.test for them);
any other text lists the addresses containing it (case-insensitive).
Statuses: ${QUARANTINE_STATUSES.join(', ')}. Quarantined and denylisted addresses are excluded from new
deliveries. The CSV has a header row with "address" and optionally "status" (default quarantine) and "note";
export writes UTF-8 with a BOM (to standard output without --file). An import reads the file in the
encoding detected (a byte order mark, valid UTF-8, else the detector's best match, e.g. Windows-1252 from
Excel) or given with --encoding; a byte that is not text in it refuses the file, naming its lines. An
import is all or nothing: its good rows are applied in one transaction (progress on standard error), so a
stopped import leaves the list as it was; bad rows are listed by line and skipped.

Options:
  --encoding NAME  ${ENCODING_USAGE}
  --data DIR     data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help     show this help`,
  async run(argv, io) {
    const parsed = parseSubcommand(this, argv, SUBCOMMANDS, io);
    return parsed ? runSubcommand(this, parsed.sub, parsed.rest, io) : 0;
  },
};

function statusOf(value: string | undefined): QuarantineStatus | undefined {
  if (value === undefined) return undefined;
  const parsed = QuarantineStatus.safeParse(value);
  if (!parsed.success) throw new UsageError(`--status: expected one of ${QUARANTINE_STATUSES.join(', ')}`);
  return parsed.data;
}

async function runSubcommand(
  command: Command,
  sub: Subcommand,
  argv: string[],
  io: CommandIo,
): Promise<number> {
  const data = { type: 'string' } as const;
  switch (sub) {
    case 'list': {
      const flags = parseFlags(
        command,
        argv,
        { status: data, search: data, json: { type: 'boolean' }, data },
        io,
      );
      if (!flags) return 0;
      const status = statusOf(flags.status);
      await withStoreApp(flags.data, async (app) => {
        let cursor: string | null = null;
        for (let page = 0; page < 1_000_000; page++) {
          const result = await app.handlers['quarantine.list'](
            {
              cursor,
              limit: 500,
              ...(status ? { status: [status] } : {}),
              ...(flags.search ? { search: flags.search } : {}),
            },
            ctx,
          );
          for (const e of result.items) {
            io.stdout.write(
              flags.json
                ? `${JSON.stringify(e)}\n`
                : `${e.address}  ${e.status}  errors=${e.errorCount}  ${e.lastReason ?? ''}  ${e.note}\n`,
            );
          }
          cursor = result.nextCursor;
          if (!cursor) break;
        }
      });
      return 0;
    }
    case 'set': {
      const flags = parseFlags(command, argv, { address: data, status: data, note: data, data }, io);
      if (!flags) return 0;
      const address = requireFlag(flags.address, 'address');
      const status = statusOf(requireFlag(flags.status, 'status')) as QuarantineStatus;
      const entry = await withStoreApp(flags.data, (app) =>
        app.handlers['quarantine.set'](
          { address, status, ...(flags.note !== undefined ? { note: flags.note } : {}) },
          ctx,
        ),
      );
      io.stdout.write(`${entry.address}: ${entry.status}\n`);
      return 0;
    }
    case 'remove': {
      const flags = parseFlags(command, argv, { address: data, data }, io);
      if (!flags) return 0;
      const address = requireFlag(flags.address, 'address');
      const { removed } = await withStoreApp(flags.data, (app) =>
        app.handlers['quarantine.remove']({ address }, ctx),
      );
      io.stdout.write(removed ? `${address}: removed\n` : `${address}: not in the list\n`);
      return 0;
    }
    case 'import': {
      const flags = parseFlags(command, argv, { file: data, encoding: data, data }, io);
      if (!flags) return 0;
      const file = requireFlag(flags.file, 'file');
      const encoding = encodingFlag(flags.encoding);
      if (!fs.existsSync(file)) throw new UsageError(`--file ${file}: no such file`);
      const bytes = fs.readFileSync(file);
      // All or nothing: the rows are applied in one transaction; the progress lines say so.
      const result = await withStoreApp(flags.data, (app) =>
        importQuarantineCsv(
          app.db,
          { fileName: file, bytes, ...(encoding ? { encoding } : {}) },
          CLI_APP.clock.now(),
          (p) => io.stderr.write(`${file}: ${p.applied} of ${p.rows} row(s) applied, committed at the end\n`),
        ),
      );
      if (result.encoding) io.stdout.write(`${file}: ${encodingLine(result.encoding)}\n`);
      io.stdout.write(`${file}: ${result.imported} of ${result.total} row(s) imported\n`);
      for (const e of result.errors)
        io.stdout.write(`  line ${e.line}${e.field ? ` (${e.field})` : ''}: ${e.message}\n`);
      if (result.moreErrors) io.stdout.write(`  ... and ${result.moreErrors} more error(s)\n`);
      return result.errors.length > 0 ? 1 : 0;
    }
    case 'export': {
      const flags = parseFlags(command, argv, { file: data, status: data, data }, io);
      if (!flags) return 0;
      const status = statusOf(flags.status);
      const { csv } = await withStoreApp(flags.data, (app) =>
        app.handlers['quarantine.export'](status ? { status: [status] } : {}, ctx),
      );
      if (flags.file) fs.writeFileSync(flags.file, csv);
      else io.stdout.write(csv);
      return 0;
    }
  }
}
