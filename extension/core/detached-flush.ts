import type { FlusherEntry } from './flusher-registry.ts';

/** The detached set as its flush sees it: busy (jobs or flushers), the flushers now, and how to run them. */
export interface DetachedSet {
  readonly busy: boolean;
  readonly flushers: readonly FlusherEntry[];
  run(flushers: readonly FlusherEntry[]): void;
}

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
  changed({ busy, flushers, run }: DetachedSet): boolean {
    if (busy) return false;
    if (this.#state !== 'dirty' || flushers.length === 0) {
      this.#state = 'clean';
      return false;
    }
    this.#state = 'flushing';
    run(flushers);
    return true;
  }
}
