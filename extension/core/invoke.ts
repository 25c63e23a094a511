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
  readonly #options: InvokeOptions<Invoke>;
  readonly #requestId: string;
  readonly #deadlineMs: number;
  #phase: Phase = 'running';
  #jobs: InvokeJobs | undefined;
  /** Made when the flushers start (flushing, or the deadline abort): beside the jobs, not among them. */
  #flushes: FlushSet | undefined;
  #respondedAt: number | undefined;
  #handlerReturned = false; // finishHandler came: it returned, called back, or the runtime asked for its next
  /** Cancels the timer at deadline − margin, set with the job set: most invokes have no jobs, so no deadline timer. */
  #cancelNear: (() => void) | undefined;
  /** Made when that timer fires (deadline − margin): most invokes with jobs release before. */
  #deadline: InvokeDeadline | undefined;
  /** The time left (ms) when the invoke was made, if deadline − margin had passed then (the timeout at or below the margin); else undefined. */
  readonly #leftAtStartMs: number | undefined;
  #waiters: Array<(reason: ReleaseReason) => void> | undefined;
  #reason: ReleaseReason | undefined;
  #claimed = false;

  /** `deadlineMs`: epoch milliseconds, from the platform (`Lambda-Runtime-Deadline-Ms`, the INVOKE event). */
  constructor(options: InvokeOptions<Invoke>, requestId: string, deadlineMs: number) {
    this.#options = options;
    this.#requestId = requestId;
    this.#deadlineMs = deadlineMs;
    const leftMs = deadlineMs - options.clock.wallNow();
    this.#leftAtStartMs = leftMs <= options.marginMs ? leftMs : undefined;
  }

  get requestId(): string { return this.#requestId; }
  get deadlineMs(): number { return this.#deadlineMs; }
  get phase(): Phase { return this.#phase; }
  /** False while the handler itself runs (a job enqueued after the release then came from it, not from a stray timer). */
  get handlerReturned(): boolean { return this.#handlerReturned; }
  /** The time left (ms) when the invoke started, if that was inside its margin: every job it enqueues comes after deadline − margin (the WARNs name the timeout against the margin). */
  get leftAtStartMs(): number | undefined { return this.#leftAtStartMs; }
  /** Nothing placed now would be held: released, handing off, or at or after deadline − margin + grace by the wall clock. */
  get closed(): boolean { return this.#phase === 'released' || this.#phase === 'handing-off' || this.#options.clock.wallNow() >= this.#deadlineMs - this.#options.marginMs + this.#options.graceMs; }

  /** No held job queued or unfinished, and no flusher holding. */
  get idle(): boolean { return (this.#jobs?.idle ?? true) && (this.#flushes?.idle ?? true); }
  /** True while any job or flusher, held or not, is queued or unfinished. */
  get busy(): boolean { return (this.#jobs?.busy ?? false) || (this.#flushes?.busy ?? false); }
  /** The signal of this invoke's jobs (external jobs forward its abort). */
  get signal(): AbortSignal { return this.#jobSet().signal; }

  /** Every unfinished job's name, held or not, then the flushers' (the deadline WARN, the exit report). */
  unfinished(): string[] { return [...(this.#jobs?.unfinished() ?? []), ...(this.#flushes?.unfinished() ?? [])]; }
  /** The grace is over (invoke-deadline.ts): running flushers are abandoned; returns their names. */
  abandonFlushers(): string[] { return this.#flushes?.abandon() ?? []; }
  /** Hand-offs of this invoke's unfinished jobs that have one (the shutdown's best effort). */
  unfinishedHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> { return this.#jobs?.unfinishedHandOffs() ?? []; }

  /** Adds a job: held until the invoke is {@link closed} (`internal`: the extension's own, not counted), then at once, unheld (`late`). `handOff` passes it on (a task's). */
  enqueue(job: Job, name: string, held: HeldKind = 'held', handOff?: HandOff): 'held' | 'late' {
    const kind = this.#checkClock() ? 'late' : held;
    // A late task runs unheld, yet SIGTERM can still hand it off (the exit report).
    this.#jobSet().add(job, name, kind, kind === 'internal' ? undefined : handOff);
    if (kind !== 'late') return 'held';
    // Released and possibly forgotten: the lifecycle must see it busy again, or an exit would not name this job.
    this.#options.observer.invokeChanged(this);
    return 'late';
  }

  /** The runtime posted the response (or streamed it): queued job functions start, unless it came at or after deadline − margin. */
  respond(): void {
    // Once released, a second report (the runtime's `next` after a returned response) changes nothing.
    if (this.#phase === 'released') return;
    this.#respondedAt ??= this.#options.clock.monoNow();
    // By the clock (as #checkClock): at or after deadline − margin the response brings the abort (the queued jobs never start); at or after deadline − margin + grace the grace is over, also when its timer is late (a handler that blocked the event loop): what still runs is abandoned now, not counted if it settles before that timer. Inline: one function fewer for V8 to compile per invoke (bench/gc-trace.ts --compiles).
    const pastNearMs = this.#jobs ? this.#options.clock.wallNow() - this.#deadlineMs + this.#options.marginMs : -1;
    if (this.#phase === 'running' && this.#jobs && pastNearMs >= 0) this.#abortNear(this.#jobs);
    else if (this.#phase === 'aborting' && pastNearMs >= this.#options.graceMs) this.#deadline?.endGrace();
    if (this.#phase === 'running') this.#phase = 'responded';
    this.#jobs?.start();
    this.#check();
  }

  /** The handler is done with the invoke (returned, called back, or the runtime asked for its next). */
  finishHandler(): void {
    this.#handlerReturned = true;
    if (this.#phase === 'running' && this.#jobs && this.#options.clock.wallNow() >= this.#deadlineMs - this.#options.marginMs) this.#abortNear(this.#jobs); // as respond()
    if (this.#phase === 'running' || this.#phase === 'responded') this.#phase = 'done';
    this.respond();
  }

  /** A drain inside the handler: start the queued jobs now, as without the layer. */
  startEarly(): void {
    this.#jobSet().start();
    this.#check(); // an abort at its making (deadline − margin passed) left nothing to wait for
  }

  /** True once the extension loop holds this invoke (it got the INVOKE event). */
  get claimed(): boolean { return this.#claimed; }

  /** The extension loop holds the invoke: resolves when it is released (the loop then calls `next`). */
  whenReleased(): Promise<ReleaseReason> {
    this.#claimed = true;
    if (this.#reason) return Promise.resolve(this.#reason);
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  #jobSet(): InvokeJobs {
    if (this.#jobs) return this.#jobs;
    const { concurrency, logger, defer, raiseListenerLimit } = this.#options;
    // Made on first use: most invokes have no jobs, and this runs in every invoke.
    const jobs = new InvokeJobs({
      requestId: this.#requestId, deadlineMs: this.#deadlineMs, concurrency, logger, defer, ...(raiseListenerLimit ? { raiseListenerLimit } : {}),
      // Bound, not arrows: called per job and per batch of jobs, and a bound function is no code of its own for V8 to compile.
      onChange: this.#check.bind(this),
      runInContext: this.#options.context.run.bind(this.#options.context, this),
    });
    this.#jobs = jobs;
    if (this.#phase !== 'running') jobs.start();
    if (this.#phase === 'released') return jobs;
    // deadline − margin passed (by the clock): the abort now, before the first job is placed (it starts at once, its signal aborted).
    const nearAt = this.#deadlineMs - this.#options.marginMs;
    if (this.#options.clock.wallNow() >= nearAt) this.#abortNear(jobs);
    else this.#cancelNear = this.#options.deadlines.at(nearAt, () => this.#deadlineNear(jobs));
    return jobs;
  }

  /** Before a job is placed, by the wall clock: past deadline − margin, the abort (it starts at once, aborted); past deadline − margin + grace, the grace's end too. True: it runs late. */
  #checkClock(): boolean {
    if (this.#phase === 'released' || this.#phase === 'handing-off') return true;
    const pastNearMs = this.#options.clock.wallNow() - this.#deadlineMs + this.#options.marginMs;
    if (pastNearMs < 0) return false;
    this.#abortNear(this.#jobSet()); // a no-op while aborting; a set made now brings the abort (no grace left: the release) itself
    if (pastNearMs < this.#options.graceMs) return false;
    this.#deadline?.endGrace(); // a no-op before the grace began (an abort listener enqueues) or after it ended
    return true;
  }

  /** The timer at deadline − margin. */
  #deadlineNear(jobs: InvokeJobs): void {
    this.#abortNear(jobs);
    this.#check();
  }

  /** deadline − margin: abort the signal, drop what never started, give the rest the grace. Once: its timer is cancelled. */
  #abortNear(jobs: InvokeJobs): void {
    if (this.#phase === 'released' || this.#phase === 'aborting' || this.#phase === 'handing-off') return;
    const flush = this.#phase === 'done';
    const handlerRunning = this.#phase === 'running';
    this.#phase = 'aborting';
    this.#cancelNear?.();
    const deadline = (this.#deadline = new InvokeDeadline(this, jobs, this.#options, {
      handOff: () => { this.#phase = 'handing-off'; this.#options.observer.invokeChanged(this); }, // aborting → handing-off
      release: () => { if (this.#phase !== 'released') this.#release('deadline'); },
    }));
    deadline.grace(deadline.abort(), { handlerRunning }); // its WARN names what ran at the deadline: not the flushers started now
    if (flush && this.#phase === 'aborting') this.#startFlushers(); // the last chance before the release: they share the grace
  }

  /** The one decision, made after every transition and job change: may this invoke be released now? */
  #check(): void {
    if (this.#phase === 'released') return this.#options.observer.invokeChanged(this); // a late or abandoned job settled
    if (this.idle && this.#phase === 'done' && this.#startFlushers()) return this.#options.observer.invokeChanged(this);
    if (this.idle && (this.#phase === 'done' || this.#phase === 'flushing')) this.#release('settled');
    // Aborting, the handler still running: held to the grace's end (the invoke cannot end before the runtime's `next`); its jobs enqueued then get the grace.
    else if (this.idle && this.#phase === 'aborting' && this.#handlerReturned) this.#deadline?.finish(); // aborting → released, through handing-off while hand-offs are pending
    else this.#options.observer.invokeChanged(this);
  }

  /** done → flushing; false (nothing changes) without flushers. Once per invoke without a flag: it runs only from `done` (at idle, or at the deadline), and both leave `done`. */
  #startFlushers(): boolean {
    const flushers = this.#options.flushers?.entries;
    if (!flushers || flushers.length === 0) return false;
    if (this.#phase === 'done') this.#phase = 'flushing';
    const { logger, defer } = this.#options;
    const context = this.#jobSet().context; // the jobs' own: one signal for both
    (this.#flushes ??= new FlushSet({ requestId: this.#requestId, logger, defer, context, onChange: () => this.#check(), runInContext: (fn) => this.#options.context.run(this, fn) })).run(flushers);
    return true;
  }

  #release(reason: ReleaseReason): void {
    this.#reason = reason;
    this.#cancelNear?.();
    this.#deadline?.cancel();
    this.#phase = 'released';
    if (this.#jobs) summarizeRelease(this.#options, { requestId: this.requestId, outcome: reason, stats: this.#jobs.stats, flushStats: this.#flushes?.stats, respondedAt: this.#respondedAt });
    const waiters = this.#waiters; // taken, not copied: resolving runs no code before the next turn
    this.#waiters = undefined;
    if (waiters) for (const resolve of waiters) resolve(reason);
    this.#options.observer.invokeChanged(this);
  }
}
