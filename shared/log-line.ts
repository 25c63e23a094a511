import { describeError } from './describe-error.ts';

/** Log levels as Lambda names them (`AWS_LAMBDA_LOG_LEVEL`), lowest first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields of one log event; `requestId` ties it to an invoke. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger that writes one JSON line per event. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Events below this level are dropped. @default 'INFO' */
  readonly level?: LogLevel;
  /** Where a finished line goes. */
  readonly write: (line: string) => void;
  /** Clock for timestamps. @default Date.now */
  readonly now?: () => number;
}

/**
 * One JSON object per line, with Lambda's own JSON log field names (`timestamp`, `level`,
 * `requestId`, `message`) so CloudWatch Logs Insights reads them in Text and JSON log formats.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'INFO');
  const now = options.now ?? Date.now;
  const enabled = (level: LogLevel): boolean => LOG_LEVELS.indexOf(level) >= threshold;
  return {
    enabled,
    // Never throws: it is called from inside the runtime's own calls and the jobs' bookkeeping.
    // A field that cannot be serialised costs the fields, not the line; a failing write is dropped.
    log(level, message, fields) {
      if (!enabled(level)) return;
      const timestamp = new Date(now()).toISOString();
      let line: string;
      try {
        // One object, not a base object spread into another: the summary line is written per invoke.
        line = JSON.stringify({ timestamp, level, source: SOURCE, message, ...fields }, jsonSafe);
      } catch (error) {
        line = JSON.stringify({ timestamp, level, source: SOURCE, message, fieldsDropped: `the log fields could not be serialised: ${describeError(error).errorMessage}` });
      }
      try {
        options.write(`${line}\n`);
      } catch {
        // stdout is gone (EPIPE at exit): nothing else could report it either.
      }
    },
  };
}

/** Describes a thrown value the way Lambda's error JSON does; never throws (see describe-error.ts). */
export { describeError };

const SOURCE = 'lambda-after-response';

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
