/** A tracked job's place in start order; `finished` once it stopped counting. */
export interface BatchSlot {
  readonly index: number;
  finished: boolean;
}

/**
 * When flushers run where no invoke delimits a batch of jobs: the client's fallback (no layer,
 * `AFTER_RESPONSE_DISABLED=true`, a child process; client/hosts/trailing-flush.ts) and the
 * extension without a Runtime API (a local run; extension/core/detached-jobs.ts). One rule for
 * both: a batch is defined by the jobs, so when a job stops counting (it settled, or its signal
 * aborted) and no job started after it still runs, the flushers are due. Jobs that started
 * earlier and still run do not delay it: a job that never settles (an abandoned fetch,
 * `waitUntil(new Promise(() => {}))`) blocks no later flush. So every job that settles is followed
 * by a flush, more than once when an earlier job outlives a later one; only a later-started job
 * that never stops counting defers it to the next flush.
 *
 * Work a flusher enqueues must not be tracked (the caller knows it by its async context): else
 * every flush would schedule the next, for ever (measured in the client: ~50 flushes in 10 s, and
 * `drainAfterResponse()` never resolved).
 */
export class TrailingBatch {
  /**
   * Running jobs in start order. Finished ones are popped from the top, so a running job's index
   * is stable, and "no later job runs" is "nothing is left above it". A job that never stops
   * counting keeps its slot (one object: its only cost).
   */
  readonly #running: BatchSlot[] = [];

  /** A tracked job started; pass its slot to {@link finish} once. */
  start(): BatchSlot {
    const slot: BatchSlot = { index: this.#running.length, finished: false };
    this.#running.push(slot);
    return slot;
  }

  /** The job stopped counting. True when the flushers are due now: no job started after it still runs. */
  finish(slot: BatchSlot): boolean {
    slot.finished = true;
    const running = this.#running;
    while (running.length > 0 && running[running.length - 1]!.finished) running.pop();
    return running.length <= slot.index;
  }
}
