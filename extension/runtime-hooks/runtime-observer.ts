import type { RuntimeEvents } from '../core/runtime-events.ts';
import { guardCall, type Guard } from './guard.ts';
import type { ResponseHow } from '../core/runtime-events.ts';

export type { ResponseHow, RuntimeEvents } from '../core/runtime-events.ts';

type Dlopen = (module: { exports: unknown }, filename: string, ...rest: unknown[]) => void;
type NativeFunction = (...args: unknown[]) => unknown;

/**
 * Both RIC 3.3 and 4.0 talk to the Runtime API through the `next`, `done` and `error` exports
 * of `rapid-client.node`, loaded with `require`, which goes through `process.dlopen`. Wrapping
 * those exports shows exactly when each invoke starts, when its response is posted, and when
 * the runtime is done with it, for buffered, streaming and callback handlers alike.
 */
export function observeRuntime(target: { dlopen: Dlopen }, events: RuntimeEvents, options: ObserveOptions = {}): void {
  const original = target.dlopen;
  const guard = options.guard ?? unguarded;
  target.dlopen = function dlopen(this: unknown, module, filename, ...rest) {
    original.call(this, module, filename, ...rest);
    guard('dlopen', () => {
      if (typeof filename === 'string' && /rapid-client\.node$/.test(filename) && typeof module.exports === 'object' && module.exports !== null) {
        wrapNativeClient(module.exports, guardEvents(events, guard), options);
      }
    });
  };
}

/** Every event wrapped in the guard: the runtime's calls must never see the extension's exceptions. */
export function guardEvents(events: RuntimeEvents, guard: Guard): RuntimeEvents {
  // Bound functions, not arrows: these run in every invoke, and a bound function has no code of
  // its own for V8 to compile in the per-invoke burst (an arrow each was six more: bench/gc-trace.ts --compiles).
  const runtimeNext: () => void = events.runtimeNext.bind(events);
  const invokeStarted: (id: string, deadline: number) => void = events.invokeStarted.bind(events);
  const responsePosted: (id: string, how: ResponseHow) => void = events.responsePosted.bind(events);
  return {
    runtimeNext: guard.bind(undefined, 'runtime next', runtimeNext),
    invokeStarted: (guardCall<string, number>).bind(undefined, guard, 'invoke started', invokeStarted),
    responsePosted: (guardCall<string, ResponseHow>).bind(undefined, guard, 'response posted', responsePosted),
    observed: () => void guard('runtime observed', () => events.observed()),
  };
}

const unguarded: Guard = (_hook, body) => body();

export interface ObserveOptions {
  /**
   * The runtime's first `next` waits for this (registration): an extension must register before
   * it, and waiting there instead of at the preload lets registration overlap the runtime's init.
   */
  readonly beforeFirstNext?: Promise<unknown>;
  /** Wraps each hook body (see guard.ts). @default none (unit tests of the wiring) */
  readonly guard?: Guard;
}

/** Replaces the three exports with wrappers; false (and unchanged) when they are not all there. */
export function wrapNativeClient(exports: object, events: RuntimeEvents, options: ObserveOptions = {}): boolean {
  const next: unknown = Reflect.get(exports, 'next');
  const done: unknown = Reflect.get(exports, 'done');
  const error: unknown = Reflect.get(exports, 'error');
  if (typeof next !== 'function' || typeof done !== 'function' || typeof error !== 'function') return false;
  Reflect.set(exports, 'next', wrapNext(next as NativeFunction, events, options.beforeFirstNext));
  Reflect.set(exports, 'done', wrapPost(done as NativeFunction, events));
  Reflect.set(exports, 'error', wrapPost(error as NativeFunction, events));
  return true;
}

function wrapNext(next: NativeFunction, events: RuntimeEvents, firstGate: Promise<unknown> | undefined): NativeFunction {
  let gate = firstGate;
  let seen = false;
  return function wrappedNext(this: unknown, ...args: unknown[]) {
    // Observed only once the runtime really calls it: with its HTTP client (RIC's
    // AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1) it loads the addon but never calls `next`.
    if (!seen) {
      seen = true;
      events.observed();
    }
    events.runtimeNext();
    if (gate) {
      const waitFor = gate;
      gate = undefined;
      return waitFor.then(() => callNext(next, this, args, events));
    }
    return callNext(next, this, args, events);
  };
}

function callNext(next: NativeFunction, self: unknown, args: unknown[], events: RuntimeEvents): unknown {
  const pending = next.apply(self, args);
  if (!(pending instanceof Promise)) return pending;
  // Chained, not observed on the side: the invoke is known before the handler can enqueue.
  return pending.then((invocation: unknown) => {
    try {
      const headers: unknown = typeof invocation === 'object' && invocation !== null ? Reflect.get(invocation, 'headers') : undefined;
      const requestId = header(headers, 'lambda-runtime-aws-request-id');
      const deadlineMs = Number(header(headers, 'lambda-runtime-deadline-ms'));
      if (requestId !== undefined && Number.isFinite(deadlineMs)) events.invokeStarted(requestId, deadlineMs);
    } catch {
      // A headers object with throwing getters: the invocation still reaches the runtime.
    }
    return invocation;
  });
}

function wrapPost(post: NativeFunction, events: RuntimeEvents): NativeFunction {
  return function wrappedPost(this: unknown, ...args: unknown[]) {
    try {
      return post.apply(this, args);
    } finally {
      const id = typeof args[0] === 'string' ? decodeId(args[0]) : undefined;
      if (id !== undefined) events.responsePosted(id, 'returned');
    }
  };
}

/** The request id from a URL path segment; undefined (never a throw) for a malformed escape. */
function decodeId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value: unknown = Reflect.get(headers, name);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

type Subscribe = (channel: string, listener: (message: unknown) => void) => void;
const STREAMED_RESPONSE = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/response$/;

/**
 * Streaming handlers' responses bypass the native client: RIC posts them with `node:http`.
 * Node's `http.client.response.finish` diagnostics channel reports when that POST is answered,
 * i.e. when the stream has been delivered.
 */
export function observeStreamedResponses(subscribe: Subscribe, events: Pick<RuntimeEvents, 'responsePosted'>, guard: Guard = unguarded): void {
  const listener = (message: unknown): void => void guard('streamed response', () => {
    const request: unknown = typeof message === 'object' && message !== null ? Reflect.get(message, 'request') : undefined;
    const path: unknown = typeof request === 'object' && request !== null ? Reflect.get(request, 'path') : undefined;
    const match = typeof path === 'string' ? STREAMED_RESPONSE.exec(path) : null;
    const id = match?.[1] === undefined ? undefined : decodeId(match[1]);
    if (id !== undefined) events.responsePosted(id, 'streamed');
  });
  subscribe('http.client.response.finish', listener);
  subscribe('http.client.request.error', listener);
}
