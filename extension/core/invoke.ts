import type { Job } from '../../shared/host-protocol.ts';
import { FlushSet } from './flush-set.ts';
import { InvokeDeadline } from './invoke-deadline.ts';
import { InvokeJobs, type HandOff, type HeldKind } from './invoke-jobs.ts';
import type { Phase } from './invoke-phase.ts';
import type { InvokeOptions, ReleaseReason } from './invoke-options.ts';
import { summarizeRelease } from './invoke-summary.ts';

export type { Clock, InvokeObserver, InvokeOptions, InvokeSummary, ReleaseReason } from './invoke-options.ts';
export type { Phase } from './invoke-phase.ts';

/** One invoke: its phase, its jobs and its deadline. Private state, changed only by the transitions (their map: invoke-phase.ts). */
export class Invoke {
  // Fields only declared (`private declare`), set in the constructor in one order (one shape): a field declaration (`#x;`, `x = 0`) gives a
  // class a second function, its fields' initializer, that V8 compiles in the per-invoke burst (nodejs24.x: 81–82 → 75–76 functions without
  // the six of the classes made per invoke: this, invoke-jobs.ts, shared/job-*.ts, started-jobs.ts; flush-set.ts too). Private to tsc, not at run time; `#x` elsewhere.
  private declare readonly _options: InvokeOptions<Invoke>;
  private declare readonly _requestId: string;
  private declare readonly _deadlineMs: number;
  private declare _phase: Phase;
  private declare _jobs: InvokeJobs | undefined;
  private declare _flushes: FlushSet | undefined; // made when the flushers start (flushing, or the deadline abort): beside the jobs, not among them
  private declare _respondedAt: number | undefined;
  private declare _handlerReturned: boolean; // finishHandler came: it returned, called back, or the runtime asked for its next
  private declare _cancelNear: (() => void) | undefined; // cancels the timer at deadline − margin, set with the job set: most invokes have no jobs, so no timer
  private declare _deadline: InvokeDeadline | undefined; // made when that timer fires (deadline − margin): most invokes with jobs release before
  /** The time left (ms) when the invoke was made, if deadline − margin had passed then (the timeout at or below the margin); else undefined. */
  private declare readonly _leftAtStartMs: number | undefined;
  private declare _waiters: Array<(reason: ReleaseReason) => void> | undefined;
  private declare _reason: ReleaseReason | undefined;
  private declare _claimed: boolean;

  /** `deadlineMs`: epoch milliseconds, from the platform (`Lambda-Runtime-Deadline-Ms`, the INVOKE event). */
  constructor(options: InvokeOptions<Invoke>, requestId: string, deadlineMs: number) {
    this._options = options;
    this._requestId = requestId;
    this._deadlineMs = deadlineMs;
    this._phase = 'running';
    this._jobs = this._flushes = this._respondedAt = this._cancelNear = this._deadline = this._waiters = this._reason = undefined;
    this._handlerReturned = this._claimed = false;
    const leftMs = deadlineMs - options.clock.wallNow();
    this._leftAtStartMs = leftMs <= options.marginMs ? leftMs : undefined;
  }

  get requestId(): string { return this._requestId; }
  get deadlineMs(): number { return this._deadlineMs; }
  get phase(): Phase { return this._phase; }
  /** False while the handler itself runs (a job enqueued after the release then came from it, not from a stray timer). */
  get handlerReturned(): boolean { return this._handlerReturned; }
  /** The time left (ms) when the invoke started, if that was inside its margin: every job it enqueues comes after deadline − margin (the WARNs name the timeout against the margin). */
  get leftAtStartMs(): number | undefined { return this._leftAtStartMs; }
  /** Nothing placed now would be held: released, handing off, or at or after deadline − margin + grace by the wall clock. */
  get closed(): boolean { return this._phase === 'released' || this._phase === 'handing-off' || this._options.clock.wallNow() >= this._deadlineMs - this._options.marginMs + this._options.graceMs; }

  /** No held job queued or unfinished, and no flusher holding. */
  get idle(): boolean { return (this._jobs?.idle ?? true) && (this._flushes?.idle ?? true); }
  /** True while any job or flusher, held or not, is queued or unfinished. */
  get busy(): boolean { return (this._jobs?.busy ?? false) || (this._flushes?.busy ?? false); }
  /** The signal of this invoke's jobs (external jobs forward its abort). */
  get signal(): AbortSignal { return this.#jobSet().signal; }

  /** Every unfinished job's name, held or not, then the flushers' (the deadline WARN, the exit report). */
  unfinished(): string[] { return [...(this._jobs?.unfinished() ?? []), ...(this._flushes?.unfinished() ?? [])]; }
  /** The grace is over (invoke-deadline.ts): running flushers are abandoned; returns their names. */
  abandonFlushers(): string[] { return this._flushes?.abandon() ?? []; }
  /** Hand-offs of this invoke's unfinished jobs that have one (the shutdown's best effort). */
  unfinishedHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> { return this._jobs?.unfinishedHandOffs() ?? []; }

  /** Adds a job: held until the invoke is {@link closed} (`internal`: the extension's own, not counted), then at once, unheld (`late`). `handOff` passes it on (a task's). */
  enqueue(job: Job, name: string, held: HeldKind = 'held', handOff?: HandOff): 'held' | 'late' {
    const kind = this.#checkClock() ? 'late' : held;
    // A late task runs unheld, yet SIGTERM can still hand it off (the exit report).
    this.#jobSet().add(job, name, kind, kind === 'internal' ? undefined : handOff);
    if (kind !== 'late') return 'held';
    // Released and possibly forgotten: the lifecycle must see it busy again, or an exit would not name this job.
    this._options.observer.invokeChanged(this);
    return 'late';
  }

  /** The runtime posted the response (or streamed it): queued job functions start, unless it came at or after deadline − margin. */
  respond(): void {
    // Once released, a second report (the runtime's `next` after a returned response) changes nothing.
    if (this._phase === 'released') return;
    this._respondedAt ??= this._options.clock.monoNow();
    // By the clock (as #checkClock): at or after deadline − margin the response brings the abort (the queued jobs never start); at or after deadline − margin + grace the grace is over, also when its timer is late (a handler that blocked the event loop): what still runs is abandoned now, not counted if it settles before that timer. Inline: one function fewer for V8 to compile per invoke (bench/gc-trace.ts --compiles).
    const pastNearMs = this._jobs ? this._options.clock.wallNow() - this._deadlineMs + this._options.marginMs : -1;
    if (this._phase === 'running' && this._jobs && pastNearMs >= 0) this.#abortNear(this._jobs);
    else if (this._phase === 'aborting' && pastNearMs >= this._options.graceMs) this._deadline?.endGrace();
    if (this._phase === 'running') this._phase = 'responded';
    this._jobs?.start();
    this.#check();
  }

  /** The handler is done with the invoke (returned, called back, or the runtime asked for its next). */
  finishHandler(): void {
    this._handlerReturned = true;
    if (this._phase === 'running' && this._jobs && this._options.clock.wallNow() >= this._deadlineMs - this._options.marginMs) this.#abortNear(this._jobs); // as respond()
    if (this._phase === 'running' || this._phase === 'responded') this._phase = 'done';
    this.respond();
  }

  /** A drain inside the handler: start the queued jobs now, as without the layer. */
  startEarly(): void {
    this.#jobSet().start();
    this.#check(); // an abort at its making (deadline − margin passed) left nothing to wait for
  }

  /** True once the extension loop holds this invoke (it got the INVOKE event). */
  get claimed(): boolean { return this._claimed; }

  /** The extension loop holds the invoke: resolves when it is released (the loop then calls `next`). */
  whenReleased(): Promise<ReleaseReason> {
    this._claimed = true;
    if (this._reason) return Promise.resolve(this._reason);
    return new Promise((resolve) => (this._waiters ??= []).push(resolve));
  }

  #jobSet(): InvokeJobs {
    if (this._jobs) return this._jobs;
    const { concurrency, logger, defer, raiseListenerLimit } = this._options;
    // Made on first use: most invokes have no jobs, and this runs in every invoke.
    const jobs = new InvokeJobs({
      requestId: this._requestId, deadlineMs: this._deadlineMs, concurrency, logger, defer, ...(raiseListenerLimit ? { raiseListenerLimit } : {}),
      // Bound, not arrows: called per job and per batch of jobs, and a bound function is no code of its own for V8 to compile.
      onChange: this.#check.bind(this),
      runInContext: this._options.context.run.bind(this._options.context, this),
    });
    this._jobs = jobs;
    if (this._phase !== 'running') jobs.start();
    if (this._phase === 'released') return jobs;
    // deadline − margin passed (by the clock): the abort now, before the first job is placed (it starts at once, its signal aborted).
    const nearAt = this._deadlineMs - this._options.marginMs;
    if (this._options.clock.wallNow() >= nearAt) this.#abortNear(jobs);
    // Bound, not an arrow, which made every call (per job) allocate its context, also returning the set made before: −510–550 B per invoke of 10 jobs.
    else this._cancelNear = this._options.deadlines.at(nearAt, this.#deadlineNear.bind(this, jobs));
    return jobs;
  }

  /** Before a job is placed, by the wall clock: past deadline − margin, the abort (it starts at once, aborted); past deadline − margin + grace, the grace's end too. True: it runs late. */
  #checkClock(): boolean {
    if (this._phase === 'released' || this._phase === 'handing-off') return true;
    const pastNearMs = this._options.clock.wallNow() - this._deadlineMs + this._options.marginMs;
    if (pastNearMs < 0) return false;
    this.#abortNear(this.#jobSet()); // a no-op while aborting; a set made now brings the abort (no grace left: the release) itself
    if (pastNearMs < this._options.graceMs) return false;
    this._deadline?.endGrace(); // a no-op before the grace began (an abort listener enqueues) or after it ended
    return true;
  }

  /** The timer at deadline − margin. */
  #deadlineNear(jobs: InvokeJobs): void { this.#abortNear(jobs); this.#check(); }

  /** deadline − margin: abort the signal, drop what never started, give the rest the grace. Once: its timer is cancelled. */
  #abortNear(jobs: InvokeJobs): void {
    if (this._phase === 'released' || this._phase === 'aborting' || this._phase === 'handing-off') return;
    const flush = this._phase === 'done';
    const handlerRunning = this._phase === 'running';
    this._phase = 'aborting';
    this._cancelNear?.();
    const deadline = (this._deadline = new InvokeDeadline(this, jobs, this._options, {
      handOff: () => { this._phase = 'handing-off'; this._options.observer.invokeChanged(this); }, // aborting → handing-off
      release: () => { if (this._phase !== 'released') this.#release('deadline'); },
    }));
    deadline.grace(deadline.abort(), { handlerRunning }); // its WARN names what ran at the deadline: not the flushers started now
    if (flush && this._phase === 'aborting') this.#startFlushers(); // the last chance before the release: they share the grace
  }

  /** The one decision, made after every transition and job change: may this invoke be released now? */
  #check(): void {
    if (this._phase === 'released') return this._options.observer.invokeChanged(this); // a late or abandoned job settled
    if (this.idle && this._phase === 'done' && this.#startFlushers()) return this._options.observer.invokeChanged(this);
    if (this.idle && (this._phase === 'done' || this._phase === 'flushing')) this.#release('settled');
    // Aborting, the handler still running: held to the grace's end (the invoke cannot end before the runtime's `next`); its jobs enqueued then get the grace.
    else if (this.idle && this._phase === 'aborting' && this._handlerReturned) this._deadline?.finish(); // aborting → released, through handing-off while hand-offs are pending
    else this._options.observer.invokeChanged(this);
  }

  /** done → flushing; false (nothing changes) without flushers. Once per invoke without a flag: it runs only from `done` (at idle, or at the deadline), and both leave `done`. */
  #startFlushers(): boolean {
    const flushers = this._options.flushers?.entries;
    if (!flushers || flushers.length === 0) return false;
    if (this._phase === 'done') this._phase = 'flushing';
    const { logger, defer } = this._options;
    const context = this.#jobSet().context; // the jobs' own: one signal for both
    (this._flushes ??= new FlushSet({ requestId: this._requestId, logger, defer, context, onChange: this.#check.bind(this), runInContext: this._options.context.run.bind(this._options.context, this) })).run(flushers);
    return true;
  }

  #release(reason: ReleaseReason): void {
    this._reason = reason;
    this._cancelNear?.();
    this._deadline?.cancel();
    this._phase = 'released';
    if (this._jobs) summarizeRelease(this._options, { requestId: this.requestId, outcome: reason, stats: this._jobs.stats, flushStats: this._flushes?.stats, respondedAt: this._respondedAt });
    const waiters = this._waiters; // taken, not copied: resolving runs no code before the next turn
    this._waiters = undefined;
    if (waiters) for (const resolve of waiters) resolve(reason);
    this._options.observer.invokeChanged(this);
  }
}
