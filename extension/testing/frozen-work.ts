import type { AsyncHook, AsyncResource } from 'node:async_hooks';
import { chainStack, OWN_FILES, type Origin } from './async-stack.ts';
import { watchRequests, type SeenRequest } from './request-watch.ts';
import type { FrozenWork, ThawedWork } from './types.ts';

const asyncHooks = process.getBuiltinModule('node:async_hooks');

/**
 * Types never reported: promises are not work (a pending one holds nothing; what it waits for
 * is a resource of its own), nor is `STREAM_END_OF_STREAM` (the AsyncResource `stream.finished`
 * binds its callback to; Node 22 and 24's fetch make one per response body, measured: the body
 * still coming is reported as its `FETCH`), ticks and microtasks run before any freeze could
 * come, and the layer's own resources (job contexts, the invoke's root) are its business.
 */
const NOT_WORK = /^(PROMISE|STREAM_END_OF_STREAM$|TickObject|Microtask|lambda-after-response\b)/;
/** Frames deep enough to reach past a library's internals (V8's default keeps 10). */
const STACK_FRAMES = 40;

interface Tracked extends Origin {
  /** Held until `destroy`, to ask `hasRef()` at the release; never for promises. */
  resource: object | undefined;
  pending: boolean;
  /** Its callback ran at least once: a request (no `hasRef`) is then done, its `destroy` comes a turn later. */
  called: boolean;
}

export interface WatchOptions {
  /** Resources the layer created for itself (its timers and deferrals): never reported. */
  readonly own: WeakSet<object>;
  /** Frozen work of earlier invokes, by async id: reported in `thawed` when its callback runs during this invoke. */
  readonly earlier: ReadonlyMap<number, ThawedWork>;
}

/**
 * Watches the async resources of one invoke with `async_hooks`: every resource created, by the
 * handler, its jobs and the libraries they call, in the async chain that starts at the invoke's
 * root (see {@link enterRoot}); work of the test runner and of earlier invokes is not in it.
 * Enabled only between {@link start} and {@link stop}.
 */
export class FrozenWorkWatch {
  readonly #tracked = new Map<number, Tracked>();
  readonly #thawed: ThawedWork[] = [];
  readonly #options: WatchOptions;
  readonly #hook: AsyncHook;
  readonly #requests: Array<{ readonly request: SeenRequest; readonly origin: Origin }> = [];
  #unwatchRequests: (() => void) | undefined;

  constructor(options: WatchOptions) {
    this.#options = options;
    // An exception in an async hook ends the process (Node's rule): every callback is guarded.
    this.#hook = asyncHooks.createHook({
      init: (id, type, triggerId, resource) => guarded(() => this.#init(id, type, triggerId, resource)),
      before: (id) => guarded(() => this.#ran(id)),
      after: (id) => guarded(() => this.#called(id)),
      destroy: (id) => guarded(() => this.#settled(id)),
      promiseResolve: (id) => guarded(() => this.#settled(id)),
    });
  }

  start(): void {
    this.#hook.enable();
    this.#unwatchRequests = watchRequests({ started: (request) => this.#requestStarted(request), guarded });
  }

  /** Runs `fn` in the invoke's root resource: everything it starts is the invoke's. */
  enterRoot<T>(fn: () => T): T {
    const root: AsyncResource = new asyncHooks.AsyncResource('lambda-after-response.invoke');
    const site = {};
    this.#tracked.set(root.asyncId(), { type: 'lambda-after-response.invoke', triggerId: -1, site, resource: undefined, pending: false, called: false });
    return root.runInAsyncScope(fn);
  }

  /** Work of the invoke pending now, by async id (called when Lambda would freeze). */
  pending(): Map<number, FrozenWork> {
    const found = new Map<number, FrozenWork>();
    const lookup = (id: number): Origin | undefined => this.#tracked.get(id);
    const requests = this.#requests.filter(({ request }) => !request.done());
    // A request is reported as the request (from its channel), not as the socket carrying it nor
    // as node:http's HTTPCLIENTREQUEST resource (whose callback runs at the headers, before the body): one report, whichever socket it rides.
    const covered = new Set([...requests.map(({ request }) => request.socketHandle()), ...this.#requests.map(({ request }) => request.request)]);
    for (const [id, tracked] of this.#tracked) {
      if (!tracked.pending || tracked.resource === undefined || NOT_WORK.test(tracked.type) || isCovered(tracked.resource, covered)) continue;
      if (this.#options.own.has(tracked.resource) || isStdio(tracked.resource) || !stillPending(tracked.resource, tracked.called)) continue;
      found.set(id, { type: tracked.type, stack: chainStack(tracked, lookup, OWN_FILES) });
    }
    // Keys below zero: a request is no async resource, so `thawed` never lists it.
    requests.forEach(({ origin }, index) => found.set(-1 - index, { type: origin.type, stack: chainStack(origin, lookup, OWN_FILES) }));
    return found;
  }

  /** Earlier invokes' frozen work whose callbacks ran during this one. */
  thawed(): ThawedWork[] {
    return [...this.#thawed];
  }

  /** Disables the hook and drops every record (nothing outlives the invoke). */
  stop(): void {
    this.#hook.disable();
    this.#unwatchRequests?.();
    this.#tracked.clear();
    this.#requests.length = 0;
  }

  #init(id: number, type: string, triggerId: number, resource: object): void {
    if (!this.#tracked.has(triggerId) && !this.#tracked.has(asyncHooks.executionAsyncId())) return;
    this.#tracked.set(id, { type, triggerId, site: captureSite(), resource: type === 'PROMISE' ? undefined : resource, pending: true, called: false });
  }

  /** A request starting: the invoke's when it starts in the invoke's async chain. */
  #requestStarted(request: SeenRequest): void {
    const current = asyncHooks.executionAsyncId();
    if (!this.#tracked.has(current)) return;
    this.#requests.push({ request, origin: { type: request.type, triggerId: current, site: captureSite() } });
  }

  #ran(id: number): void {
    const earlier = this.#options.earlier.get(id);
    if (earlier && !this.#thawed.includes(earlier)) this.#thawed.push(earlier);
  }

  #called(id: number): void {
    const tracked = this.#tracked.get(id);
    if (tracked) tracked.called = true;
  }

  #settled(id: number): void {
    const tracked = this.#tracked.get(id);
    if (!tracked) return;
    tracked.pending = false;
    tracked.resource = undefined;
  }
}

/**
 * A resource a watched request stands for: its socket's handle, the async resource of a
 * `ClientRequest` (`req`), or the TCPWRAP resource Node's agent makes for a socket it reuses
 * (a `ReusedHandle`: `handle`).
 */
function isCovered(resource: object, covered: ReadonlySet<object | undefined>): boolean {
  return covered.has(resource) || covered.has(Reflect.get(resource, 'req') as object | undefined) || covered.has(Reflect.get(resource, 'handle') as object | undefined);
}

/** The stack here, deep enough to reach past a library's internals; formatted only when read. */
function captureSite(): { stack?: string } {
  const limit = Error.stackTraceLimit;
  const site: { stack?: string } = {};
  try {
    Error.stackTraceLimit = STACK_FRAMES;
    Error.captureStackTrace(site);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return site;
}

/** Runs a hook's body; a failure costs that record, never the process. */
function guarded(body: () => void): void {
  try {
    body();
  } catch {
    // The record is lost: at worst a resource goes unreported.
  }
}

/** The process's stdout or stderr (created on first use, perhaps during an invoke): not work. */
function isStdio(resource: object): boolean {
  return [process.stdout, process.stderr].some((stream) => Reflect.get(stream, '_handle') === resource);
}

/**
 * Whether a resource still waits for something that keeps the event loop alive. Node emits
 * `destroy` a turn after the fact (batched in an immediate), so at the release that hook alone
 * would report a timer that just fired and a request just answered. Timers and immediates say so
 * themselves (`_destroyed`, set when they ran or were cleared); a handle's `hasRef()` is false once
 * closed or `unref`'d; a request (no `hasRef`: connect, DNS, fs, write) is done once its callback ran.
 */
function stillPending(resource: object, called: boolean): boolean {
  try {
    if (Reflect.get(resource, '_destroyed') === true) return false;
    const hasRef: unknown = Reflect.get(resource, 'hasRef');
    return typeof hasRef === 'function' ? Boolean(hasRef.call(resource)) : !called;
  } catch {
    return true;
  }
}

