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
        // No replacer: one is a function called per key of every line — the summary line's ~10 per
        // invoke made it hot, one more function for Maglev and TurboFan to compile (bench/gc-trace.ts --compiles).
        line = JSON.stringify({ timestamp, level, source: SOURCE, message, ...fields });
      } catch (error) {
        line = retried({ timestamp, level, message, fields }, error);
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

/**
 * The line when `JSON.stringify` threw `error`: again with BigInts written as their digits, when it
 * was a TypeError (what a BigInt, or a cycle, throws); else, or when that throws too, the line
 * without its fields, saying why.
 */
function retried({ timestamp, level, message, fields }: { readonly timestamp: string; readonly level: LogLevel; readonly message: string; readonly fields: LogFields | undefined }, error: unknown): string {
  let cause = error;
  if (error instanceof TypeError) {
    try {
      return JSON.stringify({ timestamp, level, source: SOURCE, message, ...fields }, jsonSafe);
    } catch (again) {
      cause = again;
    }
  }
  return JSON.stringify({ timestamp, level, source: SOURCE, message, fieldsDropped: `the log fields could not be serialised: ${describeError(cause).errorMessage}` });
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
