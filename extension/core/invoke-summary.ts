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

/** The `after-response summary` line and the summary hook (EMF), for a reportable release. */
export function summarizeRelease(options: Pick<InvokeOptions<unknown>, 'clock' | 'logger' | 'onSummary'>, { requestId, outcome, stats, flushStats, respondedAt }: ReleasedInvoke): void {
  if (!reportable(stats, flushStats)) return;
  const responseToReleaseMs = respondedAt === undefined ? undefined : round(options.clock.monoNow() - respondedAt);
  options.logger.log('INFO', 'after-response summary', { requestId, outcome, ...stats, ...flushStats, responseToReleaseMs });
  options.onSummary?.({ requestId, outcome, stats, flushStats, responseToReleaseMs, releasedAtMs: options.clock.wallNow() });
}

/**
 * Whether a released invoke is summarized (log line, EMF): it had jobs, or a flusher failed or was
 * abandoned. Not merely because flushers ran and succeeded: that is every invoke once a flusher is
 * registered, one line each — CloudWatch Logs ingestion cost and noise with nothing to act on.
 */
function reportable(stats: JobStats, flushStats: FlushStats | undefined): boolean {
  return stats.enqueued > 0 || (flushStats !== undefined && flushStats.flushFailed + flushStats.flushAbandoned > 0);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
