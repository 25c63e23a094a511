// isTaskBatch on its own: the client's entry exports it, and a handler calls it on every invoke, so
// it must not bring the rest of the task code (which the layer loads at first need, client/parts.ts).
import { readField, taskAttribute } from './sqs-record.ts';
import type { SqsEventLike } from './task-batch.ts';

/**
 * Whether `event` is an SQS batch for `handleTaskBatch`: it holds a task message (by the message
 * attribute; bodies are not parsed), or it comes from the task queue (`queueUrl`'s name is the
 * last part of a record's `eventSourceARN`) — so a message of another kind sent to the task queue
 * is reported as a failure and reaches the DLQ instead of being taken for something else and
 * deleted. Never throws.
 */
export function isTaskBatch(event: unknown, queueUrl: string | undefined = process.env.AFTER_RESPONSE_TASK_QUEUE_URL): event is SqsEventLike {
  try {
    const records: unknown = typeof event === 'object' && event !== null ? Reflect.get(event, 'Records') : undefined;
    if (!Array.isArray(records) || records.length === 0) return false;
    const queueName = queueUrl?.trim().split('/').filter(Boolean).at(-1);
    return records.some((record: unknown) => taskAttribute(record) !== undefined || (queueName !== undefined && fromQueue(record, queueName)));
  } catch {
    return false;
  }
}

/** An SQS record whose `eventSourceARN` (`arn:aws:sqs:REGION:ACCOUNT:NAME`) names the queue. */
function fromQueue(record: unknown, queueName: string): boolean {
  const arn = readField(record, 'eventSourceARN');
  return readField(record, 'eventSource') === 'aws:sqs' && typeof arn === 'string' && arn.split(':').at(-1) === queueName;
}
