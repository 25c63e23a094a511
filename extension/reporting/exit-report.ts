import { describeError, type Logger } from '../../shared/log-line.ts';
import type { UnfinishedJobs } from '../core/lifecycle.ts';
import type { PendingHandOff, ShutdownHandOffOptions, handOffAtShutdown } from './shutdown-hand-offs.ts';

export type { PendingHandOff } from './shutdown-hand-offs.ts';

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
  /** Unfinished jobs that can be passed on: handed off at SIGTERM, bounded, before the report. @default none */
  readonly handOffs?: () => readonly PendingHandOff[];
  /**
   * Loads the hand-off code (shutdown-hand-offs.ts), synchronously, at a SIGTERM with tasks due
   * only: the layer requires its separate build (lambda-after-response/reporting.cjs), tests pass
   * the function itself. May throw (its message naming the file): one ERROR, and the tasks are
   * reported lost with the other jobs. @default none: every unfinished job is reported lost
   */
  readonly loadHandOff?: () => typeof handOffAtShutdown;
  /** hand-offs.ts's `taskFields` (the tasks' identities live in the main bundle). @default names no task */
  readonly taskFields?: ShutdownHandOffOptions['taskFields'];
  /** Starts the bound's timer (a ref'd one: the process must live until it fires). @default setTimeout */
  readonly setTimer?: (run: () => void, ms: number) => void;
}

/**
 * Names every unfinished job when the runtime process goes away: it exits (an empty event loop
 * on RIC 4, `process.exit` in a job or the handler) or gets SIGTERM (the environment is reset:
 * a timeout, or the platform shutting it down). Without this, a queued job vanishes without a
 * word. On SIGTERM it first hands off unfinished tasks (bounded), then reports, then — if nobody
 * else listens — restores the default action and re-raises the signal, so the process still dies
 * as it would have. The hand-off code is loaded only then (a SIGTERM with tasks due).
 */
export function installExitReport(options: ExitReportOptions): void {
  const { unfinished, logger, source, signals } = options;
  let reported = false;
  const report = (why: string, fields: Readonly<Record<string, unknown>>, sent: ReadonlyMap<string, number> = new Map()): void => {
    if (reported) return;
    reported = true;
    const passed = new Map(sent); // a count per invoke and name: two tasks may share a name
    for (const { requestId, jobs } of unfinished()) {
      const lost = jobs.filter((job) => !take(passed, `${requestId}\0${job}`));
      if (lost.length > 0) logger.log('ERROR', `${why}: these jobs never finished and are lost`, { requestId, jobs: lost, ...fields });
    }
  };
  source.once('exit', (code) => report('the runtime process is exiting', { exitCode: code }));
  if (signals !== 'main-thread') return;
  source.once('SIGTERM', () => {
    const finish = (sent: ReadonlyMap<string, number>): void => {
      report('the runtime process got SIGTERM (the environment is shutting down or was reset)', { signal: 'SIGTERM' }, sent);
      if (source.listenerCount('SIGTERM') === 0) source.kill(source.pid, 'SIGTERM');
    };
    const due = options.handOffs?.() ?? [];
    const handOff = due.length === 0 ? undefined : loadHandOff(options);
    if (!handOff) return finish(new Map());
    void handOff(due, { logger, setTimer: options.setTimer ?? ((run, ms) => void setTimeout(run, ms)), taskFields: options.taskFields ?? (() => []) }).then(finish);
  });
}

/** The hand-off code, or undefined when it cannot load (said in one ERROR: the tasks are then reported lost). */
function loadHandOff({ loadHandOff: load, logger }: ExitReportOptions): typeof handOffAtShutdown | undefined {
  try {
    if (load) return load();
    throw new Error('no hand-off code was given');
  } catch (error) {
    logger.log('ERROR', 'the runtime process got SIGTERM, but the code that hands tasks off did not load: they are not handed off, and are reported lost below', describeError(error));
    return undefined;
  }
}

/** Takes one from a count; false when none is left. */
function take(counts: Map<string, number>, key: string): boolean {
  const left = counts.get(key) ?? 0;
  if (left === 0) return false;
  counts.set(key, left - 1);
  return true;
}
