/**
 * `relaydeck deliver`: creates a delivery from a CSV list and an .eml message, prepares and relays it; with
 * --wait runs the engine until every message is final and prints a summary (a table, or JSON with --json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import {
  CreateDeliveryInput,
  type Delivery,
  type MessageTemplate,
  type Route,
  type RowError,
} from '../../../shared/contract/schemas';
import { AppError } from '../../../shared/contract/errors';
import { isValidMask } from '../../../shared/domain/domain-mask';
import { parseDuration } from '../../../shared/domain/duration';
import { REPORTING_MODES, type ReportingMode } from '../../../shared/domain/statuses';
import { openApp, type App } from '../../app';
import { parseId } from '../../store/deliveries-repo';
import { dataDirLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import {
  parseFlags,
  parseHostPort,
  requireFlag,
  UsageError,
  type Command,
  type CommandIo,
  CLI_APP,
} from './common';
import { ENCODING_USAGE, encodingFlag, encodingLine } from './encoding-flag';
import { emlHeaders, withEmlHeaders } from './eml-headers';
import { formatProgress, formatSummary, summaryJson } from './summary';

const OPTIONS = {
  recipients: { type: 'string' },
  encoding: { type: 'string' },
  message: { type: 'string' },
  name: { type: 'string' },
  from: { type: 'string' },
  route: { type: 'string', multiple: true },
  smarthost: { type: 'string' },
  validity: { type: 'string' },
  reporting: { type: 'string' },
  'time-scale': { type: 'string' },
  'recipients-per-transaction': { type: 'string' },
  wait: { type: 'boolean' },
  json: { type: 'boolean' },
  data: { type: 'string' },
} as const;

/** Rows of the list between two progress lines. */
const PROGRESS_ROWS = 20_000;

export const deliverCommand: Command = {
  name: 'deliver',
  summary: 'Create, prepare and relay a delivery (optionally wait for the outcome)',
  usage: `
Usage: relaydeck deliver --recipients FILE.csv --message FILE.eml [options]

Creates a delivery from a recipient list (CSV with an "email" column; other columns are {{fields}} for the
template) and a message (.eml: From, Subject, text and HTML bodies), prepares it and relays it to the
engine's queue. Without --wait the queue is processed by an engine already running on the data directory
(a console, "relaydeck serve" or "relaydeck run", within a second) or later by "relaydeck run".

Options:
  --recipients FILE        the recipient list (CSV; , ; or tab separated). Its encoding is detected (a byte
                           order mark, valid UTF-8, else the detector's best match, e.g. Windows-1252 from
                           Excel) and printed; a byte that is not text in it refuses the list, naming its lines
  --encoding NAME          ${ENCODING_USAGE}
  --message FILE           the message template (.eml)
  --name NAME              delivery name (default: the message file name)
  --from ADDR              From address, overriding the message's ("Name <addr>" accepted)
  --route DOMAIN=HOST:PORT route a domain or mask (example.com, *.test, *) to an SMTP server;
                           DOMAIN=sandbox routes to the built-in sandbox. Repeatable; most specific wins
  --smarthost HOST:PORT    send every domain no route matches through this server
  --validity DURATION      delivery validity, e.g. 90s, 2m, 6h, 3.5d (default 5d; the MTA honours 3.5d)
  --reporting efs|classic  reporting mode (default efs)
  --time-scale N           divide retry delays and validity by N (sandbox tests; default 1)
  --recipients-per-transaction N
                           up to N recipients of one destination per SMTP transaction when the message
                           has no per-recipient fields (1..100; default 1 = one per recipient)
  --wait                   run the engine until every message is final; progress on stderr
  --json                   with --wait: print the summary as one JSON object
  --data DIR               data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help               show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, OPTIONS, io);
    if (!flags) return 0;
    if (flags.json && !flags.wait)
      throw new UsageError('--json needs --wait (the summary is printed once every message is final)');
    const recipientsFile = requireFlag(flags.recipients, 'recipients');
    const encoding = encodingFlag(flags.encoding);
    const messageFile = requireFlag(flags.message, 'message');
    const routes = (flags.route ?? []).map(parseRoute);
    const smarthost = flags.smarthost === undefined ? null : parseHostPort(flags.smarthost, 'smarthost');
    const reporting = parseReporting(flags.reporting);
    const validityMs = flags.validity === undefined ? undefined : parseValidity(flags.validity);
    const timeScale = flags['time-scale'] === undefined ? 1 : parseTimeScale(flags['time-scale']);
    const perTransaction = flags['recipients-per-transaction'];
    const recipientsPerTransaction =
      perTransaction === undefined ? 1 : parseRecipientsPerTransaction(perTransaction);

    // The list is streamed from its file by the preparation (never read whole): only check it can be read.
    try {
      fs.accessSync(recipientsFile, fs.constants.R_OK);
    } catch (err) {
      throw cannotRead(recipientsFile, 'recipient list', err);
    }
    const template = await readMessage(messageFile, flags.from);
    const parsed = CreateDeliveryInput.omit({ recipients: true }).safeParse({
      name: flags.name ?? path.basename(messageFile).replace(/\.eml$/i, ''),
      template,
      routes,
      smarthost,
      reporting,
      timeScale,
      recipientsPerTransaction,
      ...(validityMs === undefined ? {} : { validityMs }),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'invalid_input',
        `${issue?.path.join('.') ?? 'input'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    // The sandbox is needed unless every domain has an explicit SMTP destination.
    const needsSandbox =
      routes.some((r) => r.target.kind === 'sandbox') ||
      (smarthost === null && !routes.some((r) => r.mask === '*'));
    const dataDir = resolveDataDir(flags.data);
    const app = await openApp({
      ...CLI_APP,
      dataDir,
      logger: dataDirLogger(dataDir),
      engine: Boolean(flags.wait),
      sandbox: flags.wait && needsSandbox ? {} : false,
    });
    try {
      const started = Date.now();
      const waiter = flags.wait ? completionWaiter(app, io) : null;
      const fileName = path.basename(recipientsFile);
      // The list is written a batch at a time: progress on stderr every PROGRESS_ROWS rows.
      let reported = 0;
      const result = await app.campaign.create(
        { ...parsed.data, recipients: { fileName, file: recipientsFile, ...(encoding ? { encoding } : {}) } },
        (written) => {
          if (written - reported < PROGRESS_ROWS) return;
          reported = written;
          io.stderr.write(`${fileName}: ${written} row(s) written\n`);
        },
      );
      if (result.import.encoding) io.stderr.write(`${fileName}: ${encodingLine(result.import.encoding)}\n`);
      printImportErrors(io, fileName, result.import.errors, result.import.moreErrors);
      const id = String(result.deliveryId);
      if (!waiter) {
        await app.campaign.whenRelayed(parseId(id));
        const d = await app.handlers['deliveries.get']({ id }, { transport: 'ipc' });
        io.stdout.write(
          `Delivery ${id} "${d.name}": ${d.inMta} message(s) queued, ${d.statusCounts.ignored} ignored, ` +
            `${d.importErrors} import error(s). Run "relaydeck run" or "relaydeck serve" to deliver them.\n`,
        );
        return 0;
      }
      const final = await waiter.wait(id);
      const durationMs = Date.now() - started;
      io.stdout.write(
        flags.json
          ? `${JSON.stringify(summaryJson(final, durationMs, result.import.errors))}\n`
          : formatSummary(final, durationMs),
      );
      return 0;
    } finally {
      await app.close();
    }
  },
};

export function parseRoute(value: string): Route {
  const eq = value.indexOf('=');
  const mask = value.slice(0, eq).trim().toLowerCase();
  const target = value.slice(eq + 1).trim();
  if (eq <= 0 || !isValidMask(mask)) {
    throw new UsageError(
      `--route expects DOMAIN=HOST:PORT or DOMAIN=sandbox (DOMAIN: example.com, *.test or *), got "${value}"`,
    );
  }
  if (target.toLowerCase() === 'sandbox') return { mask, target: { kind: 'sandbox' } };
  return { mask, target: { kind: 'smtp', ...parseHostPort(target, 'route') } };
}

export function parseReporting(value: string | undefined): ReportingMode {
  if (value === undefined) return 'efs';
  const mode = REPORTING_MODES.find((m) => m === value);
  if (!mode) throw new UsageError(`--reporting must be ${REPORTING_MODES.join(' or ')}, got "${value}"`);
  return mode;
}

export function parseValidity(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new UsageError(`--validity: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseTimeScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1)
    throw new UsageError(`--time-scale must be a number >= 1, got "${value}"`);
  return n;
}

export function parseRecipientsPerTransaction(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new UsageError(`--recipients-per-transaction must be a whole number from 1 to 100, got "${value}"`);
  return n;
}

function cannotRead(file: string, what: string, err: unknown): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  return new AppError(
    what === 'message' ? 'message_invalid' : 'csv_invalid',
    `Cannot read the ${what} ${file}${code ? ` (${code})` : ''}`,
  );
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw cannotRead(file, what, err);
  }
}

export async function readMessage(file: string, fromOverride: string | undefined): Promise<MessageTemplate> {
  const mail = await simpleParser(readText(file, 'message'));
  const from = fromOverride !== undefined ? parseFrom(fromOverride) : mail.from?.value[0];
  if (!from?.address) {
    throw new AppError(
      'message_invalid',
      `${file} has no From address: add a From header or pass --from ADDR`,
    );
  }
  const template: MessageTemplate = {
    fromName: from.name ?? '',
    fromAddress: from.address,
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
  };
  return withEmlHeaders(template, emlHeaders(mail, file));
}

function parseFrom(value: string): { name: string; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  return m ? { name: m[1] ?? '', address: (m[2] ?? '').trim() } : { name: '', address: value.trim() };
}

function printImportErrors(io: CommandIo, fileName: string, errors: RowError[], more: number): void {
  for (const e of errors) io.stderr.write(`${fileName}:${e.line}: ${e.message}\n`);
  if (more > 0) io.stderr.write(`${fileName}: ${more} more row error(s) not shown\n`);
}

/**
 * Waits until the delivery has every message final (`completedAt` set), redrawing a progress line on a TTY
 * or printing one every few seconds otherwise. Subscribes before the delivery exists so no change is missed.
 */
function completionWaiter(app: App, io: CommandIo) {
  const tty = Boolean(io.stderr.isTTY);
  let target: string | null = null;
  let wake: (() => void) | null = null;
  const unsubscribe = app.bus.subscribe((event, payload) => {
    if (event === 'delivery.changed' && (payload as { id: string }).id === target) wake?.();
  });
  return {
    async wait(id: string): Promise<Delivery> {
      target = id;
      const get = () => app.handlers['deliveries.get']({ id }, { transport: 'ipc' }) as Promise<Delivery>;
      let lastPrint = 0;
      const ticker = setInterval(() => wake?.(), tty ? 250 : 1000);
      try {
        for (;;) {
          const d = await get();
          if (d.completedAt !== null) {
            if (tty) io.stderr.write('\r\x1b[2K');
            return d;
          }
          const now = Date.now();
          if (tty) io.stderr.write(`\r\x1b[2K${formatProgress(d)}`);
          else if (now - lastPrint >= 5000) {
            io.stderr.write(`${formatProgress(d)}\n`);
            lastPrint = now;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        clearInterval(ticker);
        unsubscribe();
      }
    },
  };
}
