import type { InvokeOptions, ReleaseReason } from './invoke-options.ts';
import type { FlushStats, JobStats } from './job-stats.ts';

/** What a release summarizes: the counts of the invoke's jobs and flushers, and when its response was posted (monotonic ms). */
export interface ReleasedInvoke {
  readonly requestId: string;
  readonly outcome: ReleaseReason;
  readonly stats: JobStats;
  /** Undefined when no flusher ran. */
  readonly flushStats: FlushStats | undefined;
  readonly respondedAt: number | undefined;
}

/**
 * The `after-response summary` line and the summary hook (EMF), for a release that had jobs, or
 * whose flushers failed or were abandoned. Not merely because flushers ran and succeeded: that is
 * every invoke once a flusher is registered, one line each — CloudWatch Logs ingestion cost and
 * noise with nothing to act on. `responseToReleaseMs` is rounded to the µs. One function, not
 * three: this runs per invoke, and each is one more for V8 to compile in the per-invoke burst
 * (bench/gc-trace.ts --compiles).
 */
export function summarizeRelease(options: Pick<InvokeOptions<unknown>, 'clock' | 'logger' | 'onSummary'>, { requestId, outcome, stats, flushStats, respondedAt }: ReleasedInvoke): void {
  if (stats.enqueued === 0 && (flushStats === undefined || flushStats.flushFailed + flushStats.flushAbandoned === 0)) return;
  const responseToReleaseMs = respondedAt === undefined ? undefined : Math.round((options.clock.monoNow() - respondedAt) * 1000) / 1000;
  options.logger.log('INFO', 'after-response summary', { requestId, outcome, ...stats, ...flushStats, responseToReleaseMs });
  options.onSummary?.({ requestId, outcome, stats, flushStats, responseToReleaseMs, releasedAtMs: options.clock.wallNow() });
}
