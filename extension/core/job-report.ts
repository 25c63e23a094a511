import { describeError } from '../../shared/describe-error.ts';
import type { Logger } from '../../shared/log-line.ts';
import type { Settlement } from '../../shared/settle.ts';

/**
 * Where a job stood when it settled: holding its invoke, running unheld (no invoke holds: Managed
 * Instances, no Runtime API, the loop stopped), enqueued after the release, or abandoned at the deadline.
 */
export type SettledPhase = 'held' | 'unheld' | 'late' | 'abandoned';

interface SettledJob {
  readonly requestId: string;
  readonly job: string;
  readonly jobId: number;
  readonly phase: SettledPhase;
  readonly outcome: Settlement;
}

const FAILED: Record<SettledPhase, string> = {
  held: 'job failed',
  unheld: 'job failed',
  late: 'job enqueued after its invoke was released failed (it was not held)',
  abandoned: 'abandoned job failed after the release',
};
const FINISHED: Record<SettledPhase, string | undefined> = {
  held: undefined,
  unheld: undefined,
  late: 'job enqueued after its invoke was released finished (it was not held)',
  abandoned: 'abandoned job finished after the release',
};

/** Whether {@link reportSettlement} writes a line: asked first, so no fields object is made per job that succeeds while held. */
export function settlementReported(phase: SettledPhase, outcome: Settlement): boolean {
  return !outcome.ok || FINISHED[phase] !== undefined;
}

/**
 * One line per job that failed, and per late or abandoned job that settled, under the request
 * id of the invoke it belongs to. Never throws: `describeError` and the logger are total.
 */
export function reportSettlement(logger: Logger, { requestId, job, jobId, phase, outcome }: SettledJob): void {
  // Fields built only for a line that is written: most jobs succeed while held, and log nothing.
  if (!outcome.ok) logger.log('ERROR', FAILED[phase], { requestId, job, jobId, ...describeError(outcome.error) });
  else if (FINISHED[phase] !== undefined) logger.log('INFO', FINISHED[phase], { requestId, job, jobId });
}

/** A flusher's failure, or its end after it was abandoned at the deadline, by the flusher's name. */
export function reportFlusher(logger: Logger, { requestId, flusher, phase, outcome }: { readonly requestId: string; readonly flusher: string; readonly phase: SettledPhase; readonly outcome: Settlement }): void {
  const late = phase === 'abandoned' ? ' after it was abandoned at the deadline' : '';
  if (!outcome.ok) logger.log('ERROR', `flusher failed${late}`, { requestId, flusher, ...describeError(outcome.error) });
  else if (late) logger.log('INFO', `flusher finished${late}`, { requestId, flusher });
}
