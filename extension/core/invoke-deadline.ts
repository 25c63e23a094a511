import { PendingHandOffs } from './hand-offs.ts';
import type { InvokeJobs } from './invoke-jobs.ts';
import type { InvokeOptions } from './invoke-options.ts';

/**
 * How long before the deadline a pending hand-off stops holding the release. A warm SQS send
 * takes 7–10 ms against ElasticMQ on loopback (docs/tasks.md has the rig's figures),
 * so with the default margin and grace (500, 250 ms) the hand-offs at the grace's end get 200 ms.
 */
export const HAND_OFF_SAFETY_MS = 50;

/** The invoke's transitions its deadline drives after deadline − margin (invoke.ts owns the phase). */
export interface DeadlineSteps {
  /** The grace ended: what still ran was abandoned, and the hand-offs of those are started. */
  graceOver(): void;
  /** Every hand-off started has settled, or their bound expired. */
  handedOff(): void;
}

/** What the deadline reads of its invoke (invoke.ts): jobs and flushers alike. */
export interface DeadlineInvoke {
  readonly requestId: string;
  readonly deadlineMs: number;
  /** Every unfinished job's and flusher's name. */
  unfinished(): string[];
  /** The grace is over: running flushers are abandoned; returns their names. */
  abandonFlushers(): string[];
}

type DeadlineOptions = Pick<InvokeOptions<unknown>, 'marginMs' | 'graceMs' | 'clock' | 'setTimer' | 'logger'>;

/**
 * An invoke's deadline once deadline − margin is reached (the invoke's timer, deadline-timers.ts),
 * made then: most invokes release before, and an object made per invoke is two more functions
 * (its constructor and its fields' initializer) for V8 to compile in the per-invoke burst
 * (bench/gc-trace.ts --compiles). What it does: the abort (what
 * never started is dropped and, if it has one, handed off at once), the grace, the abandon (the
 * hand-offs of what still runs), and the bound on the hand-offs (deadline − HAND_OFF_SAFETY_MS).
 * It owns the invoke's one timer at a time from then; the phases are the invoke's, told through `steps`.
 */
export class InvokeDeadline {
  readonly #invoke: DeadlineInvoke;
  readonly #jobs: InvokeJobs;
  readonly #options: DeadlineOptions;
  readonly #steps: DeadlineSteps;
  /** Hand-offs started and not yet settled (the release waits for them). Made at the abort. */
  #handOffs: PendingHandOffs | undefined;
  #cancelTimer: (() => void) | undefined;
  /** Set while the grace runs: its timer is pending. */
  #graceRunning = false;

  constructor(invoke: DeadlineInvoke, jobs: InvokeJobs, options: DeadlineOptions, steps: DeadlineSteps) {
    this.#invoke = invoke;
    this.#jobs = jobs;
    this.#options = options;
    this.#steps = steps;
  }

  /** Hand-offs are started and not all settled. */
  get handingOff(): boolean {
    return (this.#handOffs?.size ?? 0) > 0;
  }

  /** Aborts the jobs' signal and drops what never started; returns the names dropped. */
  abort(): string[] {
    const dropped = this.#jobs.abort();
    this.#startHandOffs(); // never started: sent now, while the rest get the grace
    return dropped;
  }

  /**
   * What still runs gets the grace (one WARN naming it, and what never started). `handlerRunning`:
   * the handler had not returned at deadline − margin — the jobs it had queued never started, and
   * the fix is the handler's.
   */
  grace(dropped: readonly string[], { handlerRunning }: { readonly handlerRunning: boolean }): void {
    const { logger, graceMs, marginMs, setTimer, clock } = this.#options;
    const running = this.#invoke.unfinished(); // the queue was emptied by the abort: what is left runs
    // The grace ends where it would have had the abort come at deadline − margin: an invoke that
    // starts with less time left than the margin (or a timer that fires late) gets what is left of
    // it, so the release — and the WARN naming what is abandoned — comes before the deadline.
    const leftMs = Math.round(Math.max(0, Math.min(graceMs, this.#invoke.deadlineMs - marginMs + graceMs - clock.wallNow())));
    logger.log('WARN', deadlineNearMessage({ leftMs, handlerRunning, neverStarted: dropped.length > 0 }), {
      requestId: this.#invoke.requestId, running, neverStarted: dropped, marginMs, graceMs, ...(leftMs < graceMs ? { graceLeftMs: leftMs } : {}), ...(handlerRunning ? { handlerRunning } : {}),
    });
    // No grace left: it ends now, not on a timer that lets what is placed meanwhile start only to be abandoned.
    this.#graceRunning = true;
    if (leftMs === 0) this.#graceOver();
    else this.#cancelTimer = setTimer(() => this.#graceOver(), leftMs);
  }

  /** deadline − margin + grace has passed before the grace's timer ran (a blocked event loop): it ends now. Only while it runs. */
  endGrace(): void {
    if (!this.#graceRunning) return;
    this.#cancelTimer?.();
    this.#graceOver();
  }

  /** The release waits for the pending hand-offs until deadline − HAND_OFF_SAFETY_MS, then goes ahead (one ERROR naming them). */
  boundHandOffs(): void {
    this.#cancelTimer?.();
    const { clock, setTimer, logger } = this.#options;
    this.#cancelTimer = setTimer(() => {
      logger.log('ERROR', 'hand-offs did not finish before the deadline: the release goes ahead; these may be LOST', { requestId: this.#invoke.requestId, jobs: this.#handOffs?.names() ?? [], tasks: this.#handOffs?.tasks() ?? [] });
      this.#steps.handedOff();
    }, Math.max(0, this.#invoke.deadlineMs - HAND_OFF_SAFETY_MS - clock.wallNow()));
  }

  /** The invoke is released: no timer of its fires any more. */
  cancel(): void {
    this.#cancelTimer?.();
  }

  #graceOver(): void {
    this.#graceRunning = false;
    const names = [...this.#jobs.abandon(), ...this.#invoke.abandonFlushers()];
    if (names.length > 0) {
      this.#options.logger.log('WARN', 'abandoning unfinished jobs: they freeze with the environment and may resume on a later invoke, unheld (on Managed Instances, where nothing freezes, they run on, unheld)', {
        requestId: this.#invoke.requestId, jobs: names,
      });
    }
    this.#startHandOffs();
    this.#steps.graceOver();
  }

  #startHandOffs(): void {
    this.#handOffs ??= new PendingHandOffs(() => {
      if (this.#handOffs?.size === 0) this.#steps.handedOff();
    });
    this.#handOffs.start(this.#jobs.takeHandOffs());
  }
}

/**
 * The `deadline near` WARN's text: what the abort means now, and whose the fix is. The
 * never-started part only when something never started; "no grace left" when the abort came at
 * or after deadline − margin + grace (an invoke started with less time left than margin − grace,
 * or a handler that ran past it): the invoke is released at once.
 */
function deadlineNearMessage({ leftMs, handlerRunning, neverStarted }: { readonly leftMs: number; readonly handlerRunning: boolean; readonly neverStarted: boolean }): string {
  const what = leftMs === 0
    ? "deadline near, no grace left (deadline − margin + grace has passed): the jobs' signal is aborted, unfinished jobs are abandoned and the invoke is released now; jobs enqueued from now run unheld."
    : `deadline near: the jobs' signal is aborted; unfinished jobs get ${String(leftMs)} ms to stop before the release.`;
  if (!handlerRunning) return `${what} Fix: raise the function's timeout, or make long jobs honour \`signal\``;
  const why = neverStarted
    ? 'The handler itself had not returned at deadline − margin, so the jobs it had queued never started.'
    : leftMs === 0 ? 'The handler itself had not returned.' : 'The handler itself had not returned at deadline − margin: the jobs it enqueues until the grace ends start with their signal aborted.';
  return `${what} ${why} Fix: raise the function's timeout, or find what the handler waits for`;
}
