// `npm run invoke`'s verdict: each invoke's problems (failed, timed out, jobs failed or abandoned)
// from any result and any log lines, the last line and the exit code (the smallest problem code).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobsSeen } from '../demo/invoke-jobs-seen.ts';
import { budgetNote } from '../demo/invoke-budget.ts';
import { EXIT_CODES, judgeInvoke, timedOutAfter, verdict, type InvokeJudgement, type ProblemKind } from '../demo/invoke-verdict.ts';
import type { ApiCall, InvokeResult } from '../rig/sandbox.ts';

const result = (over: Partial<InvokeResult> = {}): InvokeResult => ({
  status: 200, body: '"ok"', json: () => undefined, requestId: 'r', startedAt: 0, returnedAt: 1, durationMs: 1, calls: [], responsePostedAt: 1, runtimeNextAt: 1, ...over,
});
/** A result whose invoke posted no response (the handler never returned). */
const unposted = (over: Partial<InvokeResult> = {}): InvokeResult => {
  const { responsePostedAt: _posted, ...rest } = result(over);
  return rest;
};
const layerLine = (fields: Record<string, unknown>): string => JSON.stringify({ timestamp: 't', source: 'lambda-after-response', ...fields });
const FAILED = layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'send-receipt', errorType: 'Error', errorMessage: 'x', stackTrace: [] });
const NEAR = layerLine({ level: 'WARN', message: 'deadline near: …', running: ['slowJob'], neverStarted: ['queued'] });
const ABANDONED = layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: they freeze with the environment and may resume on a later invoke, unheld (on Managed Instances, where nothing freezes, they run on, unheld)', jobs: ['slowJob'] });
const SUMMARY = layerLine({ level: 'INFO', message: 'after-response summary', outcome: 'settled', enqueued: 2, succeeded: 2, failed: 0, abandoned: 0 });
const TIMED_OUT = 'Task timed out after 3.00 seconds';
/** The handler's fix, as `npm run invoke` words it (the layer's WARNs' wording, awaiting or blocking alike). */
const HANDLER_FIX = 'make the handler respond sooner (what it awaits, or synchronous work blocking the event loop): jobs it queued never start while it runs past deadline − margin, and those it enqueues past deadline − margin + grace are not held';
const FIX = "Fix: raise the timeout (--timeout S here; the function's timeout on Lambda); or make long jobs honour `signal`";

describe('judgeInvoke', () => {
  it('a posted response with settled jobs: no problem, the jobs counted from the summary', () => {
    const judgement = judgeInvoke(result(), [SUMMARY]);
    expect(judgement.problems).toEqual([]);
    expect(judgement.jobs.summarizedEnqueued).toBe(2);
    expect(verdict([judgement])).toEqual({ line: 'ok: 1 invoke(s), each response posted; 2 job(s), 2 settled while held, none failed', exitCode: 0 });
  });

  it('a failed flusher is named as a flusher, not a job (it never fails the invoke, yet the run is not ok)', () => {
    const flusher = layerLine({ level: 'ERROR', message: 'flusher failed', requestId: 'r', flusher: 'telemetry', errorType: 'Error', errorMessage: 'x', stackTrace: [] });
    const judgement = judgeInvoke(result(), [flusher, SUMMARY]);
    expect(judgement.problems.map((p) => p.text)).toEqual(['1 flusher telemetry failed: its telemetry was not sent (see the "flusher failed" log line: error and stack; the response was not affected)']);
    expect(verdict([judgement]).line).toContain('Fix: make the flusher catch');
    expect(verdict([judgement]).exitCode).toBe(EXIT_CODES['job-failed']);
  });

  it('jobs dropped at the deadline before they started (the `deadline near` WARN\'s neverStarted, no `abandoning` line): not ok, named, exit 4', () => {
    const near = layerLine({ level: 'WARN', message: 'deadline near: the jobs\' signal is aborted; …', requestId: 'r', running: [], neverStarted: ['a', 'b'] });
    const summary = layerLine({ level: 'INFO', message: 'after-response summary', outcome: 'deadline', enqueued: 2, started: 0, succeeded: 0, failed: 0, abandoned: 0, neverStarted: 2 });
    const judgement = judgeInvoke(result(), [near, summary]);
    expect(judgement.problems.map((p) => p.text)).toEqual(['2 jobs a, b never started (dropped at the deadline)']);
    expect(verdict([judgement]).exitCode).toBe(EXIT_CODES['job-abandoned']);
  });

  it('jobs that never started because the handler answered late (`handlerRunning: true`): the handler\'s fix, not `signal`\'s', () => {
    const near = (fields: Record<string, unknown>): string => layerLine({ level: 'WARN', message: 'deadline near: …', requestId: 'r', running: [], neverStarted: ['a'], ...fields });
    const fixes = (...lines: string[]): readonly string[] => judgeInvoke(result(), lines).problems.flatMap((p) => p.fixes);
    expect(fixes(near({ handlerRunning: true }))).toEqual([HANDLER_FIX, expect.stringContaining('raise the timeout')]);
    expect(fixes(near({}))).toEqual([expect.stringContaining('raise the timeout'), expect.stringContaining('honour `signal`')]);
    const abandoning = (jobs: string[]): string => layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: …', jobs });
    // A job enqueued in the grace by the late handler, abandoned at its end: the handler's fix, not `signal`'s.
    expect(fixes(near({ handlerRunning: true }), abandoning(['in-grace']))).toEqual([HANDLER_FIX, expect.stringContaining('raise the timeout')]);
    // The handler busy past the grace's end (no grace left at the abort): what ran at deadline − margin had no chance to stop either.
    expect(fixes(near({ handlerRunning: true, graceLeftMs: 0, running: ['slowJob', 'waitUntil'] }), abandoning(['slowJob', 'waitUntil']))).toEqual([HANDLER_FIX, expect.stringContaining('raise the timeout')]);
    // A job (or a promise) already running at deadline − margin, given the grace to stop in: told apart, its fix added after the handler's.
    expect(fixes(near({ handlerRunning: true, running: ['slowJob'] }), abandoning(['slowJob']))).toEqual([HANDLER_FIX, expect.stringContaining('raise the timeout'), expect.stringContaining('honour `signal`')]);
    expect(fixes(near({ handlerRunning: true, running: ['waitUntil'] }), abandoning(['waitUntil']))).toEqual([HANDLER_FIX, expect.stringContaining('raise the timeout'), expect.stringContaining('it gets no `signal`')]);
  });

  it('the verdict for a handler busy until 150 ms before the deadline (a job abandoned): the handler\'s fix first, no `signal`', () => {
    const near = layerLine({ level: 'WARN', message: 'deadline near, no grace left …', requestId: 'r', running: [], neverStarted: ['queued'], handlerRunning: true, graceLeftMs: 0 });
    const abandoning = layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: …', requestId: 'r', jobs: ['started-late'] });
    const { line } = verdict([judgeInvoke(result(), [near, abandoning])]);
    expect(line).toContain(`Fix: ${HANDLER_FIX}; or raise the timeout`);
    expect(line).not.toContain('signal');
  });

  it('jobs the handler itself enqueued past deadline − margin + grace (late, `handlerRunning: true`): named, the handler\'s fix, exit 4; a late job from a timer after the return is not', () => {
    const late = (fields: Record<string, unknown>): string => layerLine({ level: 'WARN', message: 'job enqueued after its invoke was released: …', requestId: 'r', job: 'after-0', ...fields });
    const judgement = judgeInvoke(result(), [late({ handlerRunning: true }), late({ job: 'after-1', handlerRunning: true })]);
    expect(judgement.problems).toEqual([{ kind: 'job-abandoned', text: '2 jobs after-0, after-1 enqueued by the handler past deadline − margin + grace: not held (run unheld, maybe frozen mid-run)', fixes: [HANDLER_FIX, expect.stringContaining('raise the timeout')] }]);
    expect(verdict([judgement]).exitCode).toBe(EXIT_CODES['job-abandoned']);
    expect(judgeInvoke(result(), [late({})]).problems).toEqual([]);
  });

  it('an invoke that started inside its margin (`leftAtStartMs`): its unheld job and its never-started job get the timeout-against-the-margin fix, as the WARNs and the budget note word it, not the handler\'s', () => {
    const late = layerLine({ level: 'WARN', message: 'job enqueued after its invoke was released: …', requestId: 'r', job: 'first', handlerRunning: true, leftAtStartMs: 200 });
    const unheld = judgeInvoke(result(), [late]);
    expect(unheld.jobs.startedInsideMargin).toBe(true);
    expect(unheld.problems).toEqual([{ kind: 'job-abandoned', text: '1 job first enqueued by the handler in an invoke that started inside its margin, with no grace left: not held (run unheld, maybe frozen mid-run)', fixes: [expect.stringContaining("raise the function's timeout above the margin, or lower the margin")] }]);
    const near = layerLine({ level: 'WARN', message: 'deadline near: …', requestId: 'r', running: [], neverStarted: ['queued'], handlerRunning: true, leftAtStartMs: 800 });
    const fixes = judgeInvoke(result(), [near]).problems.flatMap((p) => p.fixes);
    expect(fixes).toEqual([expect.stringContaining('above the margin, or lower the margin')]);
    // Everything such an invoke can show at once — never started, unheld, a job that rejected with the abort reason: the margin's fix, once, nothing else.
    const stopped = layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'aborted-at-start', errorType: 'TimeoutError', errorMessage: 'The invoke deadline is near', stackTrace: [] });
    const abandoned = layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: …', requestId: 'r', jobs: ['slow'] });
    const { line } = verdict([judgeInvoke(result(), [near, late, stopped, abandoned])]);
    expect(line.slice(line.indexOf('. Fix: '))).toBe(". Fix: raise the function's timeout above the margin, or lower the margin (the timeout: --timeout S here, the function's timeout on Lambda; the margin: --env AFTER_RESPONSE_DEADLINE_MARGIN_MS=…)");
    expect(budgetNote({ layer: true, timeoutSeconds: 1, env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '1000' } })).toContain("raise the function's timeout above the margin, or lower the margin");
  });

  it('an abandoned waitUntil or after() promise gets the promise fix (it has no signal); a job function does not', () => {
    const abandoned = (jobs: string[]): string => layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: …', jobs });
    const fixes = (jobs: string[]): readonly string[] => judgeInvoke(result(), [abandoned(jobs)]).problems.flatMap((p) => p.fixes);
    for (const name of ['waitUntil', 'hono waitUntil', 'next after()']) expect(fixes([name]).some((fix) => fix.includes('it gets no `signal`'))).toBe(true);
    expect(fixes(['slowJob']).some((fix) => fix.includes('it gets no `signal`'))).toBe(false);
  });

  it('a job that rejected with the deadline\'s abort reason: failed, said to have stopped at the deadline, with the fixes', () => {
    const stopped = layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'callback', errorType: 'TimeoutError', errorMessage: 'The invoke deadline is near', stackTrace: [] });
    const own = layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'own-timeout', errorType: 'TimeoutError', errorMessage: 'The operation was aborted due to timeout', stackTrace: [] });
    const judgement = judgeInvoke(result(), [stopped, own]);
    expect(judgement.problems.map((p) => p.text)).toEqual([
      '1 job own-timeout failed (see the "failed" log line: error and stack)',
      '1 job callback stopped at the deadline (rejected with the abort reason)',
    ]);
    const { line, exitCode } = verdict([judgement]);
    expect(exitCode).toBe(EXIT_CODES['job-failed']);
    expect(line).toContain('invoke 1: 1 job own-timeout failed (see the "failed" log line: error and stack); 1 job callback stopped at the deadline (rejected with the abort reason). Fix: raise the timeout');
    expect(line).toContain('in a plain job (not a task: a task is sent to its queue either way), catch the abort, tell the user, and resolve');
  });

  it('failed and abandoned jobs, each named; the abandoned with the fix', () => {
    const judgement = judgeInvoke(result(), [FAILED, NEAR, ABANDONED]);
    expect(judgement.problems.map((p) => p.text)).toEqual(['1 job slowJob abandoned at the deadline; 1 job queued never started (dropped at the deadline)', '1 job send-receipt failed (see the "failed" log line: error and stack)']);
    expect(verdict([judgement])).toEqual({
      line: `FAILED: 1 of 1 invoke(s): invoke 1: 1 job slowJob abandoned at the deadline; 1 job queued never started (dropped at the deadline); 1 job send-receipt failed (see the "failed" log line: error and stack). ${FIX} (stop, or hand the rest on, when it aborts)`,
      exitCode: EXIT_CODES['job-abandoned'],
    });
  });

  it('a task handed to its queue at the deadline: sent, not abandoned nor FAILED, and the run is ok; a task LOST without a queue is named (exit 4, the fix)', () => {
    const abandoning = layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: they freeze with the environment and may resume on a later invoke, unheld (on Managed Instances, where nothing freezes, they run on, unheld)', requestId: 'r', jobs: ['task overrun', 'slowJob'] });
    const sent = layerLine({ level: 'WARN', message: 'task sent to the queue: it was still running when the deadline came', requestId: 'r', task: 'overrun', taskId: 't1', attempt: 1, nextAttempt: 2 });
    const copy = layerLine({ level: 'INFO', message: 'task sent to the queue: write-ahead copy, delivered in 3 s (SQS cannot take it back): if this run completes, the copy is reported done without running where the completion is known (this environment, or the completion store), else it runs the task again', requestId: 'r', task: 'durable', taskId: 't2', attempt: 1, nextAttempt: 2 });
    const handedOff = judgeInvoke(result(), [abandoning, sent, copy, SUMMARY]);
    expect(handedOff.jobs.handedOff).toEqual(['task overrun: it was still running when the deadline came']);
    expect(handedOff.problems.map((p) => p.text)).toEqual(['1 job slowJob abandoned at the deadline']);
    const handedOffSummary = layerLine({ level: 'INFO', message: 'after-response summary', outcome: 'deadline', enqueued: 2, succeeded: 1, failed: 0, abandoned: 1 });
    const alone = judgeInvoke(result(), [layerLine({ level: 'WARN', message: 'abandoning unfinished jobs: …', jobs: ['task overrun'] }), sent, handedOffSummary]);
    expect(alone.problems).toEqual([]);
    // The handed-off task was not held until it settled: the ok line counts only the settled one.
    expect(verdict([alone])).toEqual({ line: 'ok: 1 invoke(s), each response posted; 2 job(s), 1 settled while held, none failed; 1 task(s) sent to their queue to continue', exitCode: 0 });
    const neverStarted = layerLine({ level: 'ERROR', message: 'task LOST: it never started before the deadline and no queue is configured (AFTER_RESPONSE_TASK_QUEUE_URL)', requestId: 'r', task: 'report', taskId: 't3', attempt: 1, nextAttempt: 1 });
    const lost = judgeInvoke(result(), [layerLine({ level: 'WARN', message: 'deadline near: …', running: [], neverStarted: ['task report'] }), neverStarted]);
    expect(lost.problems).toMatchObject([{ kind: 'job-abandoned', text: '1 task report LOST (see its "task LOST" log line)' }]);
    expect(verdict([lost])).toMatchObject({ exitCode: 4, line: expect.stringContaining('Fix: give tasks a queue (AFTER_RESPONSE_TASK_QUEUE_URL') });
  });

  it('a task interrupted at the deadline (rejected with the abort reason) and sent on: not stopped nor FAILED; the fix text no longer tells tasks to resolve', () => {
    const sent = layerLine({ level: 'WARN', message: 'task sent to the queue: it was interrupted by the deadline (it settled after its signal aborted)', requestId: 'r', task: 'reply', taskId: 't1', attempt: 1, nextAttempt: 2 });
    const rejected = layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'task reply', errorType: 'TimeoutError', errorMessage: 'The invoke deadline is near', stackTrace: [] });
    const judgement = judgeInvoke(result(), [sent, rejected, SUMMARY]);
    expect(judgement.problems).toEqual([]);
    expect(judgement.jobs.handedOff).toEqual(['task reply: it was interrupted by the deadline (it settled after its signal aborted)']);
    const plain = judgeInvoke(result(), [layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'callback', errorType: 'TimeoutError', errorMessage: 'The invoke deadline is near', stackTrace: [] })]);
    expect(verdict([plain]).line).toContain('in a plain job (not a task: a task is sent to its queue either way), catch the abort');
  });

  it('a timeout after the response: not an ok, whatever the body claimed; blocking named when no summary came', () => {
    const held = judgeInvoke(result({ body: TIMED_OUT }), []);
    expect(held.problems.map((p) => p.text)).toEqual(['timed out after 3.00 s, after the response was posted (no after-response summary: a job blocked the event loop?)']);
    expect(verdict([held]).exitCode).toBe(3);
    expect(verdict([held]).line).toMatch(/; or split long synchronous work: it blocks the event loop/);
    const summarized = judgeInvoke(result({ body: TIMED_OUT }), [SUMMARY]);
    expect(summarized.problems.map((p) => p.text)).toEqual(['timed out after 3.00 s, after the response was posted']);
    const handler = judgeInvoke(unposted({ body: TIMED_OUT }), []);
    expect(handler.problems.map((p) => p.text)).toEqual(['timed out after 3.00 s before the handler returned']);
    expect(verdict([handler]).line).toBe("FAILED: 1 of 1 invoke(s): invoke 1: timed out after 3.00 s before the handler returned. Fix: raise the timeout (--timeout S here; the function's timeout on Lambda)");
  });

  it('an extension is present when it registered in the invoke or its next was pending', () => {
    const call = (kind: ApiCall['kind']): ApiCall => ({ kind, method: 'POST', path: '/', startedAt: 0, endedAt: 1 });
    expect(judgeInvoke(result({ calls: [call('runtime-next')] }), []).extension).toBe(false);
    expect(judgeInvoke(result({ calls: [call('extension-register')] }), []).extension).toBe(true);
    expect(judgeInvoke(result({ calls: [call('extension-next')] }), []).extension).toBe(true);
  });

  it('any body and any log lines: never throws; timed out exactly when the emulator said so', () => {
    const line = fc.oneof(fc.string(), fc.constantFrom(FAILED, ABANDONED, SUMMARY), fc.json());
    fc.assert(fc.property(fc.oneof(fc.string(), fc.constant(TIMED_OUT)), fc.array(line), fc.boolean(), (body, lines, posted) => {
      const judgement = judgeInvoke(posted ? result({ body }) : unposted({ body }), lines);
      expect(judgement.problems.some((p) => p.kind === 'timed-out')).toBe(timedOutAfter(body) !== undefined);
      expect(judgement.problems.some((p) => p.kind === 'job-failed')).toBe(lines.includes(FAILED));
    }));
  });
});

describe('budgetNote', () => {
  it('names a timeout at or below the margin (the jobs aborted at once) and at or below margin − grace (nothing held), as the layer parses the settings', () => {
    const note = (timeoutSeconds: number, env: Record<string, string> = {}, layer = true): string | undefined => budgetNote({ layer, timeoutSeconds, env });
    expect(note(3)).toBeUndefined();
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '999' })).toBeUndefined();
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '1000' })).toContain("every invoke aborts its jobs' signal at once");
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '1250' })).toContain('nothing holds the jobs at all');
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '1500', AFTER_RESPONSE_ABORT_GRACE_MS: '400' })).toContain('nothing holds the jobs at all');
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '1300', AFTER_RESPONSE_ABORT_GRACE_MS: '400' })).toContain('at once');
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '1500' }, false)).toBeUndefined();
    // A setting the layer refuses falls back to its default (500 ms), as in the function.
    expect(note(1, { AFTER_RESPONSE_DEADLINE_MARGIN_MS: 'lots' })).toBeUndefined();
  });
});

describe('verdict', () => {
  const kinds: ProblemKind[] = ['invoke-failed', 'timed-out', 'job-abandoned', 'job-failed'];
  const judgement = fc.array(fc.constantFrom(...kinds), { maxLength: 3 }).map((found): InvokeJudgement => ({
    problems: found.map((kind) => ({ kind, text: kind, fixes: kind === 'job-failed' ? [] : ['fix it'] })),
    jobs: { failed: [], failedFlushers: [], stopped: [], abandoned: [], neverStarted: [], hadGrace: [], handlerLate: false, startedInsideMargin: false, unheld: [], lateAfterRelease: [], rejectedSettings: [], handedOff: [], lost: [], uncopied: [], queued: [], summarizedEnqueued: undefined, summarizedSettled: undefined }, recovered: [],
    extension: true,
  }));

  it('any run: exit 0 and `ok:` only without problems, else the smallest code, every failing invoke named, each fix once', () => {
    fc.assert(fc.property(fc.array(judgement, { minLength: 1, maxLength: 6 }), (invokes) => {
      const { line, exitCode } = verdict(invokes);
      const problems = invokes.flatMap((j) => j.problems);
      expect(exitCode).toBe(problems.length === 0 ? 0 : Math.min(...problems.map((p) => EXIT_CODES[p.kind])));
      expect(line.startsWith(problems.length === 0 ? 'ok: ' : 'FAILED: ')).toBe(true);
      invokes.forEach((j, i) => expect(line.includes(`invoke ${i + 1}: `)).toBe(j.problems.length > 0));
      expect(line.split('fix it').length - 1).toBe(problems.some((p) => p.fixes.length > 0) ? 1 : 0);
    }));
  });
});

describe('jobsSeen', () => {
  it('reads the layer\'s lines only: failures (jobs, flushers, late ones), abandonment, jobs lost at an exit, summaries', () => {
    const lines = [
      FAILED,
      layerLine({ level: 'ERROR', message: 'abandoned job failed after the release', job: 'late' }),
      layerLine({ level: 'ERROR', message: 'flusher failed', flusher: 'metrics' }),
      NEAR, ABANDONED,
      layerLine({ level: 'ERROR', message: 'SIGTERM: these jobs never finished and are lost', jobs: ['lost', 'waiting (never started)'] }),
      SUMMARY, SUMMARY,
      `2026-12-06T07:15:12.156Z\tr\tINFO\t${JSON.stringify({ source: 'someone-else', level: 'ERROR', message: 'job failed', job: 'theirs' })}`,
      'job failed {not json',
    ];
    expect(jobsSeen(lines)).toEqual({ failed: ['send-receipt', 'late'], failedFlushers: ['metrics'], stopped: [], abandoned: ['slowJob', 'lost'], neverStarted: ['queued', 'waiting'], hadGrace: ['slowJob'], handlerLate: false, startedInsideMargin: false, unheld: [], lateAfterRelease: [], rejectedSettings: [], handedOff: [], lost: [], uncopied: [], queued: [], summarizedEnqueued: 4, summarizedSettled: 4 });
  });

  it("names work a released invoke's timer enqueued apart from the handler's own late jobs, and the ok line says nothing held it", () => {
    const late = (job: string, handlerRunning?: true) => layerLine({ level: 'WARN', message: 'job enqueued after its invoke was released (by a timer or callback that outlived the invoke?): it runs now, unheld, and may be frozen', job, ...(handlerRunning ? { handlerRunning } : {}) });
    const seen = jobsSeen([late('timer-job'), late('handler-job', true), SUMMARY]);
    expect([seen.lateAfterRelease, seen.unheld]).toEqual([['timer-job'], ['handler-job']]);
    const ok = verdict([{ problems: [], jobs: { ...seen, unheld: [] }, recovered: [], extension: true }]);
    expect(ok.exitCode).toBe(0);
    expect(ok.line).toContain('1 job(s) enqueued after their invoke was released ran unheld and may have been frozen mid-run: timer-job (a timer or callback outlived the handler: enqueue before it returns)');
    expect(verdict([{ problems: [], jobs: { ...seen, lateAfterRelease: [], unheld: [] }, recovered: [], extension: true }]).line).not.toContain('enqueued after');
  });

  it('names a setting the layer rejected in the ok line, once however many invokes saw it, and it is no failure', () => {
    const rejected = layerLine({ level: 'ERROR', message: 'invalid configuration: Expected `AFTER_RESPONSE_MALLOC_TRIM` to be `true` or `false` (or `on` / `off`), got "no"; using the default true' });
    const seen = jobsSeen([rejected, SUMMARY]);
    expect(seen.rejectedSettings).toEqual(['Expected `AFTER_RESPONSE_MALLOC_TRIM` to be `true` or `false` (or `on` / `off`), got "no"; using the default true']);
    const ok = verdict([{ problems: [], jobs: seen, recovered: [], extension: true }, { problems: [], jobs: seen, recovered: [], extension: true }]);
    expect(ok.exitCode).toBe(0);
    expect(ok.line.split('the layer rejected a setting and used its default: Expected `AFTER_RESPONSE_MALLOC_TRIM`')).toHaveLength(2);
    expect(verdict([{ problems: [], jobs: jobsSeen([SUMMARY]), recovered: [], extension: true }]).line).not.toContain('rejected a setting');
  });

  it('any log lines: never throws', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.json(), fc.json().map((j) => `{"source":"lambda-after-response","level":"ERROR","message":"failed","job":${j}}`))), (lines) => {
      const seen = jobsSeen(lines);
      expect(Array.isArray(seen.failed) && Array.isArray(seen.abandoned)).toBe(true);
    }));
  });
});
