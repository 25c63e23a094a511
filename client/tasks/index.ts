import { describeError, type Logger } from '../../shared/log-line.ts';
import { CompletedSet, type CompletionStore } from './completion.ts';
import { TaskRegistry, type DefineTaskOptions, type Task } from './define-task.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './payload.ts';
import { createSqsSender, type TaskSender } from './sender.ts';
import { isTaskBatch } from './is-task-batch.ts';
import { handleBatch, type BatchContextLike, type SqsBatchResponse } from './task-batch.ts';
import type { TaskFunction, TaskHost, TaskRuntime } from './types.ts';

export type { CompletionStore } from './completion.ts';
export type { DefineTaskOptions, Task, TaskEnqueueOptions } from './define-task.ts';
export type { BatchContextLike, SqsBatchResponse, SqsEventLike, SqsRecordLike } from './task-batch.ts';
export type { Durability, HandOffReason, TaskContext, TaskFunction } from './types.ts';
export { isTaskBatch };

/** The variables the task client reads (documented in docs/tasks.md, not the extension's table). */
export const TASK_VARIABLES = ['AFTER_RESPONSE_TASK_QUEUE_URL', 'AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES'] as const;

export interface TaskApiOptions {
  readonly host: () => TaskHost;
  readonly logger: Logger;
  /** Read at the first `defineTask`: `AFTER_RESPONSE_TASK_QUEUE_URL`, `AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES`, `AFTER_RESPONSE_DEADLINE_MARGIN_MS`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default an SQS sender on the runtime's AWS SDK, when a queue is configured */
  readonly sender?: (queueUrl: string) => TaskSender;
  readonly now?: () => number;
  readonly newId?: () => string;
  readonly setTimer?: (run: () => void, ms: number) => () => void;
}

/** The task functions of one client: `defineTask`, `handleTaskBatch`, `setTaskCompletionStore`. */
export interface TaskApi {
  defineTask<P>(name: string, fn: TaskFunction<P>, options?: DefineTaskOptions): Task<P>;
  handleTaskBatch(event: unknown, context?: BatchContextLike): Promise<SqsBatchResponse>;
  setTaskCompletionStore(store: CompletionStore | undefined): void;
}

/** The module's shape, for the loader client/parts.ts is given (the layer's tasks.cjs is built from this file). */
export interface TaskParts {
  readonly createTaskApi: typeof createTaskApi;
}

/** Wires the registry, the runtime (made at the first defineTask) and the batch handler. */
export function createTaskApi(options: TaskApiOptions): TaskApi {
  const now = options.now ?? Date.now;
  const completed = new CompletedSet();
  let store: CompletionStore | undefined;
  let runtime: TaskRuntime | undefined;
  const makeRuntime = (): TaskRuntime => {
    if (runtime) return runtime;
    const queueUrl = options.env.AFTER_RESPONSE_TASK_QUEUE_URL?.trim();
    if (!queueUrl) options.logger.log('WARN', 'AFTER_RESPONSE_TASK_QUEUE_URL is not set: tasks run as jobs here, and a task that fails or cannot finish is LOST (each named in an ERROR)');
    const logger = options.logger;
    const endpointUrl = options.env.AWS_ENDPOINT_URL_SQS ?? options.env.AWS_ENDPOINT_URL;
    const sender = queueUrl ? (options.sender ?? ((url) => createSqsSender({
      queueUrl: url, endpointUrl, onWarmFailed: (error) => warnWarm(logger, error),
      onEndpointDiffers: ({ queueOrigin, endpointOrigin }) => logger.log('WARN', `the task queue URL's host differs from AWS_ENDPOINT_URL_SQS: sending to the queue URL's (${queueOrigin}), as the AWS SDK does; write both alike to silence this`, { queueOrigin, endpointOrigin }),
    })))(queueUrl) : undefined;
    runtime = { logger, sender, completed, get store() { return store; }, now };
    return runtime;
  };
  let maxBytes: number | undefined;
  const registry = new TaskRegistry({
    host: options.host, runtime: makeRuntime, newId: options.newId ?? (() => crypto.randomUUID()),
    maxMessageBytes: () => (maxBytes ??= maxMessageBytes(options.env.AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES, options.logger)),
  });
  const setTimer = options.setTimer ?? ((run: () => void, ms: number) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  });
  return {
    defineTask: (name, fn, defineOptions) => registry.define(name, fn, defineOptions),
    handleTaskBatch: (event, context) => handleBatch(event, context, {
      runtime: makeRuntime(), find: (name) => registry.get(name), setTimer,
      hostDeadlineMs: () => options.host().currentDeadlineMs(),
      hostRequestId: () => options.host().currentRequestId(),
      marginMs: positiveInteger(options.env.AFTER_RESPONSE_DEADLINE_MARGIN_MS, 500),
    }),
    setTaskCompletionStore(next) {
      store = next;
    },
  };
}

function warnWarm(logger: Logger, error: unknown): void {
  logger.log('WARN', 'the task queue could not be reached while warming the sender: sends may fail', describeError(error));
}

/** SQS takes messages up to 1 MiB (a queue's `MaximumMessageSize`, 1,024–1,048,576 bytes). */
const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** `AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES`, read once; an invalid value is named in one ERROR and the default used. */
function maxMessageBytes(text: string | undefined, logger: Logger): number {
  if (text === undefined || text.trim() === '') return DEFAULT_MAX_MESSAGE_BYTES;
  const value = Number(text.trim());
  if (/^\d+$/.test(text.trim()) && value >= 1024 && value <= SQS_MAX_MESSAGE_BYTES) return value;
  logger.log('ERROR', `invalid configuration: Expected \`AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES\` to be an integer from 1024 to ${SQS_MAX_MESSAGE_BYTES} (SQS's largest message), got ${JSON.stringify(text)}; using the default ${DEFAULT_MAX_MESSAGE_BYTES}`);
  return DEFAULT_MAX_MESSAGE_BYTES;
}

function positiveInteger(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}
