/**
 * lambda-after-response: return the response at once, keep working afterwards.
 *
 * ```ts
 * import { enqueueAfterResponse } from 'lambda-after-response';
 * export const handler = async (event) => {
 *   enqueueAfterResponse(({ signal }) => postToSlack(event.response_url, signal), { name: 'slack-reply' });
 *   return { statusCode: 200, body: 'Working on it' };
 * };
 * ```
 * @packageDocumentation
 */
import { pickHostV1, readHostRegistry, type Flusher, type HostV1, type Job, type JobContext } from './host-interface.ts';
import { createLocalHost, localJobContext } from './local-host.ts';
import { clientLogLevel } from './log-level.ts';
import { createLogger, type Logger } from './log-line.ts';
import { isMainThread } from './main-thread.ts';
import { createSocketHost, SOCKET_ENV } from './socket-host.ts';
import { createTaskApi, type TaskApi } from './tasks/index.ts';
import type { TaskHost } from './tasks/types.ts';
import { TrailingFlush } from './trailing-flush.ts';
import { unheldWarning } from './unheld-warning.ts';
import { fromCaller, validateEnqueue, validateFlusher, type EnqueueOptions, type FlushOptions } from './validate.ts';

export type { Flusher, Job, JobContext } from './host-interface.ts';
export { isTaskBatch } from './tasks/index.ts';
export type { BatchContextLike, CompletionStore, DefineTaskOptions, Durability, SqsBatchResponse, SqsEventLike, SqsRecordLike, Task, TaskContext, TaskEnqueueOptions, TaskFunction } from './tasks/index.ts';
import type { BatchContextLike, CompletionStore, DefineTaskOptions, SqsBatchResponse, Task, TaskFunction } from './tasks/index.ts';
export type { EnqueueOptions, FlushOptions } from './validate.ts';
export { createWaitUntil, namedWaitUntil, waitUntil, WAIT_UNTIL_JOB_NAME, type WaitUntil, type WaitUntilOptions } from './wait-until.ts';

/**
 * A client bound to one global object; the module's functions use one bound to `globalThis`.
 * Each method behaves as the module function of the same name.
 * @group Testing
 */
export interface AfterResponseClient {
  /** As {@link enqueueAfterResponse}. */
  enqueueAfterResponse(job: Job, options?: EnqueueOptions): void;
  /** As {@link drainAfterResponse}. */
  drainAfterResponse(): Promise<void>;
  /** As {@link flushAfterResponse}. */
  flushAfterResponse(flusher: Flusher, options?: FlushOptions): () => void;
}

/**
 * Options of {@link createClient}: what a test injects instead of the process's globals.
 * @group Testing
 */
export interface ClientOptions {
  /** Where the extension publishes its host (a fake host in tests). @default globalThis */
  readonly global?: object;
  /** Receives the client's own log lines (WARN when no extension is loaded, ERROR on a protocol mismatch). @default JSON lines on stdout, at the level of `AFTER_RESPONSE_LOG_LEVEL` (as the extension reads it) */
  readonly logger?: Logger;
  /** Read for `AFTER_RESPONSE_SOCKET` (set in a child process of the runtime), `AFTER_RESPONSE_DISABLED` and the log level. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Creates a client; exported for tests that inject a global object or a logger. Functions use
 * the module's {@link enqueueAfterResponse} and friends instead.
 * @example
 * ```ts
 * const host = { layerVersion: 'test', protocols: { 1: { enqueue, drain } } };
 * const client = createClient({ global: { [Symbol.for('lambda-after-response.host')]: host } });
 * client.enqueueAfterResponse(() => sendReceipt(order), { name: 'receipt' });
 * ```
 * @group Testing
 */
export function createClient(options: ClientOptions = {}): AfterResponseClient {
  return buildClient(options).client;
}

/** A client, and the host view its tasks use (the same host, so tasks and jobs share one invoke). */
function buildClient(options: ClientOptions): { client: AfterResponseClient; taskHost: () => TaskHost; logger: Logger } {
  const global = options.global ?? globalThis;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ level: clientLogLevel(env), write: (line) => void process.stdout.write(line) });
  // The extension publishes its host before any handler code runs, so one look-up is enough.
  let found: FoundHost | undefined;
  const resolve = (): FoundHost => (found ??= findHost(global, env, logger));
  const resolveHost = (): HostV1 => resolve().host;
  // Flushers the host cannot run per invoke (see trailing-flush.ts); made on first use.
  let trailing: TrailingFlush | undefined;

  const taskHost = (): TaskHost => {
    const found = resolveHost();
    return {
      enqueue: (job, hostOptions) => found.enqueue(trailing?.active ? trailing.wrap(job) : job, hostOptions),
      handsOff: found.handOff === true,
      currentDeadlineMs: () => (typeof found.currentDeadlineMs === 'function' ? found.currentDeadlineMs() : undefined),
      currentRequestId: () => (typeof found.currentRequestId === 'function' ? found.currentRequestId() : undefined),
    };
  };
  const client: AfterResponseClient = {
    enqueueAfterResponse(job, options) {
      const valid = validateEnqueue(job, options);
      resolveHost().enqueue(trailing?.active ? trailing.wrap(valid.job) : valid.job, { name: valid.name });
    },
    drainAfterResponse: () => resolveHost().drain(),
    flushAfterResponse(flusher, options) {
      const valid = validateFlusher(flusher, options);
      const { host, promiseContext } = resolve();
      if (typeof host.addFlusher === 'function') return host.addFlusher(valid.flusher, { name: valid.name });
      const registry = trailing ? undefined : readHostRegistry(global);
      if (registry) {
        logger.log('WARN', `the layer's extension (version ${registry.layerVersion}) cannot run flushers per invoke: they run after the jobs of invokes that enqueued any, and not after invokes that enqueued none; upgrade the layer`, { flusher: valid.name });
      }
      trailing ??= new TrailingFlush({ logger, promiseContext: promiseContext() });
      return trailing.add(valid.flusher, valid.name);
    },
  };
  return { client, taskHost, logger };
}

/** A host, and the context a fallback flush gets after a promise job (see trailing-flush.ts). */
interface FoundHost {
  readonly host: HostV1;
  /** Made only when a fallback flusher is added. */
  readonly promiseContext: () => JobContext;
}

/** The extension's host; else, in a child of the runtime, the socket; else in-process (says why). */
function findHost(global: object, env: Readonly<Record<string, string | undefined>>, logger: Logger): FoundHost {
  const registry = readHostRegistry(global);
  const host = registry && pickHostV1(registry);
  if (host) return { host, promiseContext: unknownContext };
  const socketPath = env[SOCKET_ENV];
  if (!registry && socketPath) {
    const fallback = createLocalHost({ logger });
    return { host: createSocketHost({ path: socketPath, logger, fallback: () => fallback }), promiseContext: unknownContext };
  }
  const { level, message } = unheldWarning({ registry, env, mainThread: isMainThread(process) });
  logger.log(level, message);
  return { host: createLocalHost({ logger }), promiseContext: localJobContext };
}

/** What a flush gets after a promise job whose invoke the client cannot know. */
function unknownContext(): JobContext {
  return { signal: new AbortController().signal, requestId: 'unknown', deadlineMs: Number.POSITIVE_INFINITY };
}

const defaultBuild = buildClient({});
const defaultClient = defaultBuild.client;
const defaultTasks: TaskApi = createTaskApi({ host: defaultBuild.taskHost, logger: defaultBuild.logger, env: process.env });

/**
 * Runs `job` after the response has been sent, while the layer keeps the environment awake.
 *
 * - A function is started after the runtime has posted the response, in FIFO order (at most
 *   `AFTER_RESPONSE_CONCURRENCY` at once), with `{ signal, requestId, deadlineMs }`; `signal`
 *   aborts at the invoke's deadline minus `AFTER_RESPONSE_DEADLINE_MARGIN_MS`.
 * - A promise (any thenable) is tracked from the moment it is passed (like `waitUntil`); it does
 *   not count against `AFTER_RESPONSE_CONCURRENCY`.
 * - Jobs enqueued from inside a job belong to the same invoke and are held too.
 *
 * Returns nothing to await. A job's error is caught and logged by name (`job failed`, with the
 * request id, error type, message and stack), never thrown and never an `unhandledRejection`; a
 * job still running when the grace ends is logged as abandoned. A job that stops at the deadline
 * by rejecting with its `signal`'s reason (what `fetch(url, { signal })` does) counts as failed,
 * with `errorType` `TimeoutError`, not as abandoned: catch the abort, tell the user, and resolve
 * to finish cleanly (see {@link JobContext.signal}), or alarm on `JobsFailed`.
 * @example
 * ```ts
 * export const handler = async (event) => {
 *   enqueueAfterResponse(async ({ signal }) => {
 *     await fetch(event.callbackUrl, { method: 'POST', body: JSON.stringify(await lookUp(event)), signal });
 *   }, { name: 'callback' });
 *   return { statusCode: 202 }; // sent now; the job runs after it
 * };
 * ```
 * @throws {TypeError} at once, when `job` is neither a function nor a thenable, is a class, or
 *   `options` is invalid (``Expected `job` to be a function or a promise, got `42` (number)``).
 */
export function enqueueAfterResponse(job: Job, options?: EnqueueOptions): void {
  try {
    defaultClient.enqueueAfterResponse(job, options);
  } catch (error) {
    throw fromCaller(error, enqueueAfterResponse); // the TypeError's stack starts at the user's call
  }
}

/**
 * Registers `flusher` (call it once, at module top level) to run once per invoke, after that
 * invoke's response has been posted and its jobs have settled, before the environment may
 * freeze — also after invokes that enqueued nothing. It gets `{ signal, requestId, deadlineMs }`
 * and is bounded like a job (deadline margin, abort, grace); an error or overrun is logged by
 * name (`flusher failed`, or `abandoning … "name (flusher)"`) and never fails the invoke.
 * Several flushers run concurrently. Returns a function that unregisters it.
 *
 * Without the layer's extension in this process (no layer, a Node child process or worker thread,
 * or a layer that predates flushers) it runs in-process inside a job that settles with no later
 * job still running (so only after invokes that enqueued any; a job that never settles stops no
 * later flush), with that job's context — after a promise job, which has none, `requestId`
 * `'unknown'` (`'local'` without the layer), `deadlineMs` `Infinity` and a signal that never
 * aborts. With the extension but no Runtime API (a local run) it runs after each batch of jobs
 * settles. Work it enqueues runs but is never followed by another flush.
 * Every case: docs/how-it-works.md, "Flushers".
 * @example
 * ```ts
 * const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
 * provider.register();
 * flushAfterResponse(() => provider.forceFlush(), { name: 'otel' }); // instead of awaiting it in the handler
 * ```
 * @throws {TypeError} at once, when `flusher` is not a function (or is a class) or `options` is
 *   invalid (``Expected `flusher` to be a function, got `"x"` (string)``).
 */
export function flushAfterResponse(flusher: Flusher, options?: FlushOptions): () => void {
  try {
    return defaultClient.flushAfterResponse(flusher, options);
  } catch (error) {
    throw fromCaller(error, flushAfterResponse);
  }
}

/**
 * Resolves when every job enqueued so far (and every job they enqueue) has settled or been
 * abandoned. For tests and local runs; a handler on Lambda never needs it.
 *
 * Awaited inside a handler, it starts that invoke's queued jobs now (the response then waits for
 * them, as without the layer). Anywhere else, jobs enqueued at init start now. Never await it
 * inside a job: the job would wait for itself.
 * @example
 * ```ts
 * // a unit test of a handler, without the layer
 * const response = await handler(event);
 * await drainAfterResponse(); // the jobs it enqueued have now run
 * expect(sentReceipts).toHaveLength(1);
 * ```
 */
export function drainAfterResponse(): Promise<void> {
  return defaultClient.drainAfterResponse();
}

/**
 * Defines a task (call it once per name, at module top level): work that runs after the
 * response like a job (named `task <name>`: held, FIFO, concurrency, signal, grace) and, when it
 * cannot finish here, continues through the SQS queue at `AFTER_RESPONSE_TASK_QUEUE_URL` — at
 * least once. It is sent (same `taskId`, same payload) when it fails, never started before the
 * deadline's abort, is still running when the grace ends, or the runtime gets SIGTERM; with
 * `{ durability: 'write-ahead' }` also before it starts, delayed past the invoke, so a crash loses
 * nothing. Without a queue it runs as a job, and each task that would have been sent is named
 * LOST in an ERROR. Handle the queue's messages with {@link handleTaskBatch}. Guarantees and
 * costs: docs/tasks.md.
 * @example
 * ```ts
 * const sendReport = defineTask('send-report', async (payload: { url: string }, { signal, taskId }) => {
 *   await fetch(payload.url, { method: 'POST', headers: { 'Idempotency-Key': taskId }, signal });
 * });
 * export const handler = async (event) => {
 *   if (isTaskBatch(event)) return handleTaskBatch(event);
 *   sendReport.enqueue({ url: event.url });
 *   return { statusCode: 202 };
 * };
 * ```
 * @throws {TypeError} for a name defined before, a bad name (1–80 of `[A-Za-z0-9_.:-]`), a
 *   non-function, or bad options. `task.enqueue` throws a `TypeError` when the payload would not
 *   survive `JSON.stringify` unchanged (a function, a cycle, a BigInt, a Date, …) or the message
 *   would exceed `AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES` (262,144 by default); nothing is queued then.
 */
export function defineTask<P>(name: string, fn: TaskFunction<P>, options?: DefineTaskOptions): Task<P> {
  return defaultTasks.defineTask(name, fn, options);
}

/**
 * Runs the tasks in an SQS event (from an event source mapping with `ReportBatchItemFailures`)
 * concurrently, and resolves with `{ batchItemFailures }` naming the records that failed, could
 * not finish before deadline − `AFTER_RESPONSE_DEADLINE_MARGIN_MS`, name an unknown task or are
 * not task messages (each an ERROR). A task already completed (in this environment, or per the
 * completion store) is reported done without running. `ctx.attempt` is the envelope's attempt
 * plus the deliveries before this one. Pass Lambda's `context` for the budget; without it the
 * layer's extension gives the invoke's deadline. Never rejects.
 */
export function handleTaskBatch(event: unknown, context?: BatchContextLike): Promise<SqsBatchResponse> {
  return defaultTasks.handleTaskBatch(event, context);
}

/**
 * Sets the store that says whether a task completed anywhere (e.g. on DynamoDB, keyed on
 * `taskId`), so a write-ahead copy delivered to another environment is not run twice. Without
 * one, only this environment's completions (the last 10,000) are known.
 */
export function setTaskCompletionStore(store: CompletionStore | undefined): void {
  defaultTasks.setTaskCompletionStore(store);
}
