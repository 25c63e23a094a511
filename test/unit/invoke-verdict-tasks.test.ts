// `npm run invoke`'s verdict on tasks: with --sqs the queue's outcome decides whether a failed task
// recovered or ended in the DLQ; a write-ahead task without a queue that finished is not LOST; a
// record the function could not run fails the run; a runtime that died during the invoke is named.
import { describe, expect, it } from 'vitest';
import { envelopeBody } from '../../client/tasks/envelope.ts';
import { queueOutcome, type DeliveredRecord } from '../demo/invoke-queue-outcome.ts';
import { EXIT_CODES, judgeInvoke, verdict } from '../demo/invoke-verdict.ts';
import type { InvokeResult } from '../rig/sandbox.ts';

const result = (over: Partial<InvokeResult> = {}): InvokeResult => ({
  status: 200, body: '"ok"', json: () => undefined, requestId: 'r', startedAt: 0, returnedAt: 1, durationMs: 1, calls: [], responsePostedAt: 1, runtimeNextAt: 1, ...over,
});
const layerLine = (fields: Record<string, unknown>): string => JSON.stringify({ timestamp: 't', source: 'lambda-after-response', ...fields });
const body = (taskId: string, attempt: number): string => envelopeBody({ task: 'reply', taskId, attempt, payloadJson: 'null' });
const record = (taskId: string, attempt: number, over: Partial<DeliveredRecord> = {}): DeliveredRecord => ({ messageId: `m-${taskId}`, body: body(taskId, attempt), receiveCount: 1, deleted: true, ...over });

/** A task `reply` (taskId t1) that failed on attempt 1 and was sent on. */
const FAILED_TASK = [
  layerLine({ level: 'WARN', message: 'task sent to the queue: it failed on attempt 1', requestId: 'r', task: 'reply', taskId: 't1', attempt: 1, nextAttempt: 2 }),
  layerLine({ level: 'ERROR', message: 'job failed', requestId: 'r', job: 'task reply', errorType: 'Error', errorMessage: 'boom', stackTrace: [] }),
  layerLine({ level: 'INFO', message: 'after-response summary', enqueued: 1, succeeded: 0, failed: 1, abandoned: 0 }),
];

describe('npm run invoke: tasks through the queue (--sqs)', () => {
  it('a task that failed, then completed from the queue: not FAILED, "recovered on attempt N" (its attempt counts every receive)', () => {
    expect(verdict([judgeInvoke(result(), FAILED_TASK)]).exitCode).toBe(EXIT_CODES['job-failed']); // without the queue's word: failed
    const queue = queueOutcome([record('t1', 2, { deleted: false }), record('t1', 2, { receiveCount: 2 })], [], [], 0);
    const judged = verdict([judgeInvoke(result(), FAILED_TASK, queue)], queue);
    expect(judged).toEqual({ exitCode: 0, line: 'ok: 1 invoke(s), each response posted; 1 job(s), 1 settled while held, none failed for good (a failed task completed from its queue); 1 task(s) sent to their queue to continue; task reply recovered on attempt 3' });
  });

  it('a task sent on at the deadline (interrupted) that completed from the queue: the ok line says it completed there', () => {
    const interrupted = [
      layerLine({ level: 'WARN', message: 'task sent to the queue: it was interrupted by the deadline (it settled after its signal aborted)', requestId: 'r', task: 'reply', taskId: 't2', attempt: 1, nextAttempt: 2 }),
      layerLine({ level: 'INFO', message: 'after-response summary', enqueued: 1, succeeded: 1, failed: 0, abandoned: 0 }),
    ];
    const queue = queueOutcome([record('t2', 2)], [], [], 0);
    const { line, exitCode } = verdict([judgeInvoke(result(), interrupted, queue)], queue);
    expect(exitCode).toBe(0);
    expect(line).toContain('task reply continued from its queue and completed on attempt 2');
    // Without the queue's word (no --sqs) it is only sent on.
    expect(verdict([judgeInvoke(result(), interrupted)]).line).not.toContain('completed on attempt');
  });

  it('a task that ended in the DLQ is FAILED and says so', () => {
    const queue = queueOutcome([record('t1', 2, { deleted: false })], [body('t1', 2)], [], 0);
    const { line, exitCode } = verdict([judgeInvoke(result(), FAILED_TASK, queue)], queue);
    expect(exitCode).toBe(EXIT_CODES['job-failed']);
    expect(line).toContain('1 task reply (taskId t1) ended in the DLQ');
  });

  it('a record the function could not run (an unknown task) fails the run, named', () => {
    const unknown = layerLine({ level: 'ERROR', message: "SQS message names an unknown task: no defineTask('gone') in this function", requestId: 'q', messageId: 'm1' });
    const queue = queueOutcome([record('t9', 1, { deleted: false })], [], [unknown], 0);
    const { line, exitCode } = verdict([judgeInvoke(result(), [])], queue);
    expect(exitCode).toBe(EXIT_CODES['job-failed']);
    expect(line).toContain("the queue: 1 record(s) the function could not run: SQS message names an unknown task: no defineTask('gone')");
  });
});

describe('npm run invoke: tasks without a queue, and a runtime that died', () => {
  it('a write-ahead task that ran without a queue and finished: not LOST, its missing copy said', () => {
    const lines = [
      layerLine({ level: 'ERROR', message: 'task LOST if this run does not finish: write-ahead needs a queue and none is configured (AFTER_RESPONSE_TASK_QUEUE_URL); it runs here without a copy', requestId: 'r', task: 'durable', taskId: 't2', attempt: 1 }),
      layerLine({ level: 'INFO', message: 'after-response summary', enqueued: 1, succeeded: 1, failed: 0, abandoned: 0 }),
    ];
    expect(verdict([judgeInvoke(result(), lines)])).toEqual({ exitCode: 0, line: 'ok: 1 invoke(s), each response posted; 1 job(s), 1 settled while held, none failed; task durable ran without its write-ahead copy (no queue to write it to) and finished' });
  });

  it('a runtime killed after its response (never released, no timeout) is named: an invoke failure, with the layer or without', () => {
    const register = { kind: 'extension-register', method: 'POST', path: '/', startedAt: 0, endedAt: 1 } as const;
    const { runtimeNextAt: _next, ...noNext } = result();
    for (const killed of [noNext, result({ calls: [register] })]) {
      const { line, exitCode } = verdict([judgeInvoke(killed, [])]);
      expect(exitCode).toBe(EXIT_CODES['invoke-failed']);
      expect(line).toContain('the runtime process died during the invoke');
    }
    expect(verdict([judgeInvoke(result({ calls: [register], extensionReleasedAt: 2 }), [])]).exitCode).toBe(0);
  });
});
