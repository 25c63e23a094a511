// The rig's SQS event source mapping, its pure parts: the SQS event a function receives and
// what a batch's invoke means for its messages (AWS docs: "Handling errors for an SQS event source").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arnRegion, batchVerdict, sqsEvent, sqsRecord, type InvokeEnd } from '../rig/sqs-event.ts';

const queue = { name: 'q', url: 'http://127.0.0.1:1/123456789012/q', arn: 'arn:aws:sqs:eu-west-1:123456789012:q' };
const message = {
  MessageId: 'm-1',
  ReceiptHandle: 'rh-1',
  Body: 'hello',
  MD5OfBody: '5d41402abc4b2a76b9719d911017c592',
  Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1', SenderId: 's', ApproximateFirstReceiveTimestamp: '2' },
};
const ids = ['m-1', 'm-2', 'm-3'];
const reported = { reportBatchItemFailures: true };
const response = (value: unknown): InvokeEnd => ({ posted: 'response', body: JSON.stringify(value) ?? '' });

describe('the rig\'s SQS event', () => {
  it('carries a received message as Lambda\'s SQS record: camelCase, base64 binaries, both lists always present, region from the ARN', () => {
    const record = sqsRecord({
      ...message,
      MD5OfMessageAttributes: 'abc',
      MessageAttributes: {
        s: { DataType: 'String', StringValue: 'v' },
        b: { DataType: 'Binary', BinaryValue: Uint8Array.of(0, 255) },
        l: { DataType: 'String', StringListValues: ['x'], BinaryListValues: [Uint8Array.of(1)] },
      },
    }, queue);
    expect(record).toEqual({
      messageId: 'm-1', receiptHandle: 'rh-1', body: 'hello', attributes: message.Attributes,
      messageAttributes: {
        s: { stringValue: 'v', stringListValues: [], binaryListValues: [], dataType: 'String' },
        b: { binaryValue: 'AP8=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
        l: { stringListValues: ['x'], binaryListValues: ['AQ=='], dataType: 'String' },
      },
      md5OfBody: message.MD5OfBody, eventSource: 'aws:sqs', eventSourceARN: queue.arn, awsRegion: 'eu-west-1', md5OfMessageAttributes: 'abc',
    });
    expect(sqsEvent([message], queue).Records.map((r) => Object.keys(r))).toEqual([
      ['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion'],
    ]);
  });

  it('names a message SQS returned incomplete, and an ARN without a region', () => {
    expect(() => sqsRecord({ ...message, ReceiptHandle: undefined }, queue)).toThrow(/ReceiveMessage on q returned a message without MessageId, ReceiptHandle/);
    expect(() => sqsRecord({ ...message, Attributes: { SenderId: 's', SentTimestamp: '1' } }, queue)).toThrow('ReceiveMessage on q returned a message without ApproximateReceiveCount, ApproximateFirstReceiveTimestamp');
    expect(() => arnRegion('arn:aws:sqs')).toThrow('not an SQS queue ARN: "arn:aws:sqs"');
  });
});

describe('the rig\'s verdict on a batch', () => {
  it('fails the whole batch on a function error, a timeout or crash, with or without ReportBatchItemFailures', () => {
    for (const options of [reported, { reportBatchItemFailures: false }]) {
      expect(batchVerdict({ posted: 'error', body: '{"errorType":"Error"}' }, ids, options)).toEqual({ kind: 'failure', reason: 'function error: {"errorType":"Error"}' });
      expect(batchVerdict({ posted: 'nothing', detail: 'status 200, body Task timed out' }, ids, options)).toMatchObject({ kind: 'failure' });
    }
  });

  it('counts the complete successes AWS lists: an empty or null list, an empty or null response', () => {
    for (const body of ['', 'null', '{}', '{"batchItemFailures":null}', '{"batchItemFailures":[]}', '{"statusCode":200}']) {
      expect(batchVerdict({ posted: 'response', body }, ids, reported), body).toEqual({ kind: 'success' });
    }
  });

  it('counts the complete failures AWS lists: invalid JSON, an empty, null or misspelt itemIdentifier, an id not in the batch', () => {
    const failures = [
      '{"batchItemFailures":[{"itemIdentifier":"m-1"}]', // invalid JSON
      '{"batchItemFailures":[{"itemIdentifier":""}]}',
      '{"batchItemFailures":[{"itemIdentifier":null}]}',
      '{"batchItemFailures":[{"itemIdentifer":"m-1"}]}',
      '{"batchItemFailures":[{"itemIdentifier":"m-1"},{"itemIdentifier":"m-9"}]}',
      '{"batchItemFailures":"m-1"}',
      '"m-1"',
      '["m-1"]',
    ];
    for (const body of failures) expect(batchVerdict({ posted: 'response', body }, ids, reported), body).toMatchObject({ kind: 'failure' });
  });

  it('ignores the response without ReportBatchItemFailures (the mapping\'s default)', () => {
    expect(batchVerdict(response({ batchItemFailures: [{ itemIdentifier: 'm-1' }] }), ids, { reportBatchItemFailures: false })).toEqual({ kind: 'success' });
    expect(batchVerdict({ posted: 'response', body: 'not json' }, ids, { reportBatchItemFailures: false })).toEqual({ kind: 'success' });
  });

  it('leaves exactly the listed messages of the batch (each once) for any list of them', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...ids), { minLength: 1 }), (listed) => {
      const verdict = batchVerdict(response({ batchItemFailures: listed.map((itemIdentifier) => ({ itemIdentifier })) }), ids, reported);
      expect(verdict).toEqual({ kind: 'partial', failed: [...new Set(listed)] });
    }));
  });

  it('never leaves a message outside the batch, whatever the function returns', () => {
    const anyBody = fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.record({ batchItemFailures: fc.anything() }).map((v) => JSON.stringify(v) ?? ''));
    fc.assert(fc.property(anyBody, (body) => {
      const verdict = batchVerdict({ posted: 'response', body }, ids, reported);
      if (verdict.kind === 'partial') {
        expect(verdict.failed.length).toBeGreaterThan(0);
        for (const id of verdict.failed) expect(ids).toContain(id);
      } else if (verdict.kind === 'failure') {
        expect(verdict.reason).not.toBe('');
      }
    }));
  });
});
