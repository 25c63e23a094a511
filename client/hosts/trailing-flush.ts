import type { AsyncLocalStorage } from 'node:async_hooks';
import { runFlushRound, type FlusherEntry } from './flush-round.ts';
import type { Flusher, Job, JobContext } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';

/** A started job's place in the running stack; `finished` once it settled or its signal aborted. */
interface Slot {
  readonly index: number;
  finished: boolean;
}

export interface TrailingFlushOptions {
  readonly logger: Logger;
  /**
   * What a flush gets when it follows a promise job, which has no context of its own: the local
   * host's (`requestId` `'local'`) for in-process jobs; elsewhere an honest unknown one
   * (`requestId` `'unknown'`, `deadlineMs` `Infinity`, a signal that never aborts), never the
   * context of another job, which may be another invoke's.
   */
  readonly promiseContext: JobContext;
}

/**
 * Flushers where no extension runs them per invoke (no layer, `AFTER_RESPONSE_DISABLED=true`, a
 * Node child process of the runtime, or a layer older than `addFlusher`). The client sees no
 * invokes there, only jobs, so a batch is defined by the jobs: when a job settles and no job
 * started after it still runs, the flushers run inside it, with its context, before it settles
 * (so under an older layer or through the socket they are held like the job). Jobs that started
 * earlier and still run do not delay it: a job that never settles (an abandoned fetch,
 * `waitUntil(new Promise(() => {}))`) blocks no later flush. A job function whose signal aborts
 * (the deadline margin) stops counting then, and if no later job runs, the flushers start inside
 * it with the aborted signal, as the extension starts them at the abort. So every job that
 * settles is followed by a flush, more than once when an earlier job outlives a later one; only a
 * later-started job that neither settles nor aborts (a promise, or any job without the layer)
 * defers it to the next flush.
 *
 * Work a flusher enqueues (in its async context, also through its promises and timers) is run
 * but not wrapped, so it is not followed by another flush: wrapping a flusher's own job made
 * every flush schedule the next one, forever (measured: ~50 flushes in 10 s, and
 * `drainAfterResponse()` never resolved). Work anyone else enqueues meanwhile is wrapped.
 * Costs nothing until a flusher is added; then one `AsyncLocalStorage` read per enqueue, and an
 * abort listener per running job function.
 */
export class TrailingFlush {
  readonly #flushers = new Set<FlusherEntry>();
  readonly #options: TrailingFlushOptions;
  /** Marks the async context of a running flusher. */
  readonly #flusherStore: AsyncLocalStorage<true>;
  /**
   * Running jobs in start order. Finished ones (settled, or a job function whose signal aborted)
   * are popped from the top, so a running job's index is stable, and "no later job runs" is
   * "nothing is left above it". A job that never settles nor aborts keeps its slot.
   */
  readonly #running: Slot[] = [];

  constructor(options: TrailingFlushOptions) {
    this.#options = options;
    this.#flusherStore = new (process.getBuiltinModule('node:async_hooks').AsyncLocalStorage)<true>();
  }

  /** True while a flusher is registered and the caller is not one of them: only then are jobs wrapped. */
  get active(): boolean {
    return this.#flushers.size > 0 && this.#flusherStore.getStore() !== true;
  }

  add(run: Flusher, name: string): () => void {
    const entry: FlusherEntry = { run, name, unsettled: new Set() };
    this.#flushers.add(entry);
    return () => void this.#flushers.delete(entry);
  }

  /** The job, wrapped so that when no later job runs, it runs the flushers before it settles. */
  wrap(job: Job): Job {
    if (typeof job !== 'function') {
      const slot = this.#start();
      const after = (): Promise<void> => this.#finished(slot, { ...this.#options.promiseContext });
      return Promise.resolve(job).then(
        async (value) => (await after(), value),
        async (error: unknown) => {
          await after();
          throw error;
        },
      );
    }
    return async (context: JobContext) => {
      const slot = this.#start();
      // At the deadline abort the job stops counting, and if no later job runs the flushers start
      // now, inside it (still held), with the aborted signal: as the extension does.
      let atAbort: Promise<void> | undefined;
      const onAbort = (): void => void (atAbort = this.#finished(slot, context));
      context.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await job(context);
      } finally {
        context.signal.removeEventListener('abort', onAbort);
        await (atAbort ?? this.#finished(slot, context));
      }
    };
  }

  #start(): Slot {
    const entry: Slot = { index: this.#running.length, finished: false };
    this.#running.push(entry);
    return entry;
  }

  /** The job stopped counting: the flushers run if no job started after it still runs. */
  async #finished(entry: Slot, context: JobContext): Promise<void> {
    entry.finished = true;
    const running = this.#running;
    while (running.length > 0 && running[running.length - 1]!.finished) running.pop();
    if (running.length > entry.index || this.#flushers.size === 0) return; // a later job still runs: it flushes
    const store = this.#flusherStore;
    await runFlushRound([...this.#flushers], context, { logger: this.#options.logger, insideFlusher: (call) => store.run(true, call) });
  }
}
