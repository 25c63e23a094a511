import type { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { AsyncContext } from '../core/async-context.ts';

/** What the async context carries: the invoke the work belongs to, filled in once it is known. */
interface Slot<Owner> {
  invoke: Owner | undefined;
  /** Set only on the one slot detached flushers run in (see exitAsFlusher). */
  readonly flusher?: true;
}

/**
 * Attributes work to the invoke that caused it, through the async context (AsyncLocalStorage):
 * a job enqueued by a timer, a promise callback or another job of invoke A belongs to A, even
 * when it runs during invoke B, or concurrently with B on Managed Instances.
 *
 * How the handler gets its invoke's context: both runtime clients call the native `next`
 * synchronously from the async function that then awaits it and calls the handler (RIC 3.3
 * `handleOnce`, RIC 4.0 `processSingleConcurrent`/`processMultiConcurrent`). Entering a fresh slot
 * inside that call (`enterWith`) puts it in the caller's context, so the await's continuation —
 * the handler and everything it starts — carries the slot; the slot learns its invoke when
 * `next` resolves. Work with no slot (module init, the socket server) is context-less.
 */
export class AlsContext<Owner> implements AsyncContext<Owner> {
  readonly #storage: AsyncLocalStorage<Slot<Owner> | undefined>;
  readonly #AsyncResource: typeof AsyncResource;
  #lastSlot: Slot<Owner> | undefined;
  /** Made on first use: only the extension without a Runtime API runs flushers outside an invoke. */
  #flusherSlot: Slot<Owner> | undefined;

  constructor() {
    // Not `import`: an ESM import of a builtin builds its namespace at init (see main.ts).
    const { AsyncLocalStorage, AsyncResource } = process.getBuiltinModule('node:async_hooks');
    this.#storage = new AsyncLocalStorage<Slot<Owner> | undefined>();
    this.#AsyncResource = AsyncResource;
  }

  /**
   * Wraps a job function so it runs in the async context of this call — every
   * AsyncLocalStorage store as it is now (OpenTelemetry's active span, RIC 4's InvokeStore) —
   * except this class's own slot, which stays the one the caller of the wrapper runs in: the
   * job's attribution is decided when it runs (an orphan joins a later invoke).
   * An `AsyncResource` and not `AsyncLocalStorage.snapshot()`: measured on Node 22 and 24, a
   * snapshot costs 2.1 µs per job (it is `AsyncResource.bind`, which defines properties on a bound
   * function), a bare resource 0.13 µs, and running in it 0.04–0.05 µs.
   */
  capture<C, R>(fn: (context: C) => R): (context: C) => R {
    // One shared function bound to the storage, the resource and `fn`, not a closure (and its context); it runs through
    // runInAsyncScope's arguments, so no closure per run either: 130 B fewer per job on Node 22, 138 on Node 24 (measured,
    // the in-process job path, V8's sampling heap profiler counting collected objects; bench/alloc-sampling.ts for the layer's).
    return (runCaptured<C, R>).bind(this.#storage, new this.#AsyncResource('lambda-after-response.job'), fn) as (context: C) => R;
  }

  /** Called synchronously inside the runtime's `next`: what the caller does after it runs in a new slot. */
  enterNext(): void {
    this.#storage.enterWith({ invoke: undefined });
  }

  /**
   * From here on, the calling code and what it starts belong to `invoke` (none: context-less).
   * For a request reaching a server (server-requests.ts): entered synchronously before the
   * server's `request` event, so the request's handling carries it, not the server's context.
   */
  enter(invoke: Owner | undefined): void {
    this.#storage.enterWith(invoke ? { invoke } : undefined);
  }

  /** `next` resolved with this invoke: the slot entered for that call now names it. */
  bind(invoke: Owner): void {
    const slot = this.#storage.getStore();
    if (slot && slot.invoke === undefined && slot.flusher !== true) slot.invoke = invoke; // the flushers' one slot names no invoke, ever
  }

  /** The invoke the calling code belongs to, if it runs in one's context. */
  current(): Owner | undefined {
    return this.#storage.getStore()?.invoke;
  }

  /** Runs `fn` in `invoke`'s context (job functions, so what they enqueue is theirs). */
  run<T>(invoke: Owner, fn: () => T): T {
    // Already in a slot naming `invoke` (the job pump, scheduled at the response from the invoke's
    // own context): no frame of its own (on Node 24 each is a copy of the context Map).
    if (this.#storage.getStore()?.invoke === invoke) return fn();
    // One slot per invoke, not per call (a bound slot never changes): every batch of its jobs runs through here.
    if (this.#lastSlot?.invoke !== invoke) this.#lastSlot = { invoke };
    return this.#storage.run(this.#lastSlot, fn);
  }

  /** Runs `fn` outside any invoke's context (servers whose callbacks must not inherit one). */
  exit<T>(fn: () => T): T {
    return this.#storage.exit(fn);
  }

  /** Runs `fn` outside any invoke's context, in a slot that marks it (and what it starts) as a flusher's. */
  exitAsFlusher<T>(fn: () => T): T {
    return this.#storage.run((this.#flusherSlot ??= { invoke: undefined, flusher: true }), fn);
  }

  /** The calling code runs in a flusher's slot (exitAsFlusher). */
  inFlusher(): boolean {
    return this.#storage.getStore()?.flusher === true;
  }
}

/** A captured job run (AlsContext.capture): in `resource`'s async scope, with the caller's own slot (`this`: the storage). */
function runCaptured<C, R>(this: AsyncLocalStorage<Slot<unknown> | undefined>, resource: AsyncResource, fn: (context: C) => R, context: C): R {
  return resource.runInAsyncScope(runInSlot<C, R>, this, fn, context, this.getStore());
}

/** Inside the captured scope: `fn` in `slot`, the caller's (this port's slot is decided when the job runs, not when it is captured). */
function runInSlot<C, R>(this: AsyncLocalStorage<Slot<unknown> | undefined>, fn: (context: C) => R, context: C, slot: Slot<unknown> | undefined): R {
  const captured = this.getStore();
  // Already in the caller's invoke (a job its own handler enqueued): no second frame (on Node 24 each is a copy of the context Map, ~0.9 KB).
  if (captured === slot || (slot?.invoke !== undefined && captured?.invoke === slot.invoke)) return fn(context);
  return slot ? this.run(slot, fn, context) : this.exit(fn, context);
}
