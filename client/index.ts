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
import type { Flusher, Job } from '../shared/host-protocol.ts';
import { fromCaller, type EnqueueOptions, type FlushOptions } from '../shared/validate.ts';
import { defaultBuild, defaultClient, type AfterResponseClient } from './client.ts';
import { lazyTaskApi } from './default-tasks.ts';
import { clientParts } from './parts.ts';
import type { BatchContextLike, CompletionStore, DefineTaskOptions, SqsBatchResponse, Task, TaskApi, TaskFunction } from './tasks/index.ts';

export type { Flusher, Job, JobContext } from '../shared/host-protocol.ts';
export type { EnqueueOptions, FlushOptions } from '../shared/validate.ts';
export { isTaskBatch } from './tasks/is-task-batch.ts';
export type { BatchContextLike, CompletionStore, DefineTaskOptions, Durability, SqsBatchResponse, SqsEventLike, SqsRecordLike, Task, TaskContext, TaskEnqueueOptions, TaskFunction } from './tasks/index.ts';
export { namedWaitUntil, waitUntil, type WaitUntil } from './wait-until.ts';

// Made at the first task call (default-tasks.ts): a function that defines no task never loads the
// tasks' code. This object too (making it at import cost the layer entry's import 0.20 M instructions on nodejs22.x).
let tasks: TaskApi | undefined;
const defaultTasks = (): TaskApi => (tasks ??= lazyTaskApi({ load: clientParts.tasks, host: defaultBuild().taskHost, logger: defaultBuild().logger, env: process.env }));

// The module's client, kept once built: a job then runs this module's function and the client's
// method, not also defaultClient's arrow and defaultBuild — each function on the per-job path is
// one more for V8 to compile in the burst when the jobs become hot (bench/gc-trace.ts --compiles).
let client: AfterResponseClient | undefined;

/**
 * Runs `job` after the response has been sent, while the layer keeps the environment awake.
 *
 * - A function is started after the runtime has posted the response, in FIFO order (at most
 *   `AFTER_RESPONSE_CONCURRENCY` at once), with `{ signal, requestId, deadlineMs }`; `signal`
 *   aborts at the invoke's deadline minus `AFTER_RESPONSE_DEADLINE_MARGIN_MS`.
 * - A promise (any thenable) is tracked from the moment it is passed (like `waitUntil`); it does
 *   not count against `AFTER_RESPONSE_CONCURRENCY`.
 * - Jobs enqueued from inside a job belong to the same invoke and are held too.
 * - Without the layer (no layer, `AFTER_RESPONSE_DISABLED=true`, a local run): a function starts
 *   on the next turn — while the rest of the handler may still run —, all at once, with
 *   `requestId` `'local'`, no deadline and a signal that never aborts; nothing is held.
 *
 * Returns nothing to await. A job's error is caught and logged by name (`job failed`, with the
 * request id, error type, message and stack), never thrown and never an `unhandledRejection`; a
 * job still running when the grace ends is logged as abandoned. A job that stops at the deadline
 * by rejecting with its `signal`'s reason (what `fetch(url, { signal })` does) counts as failed,
 * with `errorType` `TimeoutError`, not as abandoned: catch the abort, tell the user, and resolve
 * to finish cleanly (see {@link JobContext.signal}), or alarm on `JobsFailed`. Not so for a task
 * (`defineTask`): one that settles after the abort, either way, is sent to its queue to run again.
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
    (client ??= defaultBuild().client).enqueueAfterResponse(job, options);
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
 * aborts. With the extension but no Runtime API (a local run) it follows the jobs by the same rule
 * (after a job that settles with no later job still running). Work it enqueues runs but is never
 * followed by another flush.
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
 * abandoned. For tests and local runs; a handler on Lambda never needs it. Without the layer no
 * deadline abandons anything: a job that never settles keeps it pending for ever.
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
 * deadline's abort, settles after that abort (interrupted: it caught the abort and resolved, or
 * rejected with it), is still running when the grace ends, or the runtime gets SIGTERM; with
 * `{ durability: 'write-ahead' }` also before it starts, delayed past the invoke, so a crash loses
 * nothing. Without a queue it runs as a job, and each task that would have been sent is named
 * LOST in an ERROR. Handle the queue's messages with {@link handleTaskBatch}. Guarantees and
 * costs: docs/tasks.md.
 * @example
 * ```ts
 * const sendReport = defineTask('send-report', async (payload: { url: string }, { signal, taskId }) => {
 *   await fetch(payload.url, { method: 'POST', headers: { 'Idempotency-Key': taskId }, signal });
 * });
 * export const handler = async (event, context) => {
 *   if (isTaskBatch(event)) return handleTaskBatch(event, context); // SQS event → { batchItemFailures }
 *   sendReport.enqueue({ url: String(event.url ?? '') }); // a key whose value is `undefined` is refused
 *   return { statusCode: 202, body: 'accepted' };
 * };
 * ```
 * @throws {TypeError} for a name defined before, a bad name (1–80 of `[A-Za-z0-9_.:-]`), a
 *   non-function, or bad options. `task.enqueue` throws a `TypeError` when the payload would not
 *   survive `JSON.stringify` unchanged (a function, a cycle, a BigInt, a Date, …) or the message
 *   would exceed `AFTER_RESPONSE_TASK_MAX_MESSAGE_BYTES` (262,144 by default); nothing is queued then.
 */
export function defineTask<P>(name: string, fn: TaskFunction<P>, options?: DefineTaskOptions): Task<P> {
  return defaultTasks().defineTask(name, fn, options);
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
  return defaultTasks().handleTaskBatch(event, context);
}

/**
 * Sets the store that says whether a task completed anywhere (e.g. on DynamoDB, keyed on
 * `taskId`), so a write-ahead copy delivered to another environment is not run twice. Without
 * one, only this environment's completions (the last 10,000) are known.
 */
export function setTaskCompletionStore(store: CompletionStore | undefined): void {
  defaultTasks().setTaskCompletionStore(store);
}
