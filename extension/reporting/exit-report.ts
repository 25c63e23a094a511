import type { Logger } from '../../shared/log-line.ts';
import { taskFields } from '../core/hand-offs.ts';
import type { HandOff } from '../core/invoke-jobs.ts';
import type { UnfinishedJobs } from '../core/lifecycle.ts';

/** An unfinished job that can be passed on (a task), as the lifecycle lists it. */
export interface PendingHandOff {
  readonly requestId: string;
  readonly name: string;
  readonly run: HandOff;
}

/**
 * How long SIGTERM waits for hand-offs before the report and the re-raised signal. Lambda gives
 * the runtime a short shutdown window (a 300 ms bound is the brief's; a warm SQS send takes 7–10 ms).
 */
export const SHUTDOWN_HAND_OFF_MS = 300;

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
  /** Starts the bound's timer (a ref'd one: the process must live until it fires). @default setTimeout */
  readonly setTimer?: (run: () => void, ms: number) => void;
}

/**
 * Names every unfinished job when the runtime process goes away: it exits (an empty event loop
 * on RIC 4, `process.exit` in a job or the handler) or gets SIGTERM (the environment is reset:
 * a timeout, or the platform shutting it down). Without this, a queued job vanishes without a
 * word. On SIGTERM it reports, then — if nobody else listens — restores the default action and
 * re-raises the signal, so the process still dies as it would have.
 */
export function installExitReport({ unfinished, logger, source, signals, handOffs, setTimer }: ExitReportOptions): void {
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
  const onTerm = (): void => {
    const finish = (sent: ReadonlyMap<string, number>): void => {
      report('the runtime process got SIGTERM (the environment is shutting down or was reset)', { signal: 'SIGTERM' }, sent);
      if (source.listenerCount('SIGTERM') === 0) source.kill(source.pid, 'SIGTERM');
    };
    const due = handOffs?.() ?? [];
    if (due.length === 0) return finish(new Map());
    // Written now: should SIGKILL come before the bound, these names are the record.
    logger.log('WARN', `the runtime process got SIGTERM: handing off unfinished tasks to their queue (at most ${SHUTDOWN_HAND_OFF_MS} ms)`, { tasks: due.map(({ requestId, name }) => `${requestId}: ${name}`), taskIds: taskFields(due) });
    void handOffAll(due, logger, setTimer ?? ((run, ms) => void setTimeout(run, ms))).then(finish);
  };
  source.once('SIGTERM', onTerm);
}

/**
 * Runs every hand-off with reason `shutdown`, waits at most {@link SHUTDOWN_HAND_OFF_MS}, logs for
 * each invoke which tasks were sent and which are lost, and resolves with the sent ones' keys.
 */
function handOffAll(due: readonly PendingHandOff[], logger: Logger, setTimer: (run: () => void, ms: number) => void): Promise<ReadonlyMap<string, number>> {
  const outcomes = due.map(() => 'lost' as 'sent' | 'lost');
  const all = Promise.all(due.map(({ run }, index) => new Promise<void>((resolve) => resolve(run('shutdown'))).then(() => void (outcomes[index] = 'sent'), () => undefined)));
  const bound = new Promise<void>((resolve) => setTimer(resolve, SHUTDOWN_HAND_OFF_MS));
  return Promise.race([all, bound]).then(() => {
    const final = [...outcomes]; // a send that ends after the bound does not count
    const sent = new Map<string, number>();
    const byInvoke = new Map<string, { sent: string[]; lost: string[]; tasks: Array<Record<string, unknown>> }>();
    due.forEach(({ requestId, name, run }, index) => {
      const entry = byInvoke.get(requestId) ?? { sent: [], lost: [], tasks: [] };
      entry[final[index] ?? 'lost'].push(name);
      entry.tasks.push(...taskFields([{ name, run }]).map((task) => ({ ...task, outcome: final[index] ?? 'lost' })));
      byInvoke.set(requestId, entry);
      const key = `${requestId}\0${name}`;
      if (final[index] === 'sent') sent.set(key, (sent.get(key) ?? 0) + 1);
    });
    for (const [requestId, entry] of byInvoke) {
      logger.log(entry.lost.length > 0 ? 'ERROR' : 'WARN', `the runtime process got SIGTERM: unfinished tasks handed off to their queue (${SHUTDOWN_HAND_OFF_MS} ms bound)`, { requestId, ...entry });
    }
    return sent;
  });
}

/** Takes one from a count; false when none is left. */
function take(counts: Map<string, number>, key: string): boolean {
  const left = counts.get(key) ?? 0;
  if (left === 0) return false;
  counts.set(key, left - 1);
  return true;
}
