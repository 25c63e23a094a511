import type { HandOffReason, JobContext } from './host-protocol.ts';

/** A job's hand-off (a task's): passes it on when it cannot finish in its invoke (extension/core/hand-offs.ts). */
type HandOff = (reason: HandOffReason) => Promise<void>;

export interface QueuedJob {
  readonly name: string;
  readonly run: (context: JobContext) => unknown;
  /** Passes the job on when it cannot finish in its invoke (a task). */
  readonly handOff?: HandOff | undefined;
}

/** Runs a queued job with its context. `run(…)`, not `job.run(…)`: a failing job's stack then starts at its own frame, not `Object.x [as run]`. */
export function runQueued({ run }: QueuedJob, context: JobContext): unknown {
  return run(context);
}

export interface JobQueueOptions<Q extends QueuedJob> {
  readonly concurrency: number;
  /** Starts queued functions off the caller's stack. */
  readonly defer: (run: () => void) => void;
  /** Runs the deferred start of queued functions in the owner's async context (the jobs it starts inherit it). */
  readonly runInContext: (fn: () => unknown) => unknown;
  /** Starts one job; the queue is told through {@link JobQueue.freed} when it has settled. */
  readonly launch: (job: Q) => void;
}

/**
 * Job functions waiting for the response (or a drain), then started in FIFO order with at most
 * `concurrency` running at once. An array with a head index: shifting would copy it per job.
 *
 * - `empty`: nothing waits. `push`: a job waits its turn. `open`: the response is out (or a
 *   drain asked for it): queued functions may start. `freed`: a launched job settled, its slot
 *   goes to the next.
 * - `waiting`: what waits, named as the logs show it. `takeWaiting`: removes and returns what
 *   waits. `startDue`: runs now the start `open` or `push` deferred (the deadline abort: what
 *   the response let start before it starts, whichever the event loop would have run first). `waitingHandOffs`: the waiting jobs that can be passed on, named as the logs show them
 *   (the shutdown's best effort).
 *
 * (Members carry no doc comments: see shared/job-set.ts.)
 */
export class JobQueue<Q extends QueuedJob = QueuedJob> {
  // Fields only declared, set in the constructor (why: extension/core/invoke.ts).
  private declare readonly _options: JobQueueOptions<Q>;
  private declare readonly _pumpLater: () => unknown;
  private declare readonly _jobs: Q[];
  private declare _head: number;
  private declare _running: number;
  private declare _open: boolean;

  constructor(options: JobQueueOptions<Q>) {
    this._options = options;
    // `#pump` in the owner's context, bound once: what is deferred per batch, no arrow per call (a
    // bound function is no code of its own for V8 to compile: bench/gc-trace.ts --compiles).
    this._pumpLater = options.runInContext.bind(undefined, this.#pump.bind(this));
    this._jobs = [];
    this._head = 0;
    this._running = 0;
    this._open = false;
  }

  get empty(): boolean {
    return this._head === this._jobs.length;
  }

  push(job: Q): void {
    this._jobs.push(job);
    if (this._open) this._options.defer(this._pumpLater);
  }

  open(): void {
    if (this._open) return;
    this._open = true;
    if (!this.empty) this._options.defer(this._pumpLater);
  }

  startDue(): void {
    if (this._open) this._pumpLater();
  }

  waiting(): string[] {
    return this._jobs.slice(this._head).map((job) => `${job.name} (never started)`);
  }

  takeWaiting(): Q[] {
    const jobs = this._jobs.slice(this._head);
    this._jobs.length = 0;
    this._head = 0;
    return jobs;
  }

  waitingHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> {
    return this._jobs.slice(this._head).flatMap((job) => (job.handOff ? [{ name: `${job.name} (never started)`, run: job.handOff }] : []));
  }

  freed(): void {
    this._running--;
    this.#pump();
  }

  #pump(): void {
    while (this._open && this._running < this._options.concurrency && this._head < this._jobs.length) {
      const job = this._jobs[this._head++] as Q;
      this._running++;
      this._options.launch(job);
    }
    if (this.empty && this._head > 0) {
      // Everything started: reuse the array (no copy per settled job).
      this._jobs.length = 0;
      this._head = 0;
    }
  }
}
