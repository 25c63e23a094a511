import { describe, expect, it } from 'vitest';
import { decodeEnvelope, envelopeBody, TASK_ATTRIBUTE } from '../../client/tasks/envelope.ts';
import type { TaskContext } from '../../client/tasks/types.ts';
import { deadlineAbortReason } from '../../shared/deadline-abort.ts';
import { flush } from './fakes.ts';
import { taskSetup } from './task-fakes.ts';

function attemptsSent(sent: ReadonlyArray<{ readonly body: string }>): Array<[string, number]> {
  return sent.map(({ body }) => {
    const decoded = decodeEnvelope(body);
    if (!decoded.ok) throw new Error(decoded.problem);
    return [decoded.envelope.taskId, decoded.envelope.attempt];
  });
}

/** A task that waits for its signal, then settles as `settle` says (the docs' "catch the abort" job, or `fetch`'s rejection). */
function waitsForAbort(settle: 'resolve' | 'reject') {
  return (_payload: unknown, { signal }: TaskContext) => new Promise<void>((resolve, reject) => {
    signal.addEventListener('abort', () => (settle === 'resolve' ? resolve() : reject(signal.reason)), { once: true });
  });
}

function messages(records: ReadonlyArray<Readonly<Record<string, unknown>>>): string[] {
  return records.map((r) => `${String(r.level)} ${String(r.message)}`);
}

describe('a task that settles after its deadline abort is interrupted: handed on, never taken as done', () => {
  for (const settle of ['resolve', 'reject'] as const) {
    it(`it catches the abort and ${settle}s: sent as attempt 2 (same taskId), logged as interrupted, not failed, before the job settles`, async () => {
      const { api, host, sender, logger } = taskSetup();
      api.defineTask('reply', waitsForAbort(settle)).enqueue({ text: 'hi' }, { taskId: 'order-7' });
      const controller = new AbortController();
      const order: string[] = [];
      const job = host.run(0, { signal: controller.signal }).then(() => order.push('job resolved'), () => order.push('job rejected'));
      await flush();
      expect(sender.sent).toEqual([]);
      controller.abort(deadlineAbortReason());
      await job;
      expect(attemptsSent(sender.sent)).toEqual([['order-7', 2]]);
      // Either way the job resolves: the task was handed on, so the layer logs no `job failed` for it.
      expect(order).toEqual(['job resolved']);
      expect(logger.records.find((r) => String(r.message).startsWith('task sent'))).toMatchObject({ level: 'WARN', message: expect.stringMatching(/interrupted by the deadline/), taskId: 'order-7', attempt: 1, nextAttempt: 2 });
      expect(messages(logger.records).filter((m) => /failed/.test(m))).toEqual([]);
    });
  }

  it('write-ahead: the copy runs it again; its completion is not recorded (memory nor store), and nothing more is sent', async () => {
    const puts: string[] = [];
    const { api, host, sender, logger } = taskSetup();
    api.setTaskCompletionStore({ has: () => false, put: (id) => void puts.push(id) });
    api.defineTask('durable', waitsForAbort('resolve'), { durability: 'write-ahead' }).enqueue(1, { taskId: 'w1' });
    const controller = new AbortController();
    const job = host.run(0, { signal: controller.signal });
    await flush();
    controller.abort(deadlineAbortReason());
    await job;
    expect(attemptsSent(sender.sent)).toEqual([['w1', 2]]); // the write-ahead copy only
    expect(puts).toEqual([]);
    expect(logger.records.find((r) => String(r.message).startsWith('task interrupted'))).toMatchObject({ level: 'WARN', message: 'task interrupted by the deadline: its copy in the queue runs it again', taskId: 'w1' });
    // The copy arrives: it is not reported done, it runs.
    let ran = 0;
    const again = taskSetup();
    again.api.defineTask('durable', () => void ran++);
    const body = sender.sent[0]?.body ?? '';
    await again.api.handleTaskBatch({ Records: [{ messageId: 'm1', body, attributes: { ApproximateReceiveCount: '1' }, messageAttributes: { [TASK_ATTRIBUTE]: { stringValue: 'durable' } } }] });
    expect(ran).toBe(1);
  });

  it('a run that completes before the abort is done: nothing sent', async () => {
    const { api, host, sender } = taskSetup();
    api.defineTask('quick', () => undefined).enqueue(1);
    const controller = new AbortController();
    await host.run(0, { signal: controller.signal });
    controller.abort(deadlineAbortReason());
    await flush();
    expect(sender.sent).toEqual([]);
  });
});

describe('handleTaskBatch: a record that settles after the abort stays in the queue and is not recorded as completed', () => {
  it('resolving after the abort: a failure, and its redelivery in this environment runs it (not "already completed")', async () => {
    const { api, timers, logger } = taskSetup();
    let runs = 0;
    api.defineTask('reply', (payload, ctx) => {
      runs++;
      return runs === 1 ? waitsForAbort('resolve')(payload, ctx) : undefined;
    });
    const message = { messageId: 'm1', body: envelopeBody({ task: 'reply', taskId: 't1', attempt: 1, payloadJson: 'null' }), attributes: { ApproximateReceiveCount: '1' } };
    const first = api.handleTaskBatch({ Records: [message] }, { getRemainingTimeInMillis: () => 3000 });
    await flush();
    timers.advance(3000);
    await expect(first).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    await flush();
    await expect(api.handleTaskBatch({ Records: [{ ...message, attributes: { ApproximateReceiveCount: '2' } }] })).resolves.toEqual({ batchItemFailures: [] });
    expect(runs).toBe(2);
    expect(logger.records.find((r) => String(r.message).startsWith('task did not finish'))).toMatchObject({ level: 'ERROR', messageId: 'm1', receiveCount: 1 });
    expect(messages(logger.records).filter((m) => /already completed|failed on attempt/.test(m))).toEqual([]);
  });

  it('a failure line says what becomes of the message (redelivery or the DLQ: the redrive policy is not known here) and its receive count', async () => {
    const { api, logger } = taskSetup();
    api.defineTask('bad', () => { throw new Error('still down'); });
    const body = envelopeBody({ task: 'bad', taskId: 't2', attempt: 1, payloadJson: 'null' });
    await api.handleTaskBatch({ Records: [{ messageId: 'm2', body, attributes: { ApproximateReceiveCount: '3' } }] });
    expect(logger.records.find((r) => String(r.message).startsWith('task failed on attempt 3'))).toMatchObject({
      level: 'ERROR', receiveCount: 3,
      message: 'task failed on attempt 3: redelivered after its visibility timeout, or moved to the DLQ when the queue\'s redrive policy says so',
    });
  });
});
