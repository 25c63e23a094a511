import type { JobContext } from './host-protocol.ts';
import { LazyContext } from './job-context.ts';
import { JobQueue, runQueued, type QueuedJob } from './job-queue.ts';
import { SUCCEEDED, type Settlement } from './settle.ts';
import { deadlineAbortReason } from './deadline-abort.ts';
import { HELD, StartedJobs, UNHELD, type JobStart, type JobState, type Running, type TrackedJob } from './started-jobs.ts';

export type { JobStart, QueuedJob, TrackedJob };

export interface JobSetOptions {
  readonly requestId: string;
  /** Epoch ms; `Infinity` where none is known. */
  readonly deadlineMs: number;
  /** How many job functions run at once (`Infinity`: no limit); promises are tracked, not run. */
  readonly concurrency: number;
  /** Starts queued functions off the caller's stack (Node's `setImmediate`). */
  readonly defer: (run: () => void) => void;
  /** Runs a job inside its owner's async context (attribution of what it enqueues); returns what `fn` returns. */
  readonly runInContext: (fn: () => unknown) => unknown;
  /** Lifts the listener limit of the jobs' signal (Node's `events.setMaxListeners(0, signal)`). @default none */
  readonly raiseListenerLimit?: (signal: AbortSignal) => void;
}

/**
 * The one job engine: the extension's jobs of an invoke (extension/core/invoke-jobs.ts) and the
 * client's in-process jobs without the layer (client/hosts/local-host.ts) run through it, so they
 * behave the same. Job functions wait in a FIFO queue until `start()`, then run with at most
 * `concurrency` at once; promises are tracked from the moment they are passed; every job is
 * settled exactly once (a throw or a rejection with any value is a failure). What a job counts
 * for, and how its end is reported, is the owner's: a subclass implements the hooks.
 *
 * - `signal`: aborts at `abortQueue()` (what job functions receive). Made on first read: Node
 *   tracks every AbortSignal weakly, which keeps it alive past young-generation GCs; one per
 *   invoke grew V8's new space and the runtime's RSS by ~10 MB (measured). Every job may listen
 *   to it (external jobs always do): `raiseListenerLimit` lifts the leak warning at 11.
 * - `context`: `{ signal, requestId, deadlineMs }`, one object per set. `idle`: no holding job is
 *   queued or unfinished. `busy`: any job, holding or not, is.
 * - `unfinished()`: names of every unfinished job: running, queued (`name (never started)`), then
 *   unheld. `start()`: queued functions may start (the response is out, or a drain asked for it).
 * - For the owner: `push(job)` queues a job function, or returns false (nothing queued) once
 *   `abortQueue()` ran: the owner starts it itself; `begin(job, work, start)` begins one now
 *   (see {@link JobStart}; `work` is called at once, in the owner's context, or is a queued job,
 *   run with the context) and returns its id; `abortQueue(beforeSettle?)` starts what an open queue
 *   had deferred (up to `concurrency`), takes what still waits, then aborts the signal (in that
 *   order: what its listeners enqueue must run, not be dropped); from then `beforeSettle` (the
 *   first call's) runs before each settlement is counted (the invoke's clock check: past the
 *   grace's end, what still runs is abandoned first, its timer late or not); `abandonHeld()` makes every
 *   holding job stop holding (it runs on, unheld) and returns them with their ids;
 *   `offStack(work)` is `work` run on a later turn (`defer`), off the caller's stack, for
 *   `begin`; `running(id)` is a started job's entry; `waitingHandOffs()` the queued jobs that
 *   can be passed on (the shutdown's best effort).
 * - Hooks: `launch(job)` starts a queued job function (`begin(tracked, job, 'held')`: called with
 *   the context, no closure per job); `settled(id, job, outcome, held)` reports a settled job
 *   (`held`: it still held its owner), before its slot goes to the next queued job; `changed()`
 *   then tells the owner the set may be idle.
 *
 * State: started jobs in start order (`_started`), each holding its owner, or holding nothing (unheld
 * from the start, or abandoned: an exit still names them), until it settles. The fields are only
 * declared, set in the constructor (why: extension/core/invoke.ts). Members carry no doc comments of
 * their own: the client bundles this file unminified, and esbuild keeps a class member's comment in
 * the bundle (measured: ~0.7 KB of the npm bundle's gzip size).
 */
export abstract class JobSet<T extends TrackedJob, Q extends QueuedJob = QueuedJob> {
  private declare readonly _setOptions: JobSetOptions;
  private declare readonly _started: StartedJobs<T>;
  private declare readonly _context: JobContext;
  private declare readonly _queue: JobQueue<Q>;
  private declare _controller: AbortController | undefined;
  private declare _aborted: boolean;
  private declare _beforeSettle: (() => void) | undefined;
  private declare _seq: number;

  constructor(options: JobSetOptions) {
    this._setOptions = options;
    this._started = new StartedJobs<T>();
    this._context = new LazyContext(this, options.requestId, options.deadlineMs);
    // The pump runs in the owner's async context, once per batch: the jobs it starts (and the
    // pump again when one settles) inherit it, so a job needs no context frame of its own.
    this._queue = new JobQueue<Q>({
      concurrency: options.concurrency, defer: options.defer, runInContext: options.runInContext, launch: this.launch.bind(this),
    });
    this._controller = this._beforeSettle = undefined;
    this._aborted = false;
    this._seq = 0;
  }

  get signal(): AbortSignal {
    if (!this._controller) {
      this._controller = new AbortController();
      // Every job may listen to the one signal (external jobs always do): no leak warning at 11.
      this._setOptions.raiseListenerLimit?.(this._controller.signal);
      if (this._aborted) this._controller.abort(deadlineAbortReason());
    }
    return this._controller.signal;
  }

  get context(): JobContext {
    return this._context;
  }

  get requestId(): string {
    return this._setOptions.requestId;
  }

  get deadlineMs(): number {
    return this._setOptions.deadlineMs;
  }

  get idle(): boolean {
    return this._started.held === 0 && this._queue.empty;
  }

  get busy(): boolean {
    return !this.idle || this._started.unheld > 0;
  }

  unfinished(): string[] {
    const labels = (state: JobState): string[] => this._started.inState(state).map((job) => job.label);
    return [...labels(HELD), ...this._queue.waiting(), ...labels(UNHELD)];
  }

  start(): void {
    this._queue.open();
  }

  protected push(job: Q): boolean {
    // A boolean, not a getter the owner asks first: this runs per job, and each call is one more function for V8 to compile.
    if (this._aborted) return false;
    this._queue.push(job);
    return true;
  }

  protected waitingHandOffs(): ReturnType<JobQueue<Q>['waitingHandOffs']> { return this._queue.waitingHandOffs(); }

  protected begin(job: T, work: Work, start: JobStart): number {
    // One function from the owner's call to #run, none between: this runs per job (bench/gc-trace.ts --compiles).
    const entry: Running<T, JobSet<T, Q>> = { id: ++this._seq, job, state: start === 'unheld' ? UNHELD : HELD, set: this, slot: typeof work !== 'function' };
    this._started.add(entry);
    this.#run(entry, work);
    return entry.id;
  }

  protected abortQueue(beforeSettle?: () => void): Q[] {
    // Opened before the abort (the response came first), a queued function is started, not dropped: the start was only deferred.
    this._queue.startDue();
    const dropped = this._queue.takeWaiting();
    if (!this._aborted) {
      this._aborted = true;
      this._beforeSettle = beforeSettle;
      this._controller?.abort(deadlineAbortReason());
    }
    return dropped;
  }

  protected abandonHeld(): Array<[number, T]> {
    return this._started.abandonHeld();
  }

  protected offStack(work: () => unknown): () => Promise<unknown> {
    return () => new Promise<void>((start) => this._setOptions.defer(() => start())).then(work);
  }

  protected running(id: number): T | undefined {
    return this._started.running(id);
  }

  protected abstract launch(job: Q): void;
  protected abstract settled(id: number, job: T, outcome: Settlement, held: boolean): void;
  protected abstract changed(): void;

  // Settles as settle() does (shared/settle.ts) with two reactions instead of its async frame: 505 → 336 B per job (micro-measured,
  // Node 22 and 24); they are shared functions bound to the entry (which carries its set and kind), not two closures and their
  // context: 58–64 B fewer per job. The intrinsic `then`, as `await`: a promise's own `then` is not called.
  #run(entry: Running<T, JobSet<T, Q>>, work: Work): void {
    let settling: Promise<unknown>;
    try {
      settling = Promise.resolve(typeof work !== 'function' ? runQueued(work, this._context) : this._setOptions.runInContext(work));
    } catch (error) {
      settling = Promise.reject(error); // a throwing job, or a promise whose `constructor` throws
    }
    void PROMISE_THEN.call(settling, (JobSet.#succeeded<T, Q>).bind(entry), (JobSet.#failed<T, Q>).bind(entry));
  }

  static #succeeded<T extends TrackedJob, Q extends QueuedJob>(this: Running<T, JobSet<T, Q>>): void { this.set.#settled(this, SUCCEEDED); }
  static #failed<T extends TrackedJob, Q extends QueuedJob>(this: Running<T, JobSet<T, Q>>, error: unknown): void { this.set.#settled(this, { ok: false, error }); }

  #settled(entry: Running<T, JobSet<T, Q>>, outcome: Settlement): void {
    this._beforeSettle?.(); // undefined until the abort: nothing more runs per job before it
    const held = this._started.settle(entry);
    this.settled(entry.id, entry.job, outcome, held);
    if (entry.slot) this._queue.freed();
    this.changed();
  }
}

const PROMISE_THEN = Promise.prototype.then;

/** What a started job runs: a function (called in the owner's context), or a queued job (already in it). */
type Work = (() => unknown) | QueuedJob;
