import type { InvokeSummary } from '../core/invoke.ts';

/**
 * The layer's own metrics as CloudWatch Embedded Metric Format: one JSON line per invoke that
 * had jobs or a flusher that failed or was abandoned (not per invoke whose flushers merely
 * succeeded: that would be a line for every invoke, paid for in log ingestion), written to stdout, which Lambda sends to CloudWatch Logs, where the metrics are
 * extracted (no API call, nothing to await). Specification: CloudWatch User Guide,
 * "Specification: Embedded metric format" — `_aws.Timestamp` in epoch ms, `CloudWatchMetrics`
 * directives of ≤ 100 metrics and ≤ 30 dimensions each, every value at the root.
 */
export interface EmfOptions {
  /** `AFTER_RESPONSE_METRICS_NAMESPACE`. */
  readonly namespace: string;
  /** `AWS_LAMBDA_FUNCTION_NAME`: the `FunctionName` dimension (omitted when unknown). */
  readonly functionName: string | undefined;
  /** Writes one finished line (synchronously, like the extension's logger). */
  readonly write: (line: string) => void;
}

/** The metrics of one line, in order; the directive names each with its unit. */
const EMF_METRICS = [
  { Name: 'JobsSucceeded', Unit: 'Count' },
  { Name: 'JobsFailed', Unit: 'Count' },
  { Name: 'JobsAbandoned', Unit: 'Count' },
  { Name: 'FlushersFailed', Unit: 'Count' },
  { Name: 'FlushersAbandoned', Unit: 'Count' },
  { Name: 'PostResponseDuration', Unit: 'Milliseconds' },
] as const;

/** The EMF line (with its newline) for one released invoke. Pure. */
export function emfLine(summary: InvokeSummary, options: Pick<EmfOptions, 'namespace' | 'functionName'>): string {
  const { stats, flushStats, responseToReleaseMs } = summary;
  // A response never seen (the deadline came first) has no post-response duration: left out, not 0.
  const metrics = responseToReleaseMs === undefined ? EMF_METRICS.slice(0, -1) : EMF_METRICS;
  const dimensions = options.functionName === undefined ? [] : ['FunctionName'];
  const line = {
    _aws: {
      Timestamp: Math.round(summary.releasedAtMs),
      CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [dimensions], Metrics: metrics }],
    },
    ...(options.functionName === undefined ? {} : { FunctionName: options.functionName }),
    requestId: summary.requestId,
    outcome: summary.outcome,
    JobsSucceeded: stats.succeeded,
    JobsFailed: stats.failed,
    // Cut off by the deadline, started or not: the summary line tells the two apart.
    JobsAbandoned: stats.abandoned + stats.neverStarted,
    FlushersFailed: flushStats?.flushFailed ?? 0,
    FlushersAbandoned: flushStats?.flushAbandoned ?? 0,
    ...(responseToReleaseMs === undefined ? {} : { PostResponseDuration: responseToReleaseMs }),
  };
  return `${JSON.stringify(line)}\n`;
}

/** The `onSummary` of the lifecycle when `AFTER_RESPONSE_METRICS=emf`; never throws. */
export function createEmfWriter(options: EmfOptions): (summary: InvokeSummary) => void {
  return (summary) => {
    try {
      options.write(emfLine(summary, options));
    } catch {
      // stdout is gone (EPIPE at exit): the logger drops its lines the same way.
    }
  };
}
