import type { Flusher } from './host-protocol.ts';

/**
 * Options of {@link enqueueAfterResponse}. Unknown keys are refused with a `TypeError`.
 * @example
 * ```ts
 * enqueueAfterResponse(() => sendReceipt(order), { name: 'receipt' });
 * ```
 */
export interface EnqueueOptions {
  /**
   * Labels the job in logs (failures, abandonment, summaries): a non-empty string.
   * @default the function's `name`, else `'anonymous'` (function) or `'promise'` (promise)
   * @example 'slack-reply'
   */
  readonly name?: string;
}

const KNOWN_OPTIONS = new Set(['name']);

/** The errors made by {@link argumentError}: only their stacks are restarted by {@link fromCaller}. */
const ARGUMENT_ERRORS = new WeakSet<object>();

/** A `TypeError` for a bad argument, marked for {@link fromCaller}. */
function argumentError(message: string): TypeError {
  const error = new TypeError(message);
  ARGUMENT_ERRORS.add(error);
  return error;
}

/**
 * Restarts the stack of a bad-argument `TypeError` thrown below `entry` at the caller of `entry`,
 * so its first frame is the user's call (`at handler (file:///var/task/index.mjs:3:3)`), as with
 * Node's own argument errors, rather than the package's internals (the check, the client's
 * method, the exported function). Call it in `entry`'s own `catch`, so `entry` is on the stack.
 * Any other error is returned as it is: its stack locates a fault, wherever that is.
 */
export function fromCaller(error: unknown, entry: (...args: never[]) => unknown): unknown {
  if (typeof error === 'object' && error !== null && ARGUMENT_ERRORS.has(error)) Error.captureStackTrace(error, entry);
  return error;
}

/** Renders a bad value for an error message: `` `42` (number) ``. */
export function describeValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let text: string;
  try {
    // An array as written (`["A=1"]`), not as String() joins it (`A=1`, brackets lost); one JSON cannot hold (a bigint, a cycle) as String() does.
    text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? `[Function ${value.name || 'anonymous'}]` : Array.isArray(value) ? arrayText(value) : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\` (${type})`;
}

function arrayText(value: readonly unknown[]): string {
  try {
    return JSON.stringify(value);
  } catch {
    return `[${String(value)}]`;
  }
}

/** Whether a value is a promise or other thenable (what `waitUntil` and promise jobs accept). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof Reflect.get(value, 'then') === 'function';
}

/**
 * Whether a function is a class (calling it without `new` throws, so it would fail only when run).
 * Cheap on the hot path (measured, Node 22 and 24, 2M calls over an arrow, an async and a named
 * function: `validateEnqueue` 12 → 25 ns per call; a `prototype` read first as a fast path for
 * arrows made it 30 ns): an ordinary, arrow or async function has a writable `prototype` or none;
 * only the rare function with a read-only one (classes, some built-ins) has its source read, to
 * tell a class (`class …`). Never throws: a Proxy or odd function whose traps throw counts as no class.
 */
export function isClass(fn: object): boolean {
  try {
    if (Object.getOwnPropertyDescriptor(fn, 'prototype')?.writable !== false) return false;
    return /^class\b/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

function rejectClass(what: string, fn: object): void {
  if (!isClass(fn)) return;
  let name: unknown;
  try {
    name = Reflect.get(fn, 'name');
  } catch {
    name = undefined;
  }
  const shown = typeof name === 'string' && name ? name : undefined;
  throw argumentError(`Expected \`${what}\` to be a function, got class \`${shown ?? 'anonymous'}\`: a class cannot be called without \`new\`; pass \`(context) => new ${shown ?? 'YourClass'}(context)\` or a function`);
}

/** What `waitUntil` accepts. @throws {TypeError} naming the value when it is not a thenable. */
export function expectThenable(value: unknown): asserts value is PromiseLike<unknown> {
  if (!isThenable(value)) throw argumentError(`Expected \`promise\` to be a promise (thenable), got ${describeValue(value)}`);
}

/** The validated `options.name`, else `fallback`. @throws {TypeError} for a non-object, an unknown option or a bad name. */
function optionsName(options: unknown, fallback: string): string {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw argumentError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  const name: unknown = options === undefined ? undefined : Reflect.get(options, 'name');
  // Own keys by `for…in`, not `Object.keys`: no array per call (this runs per job).
  for (const key in options as object | undefined) {
    if (Object.hasOwn(options as object, key) && !KNOWN_OPTIONS.has(key)) throw argumentError(`Unknown option \`${key}\`; expected one of: ${[...KNOWN_OPTIONS].join(', ')}`);
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw argumentError(`Expected \`options.name\` to be a non-empty string, got ${describeValue(name)}`);
  }
  return name ?? fallback;
}

/**
 * Checks the arguments of `enqueueAfterResponse` and returns the job's display name (the name
 * only, no `{ job, name }` object: this runs per job). Throws `TypeError` (also for a class).
 */
export function validateEnqueue(job: unknown, options: unknown): string {
  const isFunction = typeof job === 'function';
  if (!isFunction && !isThenable(job)) {
    throw argumentError(`Expected \`job\` to be a function or a promise, got ${describeValue(job)}`);
  }
  if (isFunction && isClass(job as object)) rejectClass('job', job as object); // isClass first: rejectClass is then off the per-job path
  return optionsName(options, isFunction ? (job as { name: string }).name || 'anonymous' : 'promise');
}

/**
 * Options of {@link flushAfterResponse}. Unknown keys are refused with a `TypeError`.
 * @example
 * ```ts
 * flushAfterResponse(() => metrics.publishStoredMetrics(), { name: 'metrics' });
 * ```
 */
export interface FlushOptions {
  /**
   * Labels the flusher in logs (failures, overruns): a non-empty string.
   * @default the function's `name`, else `'anonymous'`
   * @example 'otel'
   */
  readonly name?: string;
}

/** Checks the arguments of `flushAfterResponse` and returns the flusher's display name. Throws `TypeError` (also for a class). */
export function validateFlusher(flusher: unknown, options: unknown): { flusher: Flusher; name: string } {
  if (typeof flusher !== 'function') throw argumentError(`Expected \`flusher\` to be a function, got ${describeValue(flusher)}`);
  rejectClass('flusher', flusher);
  return { flusher: flusher as Flusher, name: optionsName(options, flusher.name || 'anonymous') };
}
