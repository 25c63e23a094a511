/**
 * Describes anything a job can throw or reject with, the way Lambda's error JSON does
 * (`errorType`, `errorMessage`, `stackTrace`). Total: it never throws, whatever the value —
 * `Object.create(null)`, a revoked Proxy, throwing getters, a `toString` that throws or returns
 * an object, symbols, bigints. It runs inside the layer's own bookkeeping, where a throw would
 * become the runtime's uncaught exception (RIC 4 dies; the invoke then times out).
 */
export type ErrorDescription = {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace: string[];
};

/** Longest `errorMessage` kept, in characters; a longer one is cut and marked. */
export const MAX_MESSAGE_LENGTH = 8192;
/** Most stack frames kept. */
const MAX_STACK_FRAMES = 50;

export function describeError(error: unknown): ErrorDescription {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: text(read(error, 'name')) || constructorName(error) || 'Error',
        errorMessage: cut(text(read(error, 'message'))),
        stackTrace: frames(read(error, 'stack')),
      };
    }
    return { errorType: typeName(error), errorMessage: cut(plainObjectText(error) ?? text(error)), stackTrace: [] };
  } catch {
    return { errorType: 'unknown', errorMessage: '[a value that cannot be described]', stackTrace: [] };
  }
}

function isErrorLike(value: unknown): value is object {
  try {
    return value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value && 'stack' in value);
  } catch {
    return false; // a Proxy whose getPrototypeOf/has trap throws
  }
}

function read(value: object, key: string): unknown {
  try {
    return Reflect.get(value, key);
  } catch {
    return undefined;
  }
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    const converted: unknown = typeof value === 'symbol' ? value.toString() : String(value);
    if (typeof converted === 'string') return converted;
  } catch {
    // a throwing toString, an object without one (Object.create(null)), a revoked Proxy
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return '[unprintable]';
  }
}

/** Keys shown of a thrown plain object, and characters shown of one of its string values. */
const MAX_KEYS = 20;
const MAX_VALUE_CHARS = 200;

/**
 * A thrown plain object (`throw { code: 7 }`) rendered JSON-ish — `{"code":7}` — instead of
 * `[object Object]`: its own enumerable keys (≤ {@link MAX_KEYS}), values one level deep
 * (nested objects by kind, strings ≤ {@link MAX_VALUE_CHARS}), so it is bounded whatever the size.
 * `undefined` for anything else, or when a trap or getter throws (the caller falls back).
 */
function plainObjectText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const keys = Object.keys(value);
    const parts = keys.slice(0, MAX_KEYS).map((key) => `${JSON.stringify(key)}:${brief(read(value, key))}`);
    if (keys.length > MAX_KEYS) parts.push(`… ${keys.length - MAX_KEYS} more keys`);
    return `{${parts.join(',')}}`;
  } catch {
    return undefined;
  }
}

function brief(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return '[Function]';
  if (Array.isArray(value)) return `[Array(${value.length})]`;
  if (typeof value === 'object' && value !== null) return `[${constructorName(value) || 'object'}]`;
  return value === undefined ? 'undefined' : text(value); // number, boolean, null, symbol
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  return constructorName(value) || typeof value;
}

function constructorName(value: object): string {
  const ctor = read(value, 'constructor');
  const name = typeof ctor === 'function' ? read(ctor, 'name') : undefined;
  return typeof name === 'string' ? name : '';
}

function frames(stack: unknown): string[] {
  if (typeof stack !== 'string') return [];
  return stack.split('\n').slice(1, MAX_STACK_FRAMES + 1).map((line) => line.trim());
}

function cut(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}… (cut)` : message;
}
