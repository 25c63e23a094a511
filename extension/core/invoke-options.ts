import type { Logger } from '../../shared/log-line.ts';
import type { FlushStats, JobStats } from './job-stats.ts';
import type { Invoke } from './invoke.ts';
import type { FlusherEntry } from './lifecycle-options.ts';

/** What an invoke (invoke.ts) is made with, and what its release reports. */

/** Why an invoke's hold ended. */
export type ReleaseReason = 'settled' | 'deadline';

/** Both clocks, injected: deadlines are the platform's wall clock, durations the monotonic one. */
export interface Clock {
  /** Epoch milliseconds (`Date.now`): the clock of `deadlineMs`, as RIC computes remaining time. */
  readonly wallNow: () => number;
  /** Monotonic milliseconds (e.g. `process.uptime() * 1000`), for durations. */
  readonly monoNow: () => number;
}

/** What every invoke shares: made once by the lifecycle, not once per invoke (this runs in every invoke). */
export interface InvokeOptions {
  readonly marginMs: number;
  readonly graceMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Schedules an unref'd timer; returns its cancel function. */
  readonly setTimer: (run: () => void, ms: number) => () => void;
  /** Runs `fn` in this invoke's async context (see invoke-context.ts). */
  readonly runInContext: <T>(invoke: Invoke, fn: () => T) => T;
  /** After every transition and every job change (drain waiters, the exit report's registry). */
  readonly onTransition: (invoke: Invoke) => void;
  readonly defer?: (run: () => void) => void;
  /** The flushers registered now (read once per invoke, when its jobs have settled). */
  readonly flushers?: { readonly entries: readonly FlusherEntry[] };
  /** Told at the release of an invoke that had jobs (the layer's own metrics). */
  readonly onSummary?: (summary: InvokeSummary) => void;
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
export function sharedInvokeOptions(
  options: Pick<InvokeOptions, 'concurrency' | 'marginMs' | 'graceMs' | 'logger' | 'clock' | 'setTimer' | 'defer' | 'onSummary'>,
  own: Pick<InvokeOptions, 'flushers' | 'runInContext' | 'onTransition'>,
): InvokeOptions {
  const { concurrency, marginMs, graceMs, logger, clock, setTimer, defer, onSummary } = options;
  return { concurrency, marginMs, graceMs, logger, clock, setTimer, ...(defer ? { defer } : {}), ...(onSummary ? { onSummary } : {}), ...own };
}
