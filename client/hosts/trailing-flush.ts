import type { AsyncLocalStorage } from 'node:async_hooks';
import { runFlushRound, type FlusherEntry } from './flush-round.ts';
import type { Flusher, Job, JobContext } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import { TrailingBatch, type BatchSlot } from '../../shared/trailing-batch.ts';

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
 * invokes there, only jobs, so a batch is defined by the jobs, by the rule the extension without
 * a Runtime API follows too (shared/trailing-batch.ts): when a job settles and no job started
 * after it still runs, the flushers run inside it, with its context, before it settles (so under
 * an older layer or through the socket they are held like the job); a job that never settles (an
 * abandoned fetch, `waitUntil(new Promise(() => {}))`) blocks no later flush. A job function
 * whose signal aborts (the deadline margin) stops counting then, and if no later job runs, the
 * flushers start inside it with the aborted signal, as the extension starts them at the abort.
 * Only a later-started job that neither settles nor aborts (a promise, or any job without the
 * layer) defers the flush to the next one.
 *
 * Work a flusher enqueues (in its async context, also through its promises and timers) is run
 * but not wrapped, so it is not followed by another flush. Work anyone else enqueues meanwhile is
 * wrapped. Costs nothing until a flusher is added; then one `AsyncLocalStorage` read per enqueue,
 * and an abort listener per running job function.
 */
export class TrailingFlush {
  readonly #flushers = new Set<FlusherEntry>();
  readonly #options: TrailingFlushOptions;
  /** Marks the async context of a running flusher. */
  readonly #flusherStore: AsyncLocalStorage<true>;
  /** Running wrapped jobs in start order; a job stops counting when it settles or its signal aborts. */
  readonly #batch = new TrailingBatch();

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
      const slot = this.#batch.start();
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
      const slot = this.#batch.start();
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

  /** The job stopped counting: the flushers run if no job started after it still runs. */
  async #finished(slot: BatchSlot, context: JobContext): Promise<void> {
    if (!this.#batch.finish(slot) || this.#flushers.size === 0) return; // a later job still runs: it flushes
    const store = this.#flusherStore;
    await runFlushRound([...this.#flushers], context, { logger: this.#options.logger, insideFlusher: (call) => store.run(true, call) });
  }
}
