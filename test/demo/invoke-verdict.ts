// What `npm run invoke` concludes: per invoke, its problems (the invoke failed or timed out, a job
// failed or was abandoned); for the run, the last line and the exit code, with the fix named.
import type { InvokeResult } from '../rig/sandbox.ts';
import { abandonFixes, FIX_BLOCKING, FIX_CATCH_ABORT, FIX_FLUSHER, FIX_HANDLER, FIX_MARGIN, FIX_QUEUE, FIX_SIGNAL, FIX_TIMEOUT } from './invoke-fixes.ts';
import { jobsSeen, type JobsSeen } from './invoke-jobs-seen.ts';
import type { QueueOutcome } from './invoke-queue-outcome.ts';

export type ProblemKind = 'invoke-failed' | 'timed-out' | 'job-abandoned' | 'job-failed';

/** The command's exit codes; when several problems occur, the smallest code is the exit code. */
export const EXIT_CODES = {
  ok: 0, 'invoke-failed': 1, usage: 2, 'timed-out': 3, 'job-abandoned': 4, 'job-failed': 5, SIGINT: 130, SIGTERM: 143,
} as const;

export const EXIT_CODES_HELP = `exit codes (when several apply, the smallest; the last line names every problem):
  0    every invoke posted its response; no job failed or was abandoned
  1    an invoke failed: init error, function error, or no response posted
       (also: the runtime process died during the invoke — killed by SIGKILL, out of memory, or it exited)
  2    the command could not run: bad arguments (a missing \`--\`?), no build, the rig not provisioned or not starting
  3    an invoke timed out (raise --timeout; make long jobs honour \`signal\`)
  4    a job was abandoned at the deadline, or dropped there before it started (raise --timeout, or make the job
       honour \`signal\`), or enqueued by the handler itself past deadline − margin + grace (nothing held it), or a task is LOST
       (it had to go to its queue and could not: set AFTER_RESPONSE_TASK_QUEUE_URL). A task sent to its queue
       to continue is not a problem: the invoke's report says so
  5    a job failed (its "job failed" log line has the error and its stack); with --sqs, a failed task that
       completed from the queue is not (it "recovered on attempt N"), but one that ended in the DLQ is, and so
       is a queued record the function could not run (not a task, an unknown task); or a flusher failed
       (its "flusher failed" line: it never fails the invoke, but its telemetry was not sent)
  130  stopped by Ctrl-C (SIGINT); 143: by SIGTERM. The sandbox is stopped and its files removed.`;

export interface Problem {
  readonly kind: ProblemKind;
  readonly text: string;
  readonly fixes: readonly string[];
}

export interface InvokeJudgement {
  readonly problems: readonly Problem[];
  readonly jobs: JobsSeen;
  /** Whether an extension was registered in the environment that ran the invoke (else nothing held it). */
  readonly extension: boolean;
  /** With `--sqs`: the failed tasks that completed from the queue (`task x recovered on attempt 2`). */
  readonly recovered: readonly string[];
}

/** Whether an extension registered in the environment that ran this invoke (its register call, or its pending `next`). */
export function extensionPresent(result: InvokeResult): boolean {
  return result.calls.some((call) => call.kind === 'extension-register' || call.kind === 'extension-next');
}

// RIC's error log line, e.g. `…\tERROR\tUncaught Exception \t{"errorType":"Runtime.HandlerNotFound",…}`.
const ERROR_TYPE = /"errorType":"([^"]+)","errorMessage":"((?:[^"\\]|\\.)*)"/;

/** A JSON string's content unescaped; as it is when it is not valid JSON (a log line can hold anything). */
function unescape(content: string): string {
  try {
    return JSON.parse(`"${content}"`) as string;
  } catch {
    return content;
  }
}

/** `Type: message` from the error response body, else from the runtime's error log line. */
function runtimeError(result: InvokeResult, logLines: readonly string[]): string | undefined {
  for (const text of [result.body, ...logLines]) {
    const match = ERROR_TYPE.exec(text);
    if (match) return `${match[1] ?? ''}: ${unescape(match[2] ?? '').slice(0, 300)}`;
  }
  return undefined;
}

/** Why the invoke failed (init error, function error, no response posted), or undefined when its response was posted. */
export function invokeFailure(result: InvokeResult, logLines: readonly string[]): string | undefined {
  const error = runtimeError(result, logLines);
  const detail = error === undefined ? '' : ` (${error})`;
  if (result.calls.some((call) => call.kind === 'runtime-init-error')) return `init error${detail}`;
  if (result.errorPostedAt !== undefined) return `function error${detail}`;
  if (result.responsePostedAt === undefined) return `no response posted (status ${result.status})${detail}`;
  return undefined;
}

// RIE's answer to an invoke that ran past the function timeout (Lambda's says it inside JSON).
const TIMED_OUT = /^Task timed out after ([\d.]+) seconds$/;

/** The seconds in the emulator's `Task timed out after N seconds` answer, else undefined. */
export function timedOutAfter(body: string): string | undefined {
  return TIMED_OUT.exec(body.trim())?.[1];
}

const listed = (count: number, what: string, names: readonly string[]): string => `${count} ${what}${count === 1 ? '' : 's'} ${names.join(', ')}`;

/** One invoke's problems, from its result and its log lines. Never throws. */
export function judgeInvoke(result: InvokeResult, logLines: readonly string[], queue?: QueueOutcome): InvokeJudgement {
  const seen = jobsSeen(logLines);
  const { jobs, recovered, dead } = queue === undefined ? { jobs: seen, recovered: [], dead: [] } : followQueue(seen, queue);
  const problems: Problem[] = [];
  const seconds = timedOutAfter(result.body);
  if (seconds !== undefined) problems.push(timeoutProblem(seconds, result, jobs));
  else {
    const failure = invokeFailure(result, logLines) ?? runtimeDied(result);
    if (failure !== undefined) problems.push({ kind: 'invoke-failed', text: failure, fixes: [] });
  }
  if (dead.length > 0) problems.push({ kind: 'job-failed', text: `${listed(dead.length, 'task', dead)} ended in the DLQ (failed on every receive the redrive policy allows)`, fixes: [] });
  // Started inside its margin, the handler waited for nothing: the timeout against the margin is the one fix.
  const lateFixes = jobs.startedInsideMargin ? [FIX_MARGIN] : [FIX_HANDLER, FIX_TIMEOUT];
  const { abandoned: cut, neverStarted: dropped } = jobs;
  if (cut.length > 0 || dropped.length > 0) {
    problems.push({ kind: 'job-abandoned', text: [
      ...(cut.length > 0 ? [`${listed(cut.length, 'job', cut)} abandoned at the deadline`] : []),
      ...(dropped.length > 0 ? [`${listed(dropped.length, 'job', dropped)} never started (dropped at the deadline)`] : []),
    ].join('; '), fixes: abandonFixes(jobs, lateFixes) });
  }
  if (jobs.unheld.length > 0) {
    const when = jobs.startedInsideMargin ? 'in an invoke that started inside its margin, with no grace left' : 'past deadline − margin + grace';
    problems.push({ kind: 'job-abandoned', text: `${listed(jobs.unheld.length, 'job', jobs.unheld)} enqueued by the handler ${when}: not held (run unheld, maybe frozen mid-run)`, fixes: lateFixes });
  }
  if (jobs.lost.length > 0) {
    problems.push({ kind: 'job-abandoned', text: `${listed(jobs.lost.length, 'task', jobs.lost.map((name) => name.replace(/^task /, '')))} LOST (see its "task LOST" log line)`, fixes: [FIX_QUEUE] });
  }
  if (jobs.failed.length > 0) {
    problems.push({ kind: 'job-failed', text: `${listed(jobs.failed.length, 'job', jobs.failed)} failed (see the "failed" log line: error and stack)`, fixes: [] });
  }
  if (jobs.failedFlushers.length > 0) {
    problems.push({ kind: 'job-failed', text: `${listed(jobs.failedFlushers.length, 'flusher', jobs.failedFlushers)} failed: its telemetry was not sent (see the "flusher failed" log line: error and stack; the response was not affected)`, fixes: [FIX_FLUSHER] });
  }
  if (jobs.stopped.length > 0) {
    problems.push({ kind: 'job-failed', text: `${listed(jobs.stopped.length, 'job', jobs.stopped)} stopped at the deadline (rejected with the abort reason)`, fixes: jobs.startedInsideMargin ? [FIX_MARGIN] : [FIX_TIMEOUT, FIX_CATCH_ABORT] });
  }
  return { problems, jobs, extension: extensionPresent(result), recovered };
}

/** The failed tasks that completed from the queue are recovered (not failed); the queued ones in the DLQ are named. */
function followQueue(jobs: JobsSeen, queue: QueueOutcome): { jobs: JobsSeen; recovered: string[]; dead: string[] } {
  const recovered: string[] = [];
  const failed = jobs.failed.filter((name) => {
    const attempt = jobs.queued.filter((q) => q.job === name).map((q) => queue.completed.get(q.taskId)).find((a) => a !== undefined);
    if (attempt !== undefined) recovered.push(`${name} recovered on attempt ${attempt}`);
    return attempt === undefined;
  });
  // Sent on at the deadline (interrupted, or still running when the grace ended) and completed there; write-ahead copies aside.
  const sentOn = new Set(jobs.handedOff.map((entry) => entry.slice(0, entry.indexOf(':'))));
  const continued = jobs.queued.filter((q) => sentOn.has(q.job) && !jobs.failed.includes(q.job) && queue.completed.has(q.taskId));
  recovered.push(...new Map(continued.map((q) => [q.taskId, `${q.job} continued from its queue and completed on attempt ${queue.completed.get(q.taskId) ?? '?'}`])).values());
  const dead = [...new Map(jobs.queued.filter((q) => queue.dead.has(q.taskId)).map((q) => [q.taskId, `${q.job.replace(/^task /, '')} (taskId ${q.taskId})`])).values()];
  return { jobs: { ...jobs, failed }, recovered, dead };
}

/**
 * The runtime answered and the invoke did not time out, yet the environment was never released:
 * with an extension, its `next` never came; without, the runtime's own `next` never came. Its
 * process died during the invoke (SIGKILL, out of memory, `process.exit`): every invoke that ends
 * normally has them.
 */
function runtimeDied(result: InvokeResult): string | undefined {
  if (result.responsePostedAt === undefined && result.errorPostedAt === undefined) return undefined;
  if ((extensionPresent(result) ? result.extensionReleasedAt : result.runtimeNextAt) !== undefined) return undefined;
  return 'the runtime process died during the invoke, after its response (killed — SIGKILL, out of memory — or it exited): its unfinished jobs are lost, a write-ahead task\'s copy still runs it';
}

function timeoutProblem(seconds: string, result: InvokeResult, jobs: JobsSeen): Problem {
  if (result.responsePostedAt === undefined && result.errorPostedAt === undefined) {
    return { kind: 'timed-out', text: `timed out after ${seconds} s before the handler returned`, fixes: [FIX_TIMEOUT] };
  }
  // The layer releases at the deadline minus its margin; held to the timeout, with no summary,
  // its timers never ran: something blocked the event loop.
  const blocked = jobs.summarizedEnqueued === undefined ? ' (no after-response summary: a job blocked the event loop?)' : '';
  return { kind: 'timed-out', text: `timed out after ${seconds} s, after the response was posted${blocked}`, fixes: [FIX_TIMEOUT, FIX_SIGNAL, ...(blocked ? [FIX_BLOCKING] : [])] };
}

export interface Verdict {
  /** The command's last line: `ok: …` or `FAILED: …` with every problem and the fixes. */
  readonly line: string;
  readonly exitCode: number;
}

/** The run's verdict from its invokes' judgements (in order, the first is invoke 1) and, with `--sqs`, the queue's outcome. */
export function verdict(invokes: readonly InvokeJudgement[], queue?: QueueOutcome): Verdict {
  const failing = invokes.map((judgement, i) => ({ index: i + 1, judgement })).filter(({ judgement }) => judgement.problems.length > 0);
  const queueProblems = queue === undefined || queue.rejected.length === 0 ? [] : [{ kind: 'job-failed', text: `${queue.rejected.length} record(s) the function could not run: ${queue.rejected.join(' / ')}`, fixes: [] } satisfies Problem];
  if (failing.length === 0 && queueProblems.length === 0) return { line: okLine(invokes), exitCode: EXIT_CODES.ok };
  const problems = [...failing.flatMap(({ judgement }) => judgement.problems), ...queueProblems];
  const exitCode = Math.min(...problems.map((problem) => EXIT_CODES[problem.kind]));
  const each = [
    ...failing.map(({ index, judgement }) => `invoke ${index}: ${judgement.problems.map((problem) => problem.text).join('; ')}`),
    ...queueProblems.map((problem) => `the queue: ${problem.text}`),
  ];
  const fixes = [...new Set(problems.flatMap((problem) => problem.fixes))];
  const fix = fixes.length === 0 ? '' : `. Fix: ${fixes.join('; or ')}`;
  return { line: `FAILED: ${failing.length} of ${invokes.length} invoke(s): ${each.join('; ')}${fix}`, exitCode };
}

/** `ok: …`: the jobs the summaries count as settled while held (not those handed off or never started), and the tasks' notes. */
function okLine(invokes: readonly InvokeJudgement[]): string {
  const total = (pick: (judgement: InvokeJudgement) => number | undefined): number | undefined => invokes.reduce<number | undefined>((sum, j) => (pick(j) === undefined ? sum : (sum ?? 0) + (pick(j) ?? 0)), undefined);
  const enqueued = total((j) => j.jobs.summarizedEnqueued);
  const settled = total((j) => j.jobs.summarizedSettled) ?? 0;
  const count = (pick: (judgement: InvokeJudgement) => readonly string[]): string[] => invokes.flatMap(pick);
  // A task that failed in its invoke and completed from its queue is not a failure, but the lines above say FAILED for it.
  const failed = !count((j) => j.recovered).some((note) => note.includes(' recovered on attempt ')) ? 'none failed' : 'none failed for good (a failed task completed from its queue)';
  const jobs = enqueued === undefined ? 'no job reported failed or abandoned' : `${enqueued} job(s), ${settled} settled while held, ${failed}`;
  const sent = count((j) => j.jobs.handedOff);
  const notes = [
    ...(sent.length === 0 ? [] : [`${sent.length} task(s) sent to their queue to continue`]),
    ...count((j) => j.recovered),
    ...count((j) => j.jobs.uncopied).map((name) => `${name} ran without its write-ahead copy (no queue to write it to) and finished`),
    ...lateNote(count((j) => j.jobs.lateAfterRelease)),
    ...[...new Set(count((j) => j.jobs.rejectedSettings))].map((problem) => `the layer rejected a setting and used its default: ${problem}`),
  ];
  return `ok: ${invokes.length} invoke(s), each response posted; ${jobs}${notes.map((note) => `; ${note}`).join('')}`;
}

/** Work a timer or callback enqueued after its invoke's release: not a failure (the exit codes do not count it), but nothing held it. */
function lateNote(late: readonly string[]): string[] {
  if (late.length === 0) return [];
  return [`${late.length} job(s) enqueued after their invoke was released ran unheld and may have been frozen mid-run: ${late.join(', ')} (a timer or callback outlived the handler: enqueue before it returns)`];
}
