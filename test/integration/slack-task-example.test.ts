// The Slack example's task variant under the rig: the follow-up survives a lookup longer than the
// function's timeout. The ack goes out at once; the task is sent to ElasticMQ at the deadline and
// the rig's SQS event source runs it again in the same function, which posts the answer.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElasticMq, type ElasticMq } from '../rig/elasticmq.ts';
import { SqsEventSource } from '../rig/sqs-event-source.ts';
import { waitUntilEmpty } from '../rig/sqs-queue.ts';
import { extensionLogs, PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';
import { commandEvent, SIGNING_SECRET, SlackStandIn } from './slack-stand-in.ts';
import { EXAMPLE_DIR } from './slack-task.ts';

let mq: ElasticMq;
let standIn: SlackStandIn;
beforeAll(async () => {
  [mq, standIn] = await Promise.all([startElasticMq(), SlackStandIn.start()]);
});
afterAll(async () => {
  await Promise.all([mq?.stop(), standIn?.close()]);
});

describe.each(PROFILES)('on %s, the Slack example as a task', (profile) => {
  const queueName = `slack-${profile.replace('.', '-')}-${randomBytes(4).toString('hex')}`;
  const queues = (): ReturnType<ElasticMq['createQueueWithDlq']> => mq.createQueueWithDlq(queueName, { visibilityTimeoutSeconds: 18, maxReceiveCount: 3 });
  let queue: Awaited<ReturnType<typeof queues>>['queue'];
  const sandbox = sandboxFor(async () => {
    ({ queue } = await queues());
    return startWithLayer({
      profile, taskDir: EXAMPLE_DIR, handler: 'task-handler.handler', timeoutSeconds: 3,
      env: { ...mq.functionEnv(), AFTER_RESPONSE_TASK_QUEUE_URL: queue.url, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_DEMO_WORK_MS: '4500' },
    });
  });

  it('acks at once; the lookup outlives the 3 s timeout; the follow-up arrives from the queue', async () => {
    const box = await sandbox();
    const url = standIn.responseUrl(`task-${profile.replace('.', '-')}`);
    const result = await box.invoke(commandEvent({ text: 'hello world', responseUrl: url }));
    expect(result.body).not.toContain('Task timed out');
    const response = result.json() as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ response_type: 'ephemeral', text: 'Working on `/lookup hello world`…' });
    expect(standIn.postsTo(url), 'no follow-up within the first invoke').toEqual([]);
    expect(extensionLogs(box.logs()).filter((l) => l.task === 'slack-follow-up' && String(l.message).startsWith('task sent'))).toHaveLength(1);
    const source = SqsEventSource.start({ client: mq.client, queue, target: box, functionResponseTypes: ['ReportBatchItemFailures'] });
    try {
      await source.until('the follow-up posted', () => standIn.postsTo(url).length > 0);
    } finally {
      await source.stop();
    }
    expect(standIn.postsTo(url).map((p) => p.body)).toEqual([{ response_type: 'ephemeral', text: 'Looked up "hello world": 2 word(s), 11 character(s).' }]);
    expect((standIn.postsTo(url)[0]?.at ?? 0) > (result.responsePostedAt ?? Infinity)).toBe(true);
    await waitUntilEmpty(mq.client, queue);
  });
});
