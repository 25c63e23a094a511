import { LOG_LEVELS, type LogLevel } from './log-line.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** An unset variable, an empty one, and one of spaces only all mean "not set" (templates often write `""`). */
export function isBlank(raw: string | undefined): raw is undefined | '' {
  return raw === undefined || raw.trim() === '';
}

/** A log level in any case and spacing, or what was expected instead. */
export function parseLevel(raw: string): { readonly value: LogLevel } | { readonly expected: string } {
  const upper = raw.trim().toUpperCase();
  const level = LOG_LEVELS.find((candidate) => candidate === upper);
  return level ? { value: level } : { expected: `one of ${LOG_LEVELS.join(', ')}` };
}

/**
 * Where the log level comes from: `AFTER_RESPONSE_LOG_LEVEL` when set (not blank), else
 * `AWS_LAMBDA_LOG_LEVEL` in the JSON log format (Lambda applies it to application logs only
 * there: Lambda developer guide, "Configuring advanced logging controls"), else nothing.
 * Returns the variable's name and its raw value.
 */
export function levelSource(env: Env): { readonly name: string; readonly raw: string | undefined } {
  const own = env.AFTER_RESPONSE_LOG_LEVEL;
  if (!isBlank(own)) return { name: 'AFTER_RESPONSE_LOG_LEVEL', raw: own };
  return { name: 'AWS_LAMBDA_LOG_LEVEL', raw: env.AWS_LAMBDA_LOG_FORMAT === 'JSON' ? env.AWS_LAMBDA_LOG_LEVEL : undefined };
}

/**
 * The level the client's own logger uses (no layer, a Node child process): the extension's rule
 * ({@link levelSource}), `INFO` when unset or invalid (the extension, where it runs, names an
 * invalid value in an ERROR at init).
 */
export function clientLogLevel(env: Env): LogLevel {
  const { raw } = levelSource(env);
  if (isBlank(raw)) return 'INFO';
  const parsed = parseLevel(raw);
  return 'value' in parsed ? parsed.value : 'INFO';
}
