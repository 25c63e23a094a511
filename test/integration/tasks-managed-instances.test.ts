// Tasks on Lambda Managed Instances under the rig: RIE's Managed Instances mode, nodejs24.x (RIC
// 4.0.2 runs handlers on worker threads; the layer's extension does not register, holds nothing,
// but still keeps each invoke's deadline), the built layer, ElasticMQ on loopback and the rig's
// SQS event source. UV_THREADPOOL_SIZE is set above RIC's worker count, as
// docs/limits-and-faults.md asks: with the default 4 the workers' waiting `next` calls take the
// whole libuv threadpool and the SDK's config-file reads (hence every send) wait until enough
// workers are busy (a send was still pending after 4 s).
// nodejs24.x only: RIC 3.3 (nodejs22.x) has no Managed Instances mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElasticMq, type ElasticMq, type SqsQueue } from '../rig/elasticmq.ts';
import { waitUntilEmpty } from '../rig/sqs-queue.ts';
import { sandboxFor, startWithLayer } from './product-helpers.ts';
import { drained, runs, taskLogs, unique, waitFor } from './tasks-helpers.ts';

let mq: ElasticMq;
beforeAll(async () => {
  mq = await startElasticMq();
});
afterAll(async () => {
  await mq?.stop();
});

const managedInstances = { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances', AWS_LAMBDA_MAX_CONCURRENCY: '4', UV_THREADPOOL_SIZE: '16' };

interface Answer { taskId: string; threadId: number }

describe('on nodejs24.x in Managed Instances mode, tasks on worker threads through a real queue', () => {
  let queue: SqsQueue;
  const sandbox = sandboxFor(async () => {
    ({ queue } = await mq.createQueueWithDlq(unique('tasks-mi'), { visibilityTimeoutSeconds: 2, maxReceiveCount: 3 }));
    return startWithLayer({ profile: 'nodejs24.x', handler: 'tasks.handler', freeze: false, timeoutSeconds: 3, env: { ...mq.functionEnv(), ...managedInstances, AFTER_RESPONSE_TASK_QUEUE_URL: queue.url } });
  });

  it('a failing task runs on its invoke\'s worker thread, is sent on as attempt 2, and completes from the queue', async () => {
    const box = await sandbox();
    const key = unique('flaky');
    const result = await box.invoke({ task: 'flaky', payload: { key, succeedOn: 2 } });
    const { taskId, threadId } = result.json() as Answer;
    await waitFor('the send', () => taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task sent')).length > 0, 10_000);
    expect(taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task sent'))).toMatchObject([{ level: 'WARN', message: 'task sent to the queue: it failed on attempt 1', attempt: 1, nextAttempt: 2, requestId: result.requestId }]);
    const batches = await drained(mq, queue, box, async (source) => {
      await waitFor('attempt 2 done', () => runs(box, key).some((r) => r.phase === 'done'));
      return source.batches;
    });
    const [first, ...later] = runs(box, key);
    expect(first).toMatchObject({ taskId, attempt: 1, phase: 'start', requestId: result.requestId, threadId });
    expect(threadId).toBeGreaterThan(0); // a worker thread, never the main one
    expect(later.map((r) => [r.taskId, r.attempt, r.phase])).toEqual([[taskId, 2, 'start'], [taskId, 2, 'done']]);
    expect(later[0]?.requestId).toBe(batches.find((b) => b.deleted.length > 0)?.invoke?.requestId ?? 'no batch deleted');
    expect(batches.map((b) => b.verdict.kind)).toEqual(['success']);
    await waitUntilEmpty(mq.client, queue);
  });

  it('a task past the deadline is handed off when the grace ends and completes from the queue; its abandoned run is not frozen and finishes too (at least once)', async () => {
    const box = await sandbox();
    const key = unique('overrun');
    const result = await box.invoke({ task: 'overrun', payload: { key, ms: 5000 } });
    expect(result.body).not.toContain('Timedout');
    const { taskId } = result.json() as Answer;
    await waitFor('the hand-off', () => taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task sent')).length > 0, 10_000);
    expect(taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task sent'))).toMatchObject([{ level: 'WARN', message: 'task sent to the queue: it was still running when the deadline came', attempt: 1, nextAttempt: 2, requestId: result.requestId }]);
    await drained(mq, queue, box, () => waitFor('attempt 2 done', () => runs(box, key).some((r) => r.attempt === 2 && r.phase === 'done')));
    await waitFor('the abandoned attempt 1 done', () => runs(box, key).some((r) => r.attempt === 1 && r.phase === 'done'), 15_000);
    const byAttempt = (attempt: number): string[] => runs(box, key).filter((r) => r.attempt === attempt).map((r) => `${r.taskId} ${r.phase}`);
    expect(byAttempt(1)).toEqual([`${taskId} start`, `${taskId} done`]);
    expect(byAttempt(2)).toEqual([`${taskId} start`, `${taskId} done`]);
    await waitUntilEmpty(mq.client, queue);
  });

  it('concurrent invokes\' tasks are not mixed up: each runs under its own invoke and thread, and is sent with its own taskId and payload', async () => {
    const box = await sandbox();
    const keys = [0, 1, 2, 3].map((i) => unique(`concurrent-${i}`));
    const results = await box.invokeConcurrently(keys.map((key) => ({ task: 'flaky', payload: { key, succeedOn: 2 } })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const answers = results.map((r) => r.json() as Answer);
    expect(new Set(answers.map((a) => a.taskId)).size).toBe(4);
    await drained(mq, queue, box, () => waitFor('every attempt 2 done', () => keys.every((key) => runs(box, key).some((r) => r.phase === 'done'))));
    for (const [i, key] of keys.entries()) {
      const { taskId, threadId } = answers[i] ?? { taskId: '', threadId: -1 };
      expect(runs(box, key).map((r) => [r.taskId, r.attempt, r.phase])).toEqual([[taskId, 1, 'start'], [taskId, 2, 'start'], [taskId, 2, 'done']]);
      expect(runs(box, key)[0]).toMatchObject({ requestId: results[i]?.requestId, threadId });
      expect(taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task sent'))).toMatchObject([{ attempt: 1, nextAttempt: 2, requestId: results[i]?.requestId }]);
    }
    await waitUntilEmpty(mq.client, queue);
  });
});
