/**
 * Structured logging: JSON lines to a file in the data dir, warnings and errors also to stderr. The file gets
 * `info` and above by default: the engine's per-message lines are `debug` (every attempt is already an
 * `attempts` row), and writing them costs the main thread tens of µs per message. `RELAYDECK_LOG_LEVEL=debug`
 * writes them too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, tightenFile } from './private-files';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  file?: string;
  /** Minimum level echoed to stderr; 'silent' for none. */
  stderrLevel?: LogLevel | 'silent';
  /** Minimum level written to the file (default: `RELAYDECK_LOG_LEVEL`, else 'info'). */
  fileLevel?: LogLevel;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The log of a data dir, `<dataDir>/logs/relaydeck.log`: what the entry points log to. */
export function dataDirLogger(dataDir: string): Logger {
  const dir = path.join(path.resolve(dataDir), 'logs');
  // Owner-only like the data dir (which `openApp` tightens): an older version's looser dir and log tightened.
  ensurePrivateDir(dir);
  const file = path.join(dir, 'relaydeck.log');
  tightenFile(file);
  return createLogger({ file });
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const stream = options.file ? fs.createWriteStream(options.file, { flags: 'a', mode: 0o600 }) : null;
  const stderrMin = options.stderrLevel === 'silent' ? Infinity : ORDER[options.stderrLevel ?? 'warn'];
  const fileMin = stream ? ORDER[options.fileLevel ?? envLevel() ?? 'info'] : Infinity;
  const min = Math.min(fileMin, stderrMin);
  const make = (fields: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, extra?: LogFields) => {
      if (ORDER[level] < min) return;
      const record = { t: new Date().toISOString(), level, msg, ...fields, ...extra };
      if (stream && ORDER[level] >= fileMin) stream.write(`${JSON.stringify(record, errorReplacer)}\n`);
      if (ORDER[level] >= stderrMin)
        process.stderr.write(`relaydeck ${level}: ${msg}${formatExtra(extra)}\n`);
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (more) => make({ ...fields, ...more }),
    };
  };
  return make(base);
}

export const silentLogger: Logger = createLogger({ stderrLevel: 'silent' });

function envLevel(): LogLevel | undefined {
  const value = process.env.RELAYDECK_LOG_LEVEL?.toLowerCase();
  return value && value in ORDER ? (value as LogLevel) : undefined;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

function formatExtra(extra?: LogFields): string {
  if (!extra) return '';
  const err = Object.values(extra).find((v) => v instanceof Error);
  return err instanceof Error ? ` (${err.message})` : '';
}
