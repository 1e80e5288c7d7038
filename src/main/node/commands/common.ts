/** Shared plumbing of the CLI commands: argument parsing with --help, usage errors, waiting for a signal. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { systemClock } from '../../clock';
import { nodeDns } from '../../engine/relay/node-dns';
import { chromiumPrinter } from '../report-printer';
import { fileSecrets } from '../../secrets/secret-store';
import { openApp, type App } from '../../app';
import { silentLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';

/** A mistake in the command line: exit code 2, with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * What every command opens the app with: the system's time and resolver, headless Chromium for PDFs, and the
 * data dir's owner-only secrets file.
 */
export const CLI_APP = {
  clock: systemClock,
  dns: nodeDns,
  reportPrinter: chromiumPrinter,
  secrets: fileSecrets,
} as const;

/**
 * Runs `fn` on the data dir's app opened for store work only (no engine, sandbox or inMail listener, nothing
 * logged), then closes it.
 */
export async function withStoreApp<T>(
  dataDir: string | undefined,
  fn: (app: App) => Promise<T> | T,
): Promise<T> {
  const app = await openApp({
    ...CLI_APP,
    dataDir: resolveDataDir(dataDir),
    engine: false,
    sandbox: false,
    inmail: false,
    logger: silentLogger,
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export interface CommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the exit code. */
  run(argv: string[], io: CommandIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed values of a set of options: strings or booleans, arrays when `multiple`. */
export type FlagValues<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: 'boolean' }
    ? O[K] extends { multiple: true }
      ? boolean[]
      : boolean
    : O[K] extends { multiple: true }
      ? string[]
      : string;
};

/**
 * Strict parsing of a command line: flags (`--help` is added) and, when allowed, positional arguments.
 * Returns null when help was printed.
 */
export function parseCommandLine<O extends Options>(
  command: Pick<Command, 'name' | 'usage'>,
  argv: string[],
  options: O,
  io: CommandIo,
  allowPositionals = true,
): { values: FlagValues<O>; positionals: string[] } | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    });
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '') : String(err),
    );
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout.write(`${command.usage.trim()}\n`);
    return null;
  }
  return { values: parsed.values as FlagValues<O>, positionals: parsed.positionals };
}

/** Strict parsing of a command's flags (no positional arguments). Returns null when help was printed. */
export function parseFlags<O extends Options>(
  command: Pick<Command, 'name' | 'usage'>,
  argv: string[],
  options: O,
  io: CommandIo,
): FlagValues<O> | null {
  return parseCommandLine(command, argv, options, io, false)?.values ?? null;
}

/**
 * The subcommand of a command with subcommands (`relaydeck rules export …`): the first argument, which must be
 * one of `subcommands`, and the arguments after it. Returns null when `--help` was asked for instead.
 */
export function parseSubcommand<S extends string>(
  command: Pick<Command, 'usage'>,
  argv: string[],
  subcommands: readonly S[],
  io: CommandIo,
): { sub: S; rest: string[] } | null {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(`${command.usage.trim()}\n`);
    return null;
  }
  const expected =
    subcommands.length > 1
      ? `${subcommands.slice(0, -1).join(', ')} or ${subcommands.at(-1)}`
      : subcommands[0];
  if (sub === undefined) throw new UsageError(`missing subcommand: ${expected}`);
  if (!(subcommands as readonly string[]).includes(sub))
    throw new UsageError(`unknown subcommand "${sub}": expected ${expected}`);
  return { sub: sub as S, rest };
}

export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${flag}`);
  return value;
}

export function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--${flag} must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

/** `HOST:PORT` or `[IPv6]:PORT`. */
export function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d+)$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--${flag} expects HOST:PORT (e.g. 127.0.0.1:2525), got "${value}"`);
  }
  return { host, port };
}

/** Resolves with the first SIGINT/SIGTERM received. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
