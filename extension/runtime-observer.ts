/**
 * How a response left: `returned` by the native client's synchronous `done`/`error` (the
 * handler has returned or called back), or `streamed` over HTTP (the handler may still run).
 */
export type ResponseHow = 'returned' | 'streamed';

/** What the extension learns from the runtime's own calls to the Runtime API. */
export interface RuntimeEvents {
  /** The runtime called `next`: it is done with the previous invoke. */
  runtimeNext(): void;
  /** The runtime's `next` returned an invoke. */
  invokeStarted(requestId: string, deadlineMs: number): void;
  /** The runtime posted an invoke's response or error (before this fires). */
  responsePosted(requestId: string, how: ResponseHow): void;
  /** The runtime calls the wrapped `next`: called once, at its first call. */
  observed(): void;
}

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
  target.dlopen = function dlopen(this: unknown, module, filename, ...rest) {
    original.call(this, module, filename, ...rest);
    if (/rapid-client\.node$/.test(filename) && typeof module.exports === 'object' && module.exports !== null) {
      wrapNativeClient(module.exports, events, options);
    }
  };
}

export interface ObserveOptions {
  /**
   * The runtime's first `next` waits for this (registration): an extension must register before
   * it, and waiting there instead of at the preload lets registration overlap the runtime's init.
   */
  readonly beforeFirstNext?: Promise<unknown>;
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
    const headers: unknown = typeof invocation === 'object' && invocation !== null ? Reflect.get(invocation, 'headers') : undefined;
    const requestId = header(headers, 'lambda-runtime-aws-request-id');
    const deadlineMs = Number(header(headers, 'lambda-runtime-deadline-ms'));
    if (requestId !== undefined && Number.isFinite(deadlineMs)) events.invokeStarted(requestId, deadlineMs);
    return invocation;
  });
}

function wrapPost(post: NativeFunction, events: RuntimeEvents): NativeFunction {
  return function wrappedPost(this: unknown, ...args: unknown[]) {
    try {
      return post.apply(this, args);
    } finally {
      if (typeof args[0] === 'string') events.responsePosted(decodeURIComponent(args[0]), 'returned');
    }
  };
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
export function observeStreamedResponses(subscribe: Subscribe, events: Pick<RuntimeEvents, 'responsePosted'>): void {
  const listener = (message: unknown): void => {
    const request: unknown = typeof message === 'object' && message !== null ? Reflect.get(message, 'request') : undefined;
    const path: unknown = typeof request === 'object' && request !== null ? Reflect.get(request, 'path') : undefined;
    const match = typeof path === 'string' ? STREAMED_RESPONSE.exec(path) : null;
    if (match?.[1] !== undefined) events.responsePosted(decodeURIComponent(match[1]), 'streamed');
  };
  subscribe('http.client.response.finish', listener);
  subscribe('http.client.request.error', listener);
}
