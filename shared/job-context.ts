import type { JobContext } from './host-protocol.ts';

/**
 * What job functions receive. A class, so `signal` is one getter on the prototype: an object
 * literal with a getter allocates an accessor and a closure per invoke, which on Node 24 grew
 * V8's young generation to ~100 MB over 40,000 invokes (measured; a plain object stays at 4 MB).
 * Made once per invoke with jobs, so its fields are only declared (why: extension/core/invoke.ts).
 * Users hold it, so its job set is a non-enumerable property: `JSON.stringify(context)`, a spread
 * and `console.log` show `requestId` and `deadlineMs` only (an enumerable reference to the job set
 * would print the engine's state, and make `JSON.stringify` throw on the cycle back to this object).
 */
export class LazyContext implements JobContext {
  private declare readonly jobs: { readonly signal: AbortSignal };
  declare readonly requestId: string;
  declare readonly deadlineMs: number;

  constructor(jobs: { readonly signal: AbortSignal }, requestId: string, deadlineMs: number) {
    Object.defineProperty(this, 'jobs', { value: jobs });
    this.requestId = requestId;
    this.deadlineMs = deadlineMs;
  }

  get signal(): AbortSignal {
    return this.jobs.signal;
  }
}
