// What the layer's log lines of one invoke say about its jobs: which failed, which were abandoned
// at the deadline, and the `after-response summary` if one was logged. Read from the JSON lines
// the layer (extension or in-process client) prints with `"source":"lambda-after-response"`.
import { deadlineAbortReason } from '../../shared/deadline-abort.ts';

export interface JobsSeen {
  /** Jobs logged as failed (`job failed` and its late variant), by name. */
  readonly failed: readonly string[];
  /** Flushers logged as failed (`flusher failed` and its late variant), by name: a flusher is no job (it never fails the invoke). */
  readonly failedFlushers: readonly string[];
  /**
   * Jobs logged as failed with the layer's own deadline abort reason (`TimeoutError`, "The
   * invoke deadline is near"), by name: they honoured `signal` by rejecting with its reason
   * (what `fetch(url, { signal })` does). Counted failed by the layer; listed here, not in `failed`.
   */
  readonly stopped: readonly string[];
  /**
   * Jobs abandoned at the deadline (the `abandoning unfinished jobs` WARN), or lost running at an
   * exit, by name; not the tasks among them that were sent to their queue or are named LOST (listed below).
   */
  readonly abandoned: readonly string[];
  /**
   * Jobs dropped at the deadline before they started (the `deadline near` WARN's `neverStarted`,
   * bare names), or lost queued at an exit (its `x (never started)`), by name; tasks aside as above.
   */
  readonly neverStarted: readonly string[];
  /**
   * Jobs running at deadline − margin that the `deadline near` WARN gave a grace to stop in (its
   * `running`, unless it said `graceLeftMs: 0`): honouring `signal` could have saved them, even
   * when the handler was late. Jobs enqueued after it, or with no grace left, had no such chance.
   */
  readonly hadGrace: readonly string[];
  /**
   * The `deadline near` WARN said `handlerRunning: true`: the handler had not responded by
   * deadline − margin, so the jobs it had queued never started (the fix is the handler's).
   */
  readonly handlerLate: boolean;
  /**
   * A `deadline near` or `job enqueued after its invoke was released` WARN had `leftAtStartMs`: the
   * invoke started inside its margin (the timeout at or below it), so the fix is the timeout
   * against the margin, not the handler's.
   */
  readonly startedInsideMargin: boolean;
  /**
   * Jobs the handler itself enqueued past deadline − margin + grace (`job enqueued after its invoke
   * was released` with `handlerRunning: true`), by name: nothing held them; they ran unheld and may
   * have been frozen mid-run.
   */
  readonly unheld: readonly string[];
  /**
   * Jobs a timer or callback enqueued after their invoke's release (`job enqueued after its invoke
   * was released` without `handlerRunning`), by name: they ran unheld and may have been frozen
   * mid-run. (With AFTER_RESPONSE_ATTRIBUTION=invoke such work joins the next invoke: no WARN.)
   */
  readonly lateAfterRelease: readonly string[];
  /** Settings the layer rejected and replaced with their default (`invalid configuration: …`, ERROR at init): each message. */
  readonly rejectedSettings: readonly string[];
  /** Tasks sent to their queue to continue (`task overrun: it was still running when the deadline came`); write-ahead copies aside. */
  readonly handedOff: readonly string[];
  /** Tasks named LOST: they had to be sent on and could not be (no queue, the send failed), by job name (`task overrun`). */
  readonly lost: readonly string[];
  /** Write-ahead tasks that started without a queue (`task LOST if this run does not finish`), by job name: lost only if their run then did not finish. */
  readonly uncopied: readonly string[];
  /** Every task with a message in the queue (sent on, or a write-ahead copy): job name and `taskId`, to follow it through the queue. */
  readonly queued: ReadonlyArray<{ readonly job: string; readonly taskId: string }>;
  /** Jobs the summaries count as settled while held (`succeeded` + `failed`); undefined when no summary was logged. */
  readonly summarizedSettled: number | undefined;
  /** Jobs enqueued, from the invoke's `after-response summary`; undefined when none was logged. */
  readonly summarizedEnqueued: number | undefined;
}

const SOURCE = 'lambda-after-response';

/** One log line as the layer's record, or undefined for any other line. Never throws. */
export function layerRecord(line: string): Record<string, unknown> | undefined {
  const start = line.indexOf('{');
  if (start < 0 || !line.includes(SOURCE)) return undefined;
  try {
    const value: unknown = JSON.parse(line.slice(start));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const record = value as Record<string, unknown>;
    return record.source === SOURCE ? record : undefined;
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const ABORT = deadlineAbortReason();
const isDeadlineAbort = (record: Record<string, unknown>): boolean => record.errorType === ABORT.name && record.errorMessage === ABORT.message;
const names = (value: unknown): string[] => (Array.isArray(value) ? value.map((name) => String(name)) : []);

/** The layer's ERROR for a setting it could not read (extension/core/config.ts; the default is used). */
const INVALID_SETTING = 'invalid configuration: ';

/** The jobs' outcomes in `logLines` (the function's log lines of one invoke). Never throws. */
export function jobsSeen(logLines: readonly string[]): JobsSeen {
  const failed: string[] = [];
  const failedFlushers: string[] = [];
  const stopped: string[] = [];
  const abandoned: string[] = [];
  const neverStarted: string[] = [];
  const hadGrace: string[] = [];
  const unheld: string[] = [];
  const lateAfterRelease: string[] = [];
  const rejectedSettings: string[] = [];
  const handedOff: string[] = [];
  const lost: string[] = [];
  const uncopied: string[] = [];
  const queued: Array<{ job: string; taskId: string }> = [];
  let summarizedEnqueued: number | undefined;
  let summarizedSettled: number | undefined;
  let handlerLate = false;
  let startedInsideMargin = false;
  for (const line of logLines) {
    const record = layerRecord(line);
    if (record === undefined) continue;
    const message = text(record.message) ?? '';
    const name = text(record.job) ?? text(record.flusher);
    const task = text(record.task);
    const taskId = text(record.taskId);
    startedInsideMargin ||= typeof record.leftAtStartMs === 'number';
    if (task !== undefined && taskId !== undefined && message.startsWith(SENT)) queued.push({ job: `task ${task}`, taskId });
    if (task !== undefined && message.startsWith(SENT) && !message.startsWith(`${SENT}write-ahead`)) handedOff.push(`task ${task}: ${message.slice(SENT.length)}`);
    else if (task !== undefined && message.startsWith('task LOST if this run does not finish')) uncopied.push(`task ${task}`);
    else if (task !== undefined && message.startsWith('task LOST')) lost.push(`task ${task}`);
    else if (record.level === 'ERROR' && /\bfailed\b/.test(message) && text(record.flusher) !== undefined) failedFlushers.push(text(record.flusher) ?? '');
    else if (record.level === 'ERROR' && /\bfailed\b/.test(message) && name !== undefined) (isDeadlineAbort(record) ? stopped : failed).push(name);
    else if (record.level === 'ERROR' && message.startsWith(INVALID_SETTING)) rejectedSettings.push(message.slice(INVALID_SETTING.length));
    else if (record.level === 'WARN' && name !== undefined && message.startsWith('job enqueued after its invoke was released')) (record.handlerRunning === true ? unheld : lateAfterRelease).push(name);
    // Dropped at the abort, never started: named by the `deadline near` WARN only (not by `abandoning`).
    else if (message.startsWith('deadline near')) {
      neverStarted.push(...names(record.neverStarted));
      if (record.graceLeftMs !== 0) hadGrace.push(...names(record.running));
      handlerLate ||= record.handlerRunning === true;
    }
    else if (message.startsWith('abandoning unfinished jobs')) abandoned.push(...names(record.jobs));
    // The exit report names running and queued jobs in one field, the queued ones `x (never started)`.
    else if (record.level === 'ERROR' && message.includes('never finished')) {
      for (const job of names(record.jobs)) (job.endsWith(QUEUED) ? neverStarted : abandoned).push(job.endsWith(QUEUED) ? job.slice(0, -QUEUED.length) : job);
    }
    else if (message === 'after-response summary' && typeof record.enqueued === 'number') {
      summarizedEnqueued = (summarizedEnqueued ?? 0) + record.enqueued;
      summarizedSettled = (summarizedSettled ?? 0) + count(record.succeeded) + count(record.failed);
    }
  }
  const sentTasks = handedOff.map((entry) => entry.slice(0, entry.indexOf(':')));
  // A task that rejected with the abort reason was interrupted and sent on: not a problem.
  // One entry per task sent or LOST goes, from the jobs dropped before they started first.
  dropTasks([neverStarted, abandoned], [...sentTasks, ...lost]);
  dropTasks([stopped], sentTasks);
  return { failed, failedFlushers, stopped, abandoned, neverStarted, hadGrace, handlerLate, startedInsideMargin, unheld, lateAfterRelease, rejectedSettings, handedOff, lost, uncopied, queued, summarizedEnqueued, summarizedSettled };
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

const SENT = 'task sent to the queue: ';
/** How the exit report names a job still queued (the `deadline near` WARN's `neverStarted` names them bare). */
const QUEUED = ' (never started)';

/** Removes one entry per task in `tasks` (`task x`) from the first of `lists` that names it. */
function dropTasks(lists: ReadonlyArray<string[]>, tasks: readonly string[]): void {
  for (const task of tasks) {
    const list = lists.find((names) => names.includes(task));
    list?.splice(list.indexOf(task), 1);
  }
}
