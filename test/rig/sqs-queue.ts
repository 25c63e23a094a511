// Test helpers over a real SQS API (ElasticMQ under the rig): send a message, read a queue's
// counts, wait until it holds what a test expects, and read messages without consuming them
// (e.g. a dead-letter queue's).
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsQueue } from './elasticmq.ts';

export interface SendOptions {
  /** DelaySeconds for this message: 0–900 (SQS). */
  readonly delaySeconds?: number;
  readonly messageAttributes?: Record<string, MessageAttributeValue>;
}

/** Sends one message; returns its message id. */
export async function sendMessage(client: SQSClient, queue: SqsQueue, body: string, options: SendOptions = {}): Promise<string> {
  const sent = await client.send(new SendMessageCommand({
    QueueUrl: queue.url,
    MessageBody: body,
    ...(options.delaySeconds === undefined ? {} : { DelaySeconds: options.delaySeconds }),
    ...(options.messageAttributes === undefined ? {} : { MessageAttributes: options.messageAttributes }),
  }));
  if (sent.MessageId === undefined) throw new Error(`SendMessage to ${queue.name} returned no MessageId`);
  return sent.MessageId;
}

/** SQS's approximate counts: visible (receivable), in flight (received, not deleted) and delayed. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export async function queueCounts(client: SQSClient, queue: SqsQueue): Promise<QueueCounts> {
  const { Attributes: a = {} } = await client.send(new GetQueueAttributesCommand({
    QueueUrl: queue.url,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? NaN),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? NaN),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? NaN),
  };
}

const total = (c: QueueCounts): number => c.visible + c.inFlight + c.delayed;

/**
 * Resolves with the counts once `test(counts)` holds (polled every 50 ms); rejects after
 * `timeoutMs` (default 30,000) naming the queue, `what` was awaited and the last counts.
 */
export async function waitForQueue(
  client: SQSClient,
  queue: SqsQueue,
  what: string,
  test: (counts: QueueCounts) => boolean,
  timeoutMs = 30_000,
): Promise<QueueCounts> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const counts = await queueCounts(client, queue);
    if (test(counts)) return counts;
    if (performance.now() > deadline) throw new Error(`queue ${queue.name}: not ${what} within ${timeoutMs} ms (last: ${JSON.stringify(counts)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Until the queue holds exactly `n` messages in all (visible, in flight or delayed). */
export function waitForMessageCount(client: SQSClient, queue: SqsQueue, n: number, timeoutMs?: number): Promise<QueueCounts> {
  return waitForQueue(client, queue, `holding ${n} message(s)`, (c) => total(c) === n, timeoutMs);
}

/** Until no message is left: none visible, none in flight (received, not yet deleted), none delayed. */
export function waitUntilEmpty(client: SQSClient, queue: SqsQueue, timeoutMs?: number): Promise<QueueCounts> {
  return waitForQueue(client, queue, 'empty', (c) => total(c) === 0, timeoutMs);
}

/**
 * Up to `max` (1–10) visible messages with all their attributes, received with a visibility
 * timeout of 0 so they stay visible. Each read counts as a receive (ApproximateReceiveCount
 * grows, and on a queue with a redrive policy it can move a message): use it on a queue nothing
 * redrives from, such as a dead-letter queue.
 */
export async function peekMessages(client: SQSClient, queue: SqsQueue, max = 10): Promise<Message[]> {
  const { Messages = [] } = await client.send(new ReceiveMessageCommand({
    QueueUrl: queue.url,
    MaxNumberOfMessages: max,
    VisibilityTimeout: 0,
    WaitTimeSeconds: 0,
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
  }));
  return Messages;
}
