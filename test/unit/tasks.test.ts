import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../client/tasks/envelope.ts';
import type { TaskContext } from '../../client/tasks/types.ts';
import { flush } from './fakes.ts';
import { taskSetup } from './task-fakes.ts';

const START = 1_000_000; // manualTimers' start: the fakes' "now"

function bodyOf(body: string | undefined) {
  const decoded = decodeEnvelope(body);
  if (!decoded.ok) throw new Error(decoded.problem);
  return decoded.envelope;
}

describe('defineTask: the registry', () => {
  it('a name defined twice is a TypeError naming it; so are bad names, non-functions, classes and options', () => {
    const { api } = taskSetup();
    api.defineTask('send-report', () => undefined);
    expect(() => api.defineTask('send-report', () => undefined)).toThrow(new TypeError('Task `send-report` is already defined: each name may be defined once (at module top level), since the queue\'s messages find their task by name'));
    expect(() => api.defineTask('', () => undefined)).toThrow(/Expected `name`/);
    expect(() => api.defineTask('has space', () => undefined)).toThrow(/Expected `name`.*"has space"/);
    expect(() => api.defineTask('x', 42 as never)).toThrow(/Expected the function of task `x` to be a function, got `42` \(number\)/);
    expect(() => api.defineTask('y', class Y {} as never)).toThrow(TypeError);
    expect(() => api.defineTask('z', () => undefined, { durability: 'forever' as never })).toThrow(/'in-invoke' or 'write-ahead'.*"forever"/);
    expect(() => api.defineTask('w', () => undefined, { retries: 3 } as never)).toThrow(/Unknown option `retries`/);
  });

  it('no queue configured: one WARN at the first defineTask, none at the second', () => {
    const { api, logger } = taskSetup({ queue: false });
    api.defineTask('a', () => undefined);
    api.defineTask('b', () => undefined);
    const warnings = logger.records.filter((r) => r.level === 'WARN');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.message)).toMatch(/AFTER_RESPONSE_TASK_QUEUE_URL is not set/);
  });
});

describe('task.enqueue: runs as a job named `task <name>`', () => {
  it('validates at once: a bad payload is a TypeError and nothing is queued or sent', () => {
    const { api, host, sender } = taskSetup();
    const task = api.defineTask<unknown>('t', () => undefined);
    expect(() => task.enqueue({ at: new Date(0) })).toThrow(/`payload.at` is a Date/);
    expect(() => task.enqueue({ n: 10n })).toThrow(/`payload.n` is a BigInt/);
    expect(() => task.enqueue('x'.repeat(262_144))).toThrow(/would be \d+ bytes, over AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES \(262144\)/);
    expect(() => task.enqueue(1, { taskId: '' })).toThrow(/Expected `taskId`/);
    expect(host.jobs).toEqual([]);
    expect(sender.events).toEqual([]);
  });

  it('the size limit follows AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES', () => {
    const { api } = taskSetup({ env: { AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES: '1048576' } });
    const task = api.defineTask<string>('big', () => undefined);
    expect(() => task.enqueue('x'.repeat(500_000))).not.toThrow();
    expect(() => task.enqueue('x'.repeat(1_048_576))).toThrow(/over AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES \(1048576\)/);
  });

  it('success: the function gets the payload as JSON gives it back and { signal, requestId, deadlineMs, taskId, attempt: 1 }; nothing is sent; the sender is warmed', async () => {
    const { api, host, sender } = taskSetup();
    const seen: Array<[unknown, TaskContext]> = [];
    const task = api.defineTask<{ url: string }>('report', (payload, ctx) => void seen.push([payload, ctx]));
    const payload = { url: 'https://example.com' };
    const taskId = task.enqueue(payload);
    expect(host.jobs.map((j) => [j.name, j.task])).toEqual([['task report', { taskId, attempt: 1 }]]); // named in the host's hand-off lines
    await host.run(0, { requestId: 'r9', deadlineMs: START + 5000 });
    expect(seen[0]?.[0]).toEqual(payload);
    expect(seen[0]?.[0]).not.toBe(payload);
    expect(seen[0]?.[1]).toMatchObject({ requestId: 'r9', deadlineMs: START + 5000, taskId, attempt: 1 });
    expect(sender.sent).toEqual([]);
    expect(sender.warmed()).toBe(1);
  });

  it('failure: sent (same taskId and payload, attempt 2) before the job settles; the job then rejects with the error', async () => {
    const { api, host, sender, logger } = taskSetup();
    const task = api.defineTask<{ n: number }>('flaky', () => Promise.reject(new Error('503 from upstream')));
    const taskId = task.enqueue({ n: 1 }, { taskId: 'order-7' });
    expect(taskId).toBe('order-7');
    const order: string[] = [];
    const settled = host.run(0).then(() => order.push('resolved'), (error: unknown) => order.push(`rejected ${(error as Error).message}`));
    await settled;
    expect(sender.sent).toHaveLength(1);
    expect(bodyOf(sender.sent[0]?.body)).toEqual({ v: 1, task: 'flaky', taskId: 'order-7', attempt: 2, payload: { n: 1 } });
    expect(sender.sent[0]?.task).toBe('flaky');
    expect(order).toEqual(['rejected 503 from upstream']);
    expect(logger.records.find((r) => String(r.message).startsWith('task sent'))).toMatchObject({ level: 'WARN', requestId: 'r1', task: 'flaky', taskId: 'order-7', attempt: 1, nextAttempt: 2 });
  });

  it('failure and the queue refuses: an ERROR names the task LOST with its taskId', async () => {
    const { api, host, sender, logger } = taskSetup();
    sender.state.mode = 'fail';
    api.defineTask('t', () => { throw new Error('x'); }).enqueue(null);
    await host.run(0).catch(() => undefined);
    expect(logger.records.find((r) => String(r.message).startsWith('task LOST'))).toMatchObject({ level: 'ERROR', task: 't', taskId: 'id-1', errorMessage: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  it('no queue: a failed task is named LOST in an ERROR', async () => {
    const { api, host, logger } = taskSetup({ queue: false });
    api.defineTask('t', () => { throw new Error('x'); }).enqueue(null);
    await host.run(0).catch(() => undefined);
    expect(logger.records.find((r) => r.level === 'ERROR')).toMatchObject({ task: 't', taskId: 'id-1', message: expect.stringMatching(/task LOST: it failed on attempt 1 and no queue is configured/) });
  });

  it('every task line names the enqueuing invoke\'s requestId (from the host at enqueue, else the job\'s), the attempt that ran and, for a send or a loss, the attempt the message carries (nextAttempt)', async () => {
    const { api, host, sender, logger } = taskSetup({ hostRequestId: 'req-enqueue' });
    sender.state.mode = 'fail';
    const task = api.defineTask('t', () => { throw new Error('x'); });
    task.enqueue(null);
    await host.run(0, { requestId: 'req-job' }).catch(() => undefined);
    expect(logger.records.find((r) => String(r.message).startsWith('task LOST'))).toMatchObject({ level: 'ERROR', requestId: 'req-enqueue', task: 't', taskId: 'id-1', attempt: 1, nextAttempt: 2 });
    const unknownHost = taskSetup();
    unknownHost.api.defineTask('u', () => { throw new Error('y'); }).enqueue(null);
    await unknownHost.host.run(0, { requestId: 'req-job' }).catch(() => undefined);
    expect(unknownHost.logger.records.find((r) => String(r.message).startsWith('task sent'))).toMatchObject({ requestId: 'req-job', attempt: 1, nextAttempt: 2 });
  });
});

describe('hand-off: the host passes a task on when it cannot finish here', () => {
  it('never started: sent at once with its attempt unchanged (attempt counts runs), resolves once stored', async () => {
    const { api, host, sender } = taskSetup();
    api.defineTask('t', () => undefined).enqueue({ a: 1 });
    await host.jobs[0]?.handOff?.('never-started');
    expect(bodyOf(sender.sent[0]?.body)).toMatchObject({ taskId: 'id-1', attempt: 1, payload: { a: 1 } });
  });

  it('abandoned while running: sent as attempt 2; its later failure sends nothing more, its completion nothing either', async () => {
    const { api, host, sender } = taskSetup();
    let fail!: (error: Error) => void;
    api.defineTask('t', () => new Promise((_, reject) => (fail = reject))).enqueue(1);
    const running = host.run(0).catch(() => undefined);
    await flush();
    await host.jobs[0]?.handOff?.('abandoned');
    fail(new Error('woke after the thaw and failed'));
    await running;
    expect(sender.sent.map((s) => bodyOf(s.body).attempt)).toEqual([2]);
    await host.jobs[0]?.handOff?.('shutdown'); // a second hand-off: the same copy
    expect(sender.sent).toHaveLength(1);
  });

  it('settled: a hand-off sends nothing and resolves', async () => {
    const { api, host, sender } = taskSetup();
    api.defineTask('t', () => undefined).enqueue(1);
    await host.run(0);
    await expect(host.jobs[0]?.handOff?.('abandoned')).resolves.toBeUndefined();
    expect(sender.events).toEqual([]);
  });

  it('a hand-off that cannot be stored rejects (the extension reports the task lost)', async () => {
    const { api, host, sender } = taskSetup();
    sender.state.mode = 'fail';
    api.defineTask('t', () => undefined).enqueue(1);
    await expect(host.jobs[0]?.handOff?.('never-started')).rejects.toThrow(/NonExistentQueue/);
  });

  it('an older layer without hand-off: the running task sends itself when its signal aborts', async () => {
    const { api, host, sender } = taskSetup({ handsOff: false });
    api.defineTask('t', () => new Promise(() => {})).enqueue(1);
    const controller = new AbortController();
    void host.run(0, { signal: controller.signal });
    await flush();
    expect(sender.sent).toEqual([]);
    controller.abort();
    await flush();
    expect(sender.sent.map((s) => bodyOf(s.body).attempt)).toEqual([2]);
  });
});

describe("durability: 'write-ahead'", () => {
  it('sent before the function starts, delayed to cover the rest of the invoke (ceil to seconds)', async () => {
    const { api, host, sender, logger } = taskSetup();
    const order: string[] = [];
    api.defineTask('wa', () => void order.push(`ran after ${sender.sent.length} send(s)`), { durability: 'write-ahead' }).enqueue({ k: 'v' });
    await host.run(0, { deadlineMs: START + 2_001 });
    expect(order).toEqual(['ran after 1 send(s)']);
    expect(sender.sent[0]?.delaySeconds).toBe(3);
    expect(logger.records.find((r) => String(r.message).startsWith('task sent to the queue: write-ahead copy'))).toMatchObject({ level: 'INFO', task: 'wa', taskId: 'id-1', attempt: 1, nextAttempt: 2, delaySeconds: 3 });
    expect(bodyOf(sender.sent[0]?.body)).toMatchObject({ task: 'wa', taskId: 'id-1', attempt: 2, payload: { k: 'v' } });
  });

  it('no queue: each write-ahead task is named in an ERROR when it starts (it runs without a copy), beyond the one WARN at defineTask', async () => {
    const { api, host, logger } = taskSetup({ queue: false, hostRequestId: 'req-1' });
    const ran: string[] = [];
    const task = api.defineTask('wa', () => void ran.push('ran'), { durability: 'write-ahead' });
    task.enqueue(1);
    task.enqueue(2);
    await host.run(0);
    await host.run(1);
    expect(ran).toEqual(['ran', 'ran']);
    const errors = logger.records.filter((r) => r.level === 'ERROR');
    expect(errors).toMatchObject([
      { requestId: 'req-1', task: 'wa', taskId: 'id-1', attempt: 1, message: expect.stringMatching(/^task LOST if this run does not finish: write-ahead needs a queue/) },
      { task: 'wa', taskId: 'id-2' },
    ]);
  });

  it('the delay is capped at 900 s (SQS), also where there is no deadline', async () => {
    const { api, host, sender } = taskSetup();
    const task = api.defineTask('wa', () => undefined, { durability: 'write-ahead' });
    task.enqueue(1);
    task.enqueue(2);
    await host.run(0, { deadlineMs: START + 3_600_000 });
    await host.run(1, { deadlineMs: Number.POSITIVE_INFINITY });
    expect(sender.sent.map((s) => s.delaySeconds)).toEqual([900, 900]);
  });

  it('success records the completion (memory and store); failure and hand-off send nothing more (the copy runs it)', async () => {
    const puts: string[] = [];
    const { api, host, sender, logger } = taskSetup();
    api.setTaskCompletionStore({ has: () => false, put: (id) => void puts.push(id) });
    const ok = api.defineTask('ok', () => undefined, { durability: 'write-ahead' });
    const bad = api.defineTask('bad', () => { throw new Error('boom'); }, { durability: 'write-ahead' });
    ok.enqueue(1);
    bad.enqueue(2);
    await host.run(0);
    await host.run(1).catch(() => undefined);
    await host.jobs[1]?.handOff?.('abandoned');
    expect(sender.sent).toHaveLength(2);
    expect(puts).toEqual(['id-1']);
    expect(logger.records.find((r) => String(r.message).startsWith('task failed: its copy'))).toMatchObject({ task: 'bad', taskId: 'id-2' });
  });

  it('the write-ahead send failing: an ERROR, and the task still runs here', async () => {
    const { api, host, sender, logger } = taskSetup();
    sender.state.mode = 'fail';
    let ran = false;
    api.defineTask('wa', () => void (ran = true), { durability: 'write-ahead' }).enqueue(1);
    await host.run(0);
    expect(ran).toBe(true);
    expect(logger.records.find((r) => String(r.message).startsWith('task write-ahead failed'))).toMatchObject({ level: 'ERROR', task: 'wa' });
  });

  it('a write-ahead task that never started is sent at the hand-off (it was never written)', async () => {
    const { api, host, sender } = taskSetup();
    api.defineTask('wa', () => undefined, { durability: 'write-ahead' }).enqueue(1);
    await host.jobs[0]?.handOff?.('never-started');
    expect(sender.sent.map((s) => [bodyOf(s.body).attempt, s.delaySeconds])).toEqual([[1, 0]]);
  });
});

describe('AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES', () => {
  it.each(['abc', '2000000', '12', '-5', '1.5'])('%s: one ERROR naming the variable and the value, the default used', (value) => {
    const { api, logger } = taskSetup({ env: { AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES: value } });
    const task = api.defineTask(`big-${value}`, () => undefined);
    expect(() => task.enqueue({ text: 'x'.repeat(300_000) })).toThrow(/262144/);
    task.enqueue({ text: 'small' });
    const errors = logger.records.filter((r) => r.level === 'ERROR' && String(r.message).includes('AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES'));
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.message)).toContain(JSON.stringify(value));
  });

  it('a valid value up to SQS\'s 1 MiB raises the limit', () => {
    const { api, logger } = taskSetup({ env: { AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES: '1048576' } });
    api.defineTask('big-ok', () => undefined).enqueue({ text: 'x'.repeat(300_000) });
    expect(logger.records.filter((r) => r.level === 'ERROR')).toEqual([]);
  });
});
