import type { Job, JobContext } from '../../shared/host-protocol.ts';
import { JobSet, type JobStart, type QueuedJob } from '../../shared/job-set.ts';
import type { Settlement } from '../../shared/settle.ts';
import { JobHandOffs, type DueHandOff, type HandOff } from './hand-offs.ts';
import type { InvokeJobsOptions } from './invoke-options.ts';
import { reportSettlement, settlementReported } from './job-report.ts';
import type { JobKind, JobStats } from './job-stats.ts';

export type { FlushStats, HeldKind, JobKind, JobStats } from './job-stats.ts';
export type { DueHandOff, HandOff } from './hand-offs.ts';

/** A started job: how it shows in logs, and how it counts. */
interface Tracked {
  readonly label: string;
  readonly kind: JobKind;
}

/** A queued job function, tracked as itself once it starts: one object per job, not a second one made at its start (23–24 B per job, Node 22 and 24). */
interface QueuedTracked extends QueuedJob, Tracked {}

/**
 * The jobs of one invoke, on the one job engine (shared/job-set.ts: the FIFO queue under the
 * concurrency limit, tracking, settling, the lazy signal): functions queued until the response is
 * posted; promises tracked from the moment they are passed; after the deadline abort, functions
 * start at once (the grace is their last chance). Adds what an invoke needs: the counts, the
 * hand-offs (tasks), the reports under the request id. Knows nothing of deadlines or releases: the
 * invoke (invoke.ts) decides those and calls {@link abort} and {@link abandon}. Flushers are not
 * jobs: they run in a set of their own beside this one (flush-set.ts), with the same context.
 */
export class InvokeJobs extends JobSet<Tracked, QueuedTracked> {
  /**
   * The summary's counts (job-stats.ts): `held` jobs only. Counted here, not by an object of their
   * own, and the hand-offs' object made at the first job that has one: each class is up to two
   * functions (its constructor and its fields' initializer) and each call a third, all compiled by
   * V8 in the burst when an invoke's jobs become hot (bench/gc-trace.ts --compiles). Fields only
   * declared, assigned in the constructor, as the invoke's (invoke.ts says why).
   */
  private declare readonly _stats: JobStats;
  /** Hand-offs of jobs that have one (tasks): started ones, and those due at the abort and the grace's end. */
  private declare _handOffs: JobHandOffs | undefined;
  private declare readonly _options: InvokeJobsOptions;

  constructor(options: InvokeJobsOptions) {
    super(options);
    this._stats = { enqueued: 0, started: 0, succeeded: 0, failed: 0, abandoned: 0, neverStarted: 0 };
    this._handOffs = undefined;
    this._options = options;
  }

  get stats(): JobStats {
    return this._stats;
  }

  /** `handOff`: how to pass the job on when it cannot finish here (a task; see hand-offs.ts). */
  add(job: Job, name: string, kind: JobKind, handOff?: HandOff): void {
    if (kind === 'held') this._stats.enqueued++;
    const start = kind === 'late' || kind === 'unheld' ? 'unheld' : 'held'; // late and unheld jobs start when added and hold nothing
    // No closure in this method (a promise's and an off-stack start's are made in functions of their own): with one, a
    // call allocates a context for what it captures, a queued job's call too (~21 B per job on nodejs24.x, bench/alloc-sampling.ts).
    if (typeof job !== 'function') return this.#begin(name, kind, promiseWork(job), start, undefined);
    // Unheld and late functions start at once, but off the caller's stack, as without the layer:
    // called inside `enqueueAfterResponse` they saw the handler's state before its next line ran.
    // After the deadline abort the grace is the last chance (an apology enqueued by an abort
    // listener): a function starts on the next turn, whatever the concurrency limit or the response.
    if (start === 'unheld' || !this.push({ name, run: job, handOff, label: name, kind: 'held' })) this.#beginOffStack(job, name, kind, start, handOff);
  }

  /**
   * The deadline margin is reached: functions that never started are dropped and returned by
   * name (bare: the `deadline near` WARN's field `neverStarted` says what they are), then the signal aborts. In that order: its listeners run synchronously, and what they
   * enqueue must run in the grace, not be dropped with the queue. Running jobs keep going for
   * the grace the invoke gives them. `beforeSettle` (the first abort's): runs before each job's
   * settlement from now on, before it is counted (the invoke's clock check, invoke-deadline.ts).
   */
  abort(beforeSettle?: () => void): string[] {
    const dropped = this.abortQueue(beforeSettle);
    for (const job of dropped) if (job.handOff) (this._handOffs ??= new JobHandOffs()).neverStarted(job.name, job.handOff);
    this._stats.neverStarted += dropped.length;
    return dropped.map((job) => job.name);
  }

  /** The grace is over: what still runs is abandoned (holds nothing from now on); returns the names. */
  abandon(): string[] {
    const names: string[] = [];
    for (const [id, { label, kind }] of this.abandonHeld()) {
      names.push(label);
      if (kind === 'held') this._stats.abandoned++;
      this._handOffs?.abandoned(id, label);
    }
    return [...names, ...this.abort()];
  }

  /** The hand-offs due since the last call (see {@link abort} and {@link abandon}). */
  takeHandOffs(): DueHandOff[] {
    return this._handOffs?.takeDue() ?? [];
  }

  /** Every unfinished job's hand-off, queued, running or abandoned, named as {@link unfinished} names them (the shutdown's best effort). */
  unfinishedHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> {
    const started = this._handOffs?.unfinished((id) => this.running(id)?.label ?? '?') ?? [];
    return [...this.waitingHandOffs(), ...started];
  }

  protected launch(job: QueuedTracked): void {
    this._stats.started++;
    const id = this.begin(job, job, 'held'); // called with the context: no closure per job
    if (job.handOff) (this._handOffs ??= new JobHandOffs()).started(id, job.handOff);
  }

  protected settled(id: number, { label, kind }: Tracked, outcome: Settlement, held: boolean): void {
    this._handOffs?.settled(id);
    const phase = held ? 'held' : kind === 'unheld' || kind === 'late' ? kind : 'abandoned';
    if (held && kind === 'held') this._stats[outcome.ok ? 'succeeded' : 'failed']++;
    // A held job that succeeds (most) logs nothing and is not asked: this runs per job (one call fewer to compile).
    if (!(held && outcome.ok) && settlementReported(phase, outcome)) reportSettlement(this._options.logger, { requestId: this._options.requestId, job: label, jobId: id, phase, outcome });
  }

  protected changed(): void {
    this._options.onChange();
  }

  /** A job function begins on a later turn, off the caller's stack (unheld, late, or after the abort). */
  #beginOffStack(job: (context: JobContext) => unknown, name: string, kind: JobKind, start: JobStart, handOff: HandOff | undefined): void {
    this.#begin(name, kind, this.offStack(() => job(this.context)), start, handOff);
  }

  /** A job begins to run: a function is called, a promise or socket job is passed. */
  #begin(name: string, kind: JobKind, work: () => unknown, start: JobStart, handOff: HandOff | undefined): void {
    if (kind === 'held') this._stats.started++;
    const id = this.begin({ label: name, kind }, work, start);
    if (handOff) (this._handOffs ??= new JobHandOffs()).started(id, handOff); // `work` has begun, but it settles on a later turn at the earliest
  }
}

/** What a promise job runs: the promise itself (its settlement is the job's). */
function promiseWork(job: PromiseLike<unknown>): () => unknown {
  return () => job;
}
