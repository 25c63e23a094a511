import type { Logger } from '../../shared/log-line.ts';
import type { UnfinishedJobs } from '../core/lifecycle.ts';

/** The part of `process` the report needs; injected so tests drive it with a fake. */
export interface ExitSource {
  once(event: 'exit', listener: (code: number) => void): unknown;
  once(event: 'SIGTERM', listener: () => void): unknown;
  listenerCount(event: 'SIGTERM'): number;
  kill(pid: number, signal: 'SIGTERM'): unknown;
  readonly pid: number;
}

export interface ExitReportOptions {
  readonly unfinished: () => readonly UnfinishedJobs[];
  /** Must write synchronously: nothing asynchronous runs after `exit`. */
  readonly logger: Logger;
  readonly source: ExitSource;
  /** SIGTERM listeners belong to the main thread only (workers get no signals). */
  readonly signals: 'main-thread' | 'none';
}

/**
 * Names every unfinished job when the runtime process goes away: it exits (an empty event loop
 * on RIC 4, `process.exit` in a job or the handler) or gets SIGTERM (the environment is reset:
 * a timeout, or the platform shutting it down). Without this, a queued job vanishes without a
 * word. On SIGTERM it reports, then — if nobody else listens — restores the default action and
 * re-raises the signal, so the process still dies as it would have.
 */
export function installExitReport({ unfinished, logger, source, signals }: ExitReportOptions): void {
  let reported = false;
  const report = (why: string, fields: Readonly<Record<string, unknown>>): void => {
    if (reported) return;
    reported = true;
    for (const { requestId, jobs } of unfinished()) {
      logger.log('ERROR', `${why}: these jobs never finished and are lost`, { requestId, jobs, ...fields });
    }
  };
  source.once('exit', (code) => report('the runtime process is exiting', { exitCode: code }));
  if (signals !== 'main-thread') return;
  const onTerm = (): void => {
    report('the runtime process got SIGTERM (the environment is shutting down or was reset)', { signal: 'SIGTERM' });
    if (source.listenerCount('SIGTERM') === 0) source.kill(source.pid, 'SIGTERM');
  };
  source.once('SIGTERM', onTerm);
}
