import type { Logger } from '../../shared/log-line.ts';
import { DetachedFlush } from './detached-flush.ts';
import { FlushSet } from './flush-set.ts';
import { InvokeJobs } from './invoke-jobs.ts';
import type { FlusherEntry } from './flusher-registry.ts';

export interface DetachedJobsOptions {
  readonly concurrency: number;
  readonly defer: (run: () => void) => void;
  readonly logger: Logger;
  /** Runs a job function outside any invoke's async context. */
  readonly runOutside: <T>(fn: () => T) => T;
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
 * under request id `-`, made on first use; with no Runtime API, flushers follow each batch.
 */
export class DetachedJobs {
  readonly #options: DetachedJobsOptions;
  #jobs: InvokeJobs | undefined;
  #flush: DetachedFlush | undefined;
  #flushes: FlushSet | undefined;

  constructor(options: DetachedJobsOptions) {
    this.#options = options;
  }

  get busy(): boolean {
    return (this.#jobs?.busy ?? false) || (this.#flushes?.busy ?? false);
  }

  /** The set, started; created on first use. */
  jobs(): InvokeJobs {
    if (this.#jobs) return this.#jobs;
    const { concurrency, defer, logger, runOutside, raiseListenerLimit } = this.#options;
    this.#jobs = new InvokeJobs({
      requestId: '-', deadlineMs: Number.POSITIVE_INFINITY, concurrency, defer, logger, onChange: () => this.#changed(), runInContext: runOutside,
      ...(raiseListenerLimit ? { raiseListenerLimit } : {}),
    });
    this.#jobs.start();
    return this.#jobs;
  }

  /** A job joins (or is about to join) the set: its batch is flushed where flushers run here. */
  added(): void {
    if (this.#options.flushHere()) (this.#flush ??= new DetachedFlush()).jobAdded();
  }

  /** Unfinished job names, for the exit report (empty when idle). */
  unfinished(): { readonly requestId: string; readonly jobs: string[] } | undefined {
    if (!this.#jobs || !this.busy) return undefined;
    return { requestId: this.#jobs.requestId, jobs: [...this.#jobs.unfinished(), ...(this.#flushes?.unfinished() ?? [])] };
  }

  #changed(): void {
    if (this.#jobs && this.#flush?.changed({ busy: this.busy, flushers: this.#options.flushers.entries, run: (flushers) => this.#runFlushers(flushers) })) return;
    this.#options.onChange();
  }

  #runFlushers(flushers: readonly FlusherEntry[]): void {
    const jobs = this.jobs();
    const { defer, logger, runOutside } = this.#options;
    this.#flushes ??= new FlushSet({ requestId: jobs.requestId, context: jobs.context, defer, logger, runInContext: runOutside, onChange: () => this.#changed() });
    this.#flushes.run(flushers);
  }
}
