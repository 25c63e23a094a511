// The rig's stand-in for Lambda's SQS event source mapping (AWS docs: "Using Lambda with Amazon
// SQS", "Handling errors for an SQS event source"): long-polls a queue, invokes the function with
// the SQS event, deletes what succeeded and leaves the rest, which SQS shows again after the
// queue's visibility timeout (and its redrive policy moves to the DLQ). One poller, one batch at a
// time: RIE runs one invoke at a time outside Managed Instances, and Sandbox.invoke queues any
// invoke the test sends meanwhile behind the event source's. One difference in timing: Lambda's
// mapping has the function's response once the runtime posts it, the rig once RIE returns the
// invoke, after the extensions' release; so the rig deletes later, never earlier.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsQueue } from './elasticmq.ts';
import { batchVerdict, sqsEvent, type BatchVerdict, type InvokeEnd } from './sqs-event.ts';
import type { InvokeResult, Sandbox } from './types.ts';

export interface SqsEventSourceOptions {
  readonly client: SQSClient;
  readonly queue: SqsQueue;
  /** The function: a Sandbox, or anything that invokes like one. */
  readonly target: Pick<Sandbox, 'invoke'>;
  /** Messages per ReceiveMessage and per invoke: 1–10 (SQS's per-receive maximum). @default 10 (Lambda's default) */
  readonly batchSize?: number;
  /**
   * ReceiveMessage's WaitTimeSeconds (long poll): 0–20. Lambda polls with 20; the rig's default
   * is 1, so stop() returns within a second without abandoning a poll that could still take a
   * message. @default 1
   */
  readonly waitTimeSeconds?: number;
  /** As the mapping's FunctionResponseTypes: with 'ReportBatchItemFailures' the response's batchItemFailures are honoured. @default [] (AWS's default) */
  readonly functionResponseTypes?: readonly 'ReportBatchItemFailures'[];
  /** Passed to Sandbox.invoke. @default the sandbox's (function timeout + 30 s) */
  readonly invokeTimeoutMs?: number;
}

/** One batch, from receive to delete. Times are test-process performance.now() readings. */
export interface DeliveredBatch {
  readonly event: SQSEvent;
  readonly receiveCounts: ReadonlyMap<string, number>; // message id -> ApproximateReceiveCount of this delivery
  readonly receivedAt: number;
  readonly invoke: InvokeResult | undefined; // undefined when the invoke itself failed (see verdict)
  readonly verdict: BatchVerdict;
  readonly deleted: readonly string[]; // message ids deleted after the invoke
  readonly left: readonly string[]; // message ids left for redelivery
  readonly deleteFailures: readonly string[]; // `<message id>: <code> <message>` per delete SQS refused
  readonly settledAt: number;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${String(value)}\``);
  }
  return value;
}

/** How the rig saw the invoke end: the runtime's POSTs through the recording proxy. */
export function invokeEnd(result: InvokeResult): InvokeEnd {
  if (result.errorPostedAt !== undefined) return { posted: 'error', body: result.body };
  if (result.responsePostedAt !== undefined) return { posted: 'response', body: result.body };
  return { posted: 'nothing', detail: `status ${result.status}, body ${result.body.slice(0, 200)}` };
}

export class SqsEventSource {
  private readonly delivered: DeliveredBatch[] = [];
  private readonly listeners = new Set<() => void>();
  private running = true;
  private failure: unknown;
  private readonly loop: Promise<void>;
  private readonly batchSize: number;
  private readonly waitTimeSeconds: number;

  private constructor(private readonly options: SqsEventSourceOptions) {
    this.batchSize = checkRange('batchSize', options.batchSize ?? 10, 1, 10);
    this.waitTimeSeconds = checkRange('waitTimeSeconds', options.waitTimeSeconds ?? 1, 0, 20);
    this.loop = this.run();
  }

  /** Starts polling at once. Throws a TypeError naming an option out of range. */
  static start(options: SqsEventSourceOptions): SqsEventSource {
    return new SqsEventSource(options);
  }

  /** Every batch delivered so far, in order (a live list: it grows as batches are delivered). */
  get batches(): readonly DeliveredBatch[] {
    return this.delivered;
  }

  /**
   * Resolves once `test(batches)` holds (checked now and after each batch); rejects after
   * `timeoutMs` (default 30,000) naming `what`, or when polling failed.
   */
  until(what: string, test: (batches: readonly DeliveredBatch[]) => boolean, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (test(this.delivered)) settle(() => resolve());
        else if (this.failure !== undefined) settle(() => reject(new Error(`event source stopped before ${what}: ${String(this.failure)}`)));
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`event source: not ${what} within ${timeoutMs} ms after ${this.delivered.length} batch(es)`))), timeoutMs);
      const settle = (how: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        how();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Finishes the poll and the batch under way, then stops; rejects with the error that stopped polling, if any. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.failure !== undefined) throw new Error(`the SQS event source failed: ${String(this.failure)}`, { cause: this.failure });
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        const messages = await this.receive();
        if (messages.length > 0) this.delivered.push(await this.deliver(messages));
        for (const listener of [...this.listeners]) listener();
      }
    } catch (err) {
      this.failure = err;
      for (const listener of [...this.listeners]) listener();
    }
  }

  private async receive(): Promise<Message[]> {
    const { Messages = [] } = await this.options.client.send(new ReceiveMessageCommand({
      QueueUrl: this.options.queue.url,
      MaxNumberOfMessages: this.batchSize,
      WaitTimeSeconds: this.waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }));
    return Messages;
  }

  private async deliver(messages: Message[]): Promise<DeliveredBatch> {
    const receivedAt = performance.now();
    const event = sqsEvent(messages, this.options.queue);
    const ids = event.Records.map((r) => r.messageId);
    const receiveCounts = new Map(event.Records.map((r) => [r.messageId, Number(r.attributes.ApproximateReceiveCount)]));
    const invokeOptions = this.options.invokeTimeoutMs === undefined ? {} : { timeoutMs: this.options.invokeTimeoutMs };
    const outcome = await this.options.target.invoke(event, invokeOptions).then(
      (result) => ({ result, end: invokeEnd(result) }),
      (err: unknown) => ({ result: undefined, end: { posted: 'nothing', detail: `the invoke failed: ${String(err)}` } as const }),
    );
    const reportBatchItemFailures = (this.options.functionResponseTypes ?? []).includes('ReportBatchItemFailures');
    const verdict = batchVerdict(outcome.end, ids, { reportBatchItemFailures });
    const keep = new Set(verdict.kind === 'failure' ? ids : verdict.kind === 'partial' ? verdict.failed : []);
    const deleteFailures = await this.delete(event.Records.filter((r) => !keep.has(r.messageId)));
    const deleted = ids.filter((id) => !keep.has(id) && !deleteFailures.some((f) => f.startsWith(`${id}:`)));
    const left = ids.filter((id) => keep.has(id));
    return { event, receiveCounts, receivedAt, invoke: outcome.result, verdict, deleted, left, deleteFailures, settledAt: performance.now() };
  }

  /** Deletes the records' messages; returns `<message id>: <code>` for each delete SQS refused (that message comes back, as on Lambda). */
  private async delete(records: readonly SQSRecord[]): Promise<string[]> {
    if (records.length === 0) return [];
    const Entries = records.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle }));
    const { Failed = [] } = await this.options.client.send(new DeleteMessageBatchCommand({ QueueUrl: this.options.queue.url, Entries }));
    return Failed.map((f) => `${records[Number(f.Id)]?.messageId ?? '?'}: ${f.Code ?? ''} ${f.Message ?? ''}`.trim());
  }
}
