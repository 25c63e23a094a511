import type { AsyncContext } from '../core/async-context.ts';

/**
 * The async context where invokes run one at a time (on-demand Lambda), without following it: work
 * belongs to the invoke the runtime's `next` returned until the runtime calls `next` again; after
 * that it is context-less, so it joins the invoke in progress (the one still held for its jobs) or
 * else the next one (job-placement.ts). The extension then enables no `AsyncLocalStorage` of its
 * own. AWS's runtime does the same for its own invoke store (`@aws/lambda-invoke-store`: a
 * single-context store on standard Lambda, `AsyncLocalStorage` only where invokes run concurrently).
 * Chosen by main.ts with `AFTER_RESPONSE_ATTRIBUTION=invoke` on an on-demand function with a
 * Runtime API; everywhere else, and by default, als-context.ts.
 *
 * Why (measured, bench/promise-tax.ts, 2026-12-07): on nodejs22.x an enabled AsyncLocalStorage
 * runs a promise hook on every promise the process creates — an `await` costs ~118 ns instead of
 * ~40, +0.19 ms (+8.7 %) of CPU per invoke of a function making ~1,150 promises (the realistic
 * workload); nodejs24.x's AsyncContextFrame costs ~nothing there. Also, on both runtimes, the
 * `enterWith` per invoke (a copy of the context on nodejs24.x; bench/alloc-sampling.ts: −1.3 /
 * −0.4 KB per invoke without jobs, −5.5 / −1.4 KB with ten) and the first `new AsyncLocalStorage()`
 * (init −0.54 / −0.95 M instructions, bench/init-micro.ts --instructions).
 *
 * What it gives up against als-context.ts: work that a timer or callback of invoke A, or an
 * abandoned job of A waking at the thaw, enqueues after A's release joins invoke B and is held by
 * it (B's release waits for it, up to B's deadline); with AsyncLocalStorage it is A's, runs
 * unheld, and a WARN names it. Managed Instances (concurrent invokes) and a process without a
 * Runtime API (detached flushers need `exitAsFlusher`) always use als-context.ts.
 */
export function createSingleContext<Owner>(): AsyncContext<Owner> {
  // A function, not a class: where the default (als-context.ts) is used, this code costs every cold
  // start its pre-parse, 0.13 / 0.08 M instructions; as a class, evaluated at init, 0.16 / 0.24 M
  // (bench/init-micro.ts --instructions, against a build without it). Not `import`: an ESM import of
  // a builtin builds its namespace at init (see main.ts).
  const { AsyncResource } = process.getBuiltinModule('node:async_hooks');
  /** The invoke `next` returned, until the runtime calls `next` again; none before the first. */
  let current: Owner | undefined;
  return {
    // Every other `AsyncLocalStorage` store as it is at this call (OpenTelemetry's active span): an
    // `AsyncResource` (0.13 µs per job, see als-context.ts), its runInAsyncScope bound, not a
    // closure: the job's context arrives as its argument.
    capture: <C, R>(fn: (context: C) => R): ((context: C) => R) => {
      const resource = new AsyncResource('lambda-after-response.job');
      return resource.runInAsyncScope.bind(resource, fn, undefined) as (context: C) => R;
    },
    // The runtime called `next`: it is done with its invoke; what runs from now on is context-less until the next is bound.
    enterNext: () => void (current = undefined),
    // Nothing to enter: a request reaching a server belongs to the invoke in progress (it is, or it is context-less and joins it).
    enter: () => undefined,
    bind: (invoke) => void (current = invoke),
    current: () => current,
    // What a job or a server's callback enqueues belongs to the invoke in progress.
    run: (_invoke, fn) => fn(),
    exit: (fn) => fn(),
    // Detached flushers run only without a Runtime API, where als-context.ts is used.
    exitAsFlusher: () => {
      throw new Error('exitAsFlusher: detached flushers need als-context.ts (no Runtime API)');
    },
    inFlusher: () => false,
  };
}
