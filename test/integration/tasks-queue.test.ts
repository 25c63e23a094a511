// Tasks with a real queue: the built layer in the runtime replica, ElasticMQ on loopback, and the
// rig's SQS event source playing Lambda's mapping (ReportBatchItemFailures). Each scenario is the
// issue's "Tests with a real queue"; runs are read from the fixture's /tmp/task-runs.jsonl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElasticMq, type ElasticMq, type SqsQueue } from '../rig/elasticmq.ts';
import type { SqsEventSource } from '../rig/sqs-event-source.ts';
import { peekMessages, queueCounts, sendMessage, waitForMessageCount, waitUntilEmpty } from '../rig/sqs-queue.ts';
import type { Sandbox } from '../rig/types.ts';
import { PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';
import { drained as drainedBy, runs, taskLogs, unique, waitFor } from './tasks-helpers.ts';

let mq: ElasticMq;
beforeAll(async () => {
  mq = await startElasticMq();
});
afterAll(async () => {
  await mq?.stop();
});

const drained = <T>(queue: SqsQueue, box: Sandbox, until: (source: SqsEventSource) => Promise<T>): Promise<T> => drainedBy(mq, queue, box, until);

describe.each(PROFILES)('on %s, tasks through a real queue', (profile) => {
  let queue: SqsQueue;
  let dlq: SqsQueue;
  const sandbox = sandboxFor(async () => {
    ({ queue, dlq } = await mq.createQueueWithDlq(unique(`tasks-${profile.replace('.', '-')}`), { visibilityTimeoutSeconds: 2, maxReceiveCount: 3 }));
    return startWithLayer({ profile, handler: 'tasks.handler', timeoutSeconds: 3, env: { ...mq.functionEnv(), AFTER_RESPONSE_TASK_QUEUE_URL: queue.url } });
  });

  it('a task past the deadline is handed off at the grace, continues on attempt 2 and completes; the ack is unchanged, no timeout', async () => {
    const box = await sandbox();
    await box.invoke({ task: 'flaky', payload: { key: 'warm', succeedOn: 1 } }); // warm: init is not in the deadline
    const key = unique('overrun');
    const result = await box.invoke({ task: 'overrun', payload: { key, ms: 8000 } });
    expect(result.body).not.toContain('Task timed out');
    const { taskId } = result.json() as { taskId: string };
    expect(result.responsePostedAt).toBeLessThan(result.extensionReleasedAt ?? Number.NaN);
    const sent = taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task sent'));
    expect(sent).toMatchObject([{ level: 'WARN', requestId: result.requestId, task: 'overrun', attempt: 1, nextAttempt: 2, message: 'task sent to the queue: it was still running when the deadline came' }]);
    await drained(queue, box, () => waitFor('attempt 2 done', () => runs(box, key).some((r) => r.attempt === 2 && r.phase === 'done')));
    const byAttempt = runs(box, key).filter((r) => r.phase === 'start').map((r) => [r.taskId, r.attempt]);
    expect(byAttempt).toEqual([[taskId, 1], [taskId, 2]]);
    await waitUntilEmpty(mq.client, queue);
  });

  it.each(['resolve', 'reject'])('a task that catches its deadline abort and %ss is interrupted: sent on as attempt 2 (not failed) and completes there', async (settle) => {
    const box = await sandbox();
    await box.invoke({ task: 'flaky', payload: { key: 'warm', succeedOn: 1 } }); // warm: init is not in the deadline
    const key = unique(`polite-${settle}`);
    const result = await box.invoke({ task: 'polite', payload: { key, settle } });
    expect(result.body).not.toContain('Task timed out');
    const { taskId } = result.json() as { taskId: string };
    const sent = taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task '));
    expect(sent).toMatchObject([{ level: 'WARN', requestId: result.requestId, task: 'polite', attempt: 1, nextAttempt: 2, message: 'task sent to the queue: it was interrupted by the deadline (it settled after its signal aborted)' }]);
    await drained(queue, box, () => waitFor('attempt 2 done', () => runs(box, key).some((r) => r.attempt === 2 && r.phase === 'done')));
    expect(runs(box, key).map((r) => [r.taskId, r.attempt, r.phase])).toEqual([[taskId, 1, 'start'], [taskId, 2, 'start'], [taskId, 2, 'done']]);
    await waitUntilEmpty(mq.client, queue);
  });

  it('a flaky task is sent on its failure and succeeds on a redelivery (attempt counts every run)', async () => {
    const box = await sandbox();
    const key = unique('flaky');
    const { taskId } = (await box.invoke({ task: 'flaky', payload: { key, succeedOn: 3 } })).json() as { taskId: string };
    await drained(queue, box, () => waitFor('attempt 3 done', () => runs(box, key).some((r) => r.phase === 'done')));
    expect(runs(box, key).map((r) => [r.attempt, r.phase])).toEqual([[1, 'start'], [2, 'start'], [3, 'start'], [3, 'done']]);
    expect(new Set(runs(box, key).map((r) => r.taskId))).toEqual(new Set([taskId]));
    await waitUntilEmpty(mq.client, queue);
  });

  it('a task that always fails ends in the DLQ after the redrive count', async () => {
    const box = await sandbox();
    const key = unique('poison');
    const { taskId } = (await box.invoke({ task: 'flaky', payload: { key } })).json() as { taskId: string };
    await drained(queue, box, () => waitForMessageCount(mq.client, dlq, 1, 30_000));
    const [dead] = await peekMessages(mq.client, dlq);
    expect(JSON.parse(dead?.Body ?? '{}')).toMatchObject({ v: 1, task: 'flaky', taskId, attempt: 2, payload: { key } });
    expect(runs(box, key).map((r) => r.attempt)).toEqual([1, 2, 3, 4]); // one run here, three deliveries
  });

  it('a write-ahead task that succeeded here: its delayed copy arrives and is reported done without a second run', async () => {
    const box = await sandbox();
    const key = unique('durable');
    const result = await box.invoke({ task: 'durable', payload: { key } });
    const { taskId } = result.json() as { taskId: string };
    expect((await queueCounts(mq.client, queue)).delayed).toBe(1);
    await drained(queue, box, (source) => source.until('the copy deleted', (batches) => batches.some((b) => b.deleted.length > 0)));
    expect(runs(box, key).map((r) => [r.attempt, r.phase])).toEqual([[1, 'start'], [1, 'done']]);
    expect(taskLogs(box, (l) => l.taskId === taskId && l.message === 'task already completed: its copy is reported done without running')).toHaveLength(1);
  });

  it('SIGKILL during a write-ahead task: its delayed copy is delivered after the invoke and completes', async () => {
    const box = await sandbox();
    const warm = await box.invoke({ task: 'flaky', payload: { key: unique('pid'), succeedOn: 1 } });
    const key = unique('killed');
    const pending = box.invoke({ task: 'durable', payload: { key, ms: 20_000 } });
    await waitFor('the write-ahead task running', () => runs(box, key).length > 0, 10_000);
    const [started] = runs(box, key);
    // The fixture's pid is the host's (no PID namespace): checked against the rig's own reading first.
    expect(started?.pid).toBe(warm.runtimePid);
    expect((await queueCounts(mq.client, queue)).delayed).toBe(1);
    process.kill(started?.pid ?? Number.NaN, 'SIGKILL');
    await pending;
    await drained(queue, box, () => waitFor('the copy done', () => runs(box, key).some((r) => r.phase === 'done'), 30_000));
    expect(runs(box, key).map((r) => [r.taskId, r.attempt, r.phase])).toEqual([[started?.taskId, 1, 'start'], [started?.taskId, 2, 'start'], [started?.taskId, 2, 'done']]);
  });

  it('bad payloads are a TypeError at enqueue, and nothing is sent', async () => {
    const box = await sandbox();
    for (const [bad, message] of [['bigint', /`payload.n` is a BigInt/], ['date', /`payload.when` is a Date/], ['cycle', /`payload.self` is a cycle/], ['big', /over AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES \(262144\)/]] as const) {
      const answer = (await box.invoke({ bad })).json() as { errorType: string; message: string };
      expect(answer.errorType).toBe('TypeError');
      expect(answer.message).toMatch(message);
    }
    expect(await queueCounts(mq.client, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('an unknown task name in a batch: an ERROR naming it, and the record reported failed', async () => {
    const box = await sandbox();
    const body = JSON.stringify({ v: 1, task: 'nobody', taskId: 'unknown-1', attempt: 2, payload: null });
    const messageId = await sendMessage(mq.client, queue, body, { messageAttributes: { AfterResponseTask: { DataType: 'String', StringValue: 'nobody' } } });
    const batches = await drained(queue, box, (source) => source.until('one batch', (b) => b.length > 0).then(() => source.batches));
    expect(batches[0]?.verdict).toEqual({ kind: 'partial', failed: [messageId] });
    expect(taskLogs(box, (l) => l.messageId === messageId)).toMatchObject([{ level: 'ERROR', task: 'nobody', message: "SQS message names an unknown task: no defineTask('nobody') in this function" }]);
    // Left for redelivery each time, it moves to the DLQ after the redrive count: the queue is empty for the next scenario.
    await drained(queue, box, () => waitUntilEmpty(mq.client, queue, 30_000));
  });

  it('a timeout: the pending task is sent at the abort; one enqueued after it, unfinished at the reset, is handed off at SIGTERM and reported sent', async () => {
    const box = await sandbox();
    const key = unique('reset');
    const result = await box.invoke({ task: 'overrun', payload: { key, ms: 10 }, outlive: true });
    expect(result.body).toContain('Task timed out');
    const atAbort = taskLogs(box, (l) => l.message === 'task sent to the queue: it never started before the deadline' && l.task === 'overrun');
    expect(atAbort.length).toBeGreaterThan(0);
    const report = (): Array<Record<string, unknown>> => taskLogs(box, (l) => String(l.message).includes('got SIGTERM: unfinished tasks handed off') && l.requestId === result.requestId);
    await waitFor('the SIGTERM report', () => report().length > 0, 5000);
    // Enqueued after the abort: late (running, unheld) when the release came first, else never started.
    expect(report()).toMatchObject([{ level: 'WARN', sent: [expect.stringMatching(/^task overrun( \(never started\))?$/)], lost: [], tasks: [{ job: expect.stringMatching(/^task overrun/), taskId: expect.any(String), attempt: 1, outcome: 'sent' }] }]);
    expect(taskLogs(box, (l) => l.requestId === result.requestId && String(l.message).includes('never finished and are lost'))).toEqual([]);
    await drained(queue, box, () => waitFor('both tasks done', () => runs(box, key).some((r) => r.phase === 'done') && runs(box, `${key}-late`).some((r) => r.phase === 'done')));
    expect(runs(box, key).map((r) => [r.attempt, r.phase])).toEqual([[1, 'start'], [1, 'done']]); // never ran before: still attempt 1
    expect(runs(box, `${key}-late`).at(-1)?.phase).toBe('done');
  });
});

describe.each(PROFILES)('on %s, tasks without a working queue', (profile) => {
  const noQueue = sandboxFor(() => startWithLayer({ profile, handler: 'tasks.handler', timeoutSeconds: 3, env: mq.functionEnv() }));
  const refusing = sandboxFor(() => startWithLayer({ profile, handler: 'tasks.handler', timeoutSeconds: 3, env: { ...mq.functionEnv(), AFTER_RESPONSE_TASK_QUEUE_URL: `${mq.endpoint}/000000000000/${unique('no-such-queue')}` } }));
  const unreachable = sandboxFor(() => startWithLayer({ profile, handler: 'tasks.handler', timeoutSeconds: 3, env: { ...mq.functionEnv(), AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9', AFTER_RESPONSE_TASK_QUEUE_URL: 'http://127.0.0.1:9/000000000000/tasks' } }));

  it('no queue: one WARN at init, a failed task is named LOST in an ERROR, and so is a write-ahead task when it starts (no copy)', async () => {
    const box = await noQueue();
    const failed = await box.invoke({ task: 'flaky', payload: { key: 'nq' } });
    const { taskId } = failed.json() as { taskId: string };
    expect(taskLogs(box, (l) => String(l.message).startsWith('AFTER_RESPONSE_TASK_QUEUE_URL is not set'))).toHaveLength(1);
    expect(taskLogs(box, (l) => l.taskId === taskId && l.level === 'ERROR' && String(l.message).startsWith('task LOST'))).toMatchObject([{ requestId: failed.requestId, attempt: 1, nextAttempt: 2 }]);
    const durable = await box.invoke({ task: 'durable', payload: { key: 'nq-durable' } });
    const written = durable.json() as { taskId: string };
    expect(taskLogs(box, (l) => l.taskId === written.taskId && l.level === 'ERROR')).toMatchObject([{ requestId: durable.requestId, task: 'durable', message: expect.stringMatching(/^task LOST if this run does not finish: write-ahead needs a queue/) }]);
    expect(runs(box, 'nq-durable').map((r) => r.phase)).toEqual(['start', 'done']);
  });

  it('the queue refusing: ERROR names the task LOST, and the invoke is released (settled, no timeout)', async () => {
    const box = await refusing();
    const result = await box.invoke({ task: 'flaky', payload: { key: 'refused' } });
    const { taskId } = result.json() as { taskId: string };
    expect(taskLogs(box, (l) => l.taskId === taskId && l.level === 'ERROR' && String(l.message).startsWith('task LOST: it failed on attempt 1, and sending it to the queue failed'))).toHaveLength(1);
    expect(taskLogs(box, (l) => l.requestId === result.requestId && l.message === 'after-response summary')).toMatchObject([{ outcome: 'settled', failed: 1 }]);
  });

  it('the queue unreachable at the deadline: the hand-off is bounded, the invoke released before the deadline, the task named', async () => {
    const box = await unreachable();
    await box.invoke({ task: 'flaky', payload: { key: 'warm-u', succeedOn: 1 } });
    const result = await box.invoke({ task: 'overrun', payload: { key: 'unreach', ms: 8000 } });
    expect(result.body).not.toContain('Task timed out');
    const { taskId } = result.json() as { taskId: string };
    const named = taskLogs(box, (l) => l.requestId === result.requestId && String(l.message).startsWith('hand-offs did not finish'));
    const lost = taskLogs(box, (l) => l.taskId === taskId && String(l.message).startsWith('task LOST'));
    expect(named.length + lost.length).toBeGreaterThan(0);
    expect(named.flatMap((l) => l.jobs as string[]).concat(lost.map((l) => `task ${String(l.task)}`))).toContain('task overrun');
    for (const line of named) expect(line.tasks).toEqual([{ job: 'task overrun', taskId, attempt: 1 }]);
  });
});
