import { setMaxListeners } from 'node:events';
import type { Job, JobContext } from '../client/host-interface.ts';
import { describeError, type Logger } from '../client/log-line.ts';

/** Counts reported in the per-invoke summary line. */
export interface JobStats {
  enqueued: number;
  started: number;
  succeeded: number;
  failed: number;
  abandoned: number;
}

interface QueuedJob {
  readonly name: string;
  readonly run: (context: JobContext) => unknown;
}

export interface InvokeJobsOptions {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  /** Called whenever the set may have become idle. */
  readonly onChange: () => void;
  /** Starts queued functions off the caller's stack. @default setImmediate */
  readonly defer?: (run: () => void) => void;
}

/**
 * The jobs of one invoke: functions queued until the response is posted and then started in
 * FIFO order under a concurrency limit; promises tracked from the moment they are passed.
 */
export class InvokeJobs {
  readonly stats: JobStats = { enqueued: 0, started: 0, succeeded: 0, failed: 0, abandoned: 0 };
  readonly #queue: QueuedJob[] = [];
  readonly #running = new Map<number, string>();
  #controller: AbortController | undefined;
  readonly #options: InvokeJobsOptions;
  readonly #context: JobContext;
  #queueHead = 0;
  #active = 0;
  #started = false;
  #abandoned = false;
  #seq = 0;

  constructor(options: InvokeJobsOptions) {
    this.#options = options;
    this.#context = new LazyContext(this, options.requestId, options.deadlineMs);
  }

  /**
   * Aborts when the deadline nears (what job functions receive as `signal`). Made on first
   * read: Node tracks every AbortSignal weakly, which keeps it alive past young-generation GCs;
   * one per invoke grew V8's new space and the runtime's RSS by ~10 MB (measured).
   */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      // Every job may listen to the one signal (external jobs always do): no leak warning at 11.
      setMaxListeners(0, this.#controller.signal);
      if (this.#abandoned) this.#controller.abort(deadlineReason());
    }
    return this.#controller.signal;
  }

  /** True when nothing is queued, running or tracked. */
  get idle(): boolean {
    return this.#active === 0 && this.#queueHead === this.#queue.length;
  }

  /** `internal` holds (the extension's own, e.g. a socket's first line) stay out of the stats. */
  add(job: Job, name: string, options: { readonly internal?: boolean } = {}): void {
    if (!options.internal) this.stats.enqueued++;
    if (typeof job === 'function') {
      this.#queue.push({ name, run: job });
      if (this.#started) this.#scheduleStart();
    } else {
      this.#track({ name, counted: !options.internal }, () => job);
    }
  }

  /** The response is out (or the handler is done): queued functions may start. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#queue.length > this.#queueHead) this.#scheduleStart();
  }

  /** The deadline is near: abort the signal and report what never finished, by name. */
  abandon(): string[] {
    this.#abandoned = true;
    this.#controller?.abort(deadlineReason());
    const never = this.#queue.slice(this.#queueHead).map((job) => `${job.name} (never started)`);
    this.#queueHead = this.#queue.length;
    const names = [...this.#running.values(), ...never];
    this.stats.abandoned += names.length;
    return names;
  }

  #scheduleStart(): void {
    (this.#options.defer ?? setImmediate)(() => this.#pump());
  }

  #pump(): void {
    while (!this.#abandoned && this.#active < this.#options.concurrency && this.#queueHead < this.#queue.length) {
      const job = this.#queue[this.#queueHead++] as QueuedJob;
      this.stats.started++;
      this.#track({ name: job.name, counted: true }, () => job.run(this.#context));
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    }
  }

  #track(job: { readonly name: string; readonly counted: boolean }, work: () => unknown): void {
    const id = ++this.#seq;
    this.#active++;
    this.#running.set(id, job.name);
    new Promise<unknown>((resolve) => resolve(work())).then(
      () => this.#settle(id, job, undefined),
      (error: unknown) => this.#settle(id, job, error ?? new Error('rejected with no reason')),
    );
  }

  #settle(id: number, { name, counted }: { readonly name: string; readonly counted: boolean }, error: unknown): void {
    const late = this.#abandoned;
    const count = late || !counted ? 0 : 1;
    this.#running.delete(id);
    this.#active--;
    const fields = { requestId: this.#options.requestId, job: name, jobId: id };
    if (error === undefined) this.stats.succeeded += count;
    else {
      this.stats.failed += count;
      this.#options.logger.log('ERROR', late ? 'abandoned job failed after the release' : 'job failed', { ...fields, ...describeError(error) });
    }
    if (late && error === undefined) this.#options.logger.log('INFO', 'abandoned job finished after the release', fields);
    if (!this.#abandoned) {
      this.#pump();
      this.#options.onChange();
    }
  }
}

function deadlineReason(): DOMException {
  return new DOMException('The invoke deadline is near', 'TimeoutError');
}

/**
 * What job functions receive. A class, so `signal` is one getter on the prototype: an object
 * literal with a getter allocates an accessor and a closure per invoke, which on Node 24 grew
 * V8's young generation to ~100 MB over 40,000 invokes (measured; a plain object stays at 4 MB).
 */
class LazyContext implements JobContext {
  readonly #jobs: InvokeJobs;
  readonly requestId: string;
  readonly deadlineMs: number;

  constructor(jobs: InvokeJobs, requestId: string, deadlineMs: number) {
    this.#jobs = jobs;
    this.requestId = requestId;
    this.deadlineMs = deadlineMs;
  }

  get signal(): AbortSignal {
    return this.#jobs.signal;
  }
}
