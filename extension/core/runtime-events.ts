/**
 * What the core learns from the runtime's own calls to the Runtime API: the interface the
 * runtime observer (runtime-hooks/runtime-observer.ts) calls, implemented by the lifecycle.
 */
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
