/**
 * The port through which the core attributes work to the invoke that caused it: the async
 * context. Implemented over AsyncLocalStorage by runtime-hooks/als-context.ts (which explains how
 * the handler gets its invoke's context) and injected into the lifecycle by main.ts. `Owner` is
 * what a context names: an invoke.
 */
export interface AsyncContext<Owner> {
  /**
   * Wraps a job function so it runs in every async store as it is at this call, except this
   * port's own slot, which stays the one the wrapper's caller runs in (the job's owner is decided
   * when it runs).
   */
  capture<C, R>(fn: (context: C) => R): (context: C) => R;
  /** Called synchronously inside the runtime's `next`: what the caller does after it runs in a new slot. */
  enterNext(): void;
  /** From here on, the calling code and what it starts belong to `owner` (none: context-less). */
  enter(owner: Owner | undefined): void;
  /** `next` resolved with this owner: the slot entered for that call now names it. */
  bind(owner: Owner): void;
  /** The owner the calling code belongs to, if it runs in one's context. */
  current(): Owner | undefined;
  /** Runs `fn` in `owner`'s context (job functions, so what they enqueue is theirs). */
  run<T>(owner: Owner, fn: () => T): T;
  /** Runs `fn` outside any owner's context (servers whose callbacks must not inherit one). */
  exit<T>(fn: () => T): T;
  /**
   * Runs `fn` outside any owner's context, marked as a flusher's: what it starts (its promises,
   * timers, the jobs it enqueues) is known by {@link inFlusher} (detached flushers: shared/trailing-batch.ts).
   */
  exitAsFlusher<T>(fn: () => T): T;
  /** The calling code runs in a context {@link exitAsFlusher} marked. */
  inFlusher(): boolean;
}
