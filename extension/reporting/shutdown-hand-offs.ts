import type { Logger } from '../../shared/log-line.ts';
import type { HandOff, TaskIdentity } from '../core/hand-offs.ts';

/**
 * How long SIGTERM waits for hand-offs before the report and the re-raised signal. Lambda gives
 * the runtime a short shutdown window (a 300 ms bound is the brief's; a warm SQS send takes 7–10 ms).
 */
export const SHUTDOWN_HAND_OFF_MS = 300;

/** An unfinished job that can be passed on (a task), as the lifecycle lists it. */
export interface PendingHandOff {
  readonly requestId: string;
  readonly name: string;
  readonly run: HandOff;
}

/** What handing off at SIGTERM is given. */
export interface ShutdownHandOffOptions {
  /** Must write synchronously (the exit report's logger). */
  readonly logger: Logger;
  /** Starts the bound's timer (a ref'd one: the process must live until it fires). */
  readonly setTimer: (run: () => void, ms: number) => void;
  /**
   * core/hand-offs.ts's `taskFields`, passed in: the task each hand-off names is recorded in the
   * main bundle's module state, which a copy bundled into this file would not see.
   */
  readonly taskFields: (entries: ReadonlyArray<{ readonly name: string; readonly run: HandOff }>) => Array<{ job: string } & TaskIdentity>;
}

/**
 * SIGTERM with tasks due: says which it hands off (written at once: should SIGKILL come before
 * the bound, these names are the record), runs every hand-off with reason `shutdown`, waits at
 * most {@link SHUTDOWN_HAND_OFF_MS}, logs for each invoke which tasks were sent and which are
 * lost, and resolves with the sent ones' keys (`requestId\0name` → count). Never rejects.
 */
export function handOffAtShutdown(due: readonly PendingHandOff[], { logger, setTimer, taskFields }: ShutdownHandOffOptions): Promise<ReadonlyMap<string, number>> {
  logger.log('WARN', `the runtime process got SIGTERM: handing off unfinished tasks to their queue (at most ${SHUTDOWN_HAND_OFF_MS} ms)`, { tasks: due.map(({ requestId, name }) => `${requestId}: ${name}`), taskIds: taskFields(due) });
  const outcomes = due.map(() => 'lost' as 'sent' | 'lost');
  const all = Promise.all(due.map(({ run }, index) => new Promise<void>((resolve) => resolve(run('shutdown'))).then(() => void (outcomes[index] = 'sent'), () => undefined)));
  const bound = new Promise<void>((resolve) => setTimer(resolve, SHUTDOWN_HAND_OFF_MS));
  return Promise.race([all, bound]).then(() => report(due, [...outcomes], { logger, taskFields })); // a send that ends after the bound does not count
}

function report(due: readonly PendingHandOff[], final: ReadonlyArray<'sent' | 'lost'>, { logger, taskFields }: Pick<ShutdownHandOffOptions, 'logger' | 'taskFields'>): ReadonlyMap<string, number> {
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
}
