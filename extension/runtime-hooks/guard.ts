import { describeError } from '../../shared/describe-error.ts';
import type { Logger } from '../../shared/log-line.ts';

/** Runs a hook's body; returns its result, or `undefined` when it threw (already logged). */
export type Guard = <T>(hook: string, body: () => T) => T | undefined;

/**
 * Every place where the extension runs inside someone else's call (the runtime's native
 * `next`/`done`/`error`, `process.dlopen`, `spawn`, a diagnostics channel) goes through one
 * guard, in the spirit of OpenTelemetry's `safeExecuteInTheMiddle`: an exception of the
 * extension's own never becomes the runtime's. The first failure of each hook is logged as an
 * ERROR; later ones are counted and logged at DEBUG, so a broken hook cannot flood the logs.
 * The extension degrades (that event is lost) while the function keeps serving.
 */
export function createGuard(logger: Logger): Guard {
  const failures = new Map<string, number>();
  return (hook, body) => {
    try {
      return body();
    } catch (error) {
      const count = (failures.get(hook) ?? 0) + 1;
      failures.set(hook, count);
      try {
        const level = count === 1 ? 'ERROR' : 'DEBUG';
        logger.log(level, `the extension's ${hook} hook failed; the function keeps running, the extension may degrade`, { hook, failures: count, ...describeError(error) });
      } catch {
        // The logger is total; this is the last line of defence if a caller injected another.
      }
      return undefined;
    }
  };
}

/**
 * `fn(a, b)` run as `guard(hook, () => fn(a, b))` would, without that closure per call (hooks
 * called per invoke): its own `try`, the guard only on a throw (logged and counted alike).
 */
export function guardCall<A, B>(guard: Guard, hook: string, fn: (a: A, b: B) => void, a: A, b: B): void {
  try {
    fn(a, b);
  } catch (error) {
    guardFailed(guard, hook, error);
  }
}

/** `error`, thrown by `hook`'s body outside the guard (a hot path's own `try`), logged and counted as the guard does. */
export function guardFailed(guard: Guard, hook: string, error: unknown): void {
  guard(hook, () => {
    throw error;
  });
}
