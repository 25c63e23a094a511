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
export const MAX_STACK_FRAMES = 50;

export function describeError(error: unknown): ErrorDescription {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: text(read(error, 'name')) || constructorName(error) || 'Error',
        errorMessage: cut(text(read(error, 'message'))),
        stackTrace: frames(read(error, 'stack')),
      };
    }
    return { errorType: typeName(error), errorMessage: cut(text(error)), stackTrace: [] };
  } catch {
    return { errorType: 'unknown', errorMessage: '[a value that cannot be described]', stackTrace: [] };
  }
}

/** `String(value)` that never throws and always returns a string. */
export function safeString(value: unknown): string {
  return text(value);
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
