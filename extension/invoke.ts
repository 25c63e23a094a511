import type { Job } from '../client/host-interface.ts';
import { PendingHandOffs } from './hand-offs.ts';
import { InvokeJobs, type HandOff } from './invoke-jobs.ts';
import type { InvokeOptions, ReleaseReason } from './invoke-options.ts';

export type { Clock, InvokeOptions, InvokeSummary, ReleaseReason } from './invoke-options.ts';

/**
 * An invoke's life as the extension sees it. Each step is one named transition below:
 *
 *   running ──respond()──▶ responded ──finishHandler()──▶ done ──(jobs settled)──▶ flushing ──(flushers settled)──▶ released 'settled'
 *      │                       │                            │                        │
 *      └───────────────────────┴────(deadline − margin)─────┴────────────────────────┴──▶ aborting ──(settled | grace over)──▶ released 'deadline'
 *                                                                                                  │                                   ▲
 *                                                                      (hand-offs pending) ──▶ handing-off ──(hand-offs settled | deadline − safety)
 *
 * `finishHandler()` from `running` implies `respond()`. `flushing` is skipped when no flusher is
 * registered; it happens once per invoke (work a flusher enqueues is held, not flushed again).
 * A deadline reached in `done` starts the flushers with the aborted signal, sharing the grace.
 * `handing-off`: jobs that could not finish here (tasks) are being passed on (sent to their
 * queue) — those that never started at the abort, those still running when the grace ends.
 * Nothing else changes the phase.
 */
export type Phase = 'running' | 'responded' | 'done' | 'flushing' | 'aborting' | 'handing-off' | 'released';

/**
 * How long before the deadline a pending hand-off stops holding the release. A warm SQS send
 * takes 7–10 ms against ElasticMQ on loopback (FACTS.md; docs/tasks.md for the rig's figures),
 * so with the default margin and grace (500, 250 ms) the hand-offs at the grace's end get 200 ms.
 */
export const HAND_OFF_SAFETY_MS = 50;


/** One invoke: its phase, its jobs and its deadline. Private state, changed only by the transitions. */
export class Invoke {
  readonly #options: InvokeOptions;
  readonly #requestId: string;
  readonly #deadlineMs: number;
  #phase: Phase = 'running';
  #jobs: InvokeJobs | undefined;
  #respondedAt: number | undefined;
  #cancelTimer: (() => void) | undefined;
  #waiters: Array<(reason: ReleaseReason) => void> | undefined;
  #reason: ReleaseReason | undefined;
  #claimed = false;
  /** Hand-offs started and not yet settled (the release waits for them). Made at the deadline. */
  #handingOff: PendingHandOffs | undefined;

  /** `deadlineMs`: epoch milliseconds, from the platform (`Lambda-Runtime-Deadline-Ms`, the INVOKE event). */
  constructor(options: InvokeOptions, requestId: string, deadlineMs: number) {
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

  /** Hand-offs of this invoke's unfinished jobs that have one (the shutdown's best effort). */
  unfinishedHandOffs(): Array<{ readonly name: string; readonly run: HandOff }> {
    return this.#jobs?.unfinishedHandOffs() ?? [];
  }

  /** The signal of this invoke's jobs (external jobs forward its abort). */
  get signal(): AbortSignal {
    return this.#jobSet().signal;
  }

  /** Adds a job: held while the invoke is not released; afterwards it runs at once, unheld (`late`). */
  enqueue(job: Job, name: string, options: { readonly internal?: boolean; readonly handOff?: HandOff | undefined } = {}): 'held' | 'late' {
    const kind = this.#phase === 'released' ? 'late' : options.internal ? 'internal' : 'held';
    // A late task runs unheld, yet SIGTERM can still hand it off (the exit report).
    this.#jobSet().add(job, name, kind, kind === 'internal' ? undefined : options.handOff);
    if (kind !== 'late') return 'held';
    // Released and possibly forgotten: the lifecycle must see it busy again, or an exit would not name this job.
    this.#options.onTransition(this);
    return 'late';
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
    const { concurrency, logger, defer } = this.#options;
    // Made on first use: most invokes have no jobs, and this runs in every invoke.
    this.#jobs = new InvokeJobs({
      requestId: this.#requestId, deadlineMs: this.#deadlineMs, concurrency, logger, ...(defer ? { defer } : {}),
      onChange: () => this.#check(),
      runInContext: (fn) => this.#options.runInContext(this, fn),
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
    if (this.#phase === 'released' || this.#phase === 'aborting' || this.#phase === 'handing-off') return;
    const flush = this.#phase === 'done';
    this.#phase = 'aborting';
    const jobs = this.#jobSet();
    const dropped = jobs.abort();
    this.#handOffs().start(jobs.takeHandOffs()); // never started: sent now, while the rest get the grace
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
    this.#handOffs().start(this.#jobSet().takeHandOffs());
    this.#finishAborting();
  }

  #handOffs(): PendingHandOffs {
    return (this.#handingOff ??= new PendingHandOffs(() => {
      if (this.#phase === 'handing-off' && this.#handingOff?.size === 0) this.#release('deadline');
    }));
  }

  /** aborting → released, through handing-off while hand-offs are pending (bounded by deadline − safety). */
  #finishAborting(): void {
    if (!this.#handingOff?.size) return this.#release('deadline');
    this.#phase = 'handing-off';
    this.#cancelTimer?.();
    const { clock, setTimer, logger } = this.#options;
    this.#cancelTimer = setTimer(() => {
      if (this.#phase !== 'handing-off') return;
      logger.log('ERROR', 'hand-offs did not finish before the deadline: the release goes ahead; these may be LOST', { requestId: this.requestId, jobs: this.#handingOff?.names() ?? [], tasks: this.#handingOff?.tasks() ?? [] });
      this.#release('deadline');
    }, Math.max(0, this.#deadlineMs - HAND_OFF_SAFETY_MS - clock.wallNow()));
    this.#options.onTransition(this);
  }

  /** The one decision, made after every transition and job change: may this invoke be released now? */
  #check(): void {
    if (this.#phase === 'released') return this.#options.onTransition(this); // a late or abandoned job settled
    if (this.idle && this.#phase === 'done' && this.#startFlushers()) return this.#options.onTransition(this);
    if (this.idle && (this.#phase === 'done' || this.#phase === 'flushing')) this.#release('settled');
    else if (this.idle && this.#phase === 'aborting') this.#finishAborting();
    else this.#options.onTransition(this);
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
    if (this.#jobs && reportable(this.#jobs)) {
      const { stats, flushStats } = this.#jobs;
      const since = this.#respondedAt;
      const responseToReleaseMs = since === undefined ? undefined : round(this.#options.clock.monoNow() - since);
      this.#options.logger.log('INFO', 'after-response summary', { requestId: this.requestId, outcome: reason, ...stats, ...flushStats, responseToReleaseMs });
      this.#options.onSummary?.({ requestId: this.requestId, outcome: reason, stats, flushStats, responseToReleaseMs, releasedAtMs: this.#options.clock.wallNow() });
    }
    for (const resolve of this.#waiters?.splice(0) ?? []) resolve(reason);
    this.#options.onTransition(this);
  }
}

/**
 * Whether a released invoke is summarized (log line, EMF): it had jobs, or a flusher failed or was
 * abandoned. Not merely because flushers ran and succeeded: that is every invoke once a flusher is
 * registered, one line each — CloudWatch Logs ingestion cost and noise with nothing to act on.
 */
function reportable({ stats, flushStats }: InvokeJobs): boolean {
  return stats.enqueued > 0 || (flushStats !== undefined && flushStats.flushFailed + flushStats.flushAbandoned > 0);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
