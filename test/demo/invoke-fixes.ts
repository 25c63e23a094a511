// The fixes `npm run invoke`'s verdict names (test/demo/invoke-verdict.ts), worded as the layer's
// WARNs word them (extension/core/deadline-texts.ts), and which of them jobs cut off at the deadline get.
import { HANDLER_SOONER, MARGIN_FIX } from '../../extension/core/deadline-texts.ts';
import type { JobsSeen } from './invoke-jobs-seen.ts';

/** The fixes, named the same way in the extension's `deadline near` WARN. */
export const FIX_TIMEOUT = "raise the timeout (--timeout S here; the function's timeout on Lambda)";
export const FIX_SIGNAL = 'make long jobs honour `signal` (stop, or hand the rest on, when it aborts)';
export const FIX_FLUSHER = 'make the flusher catch (and report) what its exporter throws, or fix what the error names';
/** A promise (`waitUntil`, a promise job) gets no signal. */
export const FIX_PROMISE = 'bound a promise passed to `waitUntil` (or as a job) yourself — it gets no `signal`: `AbortSignal.timeout(ms)` or the invoke\'s deadline';
export const FIX_CATCH_ABORT = 'in a plain job (not a task: a task is sent to its queue either way), catch the abort, tell the user, and resolve: a rejection with the abort reason counts as failed (errorType TimeoutError)';
export const FIX_QUEUE = 'give tasks a queue (AFTER_RESPONSE_TASK_QUEUE_URL; see docs/tasks.md, "Try tasks locally")';
/**
 * The handler's fix, worded as the layer's WARNs word it (awaiting or blocking the event loop alike):
 * jobs queued before deadline − margin never start while it runs past it, and nothing holds those
 * it enqueues past deadline − margin + grace.
 */
export const FIX_HANDLER = `${HANDLER_SOONER}: jobs it queued never start while it runs past deadline − margin, and those it enqueues past deadline − margin + grace are not held`;
/** The invoke started inside its margin: the handler waited for nothing (worded as the layer's WARNs and the budget note word it). */
export const FIX_MARGIN = `${MARGIN_FIX} (the timeout: --timeout S here, the function's timeout on Lambda; the margin: --env AFTER_RESPONSE_DEADLINE_MARGIN_MS=…)`;
export const FIX_BLOCKING = 'split long synchronous work: it blocks the event loop, so the layer cannot release before the timeout';

/**
 * The fixes for jobs cut off at the deadline. The handler still running at deadline − margin (the
 * `deadline near` WARN's `handlerRunning`): its fix and the timeout's (`lateFixes`; the margin's
 * alone when the invoke started inside it) — awaiting or blocking the event loop, honouring
 * `signal` cannot help the jobs it queued or enqueued late. Only an abandoned job that was already
 * running at deadline − margin and got a grace to stop in (`hadGrace`: a promise passed early, a
 * job a drain started) adds `signal`'s fix (a promise's, for a promise). Else: the timeout, `signal`.
 */
export function abandonFixes(jobs: JobsSeen, lateFixes: readonly string[]): string[] {
  // The bridges name their promises `… waitUntil` (`waitUntil`, `hono waitUntil`, …) and `… after`: no signal reaches them.
  const promise = (name: string): boolean => /\b(waitUntil|after)\b/.test(name);
  if (!jobs.handlerLate) return [FIX_TIMEOUT, FIX_SIGNAL, ...(jobs.abandoned.some(promise) ? [FIX_PROMISE] : [])];
  const couldStop = jobs.abandoned.filter((name) => jobs.hadGrace.includes(name));
  return [...lateFixes, ...(couldStop.some((name) => !promise(name)) ? [FIX_SIGNAL] : []), ...(couldStop.some(promise) ? [FIX_PROMISE] : [])];
}
