import type { InvokeJobs } from './invoke-jobs.ts';
import type { FlusherEntry } from './flusher-registry.ts';

/**
 * Flushers where no invoke ever starts: the extension preloaded without a Runtime API (a local
 * run, `NODE_OPTIONS=--import=…/extension.mjs` and plain node calling the handler). Jobs run
 * detached there, and without this the flushers never ran, so telemetry was lost silently. Now
 * they run once after each batch of detached jobs settles (when the detached set empties, which
 * is also when `drainAfterResponse()` resolves — it waits for them). Work enqueued while they run
 * is run but not flushed again (no loop), as in an invoke. Nothing runs when no job was enqueued.
 */
export class DetachedFlush {
  #state: 'clean' | 'dirty' | 'flushing' = 'clean';

  /** A job joined the detached set: the next time it empties, the flushers run (not while they run). */
  jobAdded(): void {
    if (this.#state === 'clean') this.#state = 'dirty';
  }

  /** The detached set changed. Starts the flushers when a batch just settled; true if it did (the set is busy again). */
  changed(jobs: InvokeJobs, flushers: readonly FlusherEntry[]): boolean {
    if (jobs.busy) return false;
    if (this.#state !== 'dirty' || flushers.length === 0) {
      this.#state = 'clean';
      return false;
    }
    this.#state = 'flushing';
    for (const { run, name } of flushers) jobs.add(run, name, 'flush');
    return true;
  }
}
