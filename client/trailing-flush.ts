import type { Flusher, Job, JobContext } from './host-interface.ts';
import { describeError, type Logger } from './log-line.ts';

/**
 * Flushers where no extension runs them per invoke (no layer, a Node child process of the
 * runtime, or a layer older than `addFlusher`): they run inside the job that leaves no other job
 * of this process running, after it settled, so under an older layer they are still held. They
 * run at least once after the jobs settle, more than once when jobs run one after another, and
 * not at all for an invoke that enqueued nothing. Work enqueued while the flushers run (by a
 * flusher, or by a handler at that moment) is not wrapped, so it is not followed by another flush:
 * wrapping a flusher's own job made every flush schedule the next one, forever (measured before
 * this fix: ~50 flushes in 10 s, `drainAfterResponse()` never resolved). Costs nothing until a
 * flusher is added.
 */
export class TrailingFlush {
  readonly #flushers = new Set<{ readonly run: Flusher; readonly name: string }>();
  readonly #logger: Logger;
  /** Started job functions and tracked promises that have not settled. */
  #running = 0;
  /** The context of the job function started last: a promise job has none of its own. */
  #lastContext: JobContext | undefined;
  /** Flush rounds running now: jobs enqueued meanwhile are not wrapped. */
  #flushing = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** True while a flusher is registered and no flush runs: only then are jobs wrapped. */
  get active(): boolean {
    return this.#flushers.size > 0 && this.#flushing === 0;
  }

  add(run: Flusher, name: string): () => void {
    const entry = { run, name };
    this.#flushers.add(entry);
    return () => void this.#flushers.delete(entry);
  }

  /** The job, wrapped so that the last one to settle runs the flushers before it settles. */
  wrap(job: Job): Job {
    if (typeof job !== 'function') {
      this.#running++;
      const after = (): Promise<void> => this.#settled((this.#lastContext ??= unknownContext()));
      return Promise.resolve(job).then(
        async (value) => (await after(), value),
        async (error: unknown) => {
          await after();
          throw error;
        },
      );
    }
    return async (context: JobContext) => {
      this.#running++;
      this.#lastContext = context;
      try {
        return await job(context);
      } finally {
        await this.#settled(context);
      }
    };
  }

  async #settled(context: JobContext): Promise<void> {
    if (--this.#running > 0) return;
    this.#flushing++;
    try {
      for (const { run, name } of [...this.#flushers]) {
        try {
          await run(context);
        } catch (error) {
          this.#logger.log('ERROR', 'flusher failed', { requestId: context.requestId, flusher: name, ...describeError(error) });
        }
      }
    } finally {
      this.#flushing--;
    }
  }
}

function unknownContext(): JobContext {
  return { signal: new AbortController().signal, requestId: 'unknown', deadlineMs: Number.POSITIVE_INFINITY };
}
