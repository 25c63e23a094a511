// `npm run invoke -- … --sqs`: the function's tasks go to a real SQS-compatible queue (the rig's
// ElasticMQ on loopback, a DLQ after 3 receives), and after the invokes the rig plays Lambda's SQS
// event source (ReportBatchItemFailures) until the queue is empty, so a task sent on continues
// through the function's handleTaskBatch. Each batch is printed with what was deleted and left.
import { startElasticMq, type ElasticMq, type SqsQueue } from '../rig/elasticmq.ts';
import { SqsEventSource, type DeliveredBatch } from '../rig/sqs-event-source.ts';
import { peekMessages, queueCounts } from '../rig/sqs-queue.ts';
import type { DeliveredRecord } from './invoke-queue-outcome.ts';
import type { Sandbox } from '../rig/types.ts';
import type { Print } from './invoke-function.ts';

/** Receives before the DLQ (SQS's maxReceiveCount); kept low so a poison task ends there soon. */
const MAX_RECEIVES = 3;

/** What the drain saw: every delivered record, the DLQ's message bodies, and the messages left. */
export interface Drained {
  readonly records: readonly DeliveredRecord[];
  readonly deadBodies: readonly string[];
  readonly left: number;
}

export interface LocalTaskQueue {
  /** AFTER_RESPONSE_TASK_QUEUE_URL, AWS_ENDPOINT_URL_SQS, region and dummy credentials, for the function. */
  readonly env: Readonly<Record<string, string>>;
  /** Runs the event source into `box` until the queue is empty or `timeoutMs` passed; prints each batch and the DLQ's count. */
  drain(box: Sandbox, print: Print, timeoutMs: number): Promise<Drained>;
  stop(): Promise<void>;
}

/**
 * The queue's visibility timeout, seconds: 6 × the function timeout, what docs/tasks.md requires
 * of a task queue (AWS's guidance for an SQS event source), so a local run behaves as a deployed
 * one. A failed task's message is received again after it.
 */
export function visibilityTimeoutSeconds(timeoutSeconds: number): number {
  return 6 * timeoutSeconds;
}

/** How long `drain` waits for the queue to empty, ms: every receive up to the DLQ, each a run and a visibility timeout, plus 15 s. */
export function drainBudgetMs(timeoutSeconds: number): number {
  return MAX_RECEIVES * (visibilityTimeoutSeconds(timeoutSeconds) + timeoutSeconds) * 1000 + 15_000;
}

/** Starts ElasticMQ with a queue (visibility timeout: {@link visibilityTimeoutSeconds}) and its DLQ. */
export async function startLocalTaskQueue(timeoutSeconds: number, print: Print): Promise<LocalTaskQueue> {
  const mq: ElasticMq = await startElasticMq();
  const visibility = visibilityTimeoutSeconds(timeoutSeconds);
  try {
    const { queue, dlq } = await mq.createQueueWithDlq(`invoke-tasks-${Date.now()}`, { visibilityTimeoutSeconds: visibility, maxReceiveCount: MAX_RECEIVES });
    print(`--sqs: tasks go to ${queue.url} (ElasticMQ on loopback; DLQ after ${MAX_RECEIVES} receives, visibility timeout ${visibility} s: 6 × the function timeout, as docs/tasks.md requires; a failed task is received again after it)`);
    return { env: { ...mq.functionEnv(), AFTER_RESPONSE_TASK_QUEUE_URL: queue.url }, drain: (box, out, timeoutMs) => drain(mq, { queue, dlq }, box, out, timeoutMs), stop: () => mq.stop() };
  } catch (error) {
    await mq.stop();
    throw error;
  }
}

async function drain(mq: ElasticMq, queues: { queue: SqsQueue; dlq: SqsQueue }, box: Sandbox, print: Print, timeoutMs: number): Promise<Drained> {
  const source = SqsEventSource.start({ client: mq.client, queue: queues.queue, target: box, functionResponseTypes: ['ReportBatchItemFailures'] });
  const end = Date.now() + timeoutMs;
  const empty = async (): Promise<boolean> => {
    const counts = await queueCounts(mq.client, queues.queue);
    return counts.visible + counts.inFlight + counts.delayed === 0;
  };
  try {
    while (!(await empty()) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await source.stop();
  }
  print('');
  print(`the queue through the SQS event source: ${source.batches.length} batch(es)`);
  for (const [i, batch] of source.batches.entries()) print(`  batch ${i + 1}: ${describeBatch(batch)}`);
  const left = await queueCounts(mq.client, queues.queue);
  const dead = await queueCounts(mq.client, queues.dlq);
  print(`  left in the queue: ${left.visible + left.inFlight + left.delayed}${Date.now() >= end ? ` (stopped waiting after ${Math.round(timeoutMs / 1000)} s)` : ''}; in the DLQ: ${dead.visible}`);
  const records = source.batches.flatMap((batch) => batch.event.Records.map((r) => ({
    messageId: r.messageId, body: r.body, receiveCount: batch.receiveCounts.get(r.messageId) ?? 1, deleted: batch.deleted.includes(r.messageId),
  })));
  const deadBodies = dead.visible === 0 ? [] : (await peekMessages(mq.client, queues.dlq)).map((m) => m.Body ?? '');
  return { records, deadBodies, left: left.visible + left.inFlight + left.delayed };
}

function describeBatch(batch: DeliveredBatch): string {
  const tasks = batch.event.Records.map((r) => r.messageAttributes.AfterResponseTask?.stringValue ?? '(not a task)');
  const outcome = batch.verdict.kind === 'failure' ? `the whole batch failed (${batch.verdict.reason})` : `deleted ${batch.deleted.length}, left for redelivery ${batch.left.length}`;
  return `${batch.event.Records.length} record(s) [${tasks.join(', ')}], request id ${batch.invoke?.requestId ?? 'none'}: ${outcome}`;
}
