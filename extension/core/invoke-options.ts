import type { Logger } from '../../shared/log-line.ts';
import type { FlushStats, JobStats } from './job-stats.ts';
import type { AsyncContext } from './async-context.ts';
import type { DeadlineTimers } from './deadline-timers.ts';
import type { FlusherEntry } from './flusher-registry.ts';

/** What an invoke (invoke.ts) and its job set (invoke-jobs.ts) are made with, and what its release reports. */

/** Why an invoke's hold ended. */
export type ReleaseReason = 'settled' | 'deadline';

/** Both clocks, injected: deadlines are the platform's wall clock, durations the monotonic one. */
export interface Clock {
  /** Epoch milliseconds (`Date.now`): the clock of `deadlineMs`, as RIC computes remaining time. */
  readonly wallNow: () => number;
  /** Monotonic milliseconds (e.g. `process.uptime() * 1000`), for durations. */
  readonly monoNow: () => number;
}

/** Told of an invoke's every transition and job change (the lifecycle: drain waiters, the exit report's registry). */
export interface InvokeObserver<I> {
  invokeChanged(invoke: I): void;
}

/**
 * What every invoke shares: made once by the lifecycle, not once per invoke (this runs in every
 * invoke). `I` is the invoke (invoke.ts), a parameter so that this file need not import it.
 */
export interface InvokeOptions<I> {
  readonly marginMs: number;
  readonly graceMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Schedules an unref'd timer; returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** The async context: job functions run in their invoke's (see async-context.ts). */
  readonly context: AsyncContext<I>;
  /** Told after every transition and every job change. */
  readonly observer: InvokeObserver<I>;
  /** Every invoke's timer at deadline − margin, on one timer (deadline-timers.ts). */
  readonly deadlines: DeadlineTimers;
  /** Runs `run` after the current turn (Node's `setImmediate`). */
  readonly defer: (run: () => void) => void;
  /** Lifts the listener limit of an invoke's job signal, which every job may listen to (no leak warning at 11). */
  readonly raiseListenerLimit?: (signal: AbortSignal) => void;
  /** The flushers registered now (read once per invoke, when its jobs have settled). */
  readonly flushers?: { readonly entries: readonly FlusherEntry[] };
  /** Told at the release of an invoke that had jobs (the layer's own metrics). */
  readonly onSummary?: (summary: InvokeSummary) => void;
}

/** What an invoke's job set (invoke-jobs.ts) is made with: the invoke's options, and its own. */
export interface InvokeJobsOptions {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  /** Called after every change that may have made the set idle. */
  readonly onChange: () => void;
  /** Runs a job function inside its invoke's async context (attribution of what it enqueues); returns what `fn` returns. */
  readonly runInContext: (fn: () => unknown) => unknown;
  /** Starts queued functions off the caller's stack (Node's `setImmediate`). */
  readonly defer: (run: () => void) => void;
  /** Lifts the listener limit of the jobs' signal (Node's `events.setMaxListeners(0, signal)`). @default none */
  readonly raiseListenerLimit?: (signal: AbortSignal) => void;
}


/** What the release of an invoke with jobs, or with flushers that failed or were abandoned, reports. */
export interface InvokeSummary {
  readonly requestId: string;
  readonly outcome: ReleaseReason;
  readonly stats: Readonly<JobStats>;
  /** Flusher counts; undefined when no flusher ran in this invoke. */
  readonly flushStats: Readonly<FlushStats> | undefined;
  /** Response posted → release, ms (monotonic); undefined if no response was seen. */
  readonly responseToReleaseMs: number | undefined;
  /** The release, epoch ms. */
  readonly releasedAtMs: number;
}

/** The options of every invoke, from the lifecycle's own and what only it provides. */
export function sharedInvokeOptions<I>(
  options: Pick<InvokeOptions<I>, 'concurrency' | 'marginMs' | 'graceMs' | 'logger' | 'clock' | 'setTimer' | 'defer' | 'raiseListenerLimit' | 'onSummary' | 'context'>,
  own: Pick<InvokeOptions<I>, 'flushers' | 'observer' | 'deadlines'>,
): InvokeOptions<I> {
  const { concurrency, marginMs, graceMs, logger, clock, setTimer, defer, raiseListenerLimit, onSummary, context } = options;
  return { concurrency, marginMs, graceMs, logger, clock, setTimer, context, defer, ...(raiseListenerLimit ? { raiseListenerLimit } : {}), ...(onSummary ? { onSummary } : {}), ...own };
}
