/** A Logger that keeps its records in memory, so tests can check what was (and was not) logged. */
import type { LogFields, Logger, LogLevel } from '../../src/main/logger';

export interface LogRecord {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

export function captureLogger(
  records: LogRecord[] = [],
  base: LogFields = {},
): Logger & { records: LogRecord[] } {
  const write = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    records.push({ level, msg, fields: { ...base, ...fields } });
  };
  return {
    records,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => captureLogger(records, { ...base, ...more }),
  };
}
