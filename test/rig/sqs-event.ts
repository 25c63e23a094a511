// What Lambda's SQS event source mapping does with a batch, as pure functions: the SQS event
// a function receives (AWS docs, "Using Lambda with Amazon SQS": the event's shape) and what it
// deletes afterwards ("Handling errors for an SQS event source": partial batch responses).
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import type { SqsQueue } from './elasticmq.ts';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** SQS's message attribute as the event carries it: camelCase, binary values in base64, both lists always present. */
function eventAttribute(a: MessageAttributeValue): SQSMessageAttribute {
  const attribute: SQSMessageAttribute = {
    stringListValues: a.StringListValues ?? [],
    binaryListValues: (a.BinaryListValues ?? []).map(base64),
    dataType: a.DataType ?? '',
  };
  if (a.StringValue !== undefined) attribute.stringValue = a.StringValue;
  if (a.BinaryValue !== undefined) attribute.binaryValue = base64(a.BinaryValue);
  return attribute;
}

/** The region field of an SQS ARN (arn:aws:sqs:<region>:<account>:<name>). */
export function arnRegion(arn: string): string {
  const region = arn.split(':')[3];
  if (region === undefined || region === '') throw new Error(`not an SQS queue ARN: ${JSON.stringify(arn)}`);
  return region;
}

const REQUIRED_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp'] as const;

/** The message's system attributes (received with All): the four every SQS record carries, and any others as they came. */
function recordAttributes(received: Partial<Record<string, string>>, queue: SqsQueue): SQSRecord['attributes'] {
  const missing = REQUIRED_ATTRIBUTES.filter((name) => received[name] === undefined);
  if (missing.length > 0) throw new Error(`ReceiveMessage on ${queue.name} returned a message without ${missing.join(', ')}`);
  const [count = '', sent = '', sender = '', first = ''] = REQUIRED_ATTRIBUTES.map((name) => received[name]);
  // AWS's documented order first; any further attribute (AWSTraceHeader, MessageGroupId, ...) after.
  const documented = { ApproximateReceiveCount: count, SentTimestamp: sent, SenderId: sender, ApproximateFirstReceiveTimestamp: first };
  return { ...documented, ...received };
}

/** One received message as a record of Lambda's SQS event. Throws naming a field SQS left out. */
export function sqsRecord(message: Message, queue: SqsQueue): SQSRecord {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (MessageId === undefined || ReceiptHandle === undefined || Body === undefined || MD5OfBody === undefined) {
    throw new Error(`ReceiveMessage on ${queue.name} returned a message without MessageId, ReceiptHandle, Body or MD5OfBody: ${JSON.stringify(message)}`);
  }
  const attributes = recordAttributes(message.Attributes ?? {}, queue);
  const messageAttributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, eventAttribute(v)]));
  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    attributes,
    messageAttributes,
    md5OfBody: MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: arnRegion(queue.arn),
  };
  if (message.MD5OfMessageAttributes !== undefined) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

export function sqsEvent(messages: readonly Message[], queue: SqsQueue): SQSEvent {
  return { Records: messages.map((m) => sqsRecord(m, queue)) };
}

/** What the event source does with a batch: delete all of it, all but `failed`, or none of it. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failed: readonly string[] }
  | { readonly kind: 'failure'; readonly reason: string };

/** How the invoke ended, from the rig's view of the Runtime API. */
export type InvokeEnd =
  | { readonly posted: 'response'; readonly body: string }
  | { readonly posted: 'error'; readonly body: string } // the handler threw or rejected
  | { readonly posted: 'nothing'; readonly detail: string }; // timed out, crashed, or the invoke itself failed

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Reads `batchItemFailures` against the batch's message ids; undefined entries mean success. */
function readFailures(failures: unknown, ids: ReadonlySet<string>): BatchVerdict {
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: `batchItemFailures is not a list: ${shown(failures)}` };
  const failed = new Set<string>();
  for (const entry of failures as unknown[]) {
    const id = isRecord(entry) ? entry.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'failure', reason: `batch item failure without an itemIdentifier: ${shown(entry)}` };
    if (!ids.has(id)) return { kind: 'failure', reason: `itemIdentifier ${JSON.stringify(id)} is not a message id of this batch` };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'success' } : { kind: 'partial', failed: [...failed] };
}

/**
 * The event source's verdict on a batch. A function error, a timeout or a crash fails the whole
 * batch. A response counts only with ReportBatchItemFailures (else the batch succeeded): an empty
 * body, `null`, an object without `batchItemFailures` or with it null or empty is a complete
 * success; invalid JSON, an entry without a non-empty string `itemIdentifier` (e.g. a misspelt
 * key) or an identifier that is no message id of the batch is a complete failure (AWS, "Handling
 * errors for an SQS event source"). A JSON value that is not an object (a string, a list) is
 * read as malformed, hence a complete failure: the docs do not list it.
 */
export function batchVerdict(end: InvokeEnd, messageIds: readonly string[], options: { readonly reportBatchItemFailures: boolean }): BatchVerdict {
  if (end.posted === 'error') return { kind: 'failure', reason: `function error: ${end.body}` };
  if (end.posted === 'nothing') return { kind: 'failure', reason: `no response: ${end.detail}` };
  if (!options.reportBatchItemFailures || end.body.trim() === '') return { kind: 'success' };
  let response: unknown;
  try {
    response = JSON.parse(end.body);
  } catch {
    return { kind: 'failure', reason: `the response is not JSON: ${end.body.slice(0, 200)}` };
  }
  if (response === null) return { kind: 'success' };
  if (!isRecord(response)) return { kind: 'failure', reason: `the response is not an object: ${shown(response).slice(0, 200)}` };
  return readFailures(response.batchItemFailures, new Set(messageIds));
}
