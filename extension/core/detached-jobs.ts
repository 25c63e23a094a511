import type { Job, JobContext } from '../../shared/host-protocol.ts';
import type { Logger } from '../../shared/log-line.ts';
import { TrailingBatch } from '../../shared/trailing-batch.ts';
import type { AsyncContext } from './async-context.ts';
import { FlushSet } from './flush-set.ts';
import { InvokeJobs } from './invoke-jobs.ts';
import type { FlusherEntry } from './flusher-registry.ts';

export interface DetachedJobsOptions {
  readonly concurrency: number;
  readonly defer: (run: () => void) => void;
  readonly logger: Logger;
  /** Job functions run outside any invoke's context; flushers too, marked as such (what they enqueue is not flushed again). */
  readonly context: Pick<AsyncContext<unknown>, 'exit' | 'exitAsFlusher' | 'inFlusher'>;
  /** The registered flushers (the lifecycle's list, replaced on change, never mutated). */
  readonly flushers: { readonly entries: readonly FlusherEntry[] };
  /** True where no invoke ever starts (no Runtime API): only there do detached jobs get the flushers. */
  readonly flushHere: () => boolean;
  /** After every change of the set (drain waiters). */
  readonly onChange: () => void;
  readonly raiseListenerLimit?: (signal: AbortSignal) => void;
}

/**
 * Work that belongs to no invoke and runs at once, unheld: jobs in `unheld` mode (Managed
 * Instances, no Runtime API), after the loop stopped, and init-time jobs a drain starts. One set
 * under request id `-`, made on first use. With no Runtime API no invoke delimits a batch, so the
 * flushers follow the jobs by the client's rule (shared/trailing-batch.ts): when a job settles
 * and no job added after it still runs, they run (in a set of their own, flush-set.ts; before
 * `drainAfterResponse()` resolves, which waits for them). A job that never settles blocks no later
 * flush. What a flusher enqueues (in its async context) runs but is not flushed again (no loop).
 */
export class DetachedJobs {
  readonly #options: DetachedJobsOptions;
  #jobs: InvokeJobs | undefined;
  #flushes: FlushSet | undefined;
  /** Made on the first job tracked for a flush (no Runtime API only). */
  #batch: TrailingBatch | undefined;

  constructor(options: DetachedJobsOptions) {
    this.#options = options;
  }

  /** Jobs or flushers run. */
  get busy(): boolean {
    return (this.#jobs?.busy ?? false) || (this.#flushes?.busy ?? false);
  }

  /** The set, started; created on first use. */
  jobs(): InvokeJobs {
    if (this.#jobs) return this.#jobs;
    const { concurrency, defer, logger, context, raiseListenerLimit } = this.#options;
    this.#jobs = new InvokeJobs({
      // With no Runtime API (a local run) its jobs are local, as the client's without the layer.
      requestId: this.#options.flushHere() ? 'local' : '-', deadlineMs: Number.POSITIVE_INFINITY, concurrency, defer, logger, onChange: () => this.#options.onChange(), runInContext: (fn) => context.exit(fn),
      ...(raiseListenerLimit ? { raiseListenerLimit } : {}),
    });
    this.#jobs.start();
    return this.#jobs;
  }

  /** Adds a job to the set ({@link jobs}), unheld; where flushers run here, it is tracked for them. */
  add(job: Job, name: string): void {
    this.jobs().add(this.#tracked(job), name, 'unheld');
  }

  /** Unfinished job names, for the exit report (empty when idle). */
  unfinished(): { readonly requestId: string; readonly jobs: string[] } | undefined {
    if (!this.#jobs || !this.busy) return undefined;
    return { requestId: this.#jobs.requestId, jobs: [...this.#jobs.unfinished(), ...(this.#flushes?.unfinished() ?? [])] };
  }

  /** `job`, telling the batch when it settles; itself where no flush follows it (invokes run them, or a flusher enqueued it). */
  #tracked(job: Job): Job {
    const { flushHere, context } = this.#options;
    if (!flushHere() || context.inFlusher()) return job;
    const batch = (this.#batch ??= new TrailingBatch());
    // In start order, as the client's fallback counts: a promise from now, a function once it is called.
    const track = (): (() => void) => {
      const slot = batch.start();
      return () => void (batch.finish(slot) && this.#flush());
    };
    if (typeof job !== 'function') return Promise.resolve(job).finally(track());
    return (jobContext: JobContext) => {
      const after = track();
      try {
        return Promise.resolve(job(jobContext)).finally(after);
      } catch (error) {
        after();
        throw error;
      }
    };
  }

  /** No job added after the one that settled still runs: the flushers run (counted as running at once, so a drain waits). */
  #flush(): void {
    const flushers = this.#options.flushers.entries;
    if (flushers.length === 0) return;
    const { defer, logger, context, onChange } = this.#options;
    const jobs = this.jobs();
    this.#flushes ??= new FlushSet({ requestId: jobs.requestId, context: jobs.context, defer, logger, onChange, runInContext: (fn) => context.exitAsFlusher(fn) });
    this.#flushes.run(flushers);
  }
}
