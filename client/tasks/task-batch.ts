import { describeError } from '../../shared/log-line.ts';
import { decodeEnvelope, TASK_ATTRIBUTE, type TaskEnvelope } from './envelope.ts';
import { messageIdOf, readField, readRecords, receiveCountOf, taskAttribute, taskFields } from './sqs-record.ts';
import type { TaskDefinition, TaskRuntime } from './types.ts';

/** The parts of Lambda's SQS event read here (structural: no dependency on @types/aws-lambda). */
export interface SqsRecordLike {
  readonly messageId: string;
  readonly body: string;
  readonly attributes?: { readonly ApproximateReceiveCount?: string };
  readonly messageAttributes?: Readonly<Record<string, { readonly stringValue?: string } | undefined>>;
}

/** Lambda's SQS event, as far as `handleTaskBatch` reads it. */
export interface SqsEventLike {
  readonly Records: readonly SqsRecordLike[];
}

/** The partial batch response (needs `ReportBatchItemFailures` on the event source mapping). */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** The part of Lambda's context object read, when passed. */
export interface BatchContextLike {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

export interface TaskBatchOptions {
  readonly runtime: TaskRuntime;
  readonly find: (name: string) => TaskDefinition | undefined;
  /** The invoke's deadline from the host (epoch ms) when no context is passed. */
  readonly hostDeadlineMs: () => number | undefined;
  /** The invoke's request id from the host when no context is passed (named in every log line). */
  readonly hostRequestId: () => string | undefined;
  /** `AFTER_RESPONSE_DEADLINE_MARGIN_MS`: the records' signal aborts this long before the deadline. */
  readonly marginMs: number;
  readonly setTimer: (run: () => void, ms: number) => () => void;
}

type Outcome = 'done' | 'failed';

/**
 * Runs each record's task, concurrently, inside the invoke's budget; resolves with the records
 * that failed or could not finish before deadline − margin (their signal aborts then; they are
 * reported, not awaited). A record that is not a task message, names an unknown task or has a
 * malformed body is an ERROR and a failure. Never rejects; a record without a usable `messageId`
 * cannot be named, so it is reported with an empty identifier, which fails the whole batch.
 */
export async function handleBatch(event: unknown, context: BatchContextLike | undefined, options: TaskBatchOptions): Promise<SqsBatchResponse> {
  const records = readRecords(event);
  if (records === undefined) {
    options.runtime.logger.log('ERROR', 'handleTaskBatch got an event that is not an SQS batch (no Records array): nothing to run', { requestId: readRequestId(context, options) });
    return { batchItemFailures: [] };
  }
  const controller = new AbortController();
  const deadlineMs = budget(context, options);
  const cancel = Number.isFinite(deadlineMs) ? options.setTimer(() => controller.abort(new Error('the invoke\'s deadline is near')), Math.max(0, deadlineMs - options.marginMs - options.runtime.now())) : () => undefined;
  const aborted = new Promise<'aborted'>((resolve) => controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
  const requestId = readRequestId(context, options);
  try {
    const outcomes = records.map((record) => Promise.race([runRecord(record, { ...options, signal: controller.signal, deadlineMs, requestId }), aborted]));
    const failures: Array<{ itemIdentifier: string }> = [];
    for (const [index, outcome] of (await Promise.all(outcomes)).entries()) {
      if (outcome === 'done') continue;
      const messageId = messageIdOf(records[index]);
      if (outcome === 'aborted') options.runtime.logger.log('ERROR', `task did not finish before the deadline: ${REDELIVERY}`, { requestId, messageId, receiveCount: receiveCountOf(records[index]), ...taskFields(records[index]) });
      failures.push({ itemIdentifier: messageId });
    }
    return { batchItemFailures: failures };
  } finally {
    cancel();
  }
}

async function runRecord(record: unknown, options: TaskBatchOptions & { readonly signal: AbortSignal; readonly deadlineMs: number; readonly requestId: string }): Promise<Outcome> {
  const { logger, completed, store } = options.runtime;
  const messageId = messageIdOf(record);
  const { requestId } = options;
  const decoded = decodeEnvelope(readField(record, 'body'));
  if (!decoded.ok) {
    logger.log('ERROR', `SQS message is not a task: ${decoded.problem}`, { requestId, messageId, ...taskFields(record) });
    return 'failed';
  }
  const { envelope } = decoded;
  const attribute = taskAttribute(record);
  if (attribute !== undefined && attribute !== envelope.task) {
    // Which one is right cannot be known (a message edited by hand, another producer): run neither.
    logger.log('ERROR', `SQS message names two tasks: the body's \`${envelope.task}\` and the ${TASK_ATTRIBUTE} attribute's \`${attribute}\`; not run`, { requestId, messageId, task: envelope.task, attributeTask: attribute, taskId: envelope.taskId });
    return 'failed';
  }
  const definition = options.find(envelope.task);
  if (!definition) {
    logger.log('ERROR', `SQS message names an unknown task: no defineTask('${envelope.task}') in this function`, { requestId, messageId, task: envelope.task, taskId: envelope.taskId });
    return 'failed';
  }
  const fields = { requestId, messageId, task: envelope.task, taskId: envelope.taskId };
  if (completed.has(envelope.taskId) || (await storeHas(store, envelope.taskId, logger, fields))) {
    logger.log('INFO', 'task already completed: its copy is reported done without running', fields);
    return 'done';
  }
  const attempt = attemptOf(envelope, record);
  try {
    await definition.run(envelope.payload, { signal: options.signal, requestId: options.requestId, deadlineMs: options.deadlineMs, taskId: envelope.taskId, attempt });
  } catch (error) {
    // Settled after the abort: the batch has reported it as not finished (its line names it).
    if (!options.signal.aborted) logger.log('ERROR', `task failed on attempt ${attempt}: ${REDELIVERY}`, { ...fields, attempt, receiveCount: receiveCountOf(record), ...describeError(error) });
    return 'failed';
  }
  // Resolved after the abort (caught it): its message stays in the queue, so it is not recorded as completed.
  if (options.signal.aborted) return 'failed';
  await recordCompleted(envelope.taskId, options.runtime, fields);
  return 'done';
}

/** Remembers a completed task here and in the completion store (a refusal is a WARN: the task did complete). */
async function recordCompleted(taskId: string, { completed, store, logger }: TaskBatchOptions['runtime'], fields: Readonly<Record<string, unknown>>): Promise<void> {
  completed.add(taskId);
  try {
    await store?.put(taskId);
  } catch (error) {
    logger.log('WARN', 'task completed, but the completion store refused it', { ...fields, ...describeError(error) });
  }
}

async function storeHas(store: TaskRuntime['store'], taskId: string, logger: TaskRuntime['logger'], fields: Readonly<Record<string, unknown>>): Promise<boolean> {
  if (!store) return false;
  try {
    return (await store.has(taskId)) === true;
  } catch (error) {
    logger.log('WARN', 'the completion store could not be read: the task runs (at least once)', { ...fields, ...describeError(error) });
    return false;
  }
}

/**
 * What becomes of a record reported as a failure. The redrive policy's `maxReceiveCount` is the
 * queue's, unknown here: this receive may be the last before the DLQ.
 */
const REDELIVERY = 'redelivered after its visibility timeout, or moved to the DLQ when the queue\'s redrive policy says so';

/** `ctx.attempt` counts every run: the envelope's attempt, plus the deliveries before this one. */
function attemptOf(envelope: TaskEnvelope, record: unknown): number {
  return envelope.attempt + (receiveCountOf(record) ?? 1) - 1;
}

function budget(context: BatchContextLike | undefined, options: TaskBatchOptions): number {
  try {
    const left = context?.getRemainingTimeInMillis();
    if (typeof left === 'number' && Number.isFinite(left)) return options.runtime.now() + left;
  } catch {
    // an odd context: fall back to the host's deadline
  }
  return options.hostDeadlineMs() ?? Number.POSITIVE_INFINITY;
}

/** The context's `awsRequestId`, else the host's; never throws (handleTaskBatch never rejects). */
function readRequestId(context: BatchContextLike | undefined, options: TaskBatchOptions): string {
  const id = readField(context, 'awsRequestId');
  if (typeof id === 'string') return id;
  try {
    return options.hostRequestId() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
