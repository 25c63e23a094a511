import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeBody, TASK_ATTRIBUTE } from '../../client/tasks/envelope.ts';
import { isTaskBatch } from '../../client/tasks/is-task-batch.ts';
import type { TaskContext } from '../../client/tasks/types.ts';
import { flush } from './fakes.ts';
import { taskSetup } from './task-fakes.ts';

function record(messageId: string, task: string, options: { taskId?: string; attempt?: number; payload?: unknown; receiveCount?: number; body?: string } = {}) {
  const body = options.body ?? envelopeBody({ task, taskId: options.taskId ?? `tid-${messageId}`, attempt: options.attempt ?? 2, payloadJson: JSON.stringify(options.payload ?? null) });
  return {
    messageId, receiptHandle: `rh-${messageId}`, body, eventSource: 'aws:sqs', awsRegion: 'us-east-1', md5OfBody: '',
    attributes: { ApproximateReceiveCount: String(options.receiveCount ?? 1), SentTimestamp: '0' },
    messageAttributes: { [TASK_ATTRIBUTE]: { stringValue: task, dataType: 'String', stringListValues: [], binaryListValues: [] } },
  };
}

describe('isTaskBatch', () => {
  it('true for an SQS event carrying a task attribute; false for anything else, never throws', () => {
    expect(isTaskBatch({ Records: [record('m1', 't')] })).toBe(true);
    expect(isTaskBatch({ Records: [{ ...record('m1', 't'), messageAttributes: {} }] })).toBe(false);
    expect(isTaskBatch({ Records: [] })).toBe(false);
    expect(isTaskBatch({ httpMethod: 'GET', body: '{}' })).toBe(false);
    expect(isTaskBatch(null)).toBe(false);
    expect(isTaskBatch(Object.defineProperty({}, 'Records', { get: () => { throw new Error('x'); } }))).toBe(false);
    fc.assert(fc.property(fc.anything(), (value) => typeof isTaskBatch(value) === 'boolean'));
  });

  it('true for a message of another kind sent to the task queue (so handleTaskBatch reports it, and it reaches the DLQ instead of being deleted); false for another queue', () => {
    const queueUrl = 'http://127.0.0.1:9324/000000000000/tasks';
    const foreign = { ...record('m5', 't'), messageAttributes: {}, body: 'hello' };
    expect(isTaskBatch({ Records: [{ ...foreign, eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks' }] }, queueUrl)).toBe(true);
    expect(isTaskBatch({ Records: [{ ...foreign, eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:orders' }] }, queueUrl)).toBe(false);
    expect(isTaskBatch({ Records: [{ ...foreign, eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks' }] }, undefined)).toBe(false);
    expect(isTaskBatch({ Records: [{ ...foreign, eventSource: 'aws:s3', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tasks' }] }, queueUrl)).toBe(false);
    fc.assert(fc.property(fc.anything(), fc.option(fc.string()), (value, url) => typeof isTaskBatch(value, url ?? undefined) === 'boolean'));
  });
});

describe('handleTaskBatch', () => {
  it('runs each record by name, concurrently; attempt = envelope attempt + deliveries before; failures named by messageId', async () => {
    const { api, logger } = taskSetup();
    const seen: Array<[string, unknown, number]> = [];
    const running: string[] = [];
    api.defineTask<unknown>('ok', async (payload, ctx: TaskContext) => {
      running.push(ctx.taskId);
      await flush(1);
      seen.push([ctx.taskId, payload, ctx.attempt]);
    });
    api.defineTask('bad', () => { throw new Error('still down'); });
    const event = { Records: [record('m1', 'ok', { payload: { a: 1 }, receiveCount: 3, attempt: 2 }), record('m2', 'bad'), record('m3', 'ok', { taskId: 'x' })] };
    const response = await api.handleTaskBatch(event);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(running).toEqual(['tid-m1', 'x']);
    expect(seen).toContainEqual(['tid-m1', { a: 1 }, 4]);
    expect(logger.records.find((r) => String(r.message).startsWith('task failed on attempt 2'))).toMatchObject({ level: 'ERROR', messageId: 'm2', task: 'bad', errorMessage: 'still down' });
  });

  it('a body naming another task than the AfterResponseTask attribute: an ERROR naming both, a failure, and neither task runs', async () => {
    const { api, logger } = taskSetup();
    const ran: string[] = [];
    api.defineTask('a', () => void ran.push('a'));
    api.defineTask('b', () => void ran.push('b'));
    const mixed = { ...record('m1', 'a'), messageAttributes: { [TASK_ATTRIBUTE]: { stringValue: 'b' } } };
    const response = await api.handleTaskBatch({ Records: [mixed, record('m2', 'a')] }, { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'req-batch' });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(ran).toEqual(['a']);
    expect(logger.records.filter((r) => r.level === 'ERROR')).toMatchObject([{ requestId: 'req-batch', messageId: 'm1', task: 'a', attributeTask: 'b', taskId: 'tid-m1', message: "SQS message names two tasks: the body's `a` and the AfterResponseTask attribute's `b`; not run" }]);
  });

  it('an unknown task name, a malformed body and a foreign message: each an ERROR naming it, and a failure', async () => {
    const { api, logger } = taskSetup();
    api.defineTask('known', () => undefined);
    const response = await api.handleTaskBatch({ Records: [record('m1', 'nobody'), record('m2', 'known', { body: '{not json' }), record('m3', 'known', { body: '{"v":9}' })] });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2', 'm3']);
    const errors = logger.records.filter((r) => r.level === 'ERROR').map((r) => [r.messageId, r.message]);
    expect(errors).toEqual([
      ['m1', "SQS message names an unknown task: no defineTask('nobody') in this function"],
      ['m2', 'SQS message is not a task: the body is not JSON'],
      ['m3', 'SQS message is not a task: the envelope version is 9, this client reads 1'],
    ]);
  });

  it('a completed task (this environment, then the store) is reported done without running; a store that fails to answer lets it run', async () => {
    const { api, host } = taskSetup();
    let runs = 0;
    const task = api.defineTask('wa', () => void runs++, { durability: 'write-ahead' });
    task.enqueue(1, { taskId: 'done-here' });
    await host.run(0);
    expect(runs).toBe(1);
    api.setTaskCompletionStore({ has: (id) => id === 'done-elsewhere', put: () => undefined });
    await api.handleTaskBatch({ Records: [record('m1', 'wa', { taskId: 'done-here' }), record('m2', 'wa', { taskId: 'done-elsewhere' })] });
    expect(runs).toBe(1);
    api.setTaskCompletionStore({ has: () => Promise.reject(new Error('throttled')), put: () => undefined });
    await api.handleTaskBatch({ Records: [record('m3', 'wa', { taskId: 'unknown' })] });
    expect(runs).toBe(2);
  });

  it("a record still running at deadline − margin: its signal aborts and it is reported failed (the response goes out before the timeout)", async () => {
    const { api, timers, logger } = taskSetup({ env: { AFTER_RESPONSE_DEADLINE_MARGIN_MS: '700' } });
    let signal: AbortSignal | undefined;
    api.defineTask('slow', (_p, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    api.defineTask('quick', () => undefined);
    const pending = api.handleTaskBatch({ Records: [record('m1', 'slow'), record('m2', 'quick')] }, { getRemainingTimeInMillis: () => 5000, awsRequestId: 'req-1' });
    await flush();
    timers.advance(4299);
    await flush();
    expect(signal?.aborted).toBe(false);
    timers.advance(1);
    await expect(pending).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(signal?.aborted).toBe(true);
    expect(logger.records.find((r) => String(r.message).startsWith('task did not finish'))).toMatchObject({ messageId: 'm1', task: 'slow' });
  });

  it("without a context the host's deadline is the budget", async () => {
    const { api, timers } = taskSetup({ hostDeadlineMs: 1_000_000 + 2000 });
    api.defineTask('slow', () => new Promise(() => {}));
    const pending = api.handleTaskBatch({ Records: [record('m1', 'slow')] });
    await flush();
    timers.advance(1500);
    await expect(pending).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('fast-check: any SQS-ish event never rejects; a record is left out of the failures only when its task ran and succeeded', async () => {
    const { api } = taskSetup();
    const ran = new Set<string>();
    api.defineTask<unknown>('good', (_p, ctx) => void ran.add(ctx.taskId));
    api.defineTask('evil', () => { throw new Error('no'); });
    const goodOrEvil = fc.record({ id: fc.uuid(), task: fc.constantFrom('good', 'evil', 'missing'), attempt: fc.integer({ min: 1, max: 5 }) })
      .map(({ id, task, attempt }) => record(id, task, { taskId: `t-${id}`, attempt }));
    const junk = fc.oneof(fc.anything(), fc.record({ messageId: fc.oneof(fc.string(), fc.anything()), body: fc.oneof(fc.string(), fc.json(), fc.anything()), attributes: fc.anything() }));
    const event = fc.oneof(fc.anything(), fc.record({ Records: fc.array(fc.oneof(goodOrEvil, junk), { maxLength: 6 }) }));
    await fc.assert(fc.asyncProperty(event, async (value) => {
      const response = await api.handleTaskBatch(value);
      const records: unknown[] = Array.isArray((value as { Records?: unknown } | null)?.Records) ? (value as { Records: unknown[] }).Records : [];
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      for (const r of records) {
        const id: unknown = typeof r === 'object' && r !== null ? Reflect.get(r, 'messageId') : undefined;
        const messageId = typeof id === 'string' ? id : '';
        const taskId = `t-${messageId}`;
        // ran here now, or in an earlier case (then this copy was recognised as completed)
        if (!failed.has(messageId)) expect(ran.has(taskId)).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
