import type { Logger } from '../../shared/log-line.ts';
import { expectThenable, fromCaller } from '../../shared/validate.ts';
import type { RequestContextKind, ScopedInvoke } from '../core/scoped-invoke.ts';
import type { Guard } from './guard.ts';

export { REQUEST_CONTEXT_KINDS, type RequestContextKind, type ScopedInvoke } from '../core/scoped-invoke.ts';

/**
 * The global symbols the frameworks read (read in next@16.4.6
 * `dist/server/after/builtin-request-context.js` and @vercel/functions@3.9.9 `get-context.js`):
 * an object whose `get()` returns the current request's context or `undefined`.
 */
export const REQUEST_CONTEXT_SYMBOLS: Readonly<Record<RequestContextKind, symbol>> = {
  next: Symbol.for('@next/request-context'),
  vercel: Symbol.for('@vercel/request-context'),
};

/**
 * The job name of what each framework hands to its context's `waitUntil` (logs and the summary
 * tell them apart): Next's `after()` callbacks and promises, @vercel/functions' `waitUntil()`.
 */
const REQUEST_CONTEXT_JOB_NAMES: Readonly<Record<RequestContextKind, string>> = {
  next: 'next after()',
  vercel: 'vercel waitUntil',
};

/**
 * What `get()` returns inside an invoke. Next 16 calls `waitUntil` with the promise of its
 * `after()` callbacks and with each promise given to `after()`; @vercel/functions' `waitUntil()`
 * forwards to it and `getDeadline()` parses `deadline` with `new Date()`.
 */
export interface RequestContextValue {
  /** Holds the invoke until `promise` settles (a promise job named by source: `next after()`, `vercel waitUntil`). @throws {TypeError} for a non-thenable. */
  readonly waitUntil: (promise: PromiseLike<unknown>) => void;
  /** ISO 8601: the invoke's deadline minus `AFTER_RESPONSE_DEADLINE_MARGIN_MS`, when held work is abandoned. */
  readonly deadline: string;
}

export interface RequestContextOptions {
  readonly kinds: readonly RequestContextKind[];
  /** Where the symbols go. @default globalThis */
  readonly global: object;
  /** The invoke the calling code belongs to (see Lifecycle.scopedInvoke), or undefined outside one. */
  readonly current: () => ScopedInvoke | undefined;
  readonly marginMs: number;
  readonly logger: Logger;
  readonly guard: Guard;
}

/**
 * Publishes a provider at each configured symbol that nobody defined before (a symbol someone
 * else defined is left alone, logged once at DEBUG). The property stays writable: OpenNext
 * assigns its own provider at `@next/request-context` on every request and must not throw.
 * Every call the frameworks make runs through the guard: an internal failure is logged and
 * `get()` answers `undefined`, as outside an invoke.
 */
export function installRequestContexts(options: RequestContextOptions): void {
  for (const kind of options.kinds) {
    const symbol = REQUEST_CONTEXT_SYMBOLS[kind];
    if (Object.getOwnPropertyDescriptor(options.global, symbol) !== undefined) {
      options.logger.log('DEBUG', `${symbol.description ?? kind} is already defined (by another library or adapter): left alone, not provided by the extension`, { requestContext: kind });
      continue;
    }
    Object.defineProperty(options.global, symbol, { value: providerFor(kind, options), writable: true, configurable: true, enumerable: false });
  }
}

/** One provider per kind, so each names its jobs by source ({@link REQUEST_CONTEXT_JOB_NAMES}). */
function providerFor(kind: RequestContextKind, options: RequestContextOptions): { readonly get: () => RequestContextValue | undefined } {
  const contexts = new WeakMap<object, RequestContextValue>();
  const get = (): RequestContextValue | undefined => options.guard('request-context get', () => {
    const invoke = options.current();
    if (!invoke) return undefined;
    let context = contexts.get(invoke.key);
    if (!context) contexts.set(invoke.key, (context = contextFor(invoke, REQUEST_CONTEXT_JOB_NAMES[kind], options)));
    return context;
  });
  return Object.freeze({ get });
}

function contextFor(invoke: ScopedInvoke, jobName: string, options: RequestContextOptions): RequestContextValue {
  const waitUntil = (promise: PromiseLike<unknown>): void => {
    try {
      expectThenable(promise);
    } catch (error) {
      throw fromCaller(error, waitUntil); // the TypeError's stack starts at the caller (Next's after(), Vercel's waitUntil)
    }
    options.guard('request-context waitUntil', () => invoke.enqueue(promise, jobName));
  };
  return Object.freeze({ waitUntil, deadline: new Date(invoke.deadlineMs - options.marginMs).toISOString() });
}
