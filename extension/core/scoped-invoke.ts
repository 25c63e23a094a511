import type { Job } from '../../shared/host-protocol.ts';
import type { AsyncContext } from './async-context.ts';
import type { Invoke } from './invoke.ts';

// What the framework request-context providers (runtime-hooks/request-context.ts) need of the
// core: the kinds configurable (config.ts) and one invoke as they see it (Lifecycle.scopedInvoke).

/** Which frameworks' request-context symbols the extension provides (`AFTER_RESPONSE_REQUEST_CONTEXT`). */
export const REQUEST_CONTEXT_KINDS = ['next', 'vercel'] as const;
export type RequestContextKind = (typeof REQUEST_CONTEXT_KINDS)[number];

/** One invoke as the providers see it; `key` is stable for the invoke's life (caches its context). */
export interface ScopedInvoke {
  readonly key: object;
  /** The invoke's request id (tasks name it in their log lines). */
  readonly requestId?: string;
  /** Epoch milliseconds. */
  readonly deadlineMs: number;
  /** Enqueues a promise job into this invoke, whatever the caller's async context. */
  readonly enqueue: (promise: PromiseLike<unknown>, name: string) => void;
}

/**
 * The invoke a framework's request context belongs to (request-context.ts): the caller's, by its
 * async context, else `inProgress` (see Lifecycle.serverRequest). `undefined` at init, between
 * invokes, and for a released invoke's late work.
 */
export function scopedInvoke(context: AsyncContext<Invoke>, inProgress: Invoke | undefined, enqueue: (job: Job, name: string) => void): ScopedInvoke | undefined {
  const invoke = context.current() ?? inProgress;
  if (!invoke || invoke.closed) return undefined; // also past deadline − margin + grace: it holds nothing
  return { key: invoke, requestId: invoke.requestId, deadlineMs: invoke.deadlineMs, enqueue: (job, name) => context.run(invoke, () => enqueue(job, name)) };
}
