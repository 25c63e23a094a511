import type { Job, JobContext } from '../../shared/host-protocol.ts';
import { settle, type Settlement } from '../../shared/settle.ts';
import { deadlineAbortReason } from '../../shared/socket-wire.ts';
import { JobHandOffs, type DueHandOff, type HandOff } from './hand-offs.ts';
import type { InvokeJobsOptions } from './invoke-options.ts';
import { LazyContext } from './job-context.ts';
import { JobQueue } from './job-queue.ts';
import { reportSettlement } from './job-report.ts';
import { JobCounts, type JobKind, type JobStats } from './job-stats.ts';

export type { FlushStats, HeldKind, JobKind, JobStats } from './job-stats.ts';
export type { DueHandOff, HandOff } from './hand-offs.ts';

/** An unfinished job: how it shows in logs, and how it counts. */
interface Tracked {
  readonly label: string;
  readonly kind: JobKind;
}

/**
 * The jobs of one invoke: functions queued until the response is posted, then started in FIFO
 * order under a concurrency limit (job-queue.ts); promises tracked from the moment they are
 * passed; after the deadline abort, functions start at once (the grace is their last chance). Knows
 * nothing of deadlines or releases: the invoke (invoke.ts) decides those and calls
 * {@link abort} and {@link abandon}. Flushers are not jobs: they run in a set of their own beside
 * this one (flush-set.ts), with the same {@link context}.
 */
export class InvokeJobs {
  readonly #counts = new JobCounts();
  readonly #queue: JobQueue;
  /** Unfinished held and internal jobs, by id: what abandonment and exit report. */
  readonly #running = new Map<number, Tracked>();
  /** Unfinished late and abandoned jobs: they hold nothing, but an exit still names them. */
  readonly #unheld = new Map<number, string>();
  /** Hand-offs of jobs that have one (tasks): started ones, and those due at the abort and the grace's end. */
  readonly #handOffs = new JobHandOffs();
  readonly #options: InvokeJobsOptions;
  readonly #context: JobContext;
  #controller: AbortController | undefined;
  #aborted = false;
  #seq = 0;

  constructor(options: InvokeJobsOptions) {
    this.#options = options;
    this.#context = new LazyContext(this, options.requestId, options.deadlineMs);
    // The concurrency limit counts job functions only: promises are tracked, not run.
    this.#queue = new JobQueue({
      // The pump runs in the invoke's async context, once per batch: the jobs it starts (and the
      // pump again when one settles) inherit it, so a job needs no context frame of its own.
      concurrency: options.concurrency, defer: (run) => options.defer(() => options.runInContext(run)),
      launch: (job) => this.#begin(job.name, 'held', () => job.run(this.#context), { slot: true, handOff: job.handOff }),
    });
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
      this.#options.raiseListenerLimit?.(this.#controller.signal);
      if (this.#aborted) this.#controller.abort(deadlineAbortReason());
    }
    return this.#controller.signal;
  }

  get stats(): JobStats {
    return this.#counts.stats;
  }

  /** What job functions (and the invoke's flushers) receive. */
  get context(): JobContext {
    return this.#context;
  }

  get requestId(): string {
    return this.#options.requestId;
  }

  get deadlineMs(): number {
    return this.#options.deadlineMs;
  }

  /** True while any job, held or not, is queued or unfinished. */
  get busy(): boolean {
    return !this.idle || this.#unheld.size > 0;
  }

  /** True when no held or internal job is queued or unfinished (late and abandoned ones hold nothing). */
  get idle(): boolean {
    return this.#running.size === 0 && this.#queue.empty;
  }

  /** Names of every unfinished job, held or not (for the exit report). */
  unfinished(): string[] {
    return [...[...this.#running.values()].map((job) => job.label), ...this.#queue.waiting(), ...this.#unheld.values()];
  }

  /** `handOff`: how to pass the job on when it cannot finish here (a task; see hand-offs.ts). */
  add(job: Job, name: string, kind: JobKind, handOff?: HandOff): void {
    this.#counts.enqueued(kind);
    if (typeof job !== 'function') return this.#begin(name, kind, () => job);
    if (runsAtOnce(kind)) return this.#begin(name, kind, () => job(this.#context), { handOff });
    // After the deadline abort the grace is the last chance (an apology enqueued by an abort
    // listener): a function starts on the next turn, whatever the concurrency limit or the response.
    if (this.#aborted) return this.#begin(name, kind, this.#offStack(job), { handOff });
    this.#queue.push({ name, run: job, handOff });
  }

  /** The response is out (or a drain asked for it): queued functions may start. */
  start(): void {
    this.#queue.open();
  }

  /**
   * The deadline margin is reached: functions that never started are dropped and returned by
   * name, then the signal aborts. In that order: its listeners run synchronously, and what they
   * enqueue must run in the grace, not be dropped with the queue. Running jobs keep going for
   * the grace the invoke gives them.
   */
  abort(): string[] {
    const dropped = this.#queue.takeWaiting();
    for (const job of dropped) this.#handOffs.neverStarted(job.name, job.handOff);
    const never = dropped.map((job) => `${job.name} (never started)`);
    this.#counts.neverStarted(never.length);
    if (!this.#aborted) {
      this.#aborted = true;
      this.#controller?.abort(deadlineAbortReason());
    }
    return never;
  }

  /** The grace is over: what still runs is abandoned (holds nothing from now on); returns the names. */
  abandon(): string[] {
    const names: string[] = [];
    for (const [id, { label, kind }] of this.#running) {
      this.#unheld.set(id, label);
      names.push(label);
      this.#counts.abandoned(kind);
      this.#handOffs.abandoned(id, label);
    }
    this.#running.clear();
    return [...names, ...this.abort()];
  }

  /** The hand-offs due since the last call (see {@link abort} and {@link abandon}). */
  takeHandOffs(): DueHandOff[] {
    return this.#handOffs.takeDue();
  }

  /** Every unfinished job's hand-off, queued, running or abandoned, named as {@link unfinished} names them (the shutdown's best effort). */
  unfinishedHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> {
    const started = this.#handOffs.unfinished((id) => this.#running.get(id)?.label ?? this.#unheld.get(id) ?? '?');
    return [...this.#queue.waitingHandOffs(), ...started];
  }

  /** Runs `job` on a later turn, off the caller's stack. */
  #offStack(job: Job): () => Promise<unknown> {
    return () => new Promise<void>((start) => this.#options.defer(() => start())).then(() => (typeof job === 'function' ? job(this.#context) : job));
  }

  /** A job begins to run: a function is called, a promise or socket job is passed. */
  #begin(name: string, kind: JobKind, work: () => unknown, { slot = false, handOff }: { readonly slot?: boolean; readonly handOff?: HandOff | undefined } = {}): void {
    this.#counts.started(kind);
    const id = ++this.#seq;
    this.#handOffs.started(id, handOff);
    if (runsAtOnce(kind)) this.#unheld.set(id, name);
    else this.#running.set(id, { label: name, kind });
    settle(slot ? work : () => this.#options.runInContext(work), (outcome) => this.#settled(id, name, kind, outcome, slot));
  }

  #settled(id: number, name: string, kind: JobKind, outcome: Settlement, slot: boolean): void {
    const held = this.#running.delete(id);
    this.#unheld.delete(id);
    this.#handOffs.settled(id);
    const phase = held ? 'held' : kind === 'unheld' || kind === 'late' ? kind : 'abandoned';
    if (held) this.#counts.settled(kind, outcome.ok);
    reportSettlement(this.#options.logger, { requestId: this.#options.requestId, job: name, jobId: id, phase, outcome });
    if (slot) this.#queue.freed();
    this.#options.onChange();
  }
}

/** Late and unheld jobs start when added and hold nothing. */
function runsAtOnce(kind: JobKind): boolean {
  return kind === 'late' || kind === 'unheld';
}
