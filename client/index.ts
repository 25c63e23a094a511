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
import { defaultClient } from './client.ts';

export type { Flusher, Job, JobContext } from '../shared/host-protocol.ts';
export type { EnqueueOptions, FlushOptions } from '../shared/validate.ts';
export { createClient, type AfterResponseClient, type ClientOptions } from './client.ts';
export { createWaitUntil, namedWaitUntil, waitUntil, WAIT_UNTIL_JOB_NAME, type WaitUntil, type WaitUntilOptions } from './wait-until.ts';

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
 * job still running when the grace ends is logged as abandoned.
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
