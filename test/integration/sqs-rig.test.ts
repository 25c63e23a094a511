// Self-test of the rig's SQS pieces: ElasticMQ on loopback, the AWS SDK in the runtime replica's
// /var/runtime/node_modules, and the event source playing Lambda's SQS event source mapping
// (delete on success, partial batch failures, redelivery after the visibility timeout, redrive
// to the DLQ).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElasticMq, type ElasticMq, type SqsQueue } from '../rig/elasticmq.ts';
import { startSandbox, type Sandbox } from '../rig/sandbox.ts';
import { SqsEventSource, type SqsEventSourceOptions } from '../rig/sqs-event-source.ts';
import { peekMessages, queueCounts, sendMessage, waitForMessageCount, waitUntilEmpty } from '../rig/sqs-queue.ts';
import { APP_DIR, PROFILES, sandboxFor } from './product-helpers.ts';

let mq: ElasticMq;
beforeAll(async () => {
  mq = await startElasticMq();
});
afterAll(async () => {
  await mq?.stop();
});

const unique = (name: string): string => `${name}-${randomBytes(4).toString('hex')}`;

interface Delivery { id: string; messageId: string; receiveCount: number; record: SQSRecord }

/** What the consumer fixture saw, in order (it appends one line per record it was given). */
function deliveries(box: Sandbox, id: string): Delivery[] {
  const path = `${box.tmpDir}/sqs-deliveries.jsonl`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Delivery).filter((d) => d.id === id);
}

/** Runs the event source over `queue` until `done` resolves, then stops it (also when `done` fails). */
async function withEventSource<T>(options: Omit<SqsEventSourceOptions, 'client'>, done: (source: SqsEventSource) => Promise<T>): Promise<T> {
  const source = SqsEventSource.start({ client: mq.client, ...options });
  try {
    return await done(source);
  } finally {
    await source.stop();
  }
}

const report = ['ReportBatchItemFailures'] as const;

describe.each(PROFILES)('on %s, the rig\'s SQS', (profile) => {
  const sender = sandboxFor(() => startSandbox({ profile, taskDir: APP_DIR, handler: 'sqs-send.handler', env: mq.functionEnv(), timeoutSeconds: 10 }));
  const consumer = sandboxFor(() => startSandbox({ profile, taskDir: APP_DIR, handler: 'sqs-consume.handler', env: mq.functionEnv(), timeoutSeconds: 10 }));
  const queues = (name: string, maxReceiveCount: number): Promise<{ queue: SqsQueue; dlq: SqsQueue }> =>
    mq.createQueueWithDlq(unique(`${profile.replace('.', '-')}-${name}`), { visibilityTimeoutSeconds: 1, maxReceiveCount });

  it('is reached from the function, whose SDK from /var/runtime/node_modules is configured by the env alone', async () => {
    const box = await sender();
    const queue = await mq.createQueue(unique('send'));
    const result = await box.invoke({ queueUrl: queue.url, body: 'sent from the sandbox' });
    expect(result.responsePostedAt, result.body).toBeDefined();
    const sent = result.json() as { messageId: string; sdkUrl: string; endpoint: string };
    expect(sent.sdkUrl).toMatch(/^file:\/\/\/var\/runtime\/node_modules\/@aws-sdk\/client-sqs\//);
    expect(sent.endpoint).toBe(mq.endpoint);
    const [message, ...more] = await peekMessages(mq.client, queue);
    expect(more).toEqual([]);
    expect(message).toMatchObject({ MessageId: sent.messageId, Body: 'sent from the sandbox', MessageAttributes: { origin: { DataType: 'String', StringValue: 'sqs-send fixture' } } });
  });

  it('invokes the function with Lambda\'s SQS event shape, and deletes the message it handled', async () => {
    const box = await consumer();
    const { queue } = await queues('shape', 5);
    const body = JSON.stringify({ id: 'shape' });
    const messageId = await sendMessage(mq.client, queue, body, {
      messageAttributes: { s: { DataType: 'String', StringValue: 'v' }, n: { DataType: 'Number', StringValue: '42' }, b: { DataType: 'Binary', BinaryValue: Uint8Array.of(1, 2, 255) } },
    });
    await withEventSource({ queue, target: box, functionResponseTypes: report }, () => waitUntilEmpty(mq.client, queue));
    const [seen, ...again] = deliveries(box, 'shape');
    expect(again).toEqual([]);
    expect(Object.keys(seen?.record ?? {})).toEqual(['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion', 'md5OfMessageAttributes']);
    expect(seen?.record).toMatchObject({
      messageId, body, eventSource: 'aws:sqs', eventSourceARN: queue.arn, awsRegion: 'us-east-1',
      md5OfBody: createHash('md5').update(body).digest('hex'),
      messageAttributes: {
        s: { stringValue: 'v', stringListValues: [], binaryListValues: [], dataType: 'String' },
        n: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        b: { binaryValue: Buffer.from([1, 2, 255]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
    expect(seen?.record.attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d{13}$/), SenderId: expect.any(String), ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/) });
  });

  it('leaves the whole batch when the function throws: a message failing twice is deleted after its third receive', async () => {
    const box = await consumer();
    const { queue, dlq } = await queues('flaky', 5);
    const messageId = await sendMessage(mq.client, queue, JSON.stringify({ id: 'flaky', throwUntil: 3 }));
    const batches = await withEventSource({ queue, target: box, functionResponseTypes: report }, async (source) => {
      await source.until('the message deleted', (delivered) => delivered.some((b) => b.deleted.includes(messageId)));
      return source.batches;
    });
    expect(await queueCounts(mq.client, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(deliveries(box, 'flaky').map((d) => d.receiveCount)).toEqual([1, 2, 3]);
    expect(batches.map((b) => [b.verdict.kind, b.receiveCounts.get(messageId), b.deleted, b.left])).toEqual([
      ['failure', 1, [], [messageId]],
      ['failure', 2, [], [messageId]],
      ['success', 3, [messageId], []],
    ]);
    expect(batches[0]?.verdict).toMatchObject({ reason: expect.stringContaining('flaky: failing delivery 1 of 2') });
    expect(await peekMessages(mq.client, dlq)).toEqual([]);
  });

  it('holds a message sent with a delay as delayed, then delivers it', async () => {
    const box = await consumer();
    const { queue } = await queues('delayed', 5);
    const messageId = await sendMessage(mq.client, queue, JSON.stringify({ id: 'delayed' }), { delaySeconds: 1 });
    expect(await queueCounts(mq.client, queue)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    await withEventSource({ queue, target: box, functionResponseTypes: report }, (source) =>
      source.until('the delayed message deleted', (delivered) => delivered.some((b) => b.deleted.includes(messageId))));
    expect(deliveries(box, 'delayed').map((d) => [d.messageId, d.receiveCount])).toEqual([[messageId, 1]]);
  });

  it('moves a message that always fails to the DLQ after maxReceiveCount receives', async () => {
    const box = await consumer();
    const { queue, dlq } = await queues('poison', 2);
    const body = JSON.stringify({ id: 'poison', failUntil: 1e9 });
    const messageId = await sendMessage(mq.client, queue, body);
    await withEventSource({ queue, target: box, functionResponseTypes: report }, async () => {
      await waitForMessageCount(mq.client, dlq, 1);
      await waitUntilEmpty(mq.client, queue);
    });
    expect(deliveries(box, 'poison').map((d) => d.receiveCount)).toEqual([1, 2]);
    expect(await peekMessages(mq.client, dlq)).toMatchObject([{ MessageId: messageId, Body: body }]);
  });

  it('redelivers only the messages a partial batch response names', async () => {
    const box = await consumer();
    const { queue } = await queues('partial', 5);
    const ids = [];
    for (const order of [{ id: 'p-a' }, { id: 'p-b', failUntil: 2 }, { id: 'p-c' }]) ids.push(await sendMessage(mq.client, queue, JSON.stringify(order)));
    const [a, b, c] = ids;
    const batches = await withEventSource({ queue, target: box, functionResponseTypes: report }, async (source) => {
      await waitUntilEmpty(mq.client, queue);
      return source.batches;
    });
    // ElasticMQ hands out every visible message (up to the batch size) in one receive.
    expect(batches.map((b) => [b.verdict, [...b.receiveCounts.entries()].sort(), [...b.deleted].sort()])).toEqual([
      [{ kind: 'partial', failed: [b] }, [[a, 1], [b, 1], [c, 1]].sort(), [a, c].sort()],
      [{ kind: 'success' }, [[b, 2]], [b]],
    ]);
    expect(['p-a', 'p-b', 'p-c'].map((id) => deliveries(box, id).map((d) => d.receiveCount))).toEqual([[1], [1, 2], [1]]);
  });

  it('fails the whole batch when the response names an itemIdentifier that is no message of it', async () => {
    const box = await consumer();
    const { queue, dlq } = await queues('unknown-id', 1);
    const bad = await sendMessage(mq.client, queue, JSON.stringify({ id: 'u-bad', respond: { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] } }));
    const good = await sendMessage(mq.client, queue, JSON.stringify({ id: 'u-good' }));
    const batches = await withEventSource({ queue, target: box, functionResponseTypes: report }, async (source) => {
      await waitForMessageCount(mq.client, dlq, 2);
      return source.batches;
    });
    expect(batches).toHaveLength(1);
    expect(batches[0]?.verdict).toEqual({ kind: 'failure', reason: 'itemIdentifier "not-a-message-id" is not a message id of this batch' });
    expect([...(batches[0]?.left ?? [])].sort()).toEqual([bad, good].sort());
    expect((await peekMessages(mq.client, dlq)).map((m) => m.MessageId).sort()).toEqual([bad, good].sort());
  });

  it('without ReportBatchItemFailures (AWS\'s default) ignores batchItemFailures and deletes the batch', async () => {
    const box = await consumer();
    const { queue } = await queues('no-report', 5);
    const messageId = await sendMessage(mq.client, queue, JSON.stringify({ id: 'no-report', failUntil: 1e9 }));
    const batches = await withEventSource({ queue, target: box }, async (source) => {
      await waitUntilEmpty(mq.client, queue);
      return source.batches;
    });
    expect(batches.map((b) => [b.verdict.kind, b.deleted])).toEqual([['success', [messageId]]]);
    expect(deliveries(box, 'no-report')).toHaveLength(1);
  });
});
