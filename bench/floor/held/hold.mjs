// The held floor (bench/floor-held.ts): the floor (../preload.mjs, imported below) plus the least
// a layer can do to hold the environment for jobs. `enqueueAfterResponse(job)` (./package) starts
// the job at once and keeps its promise here; once the runtime has called `next` after an invoke
// (its handler is done), the floor's `next` waits for every kept promise to settle
// (`Promise.allSettled`). No deadline, attribution, context capture or reports: what holding jobs
// costs at least.
const pending = [];
let runtimeNexts = 0; // the runtime's `next` calls: one at init, then one as each invoke's handler is done
let invokes = 0;
let waiter;
globalThis[Symbol.for('bench-floor-held')] = {
  pending,
  runtimeNext() {
    runtimeNexts++;
    if (waiter && runtimeNexts >= waiter.count) waiter = void waiter.resolve();
  },
  /** Invoke n (each INVOKE event, in order) is released once the runtime called `next` n + 1 times and its jobs settled. */
  async release(poll) {
    const n = ++invokes;
    if (runtimeNexts < n + 1) await new Promise((resolve) => (waiter = { count: n + 1, resolve }));
    await Promise.allSettled(pending.splice(0));
    poll();
  },
};
await import('./preload.mjs');
