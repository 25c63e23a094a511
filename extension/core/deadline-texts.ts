// The texts of the WARNs near the deadline (the `deadline near` WARN, invoke-deadline.ts; the `job
// enqueued after its invoke was released` WARN, job-placement.ts) and `npm run invoke`'s note on a
// timeout at or below the margin (test/demo/invoke-budget.ts): one wording for each cause and its fix.

/** The fix when an invoke starts inside its margin: the handler waits for nothing, the timeout is too short for the margin. */
export const MARGIN_FIX = "raise the function's timeout above the margin, or lower the margin";

/**
 * The handler's fix when it ran past deadline − margin: awaiting something, or blocking the event
 * loop with synchronous work (a busy handler waits for nothing), one wording for both (also
 * `npm run invoke`'s, test/demo/invoke-verdict.ts).
 */
export const HANDLER_SOONER = 'make the handler respond sooner (what it awaits, or synchronous work blocking the event loop)';
const HANDLER_FIX = `raise the function's timeout, or ${HANDLER_SOONER}`;

/** `the 1000 ms deadline margin (AFTER_RESPONSE_DEADLINE_MARGIN_MS)`: the setting, named with its value. */
export function marginNamed(marginMs: number): string {
  return `the ${String(marginMs)} ms deadline margin (AFTER_RESPONSE_DEADLINE_MARGIN_MS)`;
}

/** `started with 800 ms left, inside the 1000 ms deadline margin (…)`: deadline − margin had passed before the handler ran. */
function startedInside(leftAtStartMs: number, marginMs: number): string {
  return `started with ${String(Math.max(0, Math.round(leftAtStartMs)))} ms left, inside ${marginNamed(marginMs)}`;
}

/**
 * The `deadline near` WARN's text: what the abort means now, and whose the fix is. The
 * never-started part only when something never started; "no grace left" when the abort came at
 * or after deadline − margin + grace (an invoke started with less time left than margin − grace,
 * or a handler that ran past it): the invoke is released at once. `leftAtStartMs` (set when the
 * invoke started inside its margin): the fix is the timeout against the margin, not the handler's.
 */
export function deadlineNearMessage({ leftMs, handlerRunning, neverStarted, leftAtStartMs, marginMs }: {
  readonly leftMs: number; readonly handlerRunning: boolean; readonly neverStarted: boolean; readonly leftAtStartMs: number | undefined; readonly marginMs: number;
}): string {
  const what = leftMs === 0
    ? "deadline near, no grace left (deadline − margin + grace has passed): the jobs' signal is aborted, unfinished jobs are abandoned and the invoke is released now; jobs enqueued from now run unheld."
    : `deadline near: the jobs' signal is aborted; unfinished jobs get ${String(leftMs)} ms to stop before the release.`;
  if (leftAtStartMs !== undefined) {
    const jobs = leftMs === 0 ? 'nothing is held' : 'every job starts with its signal aborted';
    return `${what} The invoke ${startedInside(leftAtStartMs, marginMs)}, so ${jobs}. Fix: ${MARGIN_FIX}`;
  }
  if (!handlerRunning) return `${what} Fix: raise the function's timeout, or make long jobs honour \`signal\``;
  const why = neverStarted
    ? 'The handler itself had not returned at deadline − margin, so the jobs it had queued never started.'
    : leftMs === 0 ? 'The handler itself had not returned.' : 'The handler itself had not returned at deadline − margin: the jobs it enqueues until the grace ends start with their signal aborted.';
  return `${what} ${why} Fix: ${HANDLER_FIX}`;
}

/** A job enqueued after its invoke's release by a timer or callback that outlived it. */
export const LATE_AFTER_RETURN = 'job enqueued after its invoke was released (by a timer or callback that outlived the invoke?): it runs now, unheld, and may be frozen; enqueue before the handler returns';

/**
 * The handler itself enqueued it past deadline − margin + grace (after which nothing is held);
 * `leftAtStartMs` (set when the invoke started inside its margin): it never had the time, the fix
 * is the timeout against the margin.
 */
export function lateHandlerRunning(leftAtStartMs: number | undefined, marginMs: number): string {
  const why = leftAtStartMs === undefined
    ? 'the handler itself was still running past deadline − margin + grace, after which nothing is held'
    : `the invoke ${startedInside(leftAtStartMs, marginMs)}, with no grace left, so nothing is held`;
  const fix = leftAtStartMs === undefined ? HANDLER_FIX : MARGIN_FIX;
  return `job enqueued after its invoke was released: ${why}; it runs now, unheld, and may be frozen. Fix: ${fix}`;
}
