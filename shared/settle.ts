/** How a job ended: a rejection with `undefined` is still a failure, so it is tagged, not inferred. */
export type Settlement = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** The one success (frozen): no object per job that succeeds. */
export const SUCCEEDED: Settlement = Object.freeze({ ok: true });

/**
 * Runs `work` (a job function's call, or `() => promise`) and calls `done` exactly once with
 * how it ended. A synchronous throw, a rejection with any value, and a thenable whose `then`
 * throws all become `{ ok: false }`; nothing becomes an unhandled rejection. `done` is called
 * from a promise reaction (never synchronously), so callers may update state before it runs.
 */
export function settle(work: () => unknown, done: (outcome: Settlement) => void): void {
  let value: unknown;
  try {
    value = work();
  } catch (error) {
    value = Promise.reject(error); // awaited below: never unhandled
  }
  void awaitSettlement(value, done);
}

/** One async frame per job instead of a promise, its executor and two reaction closures. */
async function awaitSettlement(value: unknown, done: (outcome: Settlement) => void): Promise<void> {
  let outcome = SUCCEEDED;
  try {
    await value;
  } catch (error) {
    outcome = { ok: false, error };
  }
  done(outcome);
}
