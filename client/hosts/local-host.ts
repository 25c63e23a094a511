import type { HostV1, Job, JobContext } from '../../shared/host-protocol.ts';
import { JobSet, type QueuedJob, type TrackedJob } from '../../shared/job-set.ts';
import { describeError, type Logger } from '../../shared/log-line.ts';
import type { Settlement } from '../../shared/settle.ts';

export interface LocalHostOptions {
  readonly logger: Logger;
  /** Schedules job functions; they start after the current turn, like after a response. @default setImmediate */
  readonly schedule?: (run: () => void) => void;
  /**
   * Whether a failed job is logged ('log'), or left to the caller ('silent': `after-response-hold`
   * running its command unheld reports it through its exit status).
   * @default 'log'
   */
  readonly reportFailures?: 'log' | 'silent';
}

/** What every in-process job gets: no invoke is known (`requestId` `'local'`), no deadline, a signal that never aborts. */
export function localJobContext(): JobContext {
  return { signal: new AbortController().signal, requestId: 'local', deadlineMs: Number.POSITIVE_INFINITY };
}

/**
 * In-process jobs on the extension's job engine (shared/job-set.ts), so they run as with the
 * layer: functions in FIFO order after the current turn, promises tracked at once, each settled
 * once, the context `{ signal, requestId: 'local', deadlineMs: Infinity }` (one per host, its
 * signal never aborts). All at once: no invoke, so no concurrency limit or deadline applies
 * (docs/configuration.md, "Turning it off"). Every job counts until it settles (what
 * `drainAfterResponse()` waits for); nothing keeps an environment awake for it.
 */
class LocalJobs extends JobSet<TrackedJob> {
  readonly #options: LocalHostOptions;
  #waiters: Array<() => void> = [];

  constructor(options: LocalHostOptions) {
    const defer = options.schedule ?? ((run: () => void) => void setImmediate(run));
    super({ requestId: 'local', deadlineMs: Number.POSITIVE_INFINITY, concurrency: Number.POSITIVE_INFINITY, defer, runInContext: (fn) => fn() });
    this.#options = options;
    this.start();
  }

  add(job: Job, name: string): void {
    if (typeof job === 'function') this.push({ name, run: job });
    else this.begin({ label: name }, () => job, 'held');
  }

  /** Resolves once no job is queued or running (jobs added meanwhile included). */
  async drained(): Promise<void> {
    while (this.busy) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  protected launch(job: QueuedJob): void {
    this.begin({ label: job.name }, job, 'held');
  }

  protected settled(id: number, { label }: TrackedJob, outcome: Settlement): void {
    // The extension's line, fields and all: with `requestId` 'local' (no invoke is known).
    if (!outcome.ok && this.#options.reportFailures !== 'silent') this.#options.logger.log('ERROR', 'job failed', { requestId: 'local', job: label, jobId: id, ...describeError(outcome.error) });
  }

  protected changed(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * The host used when no extension is loaded (no layer, unit tests, local development):
 * jobs run in this process, unheld, so nothing keeps a Lambda environment awake for them.
 */
export function createLocalHost(options: LocalHostOptions): HostV1 {
  const jobs = new LocalJobs(options);
  return {
    enqueue: (job: Job, { name }) => jobs.add(job, name),
    drain: () => jobs.drained(),
  };
}
