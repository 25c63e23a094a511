import { describeValue } from './layer-shared.ts';
import type { AnyHandler, InvokeOptions } from './types.ts';

/** Lambda's longest function timeout: 15 minutes. */
export const MAX_TIMEOUT_MS = 900_000;
/** Lambda's default function timeout: 3 s. */
export const DEFAULT_TIMEOUT_MS = 3000;

/** `invokeHandler`'s arguments, checked, with defaults filled in. */
export interface ValidArgs {
  readonly handler: AnyHandler;
  readonly timeoutMs: number;
  readonly requestId: string | undefined;
  readonly functionName: string;
  readonly env: Readonly<Record<string, string>>;
  readonly thaw: boolean;
}

const OPTION_NAMES = new Set(['timeoutMs', 'requestId', 'functionName', 'env', 'thaw']);

/**
 * Checks what a test passed to `invokeHandler`.
 * @throws {TypeError} naming the bad value: a handler that is not a function, options that are
 * not an object, an unknown option, a timeout that is not an integer from 1 to 900000, a blank
 * request id or function name, an env entry that is not a string, a `thaw` that is not a boolean.
 */
export function validateArgs(handler: unknown, options: unknown): ValidArgs {
  if (typeof handler !== 'function') throw new TypeError(`Expected \`handler\` to be a function (event, context), got ${describeValue(handler)}`);
  if (options === undefined) return { handler: handler as AnyHandler, timeoutMs: DEFAULT_TIMEOUT_MS, requestId: undefined, functionName: 'test-function', env: {}, thaw: false };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new TypeError(`Unknown option \`${key}\`: expected one of ${[...OPTION_NAMES].join(', ')}`);
  }
  const given = options as Record<keyof InvokeOptions, unknown>;
  return {
    handler: handler as AnyHandler,
    timeoutMs: timeout(given.timeoutMs),
    requestId: nonBlank('requestId', given.requestId),
    functionName: nonBlank('functionName', given.functionName) ?? 'test-function',
    env: envOption(given.env),
    thaw: flag('thaw', given.thaw),
  };
}

function timeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new TypeError(`Expected \`timeoutMs\` to be an integer from 1 to ${MAX_TIMEOUT_MS} (milliseconds), got ${describeValue(value)}`);
  }
  return value;
}

function nonBlank(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`Expected \`${name}\` to be a non-blank string, got ${describeValue(value)}`);
  return value;
}

function envOption(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`Expected \`env\` to be an object of strings, got ${describeValue(value)}`);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new TypeError(`Expected \`env.${key}\` to be a string, got ${describeValue(entry)}`);
  }
  return { ...(value as Record<string, string>) };
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`Expected \`${name}\` to be a boolean, got ${describeValue(value)}`);
  return value;
}
