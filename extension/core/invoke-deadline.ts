import { deadlineNearMessage } from './deadline-texts.ts';
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
  /** aborting → handing-off: the aborting is over, and hand-offs started are pending. */
  handOff(): void;
  /** → released 'deadline': the aborting is over with no hand-off pending, or the hand-offs settled or their bound expired. A no-op once released. */
  release(): void;
}

/** What the deadline reads of its invoke (invoke.ts): jobs and flushers alike. */
export interface DeadlineInvoke {
  readonly requestId: string;
  readonly deadlineMs: number;
  /** The time left (ms) when the invoke started, if that was inside its margin (deadline − margin had passed); else undefined. */
  readonly leftAtStartMs: number | undefined;
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
 * hand-offs of what still runs), the end of the aborting ({@link finish}: the release, or handing
 * off first, bounded by deadline − HAND_OFF_SAFETY_MS). It owns the invoke's one timer at a time
 * from then; the phases are the invoke's, told through `steps`.
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
  /** Set once the aborting is over and the release waits for the hand-offs (the invoke is handing off). */
  #waitingForHandOffs = false;

  constructor(invoke: DeadlineInvoke, jobs: InvokeJobs, options: DeadlineOptions, steps: DeadlineSteps) {
    this.#invoke = invoke;
    this.#jobs = jobs;
    this.#options = options;
    this.#steps = steps;
  }

  /** Aborts the jobs' signal and drops what never started; returns the names dropped. */
  abort(): string[] {
    const dropped = this.#jobs.abort(() => this.#endGraceIfOver());
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
    const { leftAtStartMs, requestId } = this.#invoke;
    const running = this.#invoke.unfinished(); // the queue was emptied by the abort: what is left runs
    // The grace ends where it would have had the abort come at deadline − margin: an invoke that
    // starts with less time left than the margin (or a timer that fires late) gets what is left of
    // it, so the release — and the WARN naming what is abandoned — comes before the deadline.
    const leftMs = Math.round(Math.max(0, Math.min(graceMs, this.#invoke.deadlineMs - marginMs + graceMs - clock.wallNow())));
    logger.log('WARN', deadlineNearMessage({ leftMs, handlerRunning, neverStarted: dropped.length > 0, leftAtStartMs, marginMs }), {
      requestId, running, neverStarted: dropped, marginMs, graceMs, ...(leftMs < graceMs ? { graceLeftMs: leftMs } : {}), ...(handlerRunning ? { handlerRunning } : {}),
      ...(leftAtStartMs === undefined ? {} : { leftAtStartMs: Math.round(leftAtStartMs) }),
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

  /**
   * Before a job's settlement is counted, in the grace: at or after deadline − margin + grace by
   * the clock, the grace ends first (its timer is late: the event loop was blocked), so a job that
   * settles then settles abandoned, not held — as if the timer had run on time. Per settlement
   * after the abort only.
   */
  #endGraceIfOver(): void {
    const { clock, marginMs, graceMs } = this.#options;
    if (this.#graceRunning && clock.wallNow() >= this.#invoke.deadlineMs - marginMs + graceMs) this.endGrace();
  }

  /**
   * The aborting is over: the grace ended, or nothing is left to run in it and the handler
   * returned. Released now, or, while hand-offs are pending, handing off until they settle —
   * at the latest at deadline − HAND_OFF_SAFETY_MS, when the release goes ahead (one ERROR naming them).
   */
  finish(): void {
    if (this.#waitingForHandOffs) return;
    if ((this.#handOffs?.size ?? 0) === 0) return this.#steps.release(); // no hand-off pending
    this.#waitingForHandOffs = true;
    this.#steps.handOff();
    this.#cancelTimer?.();
    const { clock, setTimer, logger } = this.#options;
    this.#cancelTimer = setTimer(() => {
      logger.log('ERROR', 'hand-offs did not finish before the deadline: the release goes ahead; these may be LOST', { requestId: this.#invoke.requestId, jobs: this.#handOffs?.names() ?? [], tasks: this.#handOffs?.tasks() ?? [] });
      this.#steps.release();
    }, Math.max(0, this.#invoke.deadlineMs - HAND_OFF_SAFETY_MS - clock.wallNow()));
  }

  /** The invoke is released: no timer of its fires any more. */
  cancel(): void {
    this.#graceRunning = false;
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
    this.finish();
  }

  #startHandOffs(): void {
    this.#handOffs ??= new PendingHandOffs(() => {
      if (this.#handOffs?.size === 0 && this.#waitingForHandOffs) this.#steps.release();
    });
    this.#handOffs.start(this.#jobs.takeHandOffs());
  }
}
