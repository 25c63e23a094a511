import type { Job } from '../../shared/host-protocol.ts';
import { InvokeJobs, type JobKind } from './invoke-jobs.ts';
import type { InvokeOptions, ReleaseReason } from './invoke-options.ts';
import { summarizeRelease } from './invoke-summary.ts';

export type { Clock, InvokeObserver, InvokeOptions, InvokeSummary, ReleaseReason } from './invoke-options.ts';


/** How a job placed in an invoke before its release holds it: a user's job, or the extension's own. */
export type HeldKind = Extract<JobKind, 'held' | 'internal'>;

/**
 * An invoke's life as the extension sees it. Each step is one named transition below:
 *
 *   running ──respond()──▶ responded ──finishHandler()──▶ done ──(jobs settled)──▶ flushing ──(flushers settled)──▶ released 'settled'
 *      │                       │                            │                        │
 *      └───────────────────────┴────(deadline − margin)─────┴────────────────────────┴──▶ aborting ──(settled | grace over)──▶ released 'deadline'
 *
 * `finishHandler()` from `running` implies `respond()`. `flushing` is skipped when no flusher is
 * registered; it happens once per invoke (work a flusher enqueues is held, not flushed again).
 * A deadline reached in `done` starts the flushers with the aborted signal, sharing the grace.
 * Nothing else changes the phase.
 */
export type Phase = 'running' | 'responded' | 'done' | 'flushing' | 'aborting' | 'released';


/** One invoke: its phase, its jobs and its deadline. Private state, changed only by the transitions. */
export class Invoke {
  readonly #options: InvokeOptions<Invoke>;
  readonly #requestId: string;
  readonly #deadlineMs: number;
  #phase: Phase = 'running';
  #jobs: InvokeJobs | undefined;
  #respondedAt: number | undefined;
  #cancelTimer: (() => void) | undefined;
  #waiters: Array<(reason: ReleaseReason) => void> | undefined;
  #reason: ReleaseReason | undefined;
  #claimed = false;

  /** `deadlineMs`: epoch milliseconds, from the platform (`Lambda-Runtime-Deadline-Ms`, the INVOKE event). */
  constructor(options: InvokeOptions<Invoke>, requestId: string, deadlineMs: number) {
    this.#options = options;
    this.#requestId = requestId;
    this.#deadlineMs = deadlineMs;
  }

  get requestId(): string {
    return this.#requestId;
  }

  get deadlineMs(): number {
    return this.#deadlineMs;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** No held job queued or unfinished. */
  get idle(): boolean {
    return this.#jobs?.idle ?? true;
  }

  /** True while any job, held or not, is queued or unfinished. */
  get busy(): boolean {
    return this.#jobs?.busy ?? false;
  }

  /** Every unfinished job's name, held or not (the exit report). */
  unfinished(): string[] {
    return this.#jobs?.unfinished() ?? [];
  }

  /** The signal of this invoke's jobs (external jobs forward its abort). */
  get signal(): AbortSignal {
    return this.#jobSet().signal;
  }

  /**
   * Adds a job: held while the invoke is not released (`internal`: the extension's own, held but
   * not counted); afterwards it runs at once, unheld (`late`).
   */
  enqueue(job: Job, name: string, held: HeldKind = 'held'): 'held' | 'late' {
    const kind = this.#phase === 'released' ? 'late' : held;
    this.#jobSet().add(job, name, kind);
    return kind === 'late' ? 'late' : 'held';
  }

  /** The runtime posted the response (or streamed it): queued job functions start. */
  respond(): void {
    // Once released, a second report (the runtime's `next` after a returned response) changes nothing.
    if (this.#phase === 'released') return;
    this.#respondedAt ??= this.#options.clock.monoNow();
    if (this.#phase === 'running') this.#phase = 'responded';
    this.#jobs?.start();
    this.#check();
  }

  /** The handler is done with the invoke (returned, called back, or the runtime asked for its next). */
  finishHandler(): void {
    if (this.#phase === 'running' || this.#phase === 'responded') this.#phase = 'done';
    this.respond();
  }

  /** A drain inside the handler: start the queued jobs now, as without the layer. */
  startEarly(): void {
    this.#jobSet().start();
  }

  /** True once the extension loop holds this invoke (it got the INVOKE event). */
  get claimed(): boolean {
    return this.#claimed;
  }

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
    this.#jobs = new InvokeJobs({
      requestId: this.#requestId, deadlineMs: this.#deadlineMs, concurrency, logger, defer, ...(raiseListenerLimit ? { raiseListenerLimit } : {}),
      onChange: () => this.#check(),
      runInContext: (fn) => this.#options.context.run(this, fn),
    });
    if (this.#phase !== 'running') this.#jobs.start();
    if (this.#phase !== 'released') this.#armDeadline();
    return this.#jobs;
  }

  #armDeadline(): void {
    const { marginMs, clock, setTimer } = this.#options;
    const delay = Math.max(0, this.#deadlineMs - marginMs - clock.wallNow());
    if (Number.isFinite(delay)) this.#cancelTimer = setTimer(() => this.#deadlineNear(), delay);
  }

  /** deadline − margin: abort the signal, drop what never started, give the rest the grace. */
  #deadlineNear(): void {
    if (this.#phase === 'released' || this.#phase === 'aborting') return;
    const flush = this.#phase === 'done';
    this.#phase = 'aborting';
    const jobs = this.#jobSet();
    const dropped = jobs.abort();
    if (flush) this.#startFlushers(); // the last chance before the release: they share the grace
    const { logger, graceMs, marginMs, setTimer } = this.#options;
    const running = jobs.unfinished(); // the queue was emptied by the abort: what is left runs
    logger.log('WARN', `deadline near: the jobs' signal is aborted; unfinished jobs get ${graceMs} ms to stop before the release. Fix: raise the function's timeout, or make long jobs honour \`signal\``, {
      requestId: this.requestId, running, neverStarted: dropped, marginMs, graceMs,
    });
    this.#cancelTimer = setTimer(() => this.#graceOver(), graceMs);
    this.#check();
  }

  #graceOver(): void {
    if (this.#phase === 'released') return;
    const names = this.#jobSet().abandon();
    if (names.length > 0) {
      this.#options.logger.log('WARN', 'abandoning unfinished jobs: they freeze with the environment and may resume on a later invoke, unheld', {
        requestId: this.requestId, jobs: names,
      });
    }
    this.#release('deadline');
  }

  /** The one decision, made after every transition and job change: may this invoke be released now? */
  #check(): void {
    if (this.#phase === 'released') return this.#options.observer.invokeChanged(this); // a late or abandoned job settled
    if (this.idle && this.#phase === 'done' && this.#startFlushers()) return this.#options.observer.invokeChanged(this);
    if (this.idle && (this.#phase === 'done' || this.#phase === 'flushing')) this.#release('settled');
    else if (this.idle && this.#phase === 'aborting') this.#release('deadline');
    else this.#options.observer.invokeChanged(this);
  }

  /**
   * done → flushing; false (and nothing changes) when no flusher is registered. Once per invoke
   * without a flag: it runs only from `done` (at idle, or at the deadline), and both leave `done`.
   */
  #startFlushers(): boolean {
    const flushers = this.#options.flushers?.entries;
    if (!flushers || flushers.length === 0) return false;
    if (this.#phase === 'done') this.#phase = 'flushing';
    const jobs = this.#jobSet();
    for (const { run, name } of flushers) jobs.add(run, name, 'flush');
    return true;
  }

  #release(reason: ReleaseReason): void {
    this.#reason = reason;
    this.#cancelTimer?.();
    this.#phase = 'released';
    if (this.#jobs) summarizeRelease(this.#options, { requestId: this.requestId, outcome: reason, jobs: this.#jobs, respondedAt: this.#respondedAt });
    for (const resolve of this.#waiters?.splice(0) ?? []) resolve(reason);
    this.#options.observer.invokeChanged(this);
  }
}
